package provider

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// emulatorsGuide is the generated guide whose commands TestAccGuideEmulators_byHand runs.
const emulatorsGuide = "../../docs/guides/emulators.md"

// guideBlocks returns the fenced code blocks of language lang in a guide, in order.
func guideBlocks(t *testing.T, text, lang string) []string {
	t.Helper()
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(text, -1) {
		blocks = append(blocks, m[1])
	}
	if len(blocks) == 0 {
		t.Fatalf("%s has no %s block", emulatorsGuide, lang)
	}
	return blocks
}

// unusedPort returns a loopback port that nothing listens on right now.
func unusedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// The guide's shell blocks run as written, in one bash, from the repository root, in an environment without AWS or
// appliance settings: only its ports (5000, 11005) and /tmp are moved so that runs cannot collide. What the guide
// exports is then the whole environment of the provider, whose block is the guide's, given a role and its
// registration: apply must register the role in the emulated appliance, which checks it in moto.
func TestAccGuideEmulators_byHand(t *testing.T) {
	acctest.PreCheck(t)
	for _, tool := range []string{"bash", "curl", "aws", "moto_server", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the guide needs %s on PATH", tool)
			}
			t.Skipf("the guide needs %s on PATH", tool)
		}
	}
	text, err := os.ReadFile(emulatorsGuide)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	motoPort, appliancePort := unusedPort(t), unusedPort(t)
	moved := strings.NewReplacer("127.0.0.1:5000", "127.0.0.1:"+motoPort, "-p 5000", "-p "+motoPort,
		"11005", appliancePort, "/tmp/", tmp+"/").Replace(string(text))

	envFile := filepath.Join(tmp, "guide.env")
	script := "set -euo pipefail\n" + strings.Join(guideBlocks(t, moved, "sh"), "\n") + "\nenv >" + envFile + "\n"
	runGuideScript(t, script, filepath.Join(tmp, "guide.log"))

	dir := t.TempDir()
	cli := acctest.NewInstalledCLI(t, dir)
	cli.Setenv(guideSettings(t, envFile)...)
	writeGuideConfig(t, dir, guideBlocks(t, moved, "terraform")[0]+`
resource "vbaws_role_template" "ec2" {
  name       = "veeam-ec2"
  operations = ["ec2_backup"]
}

resource "vbaws_iam_role" "ec2" {
  name                    = "veeam-ec2"
  trusted_principal_arns  = [data.vbaws_impersonation_role.appliance.arn]
  service_principals      = vbaws_role_template.ec2.service_principals
  managed_policy_arns     = vbaws_role_template.ec2.policy_arns
  create_instance_profile = vbaws_role_template.ec2.requires_instance_profile
}

resource "vbaws_appliance_role" "ec2" {
  name        = "Veeam EC2 backup"
  role_arn    = vbaws_iam_role.ec2.arn
  permissions = vbaws_role_template.ec2.operations
}
`)
	cli.MustRun("apply", "-auto-approve")
	cli.CheckState(statecheck.ExpectKnownValue("vbaws_appliance_role.ec2", tfjsonpath.New("role_arn"),
		knownvalue.StringExact("arn:aws:iam::123456789012:role/veeam-ec2")))
	cli.MustRun("destroy", "-auto-approve")
}

// writeGuideConfig writes a configuration that requires the provider as users do, from vbaws/vbaws.
func writeGuideConfig(t *testing.T, dir, config string) {
	t.Helper()
	config = `
terraform {
  required_providers {
    vbaws = { source = "vbaws/vbaws" }
  }
}
` + config
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// runGuideScript runs script in bash from the repository root, its output in logFile, and stops what it left
// running (the emulators) when the test ends.
func runGuideScript(t *testing.T, script, logFile string) {
	t.Helper()
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = log.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = "../.."
	cmd.Env = withoutSettings(os.Environ())
	// A file, not a buffer: the emulators keep the output open, and Wait would wait for them.
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	if err == nil {
		t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) })
		err = cmd.Wait()
	}
	if err != nil {
		out, _ := os.ReadFile(logFile)
		t.Fatalf("the guide's commands failed: %v\n%s", err, out)
	}
}

// withoutSettings drops AWS and appliance settings, which the guide must export itself.
func withoutSettings(environ []string) []string {
	var kept []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "VBAWS_") {
			kept = append(kept, kv)
		}
	}
	return kept
}

// guideSettings returns the AWS and appliance settings that the guide's commands exported.
func guideSettings(t *testing.T, envFile string) []string {
	t.Helper()
	text, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	var settings []string
	for _, kv := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "VBAWS_") {
			settings = append(settings, kv)
		}
	}
	return settings
}
