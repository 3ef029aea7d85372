# One provider configuration per member account with OpenTofu's provider for_each (OpenTofu 1.9 or later; Terraform
# has no for_each in provider blocks). Each instance assumes the member access role in its account and holds that
# account's backup role. Credentials and region of the calling account come from the environment.

terraform {
  required_version = ">= 1.9"

  required_providers {
    vbaws = {
      source = "vbaws/vbaws"
    }
  }
}

provider "vbaws" {
  alias    = "member"
  for_each = var.member_account_ids

  assume_role {
    role_arn     = "arn:aws:iam::${each.value}:role/${var.member_access_role_name}"
    session_name = "veeam-landing-zone"
  }
}

resource "vbaws_iam_role" "backup" {
  for_each = var.member_account_ids
  provider = vbaws.member[each.key]

  name                   = var.role_name
  trusted_principal_arns = [var.impersonation_role_arn]
}

output "role_arns" {
  description = "The backup role of each member account, by account ID."
  value       = { for account, role in vbaws_iam_role.backup : account => role.arn }
}
