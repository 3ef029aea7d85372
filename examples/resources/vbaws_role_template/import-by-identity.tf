# Terraform 1.12 and later: import a template by its identity; account_id, when given, must be the provider's
# account.
import {
  to = vbaws_role_template.ec2
  identity = {
    name = "veeam-ec2"
  }
}
