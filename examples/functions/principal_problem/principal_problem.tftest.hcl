# `terraform test` in this directory: a role ARN passes the validation, and principals the provider refuses fail
# it, which expect_failures names. The provider is mocked: its functions run all the same, without credentials.
mock_provider "vbaws" {}

run "accepts_a_role_arn" {
  command = plan

  variables {
    impersonation_role_arn = "arn:aws:iam::123456789012:role/VeeamImpersonationRole"
  }

  assert {
    condition     = output.impersonation_role_arn == "arn:aws:iam::123456789012:role/VeeamImpersonationRole"
    error_message = "The role ARN was not accepted as given."
  }
}

run "refuses_a_session_arn" {
  command = plan

  variables {
    impersonation_role_arn = "arn:aws:sts::123456789012:assumed-role/VeeamImpersonationRole/appliance"
  }

  expect_failures = [var.impersonation_role_arn]
}

run "refuses_a_wildcard" {
  command = plan

  variables {
    impersonation_role_arn = "*"
  }

  expect_failures = [var.impersonation_role_arn]
}
