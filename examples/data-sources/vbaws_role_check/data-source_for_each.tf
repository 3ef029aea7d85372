# Check several roles at once, one instance per role, and list the ones that are not ready.
locals {
  veeam_roles = {
    "veeam-ec2" = ["ec2_backup", "ec2_restore"]
    "veeam-rds" = ["rds_snapshot", "rds_restore"]
  }
}

data "vbaws_role_check" "each" {
  for_each              = local.veeam_roles
  role_name             = each.key
  operations            = each.value
  trusted_principal_arn = data.vbaws_impersonation_role.appliance.arn
}

output "roles_not_ready" {
  value = [for name, check in data.vbaws_role_check.each : name if !check.ok]
}
