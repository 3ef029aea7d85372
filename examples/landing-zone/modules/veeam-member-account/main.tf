# One member account of a landing zone, prepared for a Veeam Backup for AWS appliance that lives in another account.
# The provider passed in decides the account; every value below is known at plan time.

# Veeam's permissions for the selected operations, as managed policies split to fit IAM's size limit.
resource "vbaws_role_template" "backup" {
  name            = var.role_name
  operations      = var.operations
  product_version = var.product_version
}

# The backup/restore role the appliance assumes.
resource "vbaws_iam_role" "backup" {
  name                    = var.role_name
  trusted_principal_arns  = [var.impersonation_role_arn]
  external_id             = var.external_id
  managed_policy_arns     = vbaws_role_template.backup.policy_arns
  service_principals      = vbaws_role_template.backup.service_principals
  create_instance_profile = vbaws_role_template.backup.requires_instance_profile
}

# The production worker role: attached to the worker instances Veeam starts in this account. Workers that also do
# EC2 file-level recovery need "flr_worker" as well (see the provider's operations guide).
resource "vbaws_role_template" "worker" {
  count = var.worker_role_name == null ? 0 : 1

  name            = var.worker_role_name
  operations      = ["production_worker"]
  product_version = var.product_version
}

resource "vbaws_iam_role" "worker" {
  count = var.worker_role_name == null ? 0 : 1

  name                    = var.worker_role_name
  trusted_principal_arns  = [var.impersonation_role_arn]
  managed_policy_arns     = vbaws_role_template.worker[0].policy_arns
  service_principals      = vbaws_role_template.worker[0].service_principals # ec2.amazonaws.com
  create_instance_profile = vbaws_role_template.worker[0].requires_instance_profile
}

# Roles other teams own gain only the Veeam statement; their own statements stay as they are.
resource "vbaws_trust_relationship" "team" {
  for_each = var.team_roles

  role_name     = each.value
  principal_arn = var.impersonation_role_arn
}
