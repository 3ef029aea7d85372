data "vbaws_impersonation_role" "appliance" {
  name = "VeeamImpersonationRole"
}

# A role the appliance uses to back up EC2 instances in this account.
resource "vbaws_iam_role" "ec2_backup" {
  name                   = "veeam-ec2-backup"
  path                   = "/veeam/"
  description            = "Assumed by Veeam Backup for AWS to back up EC2 instances"
  trusted_principal_arns = [data.vbaws_impersonation_role.appliance.arn]
  external_id            = "veeam-prod-7f3c"
  managed_policy_arns    = vbaws_role_template.ec2_backup.policy_arns

  tags = {
    team = "platform"
  }
}

resource "vbaws_role_template" "ec2_backup" {
  name       = "veeam-ec2-backup"
  path       = "/veeam/"
  operations = ["ec2_backup", "ec2_restore"]
}

# A worker role: Veeam launches worker instances with its instance profile.
resource "vbaws_iam_role" "worker" {
  name                    = "veeam-worker"
  trusted_principal_arns  = [data.vbaws_impersonation_role.appliance.arn]
  service_principals      = ["ec2.amazonaws.com"]
  create_instance_profile = true
}

# Veeam's "IAM role from another account" mode trusts the appliance's whole account; acknowledge it once.
resource "vbaws_iam_role" "cross_account" {
  name                     = "veeam-cross-account"
  trusted_principal_arns   = ["111122223333"]
  acknowledge_account_root = true
}
