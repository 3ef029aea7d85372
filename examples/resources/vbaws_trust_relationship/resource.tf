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

# A team that manages its role's trust policy in its own Terraform includes the statement this resource manages
# (known at plan time) in the policy it writes. Both then write the same statements, so neither undoes the other.
# The role must exist when the relationship is planned: role_name is read while planning.
resource "vbaws_trust_relationship" "owned" {
  role_name     = "team-owned-role"
  sid           = "VeeamAppliance"
  principal_arn = data.vbaws_impersonation_role.appliance.arn
}

resource "aws_iam_role" "owned" {
  name = "team-owned-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{ Sid = "AppServers", Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }],
      jsondecode(vbaws_trust_relationship.owned.statement).Statement,
    )
  })
}
