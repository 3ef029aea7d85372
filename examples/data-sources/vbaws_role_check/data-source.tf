# Veeam's "Check Permissions" for a role someone else made, before anyone opens the Veeam console.
data "vbaws_impersonation_role" "appliance" {
  name = "VeeamImpersonationRole"
}

data "vbaws_role_check" "ec2" {
  role_name                      = "veeam-ec2"
  operations                     = ["ec2_backup", "ec2_restore"]
  product_version                = "10"
  workers_in_production_accounts = false
  trusted_principal_arn          = data.vbaws_impersonation_role.appliance.arn
  external_id                    = "veeam-appliance-1"
  evaluator                      = "auto" # "simulator" requires iam:SimulatePrincipalPolicy; "local" never calls it
}

# 1. As an output: what is missing, and the policies that would grant it (Veeam's "Export Missing Permissions").
output "veeam_ec2_missing_actions" {
  value = data.vbaws_role_check.ec2.missing_actions
}

output "veeam_ec2_missing_permissions_policies" {
  value = data.vbaws_role_check.ec2.missing_permissions_policies
}

# 2. In a check block: the plan goes on, with a warning that lists every problem.
check "veeam_ec2_role" {
  assert {
    condition     = data.vbaws_role_check.ec2.ok
    error_message = join("\n", data.vbaws_role_check.ec2.problems)
  }
}

# 3. With a postcondition: the plan fails while the role is not ready for Veeam.
data "vbaws_role_check" "strict" {
  role_name             = "veeam-rds"
  operations            = ["rds_snapshot", "rds_restore"]
  trusted_principal_arn = data.vbaws_impersonation_role.appliance.arn

  lifecycle {
    postcondition {
      condition     = self.ok
      error_message = "Role veeam-rds is not ready for Veeam:\n${join("\n", self.problems)}"
    }
  }
}
