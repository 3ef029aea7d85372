# One member account of a landing zone, prepared for a Veeam Backup for AWS appliance that lives in another account.
# The provider passed in decides the account; every value below is known at plan time.

# What the roles need and what IAM will hold for them, rendered by the provider's functions as the resources render
# it: known at plan time without any API call, and under `terraform test` with mock_provider (see tests/).
locals {
  backup_requirements = provider::vbaws::operation_requirements(var.operations, var.product_version)
  backup_trust_policy = provider::vbaws::trust_policy([var.impersonation_role_arn], {
    external_id        = var.external_id
    service_principals = local.backup_requirements.service_principals
  })
  worker_requirements = provider::vbaws::operation_requirements(["production_worker"], var.product_version)
  worker_trust_policy = var.worker_role_name == null ? null : provider::vbaws::trust_policy(
    [var.impersonation_role_arn], { service_principals = local.worker_requirements.service_principals }
  )
}

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
  service_principals      = local.backup_requirements.service_principals
  create_instance_profile = local.backup_requirements.requires_instance_profile
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
  service_principals      = local.worker_requirements.service_principals # ec2.amazonaws.com
  create_instance_profile = local.worker_requirements.requires_instance_profile
}

# Roles other teams own gain only the Veeam statement; their own statements stay as they are.
resource "vbaws_trust_relationship" "team" {
  for_each = var.team_roles

  role_name     = each.value
  principal_arn = var.impersonation_role_arn
}
