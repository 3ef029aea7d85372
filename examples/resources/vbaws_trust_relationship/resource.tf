data "vbaws_impersonation_role" "appliance" {
  name = "VeeamImpersonationRole"
}

# Let the appliance assume a role another team owns. Their own trust statements stay untouched.
resource "vbaws_trust_relationship" "team" {
  role_name     = "team-app-role"
  principal_arn = data.vbaws_impersonation_role.appliance.arn
  external_id   = "veeam-prod-7f3c"
}

# AWS Backup may assume the role too; it gets its own statement, without the external ID condition.
resource "vbaws_trust_relationship" "data_team" {
  role_name          = "data-team-role"
  principal_arn      = data.vbaws_impersonation_role.appliance.arn
  service_principals = ["backup.amazonaws.com"]
}
