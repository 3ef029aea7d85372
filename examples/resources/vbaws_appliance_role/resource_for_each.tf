# One record per member account's backup role, each assumed with the same external ID.
resource "vbaws_appliance_role" "member" {
  for_each    = toset(["345678901234", "456789012345"])
  name        = "Backup ${each.key}"
  role_arn    = "arn:aws:iam::${each.key}:role/veeam/veeam-backup"
  external_id = var.production_external_id
}
