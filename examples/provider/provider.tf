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
