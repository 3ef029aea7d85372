package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// A new description or path of a template whose parts a role of the same configuration uses converges in one
// apply, with or without create_before_destroy: the template is updated in place under the other name set, the
// role moves to the new parts, the old ones are deleted, and the next plan is empty.
func TestAccRoleTemplate_newDescriptionOrPathConvergesInOneApply(t *testing.T) {
	for name, lifecycle := range map[string]string{
		"default":               "",
		"create_before_destroy": "\n  lifecycle {\n    create_before_destroy = true\n  }",
	} {
		t.Run(name, func(t *testing.T) {
			testTemplateRevisions(t, lifecycle)
		})
	}
}

func testTemplateRevisions(t *testing.T, lifecycle string) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	name := acctest.RandomName("vbaws-tpl")
	all := mustRender(t, defaultOperations()...)
	parts := len(all.Documents)
	config := func(path, description string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "vbaws_role_template" "test" {
  name        = %[1]q
  path        = %[2]q
  description = %[3]q
  operations  = ["%[4]s"]%[6]s
}

resource "vbaws_iam_role" "test" {
  name                    = %[1]q
  trusted_principal_arns  = [%[5]q]
  managed_policy_arns     = vbaws_role_template.test.policy_arns
  service_principals      = vbaws_role_template.test.service_principals
  create_instance_profile = vbaws_role_template.test.requires_instance_profile
}`, name, path, description, strings.Join(defaultOperations(), `", "`), appliance, lifecycle)
	}
	arnsIn := func(path string, names []string) []string {
		arns := make([]string, len(names))
		for i, part := range names {
			arns[i] = "arn:aws:iam::" + emulatorAccount + ":policy" + path + part
		}
		return arns
	}
	first := arnsIn("/veeam/", template.PartNames(name, parts))
	second := arnsIn("/veeam/", template.RevisedPartNames(name, parts))
	third := arnsIn("/backup/", template.PartNames(name, parts))
	step := func(path, description string, before, after []string) resource.TestStep {
		return resource.TestStep{
			Config: config(path, description),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("vbaws_role_template.test", plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(
					"vbaws_role_template.test",
					tfjsonpath.New("policy_arns"),
					exactStrings(after),
				),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("vbaws_iam_role.test", tfjsonpath.New("managed_policy_arns"),
					knownvalue.SetExact(stringChecks(after))),
				expectRemote(func() error { return attachmentsAre(client, name, after...) }),
				expectRemote(func() error { return policiesGone(client, func() []string { return before })(nil) }),
			},
		}
	}
	tc := testAccCase(t,
		resource.TestStep{Config: config("/veeam/", "first"), ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error { return attachmentsAre(client, name, first...) })}},
		step("/veeam/", "second", first, second),
		step("/backup/", "second", second, third),
	)
	tc.CheckDestroy = func(*terraform.State) error {
		return policiesGone(client, func() []string { return append(append(first, second...), third...) })(nil)
	}
	resource.ParallelTest(t, tc)
}
