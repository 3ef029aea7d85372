# By role name.
data "vbaws_impersonation_role" "by_name" {
  name = "VeeamImpersonationRole"
}

# By the appliance instance's profile.
data "vbaws_impersonation_role" "by_profile" {
  instance_profile_name = "VeeamApplianceProfile"
}

# With no input, when Terraform itself runs as the Impersonation role.
data "vbaws_impersonation_role" "self" {}

output "can_assume_roles" {
  value = data.vbaws_impersonation_role.by_name.can_assume_roles
}
