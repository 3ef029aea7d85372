# The appliance password from an ephemeral variable (Terraform 1.10 and later, OpenTofu 1.12): Terraform uses it
# to configure the provider and writes it into neither the plan nor the state. Set it with
# TF_VAR_appliance_password or -var, for plan and apply alike; the user name comes from VBAWS_APPLIANCE_USERNAME.
variable "appliance_password" {
  description = "Password of the appliance's Portal Administrator user."
  type        = string
  sensitive   = true
  ephemeral   = true
}

provider "vbaws" {
  alias  = "appliance_ephemeral_password"
  region = "eu-central-1"

  appliance {
    url      = "https://backup.example.com"
    ca_file  = "appliance.pem"
    password = var.appliance_password
  }
}
