package acctest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// standinBinary is the hashicorp/aws stand-in (internal/acctest/awsstandin) built once per test binary.
var standinBinary struct {
	once sync.Once
	dir  string
	err  error
}

// MoveState is a `moved` block between resource types of different providers (Terraform 1.8 and later, OpenTofu
// 1.10 and later), told from the CLI's name and version.
var MoveState = Capability{Name: "move_state", args: []string{"version"},
	has: either(versionFrom(terraformVersion, 1, 8), versionFrom(openTofuVersion, 1, 10))}

// openTofu tells OpenTofu from Terraform, for the registry host they install providers from.
var openTofu = Capability{Name: "opentofu", args: []string{"version"},
	has: func(out string, _ int) bool { return openTofuVersion.MatchString(out) }}

// NewMigrationCLI is NewInstalledCLI with the test-only stand-in for hashicorp/aws (see package awsstandin)
// installed as well, so that a state written by hashicorp/aws can be planned and applied.
func NewMigrationCLI(t *testing.T, dir string) *CLI {
	t.Helper()
	vbaws := builtProvider(t)
	standinBinary.once.Do(func() {
		standinBinary.dir, standinBinary.err = buildCommand(
			"github.com/vbaws/terraform-provider-vbaws/internal/acctest/awsstandin", "terraform-provider-aws")
	})
	if standinBinary.err != nil {
		t.Fatalf("building the hashicorp/aws stand-in: %v", standinBinary.err)
	}
	return cliWithOverrides(t, dir, map[string]string{"vbaws/vbaws": vbaws, "hashicorp/aws": standinBinary.dir})
}

// AWSProviderAddress is the address the CLI under test installs `source = "hashicorp/aws"` from, as it names
// it in state: registry.opentofu.org/hashicorp/aws under OpenTofu, else registry.terraform.io/hashicorp/aws.
func AWSProviderAddress(t *testing.T) string {
	t.Helper()
	if cliHas(t, os.Getenv("TF_ACC_TERRAFORM_PATH"), openTofu) {
		return "registry.opentofu.org/hashicorp/aws"
	}
	return "registry.terraform.io/hashicorp/aws"
}

// StateResource is one resource instance of a state file written by WriteState.
type StateResource struct {
	Type, Name, Provider string         // Provider is the address, such as AWSProviderAddress
	Attributes           map[string]any // as the provider writes them (schema version 0)
}

// WriteState writes the working directory's state file (format version 4) holding resources, as the CLI
// writes it after an apply, so that a test can start from a state another provider wrote.
func (c *CLI) WriteState(resources ...StateResource) {
	c.t.Helper()
	type instance struct {
		SchemaVersion int            `json:"schema_version"`
		Attributes    map[string]any `json:"attributes"`
	}
	type resource struct {
		Mode      string     `json:"mode"`
		Type      string     `json:"type"`
		Name      string     `json:"name"`
		Provider  string     `json:"provider"`
		Instances []instance `json:"instances"`
	}
	state := map[string]any{"version": 4, "terraform_version": "1.8.0", "serial": 1,
		"lineage": "vbaws-acctest-" + RandomName("lineage"), "outputs": map[string]any{}}
	var list []resource
	for _, r := range resources {
		list = append(list, resource{Mode: "managed", Type: r.Type, Name: r.Name,
			Provider: `provider["` + r.Provider + `"]`, Instances: []instance{{Attributes: r.Attributes}}})
	}
	state["resources"] = list
	text, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "terraform.tfstate"), text, 0o600); err != nil {
		c.t.Fatal(err)
	}
}
