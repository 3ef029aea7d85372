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

# A team that writes its role's whole trust policy in its own Terraform would remove this statement on its next
# apply. Hand it the statement this resource manages (known at plan time), and the team includes it in the
# policy it writes: both then write the same statements, so neither undoes the other. Planning reads role_name
# from IAM, so the role must exist before this relationship is planned: the team creates its role first.
resource "vbaws_trust_relationship" "owned" {
  role_name     = "team-owned-role"
  sid           = "VeeamAppliance"
  principal_arn = data.vbaws_impersonation_role.appliance.arn
}

# In the team's configuration: Statement = concat(<its own statements>, jsondecode(<this value>).Statement).
output "team_owned_role_veeam_statement" {
  value = vbaws_trust_relationship.owned.statement
}
