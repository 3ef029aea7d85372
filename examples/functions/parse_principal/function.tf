# A module input checked as vbaws_iam_role checks trusted_principal_arns: a wildcard, a user, a session ARN or a
# malformed ARN stops the plan at the variable with the provider's own message.
variable "impersonation_role_arn" {
  type = string

  validation {
    condition     = provider::vbaws::parse_principal(var.impersonation_role_arn).kind == "role"
    error_message = "Give the Impersonation role's ARN, not a whole account."
  }
}

output "appliance_account" {
  value = provider::vbaws::parse_principal(var.impersonation_role_arn).account_id
}
