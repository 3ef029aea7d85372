variable "member_account_ids" {
  # OpenTofu expands the provider instances first, so this must be known then: a variable or a local value, never a
  # resource attribute. Every command needs it, `tofu show` too: keep it in an automatically loaded file.
  description = "Member accounts, as 12-digit account IDs."
  type        = set(string)

  validation {
    condition     = alltrue([for id in var.member_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "Every member account ID must be 12 digits."
  }
}

variable "member_access_role_name" {
  description = "Role the provider assumes in every member account, such as the one AWS Organizations creates."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "impersonation_role_arn" {
  description = "The appliance's Impersonation role, which every member's backup role trusts."
  type        = string
  default     = "arn:aws:iam::123456789012:role/VeeamImpersonationRole"
}

variable "role_name" {
  description = "Name of the backup role in every member account."
  type        = string
  default     = "veeam-backup"
}
