# Terraform 1.12 and later: an import block may name the template by its identity instead of an import ID.
# account_id is optional; when given, it must be the account the provider works in.
import {
  to = vbaws_role_template.rds
  identity = {
    name = "veeam-rds"
  }
}

resource "vbaws_role_template" "rds" {
  name       = "veeam-rds"
  path       = "/veeam/"
  operations = ["rds_snapshot", "rds_restore"]
}
