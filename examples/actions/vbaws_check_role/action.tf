# Veeam's "Check Permissions" after the role is created or changed: the apply fails, listing what is missing,
# when the role cannot do what the selected operations need.
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
  external_id             = "veeam-appliance-1"
  service_principals      = vbaws_role_template.ec2.service_principals
  managed_policy_arns     = vbaws_role_template.ec2.policy_arns
  create_instance_profile = vbaws_role_template.ec2.requires_instance_profile

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.vbaws_check_role.ec2]
    }
  }
}

action "vbaws_check_role" "ec2" {
  config {
    role_name             = "veeam-ec2"
    operations            = ["ec2_backup", "ec2_restore"]
    trusted_principal_arn = data.vbaws_impersonation_role.appliance.arn
    external_id           = "veeam-appliance-1"
  }
}

# On demand, for example in a nightly pipeline:
#   terraform apply -invoke=action.vbaws_check_role.ec2
