# Terraform 1.12 and later: import a role by its identity; account_id, when given, must be the provider's account.
import {
  to = vbaws_iam_role.ec2_backup
  identity = {
    name       = "veeam-ec2-backup"
    account_id = "123456789012"
  }
}
