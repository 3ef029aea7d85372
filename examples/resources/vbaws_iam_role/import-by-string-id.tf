# A role Veeam's CloudFormation made, adopted with an import block. Import reads trusted_principal_arns,
# external_id and service_principals from what the trust policy means (CloudFormation writes no Sids), keeps every
# other statement in additional_trust_policy, and fills inline_policies. `terraform plan -generate-config-out`
# writes this configuration for you.
import {
  to = vbaws_iam_role.cloudformation_worker
  id = "VeeamWorkerRole"
}

resource "vbaws_iam_role" "cloudformation_worker" {
  name                   = "VeeamWorkerRole"
  trusted_principal_arns = [data.vbaws_impersonation_role.appliance.arn]
  external_id            = "x7Kq2mZp9LwB"
  service_principals     = ["ec2.amazonaws.com"]

  # Trust beyond Veeam's: a break-glass role that must use MFA.
  additional_trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "BreakGlass"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::210987654321:role/BreakGlass" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })

  # Authoritative: an inline policy added outside Terraform shows as drift and is removed on apply.
  inline_policies = {
    worker-config = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["ec2:DescribeInstances", "iam:ListAccountAliases"], Resource = "*" }]
    })
  }
}

# The Impersonation role itself, as Veeam's deploy module made it: only ec2.amazonaws.com may assume it, so import
# leaves trusted_principal_arns out, and every plan warns that the appliance cannot assume the role (it runs as it).
import {
  to = vbaws_iam_role.impersonation
  id = "veeam-aws-instance-role"
}

resource "vbaws_iam_role" "impersonation" {
  name               = "veeam-aws-instance-role"
  service_principals = ["ec2.amazonaws.com"]
  inline_policies = {
    veeam-aws-instance-policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]
    })
  }
}
