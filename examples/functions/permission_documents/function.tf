# Veeam's permission documents for a selection, exactly as vbaws_role_template writes them, without creating
# anything. null selects the provider's default product version.
output "backup_documents" {
  value = provider::vbaws::permission_documents(["ec2_backup", "ec2_restore"], null)
}

# A policy of your own with Veeam's actions, for a tool other than vbaws_role_template.
output "actions_of_version_11" {
  value = flatten([
    for document in provider::vbaws::permission_documents(["vpc_backup"], "11") :
    jsondecode(document).Statement[*].Action
  ])
}
