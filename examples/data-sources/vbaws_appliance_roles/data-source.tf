# Every IAM role record of the appliance whose name starts with "Production", page by page.
data "vbaws_appliance_roles" "production" {
  name_pattern = "Production*"
}

output "production_roles" {
  value = { for r in data.vbaws_appliance_roles.production.roles : r.name => r.role_arn }
}
