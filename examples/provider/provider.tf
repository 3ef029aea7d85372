terraform {
  required_providers {
    vbaws = {
      source = "vbaws/vbaws"
    }
  }
}

# Credentials and region come from the AWS CLI chain (environment, profile, SSO, web identity, instance metadata).
provider "vbaws" {
  region = "eu-central-1"
}

# Manage roles in another account through an alias that assumes a role there.
provider "vbaws" {
  alias  = "production"
  region = "eu-central-1"

  assume_role {
    role_arn     = "arn:aws:iam::210987654321:role/terraform-iam-admin"
    session_name = "veeam-iam"
  }
}

# Register roles in a Veeam Backup for AWS appliance: its REST API on port 11005, its self-signed certificate, and a
# Portal Administrator user from VBAWS_APPLIANCE_USERNAME and VBAWS_APPLIANCE_PASSWORD.
provider "vbaws" {
  alias  = "appliance"
  region = "eu-central-1"

  appliance {
    url         = "https://backup.example.com"
    ca_file     = "appliance.pem"
    api_version = "auto"
  }
}
