package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// oldTimeoutsBlock is the value vbaws_iam_role stored while timeouts was a block of create, update and delete:
// an object without read.
var oldTimeoutsBlock = map[string]any{"create": "5m", "update": "7m", "delete": "9m"}

// State written while vbaws_iam_role had a timeouts block reads unchanged now that timeouts is an attribute with
// read as well: a plan, with and without refresh, shows no change, and the durations stay in state.
func TestAccTimeouts_blockStateReadsWithoutDiff(t *testing.T) {
	cli := acctest.NewCLI(t, NewServer("test"))
	name := acctest.RandomName("vbaws-timeouts")
	cli.WriteConfig(acctest.ProviderConfig() + fmt.Sprintf(`
resource "vbaws_iam_role" "set" {
  name                   = "%[1]s-set"
  trusted_principal_arns = ["%[2]s"]
  timeouts = {
    create = "5m"
    update = "7m"
    delete = "9m"
  }
}
resource "vbaws_iam_role" "unset" {
  name                   = "%[1]s-unset"
  trusted_principal_arns = ["%[2]s"]
}`, name, emulatorAccount))
	cli.MustRun("init", "-no-color")
	cli.MustRun("apply", "-auto-approve", "-no-color")
	rewriteTimeouts(t, filepath.Join(cli.Dir, "terraform.tfstate"), map[string]any{
		"set": oldTimeoutsBlock, "unset": nil})

	for _, refresh := range []string{"-refresh=true", "-refresh=false"} {
		if code, out := cli.Run("plan", "-detailed-exitcode", "-no-color", refresh); code != 0 {
			t.Errorf("plan %s of the state written with the timeouts block exited with %d, want 0 (no changes):\n%s",
				refresh, code, out)
		}
	}
	for _, r := range cli.State().Values.RootModule.Resources {
		got, _ := json.Marshal(r.AttributeValues["timeouts"])
		want := map[string]string{
			"vbaws_iam_role.set":   `{"create":"5m","delete":"9m","read":null,"update":"7m"}`,
			"vbaws_iam_role.unset": `null`,
		}[r.Address]
		if string(got) != want {
			t.Errorf("%s: timeouts = %s, want %s", r.Address, got, want)
		}
	}
	cli.MustRun("destroy", "-auto-approve", "-no-color")
}

// rewriteTimeouts replaces the timeouts value of each vbaws_iam_role instance in a state file, as an older
// provider version would have written it.
func rewriteTimeouts(t *testing.T, file string, values map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	rewritten := 0
	for _, r := range state["resources"].([]any) {
		resource := r.(map[string]any)
		value, ok := values[resource["name"].(string)]
		if !ok || resource["type"] != "vbaws_iam_role" {
			continue
		}
		for _, instance := range resource["instances"].([]any) {
			instance.(map[string]any)["attributes"].(map[string]any)["timeouts"] = value
			rewritten++
		}
	}
	if rewritten != len(values) {
		t.Fatalf("rewrote the timeouts of %d roles in %s, want %d", rewritten, file, len(values))
	}
	state["serial"] = state["serial"].(float64) + 1
	raw, err = json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"timeouts": {`) {
		t.Fatalf("the rewritten state holds no timeouts object:\n%s", raw)
	}
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// vbaws_role_template honours its create timeout: while IAM throttles every CreatePolicy, the apply stops when the
// configured second is up instead of retrying for the default five minutes, and the next plan creates the template.
func TestAccRoleTemplate_createTimeout(t *testing.T) {
	proxy := acctest.NewProxy(t)
	config := acctest.ProviderConfigFor(proxy.URL) + fmt.Sprintf(`
resource "vbaws_role_template" "test" {
  name       = %q
  operations = ["ec2_backup"]
  timeouts   = { create = "1s" }
}`, acctest.RandomName("vbaws-timeout"))
	var started time.Time
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			PreConfig: func() {
				proxy.Inject(acctest.Fault{Action: "CreatePolicy", Code: "Throttling", Delay: 300 * time.Millisecond})
				started = time.Now()
			},
			Config:      config,
			ExpectError: regexp.MustCompile(`deadline exceeded`),
		},
		resource.TestStep{
			PreConfig: func() {
				if elapsed := time.Since(started); elapsed > 20*time.Second {
					t.Errorf("the apply with a 1s create timeout took %s", elapsed)
				}
				proxy.ClearFaults()
			},
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("vbaws_role_template.test", plancheck.ResourceActionCreate),
			}},
		},
	))
}
