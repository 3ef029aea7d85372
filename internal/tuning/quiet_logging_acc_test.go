package tuning

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }

// buildProvider builds the provider's command from the module root into a temporary folder, so that the
// end-to-end test observes the real process: main's logging decision, its stderr, Terraform reattaching to it.
func buildProvider(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "terraform-provider-vbaws")
	build := exec.Command("go", "build", "-o", binary, "github.com/vbaws/terraform-provider-vbaws")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binary
}

// The provider process writes none of the framework's trace lines and none of its own unless the user asks for
// logs, and everything, including its own per-call DEBUG line, when they ask at any level.
func TestAccQuietLogging_providerStderr(t *testing.T) {
	acctest.PreCheck(t)
	if acctest.RealAWS() {
		t.Skip("counts the lines of a plan against the emulator")
	}
	cases := []struct {
		name     string
		env      []string
		wantLogs bool
	}{
		{"no log variables", nil, false},
		{"TF_LOG=DEBUG", []string{"TF_LOG=DEBUG"}, true},
		{"TF_LOG_PROVIDER_VBAWS=DEBUG", []string{"TF_LOG_PROVIDER_VBAWS=DEBUG"}, true},
	}
	binary := buildProvider(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := planAndReadProviderLog(t, binary, tc.env)
			sdk, own := countLines(lines, `"@module":"sdk.`), countLines(lines, `"@module":"vbaws`)
			calls := countLines(lines, `"@message":"AWS call"`)
			t.Logf("%s: %d lines on the provider's stderr, %d from the framework, %d of the provider's own, "+
				"%d AWS call lines", tc.name, len(lines), sdk, own, calls)
			if tc.wantLogs && sdk == 0 {
				t.Errorf("the framework wrote no log line although the user asked for logs")
			}
			if tc.wantLogs && calls == 0 {
				t.Errorf("no per-call DEBUG line although the user asked for logs")
			}
			if !tc.wantLogs && sdk+own > 0 {
				t.Errorf("the framework wrote %d log lines and the provider %d although nobody asked for logs", sdk, own)
			}
		})
	}
}

// planAndReadProviderLog serves the provider's binary with the given log variables only, plans one
// role against the emulator through TF_REATTACH_PROVIDERS, and returns the lines the provider wrote to stderr.
func planAndReadProviderLog(t *testing.T, binary string, logEnv []string) []string {
	t.Helper()
	provider := exec.Command(binary, "-debug")
	provider.Env = append(withoutTerraformVariables(), logEnv...)
	var stderr bytes.Buffer
	provider.Stderr = &stderr
	stdout, err := provider.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := provider.Start(); err != nil {
		t.Fatal(err)
	}
	reattach := readReattach(t, stdout)
	dir := t.TempDir()
	config := `terraform {
  required_providers {
    vbaws = { source = "registry.terraform.io/vbaws/vbaws" } // the address main() serves, under either CLI
  }
}
` + acctest.ProviderConfig() + `
resource "vbaws_iam_role" "test" {
  name                   = "vbaws-quiet-logging"
  trusted_principal_arns = ["123456789012"]
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "plan", "-input=false", "-no-color")
	plan.Dir = dir
	plan.Env = append(withoutTerraformVariables(), "TF_REATTACH_PROVIDERS="+reattach, "CHECKPOINT_DISABLE=1")
	plan.Env = append(plan.Env, logEnv...)
	if out, err := plan.CombinedOutput(); err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	_ = provider.Process.Signal(os.Interrupt)
	_ = provider.Wait()
	return strings.Split(strings.TrimSpace(stderr.String()), "\n")
}

func readReattach(t *testing.T, stdout io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(scanner.Text()), "TF_REATTACH_PROVIDERS='"); ok {
				found <- strings.TrimSuffix(v, "'")
			}
		}
	}()
	select {
	case v := <-found:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("the provider printed no TF_REATTACH_PROVIDERS")
		return ""
	}
}

func withoutTerraformVariables() []string {
	var env []string
	for _, entry := range os.Environ() {
		if !strings.HasPrefix(entry, "TF_LOG") && !strings.HasPrefix(entry, "TF_REATTACH") {
			env = append(env, entry)
		}
	}
	return env
}

func countLines(lines []string, substring string) int {
	n := 0
	for _, line := range lines {
		if strings.Contains(line, substring) {
			n++
		}
	}
	return n
}
