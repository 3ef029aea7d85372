# A template an earlier configuration created, adopted by name: its path and selection are read from the tags of
# its policies, so the configuration below plans no change.
import {
  to = vbaws_role_template.vpc
  id = "veeam-vpc"
}

resource "vbaws_role_template" "vpc" {
  name       = "veeam-vpc"
  path       = "/veeam/"
  operations = ["vpc_backup", "vpc_restore"]
}
