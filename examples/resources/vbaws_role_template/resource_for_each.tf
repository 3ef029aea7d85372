# The same selection for each product version, while appliances of both versions run.
resource "vbaws_role_template" "by_version" {
  for_each        = toset(["10", "11"])
  name            = "veeam-ec2-v${each.key}"
  product_version = each.key
  operations      = ["ec2_backup", "ec2_restore"]
}
