package provider

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// The logging command the README and docs/index.md give, `TF_LOG_PROVIDER=DEBUG` with `TF_LOG_PATH`, shows the
// provider's per-call lines when the CLI starts the provider itself, as in production. Terraform and OpenTofu
// filter a provider's log lines by TF_LOG_PROVIDER (or TF_LOG) before the provider's own levels matter, so
// TF_LOG_PROVIDER_VBAWS alone shows nothing; the docs say so.
func TestAccLogging_documentedCommandShowsAWSCalls(t *testing.T) {
	dir := t.TempDir()
	cli := acctest.NewInstalledCLI(t, dir)
	config := `terraform {
  required_providers {
    vbaws = { source = "vbaws/vbaws" }
  }
}
` + acctest.ProviderConfig() + `
resource "vbaws_iam_role" "test" {
  name                   = "vbaws-logging-docs"
  trusted_principal_arns = ["123456789012"]
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		env      []string
		wantsAny bool
	}{
		{"documented", []string{"TF_LOG_PROVIDER=DEBUG"}, true},
		{"provider level alone", []string{"TF_LOG_PROVIDER_VBAWS=DEBUG"}, false},
	}
	for _, tc := range cases {
		logFile := filepath.Join(t.TempDir(), "terraform.log")
		var out bytes.Buffer
		plan := cli.Command(&out, "plan", "-input=false", "-no-color")
		plan.Env = append(plan.Env, append(tc.env, "TF_LOG_PATH="+logFile)...)
		if err := plan.Run(); err != nil {
			t.Fatalf("%s: terraform plan: %v\n%s", tc.name, err, out.String())
		}
		content, err := os.ReadFile(logFile)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		calls := strings.Count(string(content), "AWS call")
		t.Logf("%s (%v): %d AWS call lines", tc.name, tc.env, calls)
		if tc.wantsAny != (calls > 0) {
			t.Errorf("%s (%v): %d AWS call lines in TF_LOG_PATH, want some: %v", tc.name, tc.env, calls, tc.wantsAny)
		}
	}
}
