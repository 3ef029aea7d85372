package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// Every write is read back. Against an appliance that knows the permission property under another name (and so
// ignores the selection and registers the role for everything) or answers without a permission list this provider
// reads, a create with permissions fails, naming the field, the revision and what to do, and removes the record it
// made; a create without permissions works, since any list means all.
func TestAccApplianceRole_unkeptPermissionsFailLoudly(t *testing.T) {
	cases := map[string]struct {
		unknowns applianceemu.Unknowns
		want     string
	}{
		"permission property ignored in requests": {applianceemu.Unknowns{PermissionsRequestProperty: "permissions"},
			`(?s)did not keep the IAM role record.*1\.9-rev0.*permissions.*more operations than\s+configured.*` +
				`removed\s+record.*api_version`},
		"permission list under another name in answers": {
			applianceemu.Unknowns{PermissionsAnswerProperty: "permissions"},
			`(?s)did not keep the IAM role record.*no\s+permission\s+list.*removed\s+record.*api_version`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			emu, roleName, roleARN := applianceFixture(t, applianceemu.Options{Unknowns: tc.unknowns})
			provider := acctest.ProviderConfigWithAppliance(emu, "")
			args := applianceRoleArgs{name: roleName, roleARN: fmt.Sprintf("%q", roleARN)}
			selected := args
			selected.permissions = `["ec2_backup"]`
			resource.Test(t, applianceCase(t, emu, []resource.TestStep{
				{Config: provider + selected.block(), ExpectError: regexp.MustCompile(tc.want)},
				{
					PreConfig: func() {
						if left := registeredRecords(emu); len(left) > 0 {
							t.Fatalf("the failed create left %+v behind", left)
						}
					},
					Config: provider + args.block(),
					ConfigStateChecks: []statecheck.StateCheck{
						stateIs("permissions", knownvalue.Null()),
						expectRecords(emu, recordIs(applianceemu.Record{Name: roleName, Description: text(""),
							AccountID: emulatorAccount, RoleName: roleName})),
					},
				},
			}))
		})
	}
}

// An update whose permissions the appliance ignores fails and leaves state holding what the appliance holds (all
// permissions), so the next plan shows the difference instead of hiding it.
func TestAccApplianceRole_unkeptUpdateLeavesStateAsHeld(t *testing.T) {
	emu, roleName, roleARN := applianceFixture(t, applianceemu.Options{
		Unknowns: applianceemu.Unknowns{PermissionsRequestProperty: "permissions"}})
	provider := acctest.ProviderConfigWithAppliance(emu, "")
	args := applianceRoleArgs{name: roleName, roleARN: fmt.Sprintf("%q", roleARN)}
	selected := args
	selected.permissions = `["ec2_backup"]`
	resource.ParallelTest(t, applianceCase(t, emu, []resource.TestStep{
		{Config: provider + args.block()},
		{
			Config: provider + selected.block(),
			ExpectError: regexp.MustCompile(
				`(?s)did not keep the IAM role record.*State\s+now\s+holds\s+what\s+the\s+appliance`),
		},
		{Config: provider + selected.block(), PlanOnly: true, ExpectNonEmptyPlan: true},
		{Config: provider + args.block(), ConfigStateChecks: []statecheck.StateCheck{
			stateIs("permissions", knownvalue.Null()),
			expectRecords(emu, recordIs(applianceemu.Record{Name: roleName, Description: text(""),
				AccountID: emulatorAccount, RoleName: roleName})),
		}},
	}))
}

// An appliance whose answers carry the account under a name this provider does not read fails the plan, naming
// the revision and what to do, instead of registering every role as one from another account.
func TestAccApplianceRole_unreadableAccountFailsThePlan(t *testing.T) {
	emu, roleName, roleARN := applianceFixture(t, applianceemu.Options{
		Unknowns: applianceemu.Unknowns{AccountProperty: "accountId"}})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigWithAppliance(emu, "") +
			applianceRoleArgs{name: roleName, roleARN: fmt.Sprintf("%q", roleARN)}.block(),
		ExpectError: regexp.MustCompile(`(?s)Cannot read the appliance's account.*awsid, awsAccountId.*api_version` +
			`.*1\.9-rev0`),
	}))
	if left := registeredRecords(emu); len(left) > 0 {
		t.Errorf("the failed plan registered %+v", left)
	}
}

// "All permissions" is whatever list the appliance reports when none were selected: 21, 22 or 23 names keep
// permissions null through create, refresh and an update, and a selection in between is kept exactly.
func TestAccApplianceRole_allPermissionsInAnyCount(t *testing.T) {
	for _, count := range []int{21, 22, 23} {
		t.Run(fmt.Sprintf("%d names", count), func(t *testing.T) {
			t.Parallel()
			emu, roleName, roleARN := applianceFixture(t, applianceemu.Options{
				Unknowns: applianceemu.Unknowns{AllPermissions: count}})
			provider := acctest.ProviderConfigWithAppliance(emu, "")
			all := applianceRoleArgs{name: roleName, roleARN: fmt.Sprintf("%q", roleARN)}
			described := all
			described.description = "changed"
			selected := all
			selected.permissions = `["ec2_backup"]`
			held := func(description string, permissions ...string) statecheck.StateCheck {
				return expectRecords(emu, recordIs(applianceemu.Record{Name: roleName, Description: text(description),
					AccountID: emulatorAccount, RoleName: roleName, Permissions: permissions}))
			}
			resource.Test(t, applianceCase(t, emu, []resource.TestStep{
				{Config: provider + all.block(), ConfigStateChecks: []statecheck.StateCheck{
					stateIs("permissions", knownvalue.Null()), held("")}},
				{RefreshState: true},
				{Config: provider + described.block(), ConfigStateChecks: []statecheck.StateCheck{
					stateIs("permissions", knownvalue.Null()), held("changed")}},
				{Config: provider + selected.block(), ConfigStateChecks: []statecheck.StateCheck{
					stateIs("permissions", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("ec2_backup")})),
					held("", "EC2BackupSnapshot")}},
				{Config: provider + all.block(), ConfigStateChecks: []statecheck.StateCheck{
					stateIs("permissions", knownvalue.Null()), held("")}},
			}))
		})
	}
}
