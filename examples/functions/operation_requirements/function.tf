# What a role for these operations needs besides its permissions.
locals {
  worker = provider::vbaws::operation_requirements(["production_worker"], null)
}

resource "vbaws_iam_role" "worker" {
  name                    = "veeam-production-worker"
  trusted_principal_arns  = ["arn:aws:iam::123456789012:role/VeeamImpersonationRole"]
  service_principals      = local.worker.service_principals        # ["ec2.amazonaws.com"]
  create_instance_profile = local.worker.requires_instance_profile # true
}
