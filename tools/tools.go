//go:build generate

// Package tools pins the code generators used by `make docs` and runs them with go generate.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

// Format the examples, render the operations guide from the catalog into templates/guides/, then generate docs/
// from the provider schema, examples/ and templates/, using the local Terraform CLI (tfplugindocs would otherwise
// download one).
//go:generate terraform fmt -recursive ../examples/
//go:generate go -C .. run ./internal/operationsguide/cmd/operationsguide templates/guides/operations.md
//go:generate -command tfplugindocs go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs
//go:generate tfplugindocs generate --provider-dir .. --provider-name vbaws
