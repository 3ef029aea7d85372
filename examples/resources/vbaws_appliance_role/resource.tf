data "vbaws_impersonation_role" "appliance" {
  name = "VeeamImpersonationRole"
}

resource "vbaws_role_template" "ec2" {
  name       = "veeam-ec2"
  operations = ["ec2_backup", "ec2_restore"]
}

resource "vbaws_iam_role" "ec2" {
  name                    = "veeam-ec2"
  trusted_principal_arns  = [data.vbaws_impersonation_role.appliance.arn]
  managed_policy_arns     = vbaws_role_template.ec2.policy_arns
  service_principals      = vbaws_role_template.ec2.service_principals
  create_instance_profile = vbaws_role_template.ec2.requires_instance_profile
}

# The role above, in the appliance's own account, offered for EC2 backup and restore only.
resource "vbaws_appliance_role" "ec2" {
  name        = "EC2 backup and restore"
  description = "Managed by Terraform"
  role_arn    = vbaws_iam_role.ec2.arn
  permissions = vbaws_role_template.ec2.operations
}

# A role in a member account, assumed with the external ID its trust policy requires. Create and update wait up
# to assume_wait while the appliance cannot assume the role yet.
variable "production_external_id" {
  type      = string
  sensitive = true
}

resource "vbaws_appliance_role" "production" {
  name        = "Production backup"
  role_arn    = "arn:aws:iam::210987654321:role/veeam/veeam-backup"
  external_id = var.production_external_id
  assume_wait = "10m"
}
