# Terraform 1.12 and later: an import block may name the role by its identity instead of an import ID. account_id
# is optional; when given, it must be the account the provider works in.
import {
  to = vbaws_iam_role.legacy
  identity = {
    name = "VeeamLegacyBackupRole"
  }
}

resource "vbaws_iam_role" "legacy" {
  name                   = "VeeamLegacyBackupRole"
  trusted_principal_arns = [data.vbaws_impersonation_role.appliance.arn]
}
