output "account_id" {
  description = "The member account the roles are in."
  value       = split(":", vbaws_iam_role.backup.arn)[4]
}

output "role_arn" {
  description = "ARN of the backup/restore role."
  value       = vbaws_iam_role.backup.arn
}

output "policy_arns" {
  description = "ARNs of the backup/restore role's template parts, in order."
  value       = vbaws_role_template.backup.policy_arns
}

output "worker_role_arn" {
  description = "ARN of the production worker role; null without worker_role_name."
  value       = one(vbaws_iam_role.worker[*].arn)
}

output "worker_instance_profile_arn" {
  description = "ARN of the production worker role's instance profile; null without worker_role_name."
  value       = one(vbaws_iam_role.worker[*].instance_profile_arn)
}

output "trust_policy" {
  description = "The backup/restore role's trust policy, byte for byte as IAM will hold it."
  value       = local.backup_trust_policy
}

output "permission_documents" {
  description = "The documents of the backup/restore role's template parts, in order, as IAM will hold them."
  value       = provider::vbaws::permission_documents(var.operations, var.product_version)
}

output "worker_trust_policy" {
  description = "The production worker role's trust policy; null without worker_role_name."
  value       = local.worker_trust_policy
}
