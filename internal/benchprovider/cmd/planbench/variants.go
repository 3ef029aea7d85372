package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// variant is one kind of configuration planned N times, with the log variables it runs under.
type variant struct {
	name     string
	resource func(i int) string // the i-th resource block
	provider string             // provider block, if any
	env      []string           // log variables added to a clean environment
	before   bool               // plan with the -before binary of vbaws
}

// quietFramework turns off the framework's and terraform-plugin-go's own logging, as vbaws now does by default.
var quietFramework = []string{"TF_LOG_SDK=OFF", "TF_LOG_SDK_PROTO=OFF", "TF_LOG_SDK_FRAMEWORK=OFF"}

const requiredProviders = `terraform {
  required_providers {
    vbaws      = { source = "vbaws/vbaws" }
    vbawsbench = { source = "vbaws/vbawsbench" }
  }
}
`

func (b *bench) variants() []variant {
	variants := []variant{
		{name: "terraform_data (core)", resource: terraformData},
		{name: "noop, framework logging off", resource: noop, env: quietFramework},
		{name: "wide noop, framework logging off", resource: wide, env: quietFramework},
		{name: "noop, default logging", resource: noop},
		{name: "vbaws_iam_role, default", resource: iamRole, provider: b.vbawsProvider()},
	}
	if b.opts.before != "" {
		variants = append(variants, variant{name: "vbaws_iam_role, -before binary", resource: iamRole,
			provider: b.vbawsProvider(), before: true})
	}
	return variants
}

func terraformData(i int) string {
	return fmt.Sprintf(`resource "terraform_data" "r%[1]d" {
  input = { name = "bench-%[1]d", principal = "arn:aws:iam::123456789012:role/VeeamImpersonationRole" }
}
`, i)
}

func noop(i int) string {
	return fmt.Sprintf(`resource "vbawsbench_noop" "r%[1]d" {
  first  = "bench-%[1]d"
  second = "arn:aws:iam::123456789012:role/VeeamImpersonationRole"
}
`, i)
}

// wide is vbawsbench_wide, a no-op with vbaws_iam_role's attributes, configured as iamRole configures the role.
func wide(i int) string {
	return fmt.Sprintf(`resource "vbawsbench_wide" "r%[1]d" {
  name                   = "bench-%[1]d"
  trusted_principal_arns = ["arn:aws:iam::123456789012:role/VeeamImpersonationRole"]
}
`, i)
}

func iamRole(i int) string {
	return fmt.Sprintf(`resource "vbaws_iam_role" "r%[1]d" {
  name                   = "bench-%[1]d"
  trusted_principal_arns = ["arn:aws:iam::123456789012:role/VeeamImpersonationRole"]
}
`, i)
}

func (b *bench) vbawsProvider() string {
	return fmt.Sprintf(`provider "vbaws" {
  region     = "us-east-1"
  access_key = "AKIAVBAWSBENCH000001"
  secret_key = "vbaws-bench-secret"
  endpoints {
    iam = %[1]q
    sts = %[1]q
  }
}
`, b.endpoint)
}

// writeConfig writes the configuration of n resources of a variant into a directory of its own.
func (b *bench) writeConfig(v variant, n int) (string, error) {
	dir := filepath.Join(b.work, fmt.Sprintf("%s-%d", slug(v.name), n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var config strings.Builder
	config.WriteString(requiredProviders)
	config.WriteString(v.provider)
	for i := range n {
		config.WriteString(v.resource(i))
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config.String()), 0o600)
}

func slug(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name)
}
