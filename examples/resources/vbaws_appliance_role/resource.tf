# A role in the appliance's own account, offered for EC2 backup and restore only.
resource "vbaws_appliance_role" "ec2" {
  name        = "EC2 backup and restore"
  description = "Managed by Terraform"
  role_arn    = vbaws_iam_role.ec2.arn
  permissions = ["ec2_backup", "ec2_restore"]
}

# A role in a member account, assumed with the external ID its trust policy requires. Create and update wait up
# to assume_wait while the appliance cannot assume the role yet.
resource "vbaws_appliance_role" "production" {
  name        = "Production backup"
  role_arn    = "arn:aws:iam::210987654321:role/veeam/veeam-backup"
  external_id = var.production_external_id
  assume_wait = "10m"
}
