# A role is imported by name. Its trust inputs and attachments are read back from IAM.
terraform import vbaws_iam_role.ec2_backup veeam-ec2-backup
