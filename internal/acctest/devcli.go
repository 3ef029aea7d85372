package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// providerBinary is the provider built once per test binary for NewInstalledCLI.
var providerBinary struct {
	once sync.Once
	dir  string
	err  error
}

// NewInstalledCLI prepares the Terraform CLI to run configurations in dir against the provider binary built from
// this module and installed through dev_overrides under both registry.terraform.io/vbaws/vbaws and
// registry.opentofu.org/vbaws/vbaws, with the emulator's credentials in the environment. Unlike
// terraform-plugin-testing, which serves one in-process provider to every provider configuration, the CLI then
// starts one provider process per configuration, as in production, so provider aliases (one per account, say)
// really are independent. The configuration itself stays as written: `source = "vbaws/vbaws"`.
func NewInstalledCLI(t *testing.T, dir string) *CLI {
	t.Helper()
	return cliWithOverrides(t, dir, map[string]string{"vbaws/vbaws": builtProvider(t)})
}

// builtProvider returns the directory of the provider binary, built on first use.
func builtProvider(t *testing.T) string {
	t.Helper()
	PreCheck(t)
	providerBinary.once.Do(func() { providerBinary.dir, providerBinary.err = buildProvider() })
	if providerBinary.err != nil {
		t.Fatalf("building the provider: %v", providerBinary.err)
	}
	return providerBinary.dir
}

// cliWithOverrides is NewInstalledCLI with the provider binaries of dirs, by namespace/type, installed through
// dev_overrides under both registry.terraform.io and registry.opentofu.org.
func cliWithOverrides(t *testing.T, dir string, dirs map[string]string) *CLI {
	t.Helper()
	var overrides strings.Builder
	for provider, binaryDir := range dirs {
		for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
			fmt.Fprintf(&overrides, "    %q = %q\n", host+"/"+provider, binaryDir)
		}
	}
	cliConfig := filepath.Join(t.TempDir(), "dev.tfrc")
	config := "provider_installation {\n  dev_overrides {\n" + overrides.String() + "  }\n  direct {}\n}\n"
	if err := os.WriteFile(cliConfig, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0",
		"TF_LOG=", "AWS_REGION=" + Region, "AWS_ACCESS_KEY_ID=" + testAccessKey,
		"AWS_SECRET_ACCESS_KEY=" + testSecretKey}
	return &CLI{t: t, Dir: dir, env: append(withoutProviderEnv(os.Environ()), env...)}
}

// buildProvider compiles the module's main package into a directory of its own.
func buildProvider() (string, error) {
	return buildCommand("github.com/vbaws/terraform-provider-vbaws", "terraform-provider-vbaws")
}

// buildCommand compiles the command of package into a directory of its own, as binary.
func buildCommand(pkg, binary string) (string, error) {
	dir, err := os.MkdirTemp("", binary+"-")
	if err != nil {
		return "", err
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go tool is not on PATH")
	}
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(dir, binary), pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w: %s", err, out)
	}
	return dir, nil
}

// withoutProviderEnv drops what would redirect the CLI or the provider: reattach settings, another CLI
// configuration, and AWS credentials or profiles of the machine.
func withoutProviderEnv(environ []string) []string {
	var kept []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if name == "TF_REATTACH_PROVIDERS" || name == "TF_CLI_CONFIG_FILE" || strings.HasPrefix(name, "AWS_") {
			continue
		}
		kept = append(kept, kv)
	}
	return kept
}

// SavedPlan runs `terraform plan -out` with args and returns the plan file, for `terraform apply <file>`, with
// `terraform show -json` of it.
func (c *CLI) SavedPlan(args ...string) (string, *tfjson.Plan) {
	c.t.Helper()
	planFile := filepath.Join(c.t.TempDir(), "tfplan")
	c.MustRun(append([]string{"plan", "-input=false", "-out=" + planFile}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd := c.Command(&stdout, "show", "-json", planFile)
	cmd.Stderr = &stderr // warnings go to stderr and must not spoil the JSON
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("terraform show -json %s: %v\n%s", planFile, err, stderr.String())
	}
	var plan tfjson.Plan
	if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil {
		c.t.Fatalf("reading the saved plan: %v", err)
	}
	return planFile, &plan
}

// CheckPlan runs terraform-plugin-testing plan checks against a plan from SavedPlan.
func (c *CLI) CheckPlan(plan *tfjson.Plan, checks ...plancheck.PlanCheck) {
	c.t.Helper()
	for _, check := range checks {
		var resp plancheck.CheckPlanResponse
		check.CheckPlan(context.Background(), plancheck.CheckPlanRequest{Plan: plan}, &resp)
		if resp.Error != nil {
			c.t.Error(resp.Error)
		}
	}
}

// CheckState runs terraform-plugin-testing state checks against the working directory's state. Resources of child
// modules are listed with the root's, under their full addresses (module.x.type.name), because those checks look
// only at the root module.
func (c *CLI) CheckState(checks ...statecheck.StateCheck) {
	c.t.Helper()
	state := c.State()
	if state.Values != nil && state.Values.RootModule != nil {
		state.Values.RootModule.Resources = allResources(state.Values.RootModule)
	}
	for _, check := range checks {
		var resp statecheck.CheckStateResponse
		check.CheckState(context.Background(), statecheck.CheckStateRequest{State: state}, &resp)
		if resp.Error != nil {
			c.t.Error(resp.Error)
		}
	}
}

// allResources returns the resources of module and of every module below it.
func allResources(module *tfjson.StateModule) []*tfjson.StateResource {
	resources := module.Resources
	for _, child := range module.ChildModules {
		resources = append(resources, allResources(child)...)
	}
	return resources
}
