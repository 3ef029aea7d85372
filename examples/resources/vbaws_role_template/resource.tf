# Veeam's permissions to back up and restore EC2 instances, as managed policies that fit IAM's size limit.
resource "vbaws_role_template" "ec2" {
  name        = "veeam-ec2"
  path        = "/veeam/"
  description = "Veeam Backup for AWS: EC2 backup and restore"
  operations  = ["ec2_backup", "ec2_restore"]

  # Workers in production accounts need a few more permissions.
  workers_in_production_accounts = true

  tags = {
    team = "platform"
  }
}

data "vbaws_impersonation_role" "appliance" {
  name = "VeeamImpersonationRole"
}

# Everything the role needs comes from the template, known at plan time.
resource "vbaws_iam_role" "ec2" {
  name                    = "veeam-ec2"
  path                    = "/veeam/"
  trusted_principal_arns  = [data.vbaws_impersonation_role.appliance.arn]
  managed_policy_arns     = vbaws_role_template.ec2.policy_arns
  service_principals      = vbaws_role_template.ec2.service_principals
  create_instance_profile = vbaws_role_template.ec2.requires_instance_profile
}
