package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

const applianceDataAddress = "data.vbaws_appliance.this"

// The data source shows the appliance's version, the negotiated revision, its account and region type and the
// permission names it offers, mapped to operations where the provider knows them: a 10.x/11 appliance with one
// name more than the provider knows, and an appliance older than 1.5-rev0, which has no permissions.
func TestAccApplianceDataSource_showsWhatTheProviderTalksTo(t *testing.T) {
	cases := map[string]struct {
		opts                   applianceemu.Options
		revision               string
		permissions, operators knownvalue.Check
	}{
		"11 with an unknown permission": {applianceemu.Options{ServerVersion: "11.0.1.7",
			Unknowns: applianceemu.Unknowns{AllPermissions: 23}}, "1.9-rev0",
			knownvalue.SetSizeExact(23), knownvalue.SetSizeExact(len(appliance.AllPermissions()))},
		"6.0": {applianceemu.Options{ServerVersion: "6.0.0.12", Revisions: []string{"1.4-rev0"}}, "1.4-rev0",
			knownvalue.Null(), knownvalue.Null()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.NewAppliance(t, tc.opts)
			is := func(attribute string, check knownvalue.Check) statecheck.StateCheck {
				return statecheck.ExpectKnownValue(applianceDataAddress, tfjsonpath.New(attribute), check)
			}
			resource.Test(t, testAccCase(t, resource.TestStep{
				Config: acctest.ProviderConfigWithAppliance(emu, "") + `data "vbaws_appliance" "this" {}` + "\n",
				ConfigStateChecks: []statecheck.StateCheck{
					is("url", knownvalue.StringExact(emu.URL())),
					is("server_version", knownvalue.StringExact(tc.opts.ServerVersion)),
					is("api_version", knownvalue.StringExact(tc.revision)),
					is("account_id", knownvalue.StringExact(emulatorAccount)),
					is("region_type", knownvalue.StringExact("Global")),
					is("permissions", tc.permissions),
					is("operations", tc.operators),
				},
			}))
		})
	}
}

// A wrong password fails the data source with the same diagnostic as a registration would.
func TestAccApplianceDataSource_failsAsARegistrationWould(t *testing.T) {
	emu := acctest.NewAppliance(t, applianceemu.Options{})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigWithApplianceAs(emu, emu.Username(), "wrong", emu.CertificatePEM(), "") +
			`data "vbaws_appliance" "this" {}` + "\n",
		ExpectError: regexp.MustCompile(`(?s)Cannot log in to the Veeam appliance`),
	}))
}
