# Every role under /veeam/ that the appliance's Impersonation role may assume with its external ID. Run
#   terraform query -generate-config-out=adopted.tf
# to write a vbaws_iam_role and an import block for each; the generated configuration plans only the imports.
list "vbaws_iam_role" "veeam" {
  provider = vbaws

  config {
    path_prefix           = "/veeam/"
    trusted_principal_arn = "arn:aws:iam::123456789012:role/VeeamImpersonationRole"
    external_id           = "veeam-appliance-1"
  }
}

# Every role of the account, for an inventory (`terraform query` prints names and identities).
list "vbaws_iam_role" "all" {
  provider = vbaws
}
