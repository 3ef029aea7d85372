# Quickstart: prepare IAM for a Veeam Backup for AWS appliance and register the role in the appliance.
# `make demo` applies this against local emulators of AWS IAM and of the appliance's REST API; point the provider
# at your account and appliance to use it for real.

terraform {
  required_providers {
    vbaws = {
      source = "vbaws/vbaws"
    }
  }
}

variable "appliance_url" {
  description = "REST address of the Veeam appliance, such as https://backup.example.com:11005."
  type        = string
}

variable "appliance_ca_file" {
  description = "File with the appliance's certificate (it makes a self-signed one at installation)."
  type        = string
  default     = null
}

# AWS credentials come from the AWS CLI chain; the appliance's user from VBAWS_APPLIANCE_USERNAME and
# VBAWS_APPLIANCE_PASSWORD.
provider "vbaws" {
  appliance {
    url     = var.appliance_url
    ca_file = var.appliance_ca_file
  }
}

variable "impersonation_role_name" {
  description = "Name of the Impersonation role that the Veeam appliance deployment created."
  type        = string
  default     = "VeeamImpersonationRole"
}

# The appliance's Impersonation role assumes every role Veeam is given.
data "vbaws_impersonation_role" "appliance" {
  name = var.impersonation_role_name
}

output "impersonation_role_arn" {
  value = data.vbaws_impersonation_role.appliance.arn
}

output "impersonation_role_can_assume_roles" {
  value = data.vbaws_impersonation_role.appliance.can_assume_roles
}

# Veeam's permissions for backing up and restoring EC2 instances, as managed policies split to fit IAM's limits.
resource "vbaws_role_template" "ec2" {
  name       = "veeam-ec2"
  path       = "/veeam/"
  operations = ["ec2_backup", "ec2_restore"]
}

# A role the appliance can add: trusted by the Impersonation role, carrying the template's policies.
resource "vbaws_iam_role" "ec2" {
  name                    = "veeam-ec2"
  path                    = "/veeam/"
  trusted_principal_arns  = [data.vbaws_impersonation_role.appliance.arn]
  service_principals      = vbaws_role_template.ec2.service_principals
  managed_policy_arns     = vbaws_role_template.ec2.policy_arns
  create_instance_profile = vbaws_role_template.ec2.requires_instance_profile
}

# The role added to the appliance's IAM Roles, offered for the same operations. Create waits (assume_wait) while
# the appliance cannot assume the role yet, because its trust policy was written moments ago.
resource "vbaws_appliance_role" "ec2" {
  name        = "Veeam EC2 backup and restore"
  description = "Managed by Terraform: ${vbaws_iam_role.ec2.arn}"
  role_arn    = vbaws_iam_role.ec2.arn
  permissions = vbaws_role_template.ec2.operations
}

variable "team_role_name" {
  description = "An existing role, owned by another team, that Veeam should also be able to assume."
  type        = string
  default     = "team-app-role"
}

# Adds only the Veeam statement to the other team's role; its own statements stay as they are.
resource "vbaws_trust_relationship" "team" {
  role_name     = var.team_role_name
  principal_arn = data.vbaws_impersonation_role.appliance.arn
}

# Veeam's "Check Permissions" on the role above: a warning in every plan if anything is missing.
data "vbaws_role_check" "ec2" {
  role_name             = vbaws_iam_role.ec2.name
  operations            = ["ec2_backup", "ec2_restore"]
  trusted_principal_arn = data.vbaws_impersonation_role.appliance.arn
}

check "veeam_ec2_role" {
  assert {
    condition     = data.vbaws_role_check.ec2.ok
    error_message = join("\n", data.vbaws_role_check.ec2.problems)
  }
}

output "veeam_role_arn" {
  value = vbaws_iam_role.ec2.arn
}

output "veeam_policy_arns" {
  value = vbaws_role_template.ec2.policy_arns
}

output "veeam_appliance_role_id" {
  value = vbaws_appliance_role.ec2.id
}
