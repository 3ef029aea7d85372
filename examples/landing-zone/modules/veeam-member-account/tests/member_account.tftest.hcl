# Tests of the module under a mocked provider: no credentials, no AWS account, no emulator. Terraform still calls
# the provider's functions on the real provider, so the assertions see the trust policies and documents the module
# will write, byte for byte; the resources' own computed attributes would only hold mock values here.
#
#   terraform init && terraform test     (or: tofu init && tofu test)

mock_provider "vbaws" {
  # OpenTofu fills computed attributes with random strings already while planning; the module's account_id output
  # splits the role's ARN, so the mocked roles get one of the right shape.
  mock_resource "vbaws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111111111111:role/mocked"
    }
  }
}

variables {
  impersonation_role_arn = "arn:aws:iam::123456789012:role/VeeamImpersonationRole"
  operations             = ["ec2_backup", "ec2_restore"]
  role_name              = "veeam-backup"
}

run "backup_role_trusts_the_appliance_with_the_external_id" {
  command = plan

  variables {
    external_id = "veeam-lz"
  }

  assert {
    condition = jsondecode(output.trust_policy).Statement == [{
      Sid       = "VeeamBackupImpersonation"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:role/VeeamImpersonationRole" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = "veeam-lz" } }
    }]
    error_message = "The backup/restore role must trust the Impersonation role alone, with the external ID: ${output.trust_policy}"
  }

  assert {
    condition     = vbaws_iam_role.backup.trusted_principal_arns == toset([var.impersonation_role_arn])
    error_message = "The role is not configured with the principal the trust policy names."
  }

  assert {
    condition     = length(vbaws_iam_role.backup.service_principals) == 0 && !vbaws_iam_role.backup.create_instance_profile
    error_message = "EC2 backup and restore need neither a service principal nor an instance profile."
  }
}

run "backup_role_without_external_id" {
  command = plan

  assert {
    condition     = !strcontains(output.trust_policy, "sts:ExternalId")
    error_message = "Without external_id the trust policy must not ask for one: ${output.trust_policy}"
  }
}

run "documents_hold_veeam_permissions" {
  command = plan

  assert {
    condition     = length(output.permission_documents) == 1
    error_message = "EC2 backup and restore fit one managed policy."
  }

  assert {
    condition = alltrue([
      for action in ["ec2:CreateSnapshot", "ec2:RunInstances", "ebs:ListChangedBlocks"] :
      contains(flatten([for document in output.permission_documents : jsondecode(document).Statement[*].Action]), action)
    ])
    error_message = "The documents lack actions EC2 backup and restore need."
  }

  assert {
    condition = !contains(
      flatten([for document in output.permission_documents : jsondecode(document).Statement[*].Action]),
      "ebs:GetSnapshotBlock"
    )
    error_message = "Version 10's documents must not hold what only version 11 needs."
  }
}

run "version_11_documents" {
  command = plan

  variables {
    product_version = "11"
  }

  assert {
    condition = contains(
      flatten([for document in output.permission_documents : jsondecode(document).Statement[*].Action]),
      "ebs:GetSnapshotBlock"
    )
    error_message = "Version 11 reads snapshot blocks with ebs:GetSnapshotBlock."
  }

  assert {
    condition     = vbaws_role_template.backup.product_version == "11"
    error_message = "The template must use the version the documents are for."
  }
}

run "worker_role_trusts_ec2_and_gets_an_instance_profile" {
  command = plan

  variables {
    worker_role_name = "veeam-backup-worker"
  }

  assert {
    condition = jsondecode(output.worker_trust_policy).Statement == [
      {
        Sid       = "VeeamBackupImpersonation"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:role/VeeamImpersonationRole" }
        Action    = "sts:AssumeRole"
      },
      {
        Sid       = "VeeamBackupImpersonationServices"
        Effect    = "Allow"
        Principal = { Service = "ec2.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
    ]
    error_message = "The worker role must trust the Impersonation role and EC2: ${output.worker_trust_policy}"
  }

  assert {
    condition     = vbaws_iam_role.worker[0].create_instance_profile && vbaws_iam_role.worker[0].service_principals == toset(["ec2.amazonaws.com"])
    error_message = "The worker role needs an instance profile and the EC2 service principal."
  }
}

run "no_worker_role_by_default" {
  command = plan

  assert {
    condition     = output.worker_trust_policy == null && length(vbaws_iam_role.worker) == 0
    error_message = "Without worker_role_name there is no worker role."
  }
}

# A principal parse_principal refuses (a user, a wildcard, a session ARN) fails the validation's condition itself,
# with the provider's message, which stops any plan at the variable; `expect_failures` counts only conditions that
# are false, so this run checks the one that is: a whole account where a role is required.
run "refuses_a_whole_account_as_principal" {
  command = plan

  variables {
    impersonation_role_arn = "123456789012"
  }

  expect_failures = [var.impersonation_role_arn]
}
