# One role per workload, each with the template of its operations.
locals {
  workloads = {
    ec2 = ["ec2_backup", "ec2_restore"]
    rds = ["rds_snapshot", "rds_restore"]
    efs = ["efs_backup", "efs_restore"]
  }
}

resource "vbaws_role_template" "workload" {
  for_each   = local.workloads
  name       = "veeam-${each.key}"
  operations = each.value
}

resource "vbaws_iam_role" "workload" {
  for_each                = local.workloads
  name                    = "veeam-${each.key}"
  trusted_principal_arns  = [data.vbaws_impersonation_role.appliance.arn]
  managed_policy_arns     = vbaws_role_template.workload[each.key].policy_arns
  service_principals      = vbaws_role_template.workload[each.key].service_principals
  create_instance_profile = vbaws_role_template.workload[each.key].requires_instance_profile
}
