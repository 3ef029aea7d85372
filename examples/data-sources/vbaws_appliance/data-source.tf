# Before registering roles: check the connection, the credentials, the REST revision the provider speaks and what
# the appliance offers.
data "vbaws_appliance" "this" {}

output "appliance" {
  value = {
    version     = data.vbaws_appliance.this.server_version
    api_version = data.vbaws_appliance.this.api_version
    account_id  = data.vbaws_appliance.this.account_id
    operations  = data.vbaws_appliance.this.operations
  }
}
