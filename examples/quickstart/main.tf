# Quickstart: prepare IAM for a Veeam Backup for AWS appliance.
# `make demo` applies this against a local emulator; point the provider at your account to use it for real.

terraform {
  required_providers {
    vbaws = {
      source = "vbaws/vbaws"
    }
  }
}

provider "vbaws" {}

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
