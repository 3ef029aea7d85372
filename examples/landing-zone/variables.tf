variable "region" {
  description = "Region used to sign requests (IAM itself is global)."
  type        = string
  default     = "us-east-1"
}

variable "endpoint" {
  description = "IAM and STS endpoint of an emulator such as moto (http://127.0.0.1:5000). Null for AWS."
  type        = string
  default     = null
}

variable "impersonation_role_name" {
  description = "Name of the Impersonation role the Veeam appliance deployment created in the appliance account."
  type        = string
  default     = "VeeamImpersonationRole"
}

variable "member_account_ids" {
  description = "The three member accounts to prepare, as 12-digit account IDs."
  type = object({
    production = string
    staging    = string
    analytics  = string
  })

  validation {
    condition     = alltrue([for id in values(var.member_account_ids) : can(regex("^[0-9]{12}$", id))])
    error_message = "Every member account ID must be 12 digits."
  }
}

variable "member_access_role_name" {
  description = "Role the provider assumes in every member account, such as the one AWS Organizations creates."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "operations" {
  description = "Veeam operations of the backup/restore role in every member account."
  type        = set(string)
  default     = ["ec2_backup", "ec2_restore"]
}

variable "role_name" {
  description = "Name of the backup/restore role in every member account."
  type        = string
  default     = "veeam-backup"
}

variable "external_id" {
  description = "External ID the appliance sends when it assumes the backup/restore role of a member account."
  type        = string
  default     = null
}

variable "production_team_roles" {
  description = "Existing roles in the production account that gain the Veeam trust statement."
  type        = set(string)
  default     = []
}

variable "appliance_url" {
  description = "REST address of the Veeam appliance, such as https://backup.example.com:11005."
  type        = string
}

variable "appliance_username" {
  description = "Appliance user with the Portal Administrator role; null reads VBAWS_APPLIANCE_USERNAME."
  type        = string
  default     = null
}

variable "appliance_password" {
  description = "The appliance user's password; null reads VBAWS_APPLIANCE_PASSWORD."
  type        = string
  default     = null
  sensitive   = true
}

variable "appliance_ca_file" {
  description = "File with the appliance's certificate; null trusts the system's CAs."
  type        = string
  default     = null
}
