# Every IAM role record of the appliance whose name starts with "Production", the default record left out. Run
#   terraform query -generate-config-out=adopted.tf
# to write a vbaws_appliance_role and an import block for each; the generated configuration plans only the imports.
# The appliance never returns external IDs: add external_id to a generated role from another account.
list "vbaws_appliance_role" "production" {
  provider = vbaws

  config {
    name_pattern = "Production*"
  }
}
