package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// The data source computes the documents locally: no IAM call at all.
func TestAccRoleTemplateDocumentDataSource_makesNoIAMCall(t *testing.T) {
	proxy := acctest.NewProxy(t)
	tpl, err := template.Render("11", []string{"ec2_backup", "ec2_restore"}, true)
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: acctest.ProviderConfigFor(proxy.URL) + `
data "vbaws_role_template_document" "test" {
  operations = ["ec2_bakup"]
}`,
			ExpectError: regexp.MustCompile(`(?s)operations.*Did you mean "ec2_backup"`),
		},
		resource.TestStep{
			Config: acctest.ProviderConfigFor(proxy.URL) + `
data "vbaws_role_template_document" "test" {
  operations                     = ["ec2_restore", "ec2_backup"]
  product_version                = "11"
  workers_in_production_accounts = true
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(
					"data.vbaws_role_template_document.test",
					tfjsonpath.New("documents"),
					exactStrings(tpl.Documents),
				),
				statecheck.ExpectKnownValue(
					"data.vbaws_role_template_document.test",
					tfjsonpath.New("actions"),
					knownvalue.SetSizeExact(len(tpl.Actions)),
				),
				statecheck.ExpectKnownValue(
					"data.vbaws_role_template_document.test",
					tfjsonpath.New("requires_instance_profile"),
					knownvalue.Bool(tpl.RequiresInstanceProfile),
				),
				acctest.ExpectCalls(proxy, func(counts map[string]int) error {
					delete(counts, "GetCallerIdentity") // the provider's own configuration, not the data source
					if len(counts) > 0 {
						return fmt.Errorf("the data source made calls: %v", counts)
					}
					return nil
				}),
			},
		},
	))
}
