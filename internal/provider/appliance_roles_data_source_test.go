package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// The data source pages through every record (the default one included) and narrows them by a name pattern.
func TestAccApplianceRolesDataSource_pagesAndFilters(t *testing.T) {
	emu := acctest.NewAppliance(t, applianceemu.Options{})
	for i := range 150 {
		emu.Add(applianceemu.Record{Name: fmt.Sprintf("member-%03d", i), AccountID: "210987654321",
			RoleName: fmt.Sprintf("veeam/backup-%d", i), CrossAccount: true, Permissions: []string{"EC2Restore"}})
	}
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigWithAppliance(emu, "") + `
data "vbaws_appliance_roles" "all" {}

data "vbaws_appliance_roles" "some" {
  name_pattern = "member-14*"
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.vbaws_appliance_roles.all", tfjsonpath.New("roles"),
				knownvalue.ListSizeExact(151)),
			statecheck.ExpectKnownValue("data.vbaws_appliance_roles.all",
				tfjsonpath.New("roles").AtSliceIndex(0).AtMapKey("is_default"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("data.vbaws_appliance_roles.some", tfjsonpath.New("roles"),
				knownvalue.ListSizeExact(10)),
			statecheck.ExpectKnownValue("data.vbaws_appliance_roles.some", tfjsonpath.New("roles").AtSliceIndex(0),
				knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name":           knownvalue.StringExact("member-140"),
					"role_arn":       knownvalue.StringExact("arn:aws:iam::210987654321:role/veeam/backup-140"),
					"aws_account_id": knownvalue.StringExact("210987654321"),
					"cross_account":  knownvalue.Bool(true),
					"is_default":     knownvalue.Bool(false),
					"permissions":    knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("ec2_restore")}),
				})),
			expectRemote(func() error {
				if n := emu.Counts()["list"]; n < 3 {
					return fmt.Errorf("%d list requests: 151 records take two pages of 100, plus the filtered one", n)
				}
				return nil
			}),
		},
	}))
}
