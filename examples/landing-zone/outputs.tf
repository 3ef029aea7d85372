output "impersonation_role_arn" {
  description = "The appliance's Impersonation role, trusted by every member role."
  value       = data.vbaws_impersonation_role.appliance.arn
}

output "members" {
  description = "Per member account: the account, the backup/restore role, its policies and the worker role."
  value = {
    production = module.production
    staging    = module.staging
    analytics  = module.analytics
  }
}
