variable "impersonation_role_arn" {
  description = "ARN of the appliance's Impersonation role: who may assume the roles of this account."
  type        = string

  # parse_principal fails with the provider's own message for anything vbaws_iam_role would refuse (a wildcard, a
  # user, a session ARN, a malformed ARN), so a bad value stops the plan here, before any resource is planned.
  validation {
    condition     = provider::vbaws::parse_principal(var.impersonation_role_arn).kind == "role"
    error_message = "impersonation_role_arn must name the appliance's Impersonation role, not a whole account."
  }
}

variable "operations" {
  description = "Veeam operations of the backup/restore role, such as [\"ec2_backup\", \"ec2_restore\"]."
  type        = set(string)
}

variable "role_name" {
  description = "Name of the backup/restore role (and of its managed policies)."
  type        = string
}

variable "external_id" {
  description = "External ID the appliance must send to assume the backup/restore role. Null for none."
  type        = string
  default     = null
}

variable "product_version" {
  description = "Veeam Backup for AWS version whose permission lists are used, as in vbaws_role_template. Null for the provider's default."
  type        = string
  default     = null
}

variable "worker_role_name" {
  description = "When set, also creates a production worker role of this name: its template, trust for ec2.amazonaws.com and an instance profile."
  type        = string
  default     = null
}

variable "team_roles" {
  description = "Names of existing roles in the account, owned by other teams, that gain the Veeam trust statement."
  type        = set(string)
  default     = []
  nullable    = false
}
