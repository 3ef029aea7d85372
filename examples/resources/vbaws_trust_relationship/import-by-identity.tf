# Terraform 1.12 and later: import the Veeam statement of a role by its identity; account_id, when given, must be
# the provider's account.
import {
  to = vbaws_trust_relationship.team
  identity = {
    role_name = "team-app-role"
    sid       = "VeeamBackupImpersonation"
  }
}
