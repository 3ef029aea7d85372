# A landing zone with one Veeam Backup for AWS appliance and three member accounts. The default provider works in
# the appliance account; one alias per member account assumes a role there. The module
# modules/veeam-member-account prepares each member account.

# The appliance account: credentials and region come from the environment, as for the AWS CLI. The appliance
# block reaches the appliance's REST API, where each member role is registered.
provider "vbaws" {
  region = var.region

  appliance {
    url      = var.appliance_url
    username = var.appliance_username
    password = var.appliance_password
    ca_file  = var.appliance_ca_file
  }

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

provider "vbaws" {
  alias  = "production"
  region = var.region

  assume_role {
    role_arn     = "arn:aws:iam::${var.member_account_ids.production}:role/${var.member_access_role_name}"
    session_name = "veeam-landing-zone"
  }

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

provider "vbaws" {
  alias  = "staging"
  region = var.region

  assume_role {
    role_arn     = "arn:aws:iam::${var.member_account_ids.staging}:role/${var.member_access_role_name}"
    session_name = "veeam-landing-zone"
  }

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

provider "vbaws" {
  alias  = "analytics"
  region = var.region

  assume_role {
    role_arn     = "arn:aws:iam::${var.member_account_ids.analytics}:role/${var.member_access_role_name}"
    session_name = "veeam-landing-zone"
  }

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

# The appliance's Impersonation role, read in the appliance account; every member role trusts it.
data "vbaws_impersonation_role" "appliance" {
  name = var.impersonation_role_name
}

# Production runs workers next to its instances and lets the appliance into a role another team owns.
module "production" {
  source    = "./modules/veeam-member-account"
  providers = { vbaws = vbaws.production }

  impersonation_role_arn = data.vbaws_impersonation_role.appliance.arn
  operations             = var.operations
  role_name              = var.role_name
  external_id            = var.external_id
  worker_role_name       = "${var.role_name}-worker"
  team_roles             = var.production_team_roles
}

module "staging" {
  source    = "./modules/veeam-member-account"
  providers = { vbaws = vbaws.staging }

  impersonation_role_arn = data.vbaws_impersonation_role.appliance.arn
  operations             = var.operations
  role_name              = var.role_name
  external_id            = var.external_id
}

# Analytics follows the permission lists of Veeam Backup for AWS 11.
module "analytics" {
  source    = "./modules/veeam-member-account"
  providers = { vbaws = vbaws.analytics }

  impersonation_role_arn = data.vbaws_impersonation_role.appliance.arn
  operations             = var.operations
  role_name              = var.role_name
  external_id            = var.external_id
  product_version        = "11"
}

# Each member account's backup/restore role in the appliance's IAM Roles: a role from another account, assumed
# with the external ID its trust policy requires, offered for the operations its permissions are for.
resource "vbaws_appliance_role" "member" {
  for_each = {
    production = module.production.role_arn
    staging    = module.staging.role_arn
    analytics  = module.analytics.role_arn
  }

  name        = "${var.role_name} (${each.key})"
  description = "Backup/restore role of the ${each.key} account, managed by Terraform"
  role_arn    = each.value
  external_id = var.external_id
  permissions = var.operations
}
