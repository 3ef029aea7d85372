# Veeam's permissions for every operation of version 11, computed locally without any AWS call.
data "vbaws_role_template_document" "everything" {
  product_version = "11"
  operations = [
    "organization_rescan", "worker_deployment", "production_worker", "flr_worker", "repository",
    "ec2_backup", "ec2_replication", "ec2_restore",
    "rds_snapshot", "rds_replication", "rds_restore",
    "efs_backup", "efs_restore", "vpc_backup", "vpc_restore",
    "dynamodb_backup", "dynamodb_restore", "fsx_backup", "fsx_restore",
    "redshift_backup", "redshift_restore", "redshift_serverless_backup", "redshift_serverless_restore",
  ]
}

# For example, hand the documents to another tool or to aws_iam_policy resources.
output "documents" {
  value = data.vbaws_role_template_document.everything.documents
}
