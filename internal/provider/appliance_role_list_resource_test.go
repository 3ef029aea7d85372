package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// consoleRecords adds three records as the console would make them (one for some operations, one for all, one of
// another account) and returns their IDs by name.
func consoleRecords(emu *applianceemu.Server, prefix, roleName string) map[string]string {
	ids := map[string]string{}
	for _, r := range []applianceemu.Record{
		{Name: prefix + "-some", AccountID: emulatorAccount, RoleName: roleName, Permissions: []string{"EC2Restore"}},
		{Name: prefix + "-all", AccountID: emulatorAccount, RoleName: roleName, Description: text("all of them")},
		{Name: prefix + "-member", AccountID: "210987654321", RoleName: "veeam/backup", CrossAccount: true},
	} {
		ids[r.Name] = emu.Add(r)
	}
	return ids
}

func applianceListBlock(name, arguments string) string {
	return fmt.Sprintf("list \"vbaws_appliance_role\" %q {\n  provider = vbaws\n  config {\n%s  }\n}\n", name,
		arguments)
}

// The list resource finds every record but the default one, each with its identity, and narrows them by name.
func TestAccApplianceRoleList_listsEveryRecordButTheDefault(t *testing.T) {
	acctest.RequireCLI(t, acctest.Query)
	emu, prefix, _ := applianceFixture(t, applianceemu.Options{})
	ids := consoleRecords(emu, prefix, prefix)
	provider := acctest.ProviderConfigWithAppliance(emu, "")
	identity := func(address, name string) querycheck.QueryResultCheck {
		return querycheck.ExpectIdentity(address, map[string]knownvalue.Check{"id": knownvalue.StringExact(ids[name])})
	}
	resource.Test(t, testAccCase(t,
		resource.TestStep{Config: provider},
		resource.TestStep{
			Query: true,
			Config: applianceListBlock("every", "") +
				applianceListBlock("some", fmt.Sprintf("    name_pattern = %q\n", prefix+"-some")),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("vbaws_appliance_role.every", 3),
				identity("vbaws_appliance_role.every", prefix+"-some"),
				identity("vbaws_appliance_role.every", prefix+"-all"),
				identity("vbaws_appliance_role.every", prefix+"-member"),
				querycheck.ExpectLength("vbaws_appliance_role.some", 1),
				identity("vbaws_appliance_role.some", prefix+"-some"),
			},
		},
	))
}

// `terraform query -generate-config-out` writes a vbaws_appliance_role and an import block for every record but
// the default one; the result plans only the imports, applies without writing to the appliance, and then plans
// empty, "all permissions" included.
func TestAccApplianceRoleList_generatedConfigurationPlansEmpty(t *testing.T) {
	acctest.RequireCLI(t, acctest.Query)
	emu, prefix, _ := applianceFixture(t, applianceemu.Options{})
	consoleRecords(emu, prefix, prefix)
	cli := acctest.NewCLI(t, NewServer("test"))
	cli.WriteConfig(acctest.ProviderConfigWithAppliance(emu, ""))
	if err := os.WriteFile(filepath.Join(cli.Dir, "records.tfquery.hcl"),
		[]byte(applianceListBlock("records", "")), 0o600); err != nil {
		t.Fatal(err)
	}
	cli.MustRun("init", "-no-color")
	cli.MustRun("query", "-no-color", "-generate-config-out=generated.tf")
	if err := os.Remove(filepath.Join(cli.Dir, "records.tfquery.hcl")); err != nil {
		t.Fatal(err)
	}
	generated, err := os.ReadFile(filepath.Join(cli.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(generated), applianceemu.DefaultRecordName) {
		t.Errorf("the generated configuration adopts the default record:\n%s", generated)
	}
	if code, out := cli.Run("plan", "-no-color"); code != 0 ||
		!strings.Contains(out, "3 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the generated configuration does not plan just the imports (exit %d):\n%s\n%s", code, generated, out)
	}
	cli.MustRun("apply", "-no-color", "-auto-approve")
	if code, out := cli.Run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the import is not empty (exit %d):\n%s\n%s", code, generated, out)
	}
	if counts := emu.Counts(); counts["create"]+counts["update"]+counts["delete"] > 0 {
		t.Errorf("adopting the listed records wrote to the appliance: %v", counts)
	}
	names := map[string]bool{}
	for _, r := range cli.State().Values.RootModule.Resources {
		names[fmt.Sprint(r.AttributeValues["name"])] = true
	}
	if len(names) != 3 || !names[prefix+"-some"] || !names[prefix+"-all"] || !names[prefix+"-member"] {
		t.Errorf("imported records = %v", names)
	}
}

// Create sets the record's identity, an import block finds the record by it and plans no change, and a state
// written before the identity existed gains it on the next refresh without a difference.
func TestAccApplianceRole_identity(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{})
	config := acctest.ProviderConfigWithAppliance(emu, "") +
		applianceRoleArgs{name: name, roleARN: fmt.Sprintf("%q", roleARN)}.block()
	identity := statecheck.ExpectIdentityValueMatchesState(applianceRoleAddress, tfjsonpath.New("id"))
	resource.ParallelTest(t, identityCase(t, createdAndImportedByIdentity(config, applianceRoleAddress, identity)))
	oldName := name + "-old"
	old := acctest.ProviderConfigWithAppliance(emu, "") +
		applianceRoleArgs{name: oldName, roleARN: fmt.Sprintf("%q", roleARN)}.block()
	resource.Test(t, identityCase(t, fromOldState(old, nil, plancheck.ExpectEmptyPlan(), identity)))
}
