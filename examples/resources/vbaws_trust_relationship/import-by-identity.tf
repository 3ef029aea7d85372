# Terraform 1.12 and later: an import block may name the statement by its identity (role name and Sid) instead of
# an import ID. account_id is optional; when given, it must be the account the provider works in.
import {
  to = vbaws_trust_relationship.archive
  identity = {
    role_name = "archive-app-role"
    sid       = "VeeamBackupImpersonation"
  }
}

resource "vbaws_trust_relationship" "archive" {
  role_name     = "archive-app-role"
  principal_arn = data.vbaws_impersonation_role.appliance.arn
}
