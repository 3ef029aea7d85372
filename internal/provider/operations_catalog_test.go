package provider

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
)

// vbaws_appliance_role refuses, while planning, an operation the appliance's console cannot grant, and names the
// operation to register instead; nothing reaches the appliance.
func TestAccApplianceRole_refusesOperationWithoutAppliancePermission(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigWithAppliance(emu, "") + applianceRoleArgs{name: name,
			roleARN: `"` + roleARN + `"`, permissions: `["ec2_backup", "flr_worker"]`}.block(),
		PlanOnly: true,
		ExpectError: regexp.MustCompile(
			`(?s)Operation the appliance cannot grant.*"flr_worker".*Write\s+"production_worker"`),
	}))
	if records := emu.Records(); len(records) != 1 || !records[0].IsDefault {
		t.Errorf("the appliance holds %+v", records)
	}
}

// useTestVersion adds the catalog's test-only version 12 (which adds test_inventory and drops vpc_restore) until the
// test ends. Tests that use it must not run in parallel.
func useTestVersion(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile("../catalog/testdata/v12.json")
	if err != nil {
		t.Fatal(err)
	}
	restore, err := catalog.AddVersionForTest("12", data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restore)
}

// A version's data file alone adds and drops operations: the functions take the operations of their
// product_version argument, with no other edit.
func TestOperationsFollowTheProductVersion_functions(t *testing.T) {
	useTestVersion(t)
	result, funcErr := runFunction(t, newPermissionDocumentsFunction(), stringSet([]string{"test_inventory"}),
		types.StringValue("12"))
	if funcErr != nil || !strings.Contains(result.String(), "s3:GetInventoryConfiguration") {
		t.Errorf("permission_documents([test_inventory], 12) = %v, %v", result, funcErr)
	}
	refused := map[string]struct {
		operation string
		version   types.String
		message   string
	}{
		"added later":  {"test_inventory", types.StringValue("11"), `version 11, only of version 12\.`},
		"default":      {"test_inventory", types.StringNull(), `version 10, only of version 12\.`},
		"dropped":      {"vpc_restore", types.StringValue("12"), `version 12, only of versions 10 and 11\.`},
		"unknown case": {"test_inventroy", types.StringValue("12"), `Did you mean "test_inventory"\?`},
	}
	for name, c := range refused {
		_, funcErr := runFunction(t, newOperationRequirementsFunction(), stringSet([]string{c.operation}), c.version)
		if funcErr == nil || !regexp.MustCompile(c.message).MatchString(funcErr.Text) {
			t.Errorf("%s: %v, want an error matching %q", name, funcErr, c.message)
		}
	}
}

// A data source checks its operations against its product_version while planning.
func TestAccOperationsFollowTheProductVersion_dataSource(t *testing.T) {
	useTestVersion(t)
	config := func(version string) string {
		return acctest.RequiredProviders() + acctest.ProviderConfig() + `
data "vbaws_role_template_document" "test" {
  operations      = ["test_inventory"]
  product_version = "` + version + `"
}
`
	}
	resource.Test(t, testAccCase(t, resource.TestStep{
		Config:      config("11"),
		ExpectError: regexp.MustCompile(`(?s)Operation not in this product version.*only\s+of\s+version\s+12`),
	}, resource.TestStep{
		Config: config("12"),
		ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue("data.vbaws_role_template_document.test",
			tfjsonpath.New("documents"), knownvalue.ListPartial(map[int]knownvalue.Check{
				0: knownvalue.StringRegexp(regexp.MustCompile(`s3:GetInventoryConfiguration`))}))},
	}))
}

// defaultOperations are the operations of the default product version, which a template without product_version
// takes.
func defaultOperations() []string {
	names, err := catalog.Operations(catalog.DefaultVersion)
	if err != nil {
		panic(err)
	}
	return names
}
