// Package acctest is the shared acceptance-test harness: it starts one moto_server per test binary on a free
// loopback port, finds the Terraform CLI without ever downloading it, and offers a recording, fault-injecting proxy
// in front of the emulator. With VBAWS_ACC_REAL_AWS=1 the same tests run against a real AWS account instead.
package acctest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
	"github.com/vbaws/terraform-provider-vbaws/internal/emulator"
)

const (
	// Region is the region acceptance tests configure.
	Region = "us-east-1"
)

// harness is the state TestMain sets up once per test binary.
var harness struct {
	endpoint   string // moto's base URL; empty against real AWS
	skipReason string // why acceptance tests skip locally; empty when they can run
}

// Main wraps testing.M.Run for a package with acceptance tests: with TF_ACC set it locates Terraform, starts
// moto_server (unless VBAWS_ACC_REAL_AWS=1) and stops it after the tests. Use it as
// `func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }`.
func Main(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	stop, err := setUp()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "acceptance tests cannot run: %v\n", err)
			return 1
		}
		harness.skipReason = err.Error()
		fmt.Fprintf(os.Stderr, "acceptance tests will be skipped: %v\n", err)
	}
	defer stop()
	return m.Run()
}

func setUp() (stop func(), err error) {
	stop = func() {}
	dropMissingCLIConfig()
	if err := locateTerraform(); err != nil {
		return stop, err
	}
	if RealAWS() {
		return stop, nil
	}
	endpoint, stop, err := emulator.Start("")
	if err != nil {
		return func() {}, err
	}
	harness.endpoint = endpoint
	return stop, nil
}

// dropMissingCLIConfig unsets TF_CLI_CONFIG_FILE when it names no file: OpenTofu then prints a warning before the
// output of every command, `version` included, which terraform-plugin-testing cannot parse. Terraform ignores such
// a setting, so tests behave the same either way.
func dropMissingCLIConfig() {
	if file := os.Getenv("TF_CLI_CONFIG_FILE"); file != "" {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			_ = os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
}

// RealAWS reports whether acceptance tests run against a real AWS account (VBAWS_ACC_REAL_AWS=1).
func RealAWS() bool { return os.Getenv("VBAWS_ACC_REAL_AWS") == "1" }

// PreCheck skips the test when TF_ACC is unset, as terraform-plugin-testing does, or when the harness could not
// start locally. With CI=true Main has already failed instead.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run only with TF_ACC=1")
	}
	if harness.skipReason != "" {
		t.Skip(harness.skipReason)
	}
}

// Endpoint is the base URL of the shared emulator, or "" against real AWS.
func Endpoint() string { return harness.endpoint }

// locateTerraform makes terraform-plugin-testing use a local Terraform: TF_ACC_TERRAFORM_PATH if set, else the one
// on PATH. It never lets the testing framework download one.
func locateTerraform() error {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s: %w", p, err)
		}
		return nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("the terraform CLI is not on PATH; install Terraform or set TF_ACC_TERRAFORM_PATH")
	}
	return os.Setenv("TF_ACC_TERRAFORM_PATH", p)
}

// NewAppliance starts an emulated Veeam appliance for one test on a loopback port and stops it when the test
// ends. Unless opts say otherwise, it checks every role it is given in the shared moto_server, in the role's
// account (see IAMClientIn), as a real appliance does by assuming it; against real AWS it checks nothing. The
// emulator is part of this module, so failing to start it is always a failure, never a skip.
func NewAppliance(t *testing.T, opts applianceemu.Options) *applianceemu.Server {
	t.Helper()
	PreCheck(t)
	if opts.Roles == nil && !RealAWS() {
		opts.Roles = &applianceemu.MotoRoles{Endpoint: Endpoint(), Region: Region, AccessKey: testAccessKey,
			SecretKey: testSecretKey, DefaultAccount: applianceemu.DefaultAccountID, MemberRole: MemberAccessRole}
	}
	emu, err := applianceemu.Start(opts)
	if err != nil {
		t.Fatalf("starting the appliance emulator: %v", err)
	}
	t.Cleanup(emu.Close)
	return emu
}

// ProviderConfigWithAppliance returns a provider block for the shared emulator with an appliance block for emu
// holding its URL, credentials and certificate, followed by extra lines of the block (such as api_version).
func ProviderConfigWithAppliance(emu *applianceemu.Server, extra string) string {
	return ProviderConfigWithApplianceAs(emu, emu.Username(), emu.Password(), emu.CertificatePEM(), extra)
}

// ProviderConfigWithApplianceAs is ProviderConfigWithAppliance with the given credentials and certificate: the
// block of ProviderConfig with an appliance block added.
func ProviderConfigWithApplianceAs(emu *applianceemu.Server, username, password, caPEM, extra string) string {
	return providerConfigWithApplianceAt(emu.URL(), username, password, caPEM, extra)
}

// providerConfigWithApplianceAt is the block of ProviderConfig with an appliance block for the appliance at url,
// followed by extra lines of that block.
func providerConfigWithApplianceAt(url, username, password, caPEM, extra string) string {
	base := strings.TrimSuffix(strings.TrimSpace(ProviderConfig()), "}")
	return fmt.Sprintf(`
%s
  appliance {
    url      = %q
    username = %q
    password = %q
    ca_pem   = %q
    %s
  }
}
`, base, url, username, password, caPEM, extra)
}
