# A statement added earlier (by hand, or by another state), adopted by role name and Sid.
import {
  to = vbaws_trust_relationship.legacy
  id = "legacy-app-role/VeeamBackupImpersonation"
}

resource "vbaws_trust_relationship" "legacy" {
  role_name     = "legacy-app-role"
  principal_arn = data.vbaws_impersonation_role.appliance.arn
}
