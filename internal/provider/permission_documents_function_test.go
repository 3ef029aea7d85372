package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// permission_documents gives the template's documents in every version, split ones included, and the default
// version for null.
func TestPermissionDocumentsFunction_sameAsTheTemplate(t *testing.T) {
	split := false
	for _, version := range catalog.Versions() {
		all, err := catalog.Operations(version)
		if err != nil {
			t.Fatal(err)
		}
		for _, operations := range [][]string{{"ec2_restore", "ec2_backup"}, all} {
			tpl, err := template.Render(version, operations, false)
			if err != nil {
				t.Fatal(err)
			}
			split = split || len(tpl.Documents) > 1
			if got := permissionDocumentsOf(t, operations, types.StringValue(version)); !slices.Equal(got,
				tpl.Documents) {
				t.Errorf("%s %v: got %d documents, the template has %d", version, operations, len(got),
					len(tpl.Documents))
			}
		}
	}
	if !split {
		t.Error("no selection was split into several documents; the test proves less than it says")
	}
	if got := permissionDocumentsOf(t, []string{"vpc_backup"}, types.StringNull()); !slices.Equal(got,
		mustRender(t, "vpc_backup").Documents) {
		t.Errorf("null product_version is not the default version %s", catalog.DefaultVersion)
	}
}

// A selection the template refuses while planning fails both selection functions with the template's message,
// on the argument that holds it.
func TestPermissionDocumentsFunction_refusesWhatTheTemplateRefuses(t *testing.T) {
	cases := map[string]struct {
		operations []string
		version    types.String
		argument   int64
		message    string
	}{
		"typo": {[]string{"ec2_bakup"}, types.StringNull(), 0,
			`Unknown operation: "ec2_bakup" is not a Veeam operation\. Did you mean "ec2_backup"\?`},
		"none":    {nil, types.StringNull(), 0, `at least 1`},
		"version": {[]string{"ec2_backup"}, types.StringValue("9"), 1, `Unknown Veeam Backup for AWS version`},
	}
	selectionFunctions := map[string]func() function.Function{
		"permission_documents":   newPermissionDocumentsFunction,
		"operation_requirements": newOperationRequirementsFunction,
	}
	for name, c := range cases {
		for _, f := range []string{"permission_documents", "operation_requirements"} {
			_, funcErr := runFunction(t, selectionFunctions[f](), stringSet(c.operations), c.version)
			switch {
			case funcErr == nil:
				t.Errorf("%s %s: no error", f, name)
			case funcErr.FunctionArgument == nil || *funcErr.FunctionArgument != c.argument:
				t.Errorf("%s %s: error on argument %v, want %d", f, name, funcErr.FunctionArgument, c.argument)
			case !regexp.MustCompile(c.message).MatchString(funcErr.Text):
				t.Errorf("%s %s: %q does not match %q", f, name, funcErr.Text, c.message)
			}
		}
	}
}

// The functions give what the data source gives for the same selection, under a real CLI, and a typo fails the
// call with the data source's suggestion.
func TestAccPermissionDocumentsFunction_sameAsTheDataSource(t *testing.T) {
	operations := []string{"production_worker", "efs_backup", "ec2_backup"}
	tpl, err := template.Render("11", operations, false)
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, testAccFunctionCase(t, resource.TestStep{
		Config: functionConfig() + `
output "documents" {
  value = provider::vbaws::permission_documents(["ec2_bakup"], null)
}
`,
		ExpectError: regexp.MustCompile(`(?s)Unknown operation.*Did you mean "ec2_backup"`),
	}, resource.TestStep{
		Config: acctest.RequiredProviders() + acctest.ProviderConfig() + fmt.Sprintf(`
locals {
  operations = %s
}

data "vbaws_role_template_document" "test" {
  operations      = local.operations
  product_version = "11"
}

output "documents" {
  value = provider::vbaws::permission_documents(local.operations, "11")
}

output "requirements" {
  value = provider::vbaws::operation_requirements(local.operations, "11")
}
`, mustJSON(t, operations)),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("documents", exactStrings(tpl.Documents)),
			statecheck.ExpectKnownValue("data.vbaws_role_template_document.test", tfjsonpath.New("documents"),
				exactStrings(tpl.Documents)),
			statecheck.ExpectKnownOutputValue("requirements", knownvalue.ObjectExact(map[string]knownvalue.Check{
				"service_principals":        stringSetExact(tpl.ServicePrincipals),
				"requires_instance_profile": knownvalue.Bool(true),
			})),
			statecheck.ExpectKnownValue("data.vbaws_role_template_document.test",
				tfjsonpath.New("service_principals"), stringSetExact(tpl.ServicePrincipals)),
			statecheck.ExpectKnownValue("data.vbaws_role_template_document.test",
				tfjsonpath.New("requires_instance_profile"), knownvalue.Bool(true)),
		},
	}))
}

// mustJSON writes value as JSON, which is also an HCL expression.
func mustJSON(t *testing.T, value any) string {
	t.Helper()
	text, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}
