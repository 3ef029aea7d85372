# The trust policy vbaws_iam_role writes for these arguments, without creating anything: for a module's outputs,
# for `terraform test` assertions under mock_provider, or for a role made by another tool.
locals {
  impersonation_role_arn = "arn:aws:iam::123456789012:role/VeeamImpersonationRole"
}

output "backup_role_trust" {
  value = provider::vbaws::trust_policy([local.impersonation_role_arn], {
    external_id        = "veeam-tenant-42"
    service_principals = provider::vbaws::operation_requirements(["ec2_backup", "efs_backup"], null).service_principals
  })
}

# Options may be left out: {} (or null) gives the statement for the principals alone.
output "plain_trust" {
  value = provider::vbaws::trust_policy([local.impersonation_role_arn], {})
}

# For a role created in another partition, name it: a bare account ID becomes that partition's root ARN.
output "china_trust" {
  value = provider::vbaws::trust_policy(["123456789012"], { partition = "aws-cn" })
}
