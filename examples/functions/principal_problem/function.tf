# The verdict form of parse_principal: a variable's validation that compares it with null fails as a condition,
# with the provider's own message, so `terraform test` can expect that failure (principal_problem.tftest.hcl).
variable "impersonation_role_arn" {
  type = string

  validation {
    condition     = provider::vbaws::principal_problem(var.impersonation_role_arn) == null
    error_message = coalesce(provider::vbaws::principal_problem(var.impersonation_role_arn), "Accepted.")
  }
}

output "impersonation_role_arn" {
  value = var.impersonation_role_arn
}
