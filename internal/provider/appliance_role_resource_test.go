package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

const applianceRoleAddress = "vbaws_appliance_role.test"

// applianceRoleArgs are the arguments of vbaws_appliance_role.test; roleARN is an HCL expression, the rest
// literal values ("" leaves an argument out, permissions is HCL).
type applianceRoleArgs struct {
	name, description, roleARN, externalID, permissions, assumeWait string
}

func (a applianceRoleArgs) block() string {
	body := fmt.Sprintf("  name     = %q\n  role_arn = %s\n", a.name, a.roleARN)
	for _, arg := range []struct{ key, value string }{{"description", a.description},
		{"external_id", a.externalID}, {"assume_wait", a.assumeWait}} {
		if arg.value != "" {
			body += fmt.Sprintf("  %s = %q\n", arg.key, arg.value)
		}
	}
	if a.permissions != "" {
		body += "  permissions = " + a.permissions + "\n"
	}
	return "resource \"vbaws_appliance_role\" \"test\" {\n" + body + "}\n"
}

// twoRolesConfig is two roles made by vbaws_iam_role, the second under a path, both trusted by impersonation,
// and vbaws_appliance_role.test.
func twoRolesConfig(provider, prefix, impersonation string, args applianceRoleArgs) string {
	return provider + fmt.Sprintf(`
resource "vbaws_iam_role" "first" {
  name                   = "%[1]s-first"
  trusted_principal_arns = [%[2]q]
}

resource "vbaws_iam_role" "second" {
  name                   = "%[1]s-second"
  path                   = "/veeam/"
  trusted_principal_arns = [%[2]q]
}
`, prefix, impersonation) + args.block()
}

// recordIs checks the one record the test registered.
func recordIs(want applianceemu.Record) func([]applianceemu.Record) error {
	return func(records []applianceemu.Record) error {
		if len(records) != 1 {
			return fmt.Errorf("%d records, want 1: %+v", len(records), records)
		}
		got := records[0]
		description := ""
		if got.Description != nil {
			description = *got.Description
		}
		wantDescription := ""
		if want.Description != nil {
			wantDescription = *want.Description
		}
		if got.Name != want.Name || description != wantDescription || got.AccountID != want.AccountID ||
			got.RoleName != want.RoleName || got.CrossAccount != want.CrossAccount ||
			got.ExternalID != want.ExternalID || !slices.Equal(got.Permissions, want.Permissions) {
			return fmt.Errorf("the appliance holds %+v (description %q), want %+v (description %q)", got,
				description, want, wantDescription)
		}
		return nil
	}
}

func text(s string) *string { return &s }

func stateIs(attribute string, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(applianceRoleAddress, tfjsonpath.New(attribute), value)
}

// Create, update of every attribute (a mode change replaces the record), import by UUID and by name, destroy.
func TestAccApplianceRole_lifecycle(t *testing.T) {
	emu, impersonation := applianceWithImpersonation(t, applianceemu.Options{})
	provider := acctest.ProviderConfigWithAppliance(emu, "")
	prefix := acctest.RandomName("vbaws-appl")
	member := acctest.RandomAccountID()
	memberRole := acctest.RandomName("vbaws-appl-member")
	memberARN := fixtureRole(t, acctest.IAMClientIn(t, member), memberRole, "/",
		applianceTrust(impersonation, "ext-one", "ext-two"), nil)
	first := applianceRoleArgs{name: prefix + " first", description: "first", roleARN: "vbaws_iam_role.first.arn",
		permissions: `["ec2_backup"]`}
	second := applianceRoleArgs{name: prefix + " second", description: "second",
		roleARN: "vbaws_iam_role.second.arn", permissions: `["ec2_backup", "ec2_restore"]`, assumeWait: "2m"}
	crossAccount := applianceRoleArgs{name: prefix + " second", description: "second",
		roleARN: fmt.Sprintf("%q", memberARN), externalID: "ext-one", assumeWait: "2m"}
	otherID := crossAccount
	otherID.externalID = "ext-two"
	config := func(args applianceRoleArgs) string { return twoRolesConfig(provider, prefix, impersonation, args) }
	resource.ParallelTest(t, applianceCase(t, emu, []resource.TestStep{
		{
			Config: config(first),
			ConfigStateChecks: []statecheck.StateCheck{
				stateIs("aws_account_id", knownvalue.StringExact(emulatorAccount)),
				stateIs("cross_account", knownvalue.Bool(false)),
				stateIs("assume_wait", knownvalue.StringExact("6m")),
				expectRecords(emu, recordIs(applianceemu.Record{Name: first.name, Description: text("first"),
					AccountID: emulatorAccount, RoleName: prefix + "-first",
					Permissions: []string{"EC2BackupSnapshot"}})),
			},
		},
		{
			Config: config(second),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(applianceRoleAddress, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(applianceRoleAddress, tfjsonpath.New("cross_account"),
					knownvalue.Bool(false)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRecords(emu, recordIs(applianceemu.Record{Name: second.name, Description: text("second"),
					AccountID: emulatorAccount, RoleName: "/veeam/" + prefix + "-second",
					Permissions: []string{"EC2BackupSnapshot", "EC2Restore"}})),
			},
		},
		{
			Config: config(crossAccount),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(applianceRoleAddress, plancheck.ResourceActionDestroyBeforeCreate),
				plancheck.ExpectKnownValue(applianceRoleAddress, tfjsonpath.New("cross_account"),
					knownvalue.Bool(true)),
				plancheck.ExpectKnownValue(applianceRoleAddress, tfjsonpath.New("aws_account_id"),
					knownvalue.StringExact(member)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRecords(emu, recordIs(applianceemu.Record{Name: second.name, Description: text("second"),
					AccountID: member, RoleName: memberRole, CrossAccount: true, ExternalID: "ext-one"})),
			},
		},
		{
			Config: config(otherID),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(applianceRoleAddress, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRecords(emu, recordIs(applianceemu.Record{Name: second.name, Description: text("second"),
					AccountID: member, RoleName: memberRole, CrossAccount: true, ExternalID: "ext-two"})),
			},
		},
		{
			// The appliance never returns the external ID, so a change made in the console shows in no plan.
			PreConfig: func() {
				if err := emu.Modify(registeredRecords(emu)[0].ID, func(r *applianceemu.Record) {
					r.ExternalID = "changed-in-the-console"
				}); err != nil {
					t.Fatal(err)
				}
			},
			Config:   config(otherID),
			PlanOnly: true,
		},
		{
			ResourceName:            applianceRoleAddress,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"external_id", "assume_wait"},
		},
		{
			ResourceName: applianceRoleAddress,
			ImportState:  true,
			ImportStateIdFunc: func(*terraform.State) (string, error) {
				return "name:" + otherID.name, nil
			},
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"external_id", "assume_wait"},
		},
	}))
}

// Changes made in the appliance show as drift and the next apply undoes them; a record deleted there leaves
// state and is registered again.
func TestAccApplianceRole_drift(t *testing.T) {
	emu, impersonation := applianceWithImpersonation(t, applianceemu.Options{})
	provider := acctest.ProviderConfigWithAppliance(emu, "")
	prefix := acctest.RandomName("vbaws-appldrift")
	args := applianceRoleArgs{name: prefix, description: "managed", roleARN: "vbaws_iam_role.first.arn",
		permissions: `["ec2_backup"]`}
	config := twoRolesConfig(provider, prefix, impersonation, args)
	want := applianceemu.Record{Name: prefix, Description: text("managed"), AccountID: emulatorAccount,
		RoleName: prefix + "-first", Permissions: []string{"EC2BackupSnapshot"}}
	var firstID string
	change := func(edit func(*applianceemu.Record)) func() {
		return func() {
			records := registeredRecords(emu)
			if len(records) != 1 {
				t.Fatalf("%d records before the change", len(records))
			}
			firstID = records[0].ID
			if err := emu.Modify(firstID, edit); err != nil {
				t.Fatal(err)
			}
		}
	}
	undone := []statecheck.StateCheck{expectRecords(emu, recordIs(want))}
	resource.ParallelTest(t, applianceCase(t, emu, []resource.TestStep{
		{Config: config, ConfigStateChecks: undone},
		{
			PreConfig: change(func(r *applianceemu.Record) {
				r.Name, r.Description, r.Permissions = "renamed in the console", text("edited"), []string{"EC2Restore"}
			}),
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(applianceRoleAddress, plancheck.ResourceActionUpdate),
				expectPrior(applianceRoleAddress, "name", equalTo("renamed in the console")),
				expectPrior(applianceRoleAddress, "description", equalTo("edited")),
				expectPrior(applianceRoleAddress, "permissions", equalTo([]any{"ec2_restore"})),
			}},
		},
		{Config: config, ConfigStateChecks: undone},
		{
			PreConfig: change(func(r *applianceemu.Record) { r.RoleName = "/veeam/" + prefix + "-second" }),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(applianceRoleAddress, plancheck.ResourceActionUpdate),
				expectPrior(applianceRoleAddress, "role_arn",
					equalTo("arn:aws:iam::"+emulatorAccount+":role/veeam/"+prefix+"-second")),
			}},
			ConfigStateChecks: undone,
		},
		{
			PreConfig: func() { emu.Remove(registeredRecords(emu)[0].ID) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(applianceRoleAddress, plancheck.ResourceActionCreate),
			}},
			ConfigStateChecks: append(undone, expectRecords(emu, func(records []applianceemu.Record) error {
				if records[0].ID == firstID {
					return fmt.Errorf("the record kept ID %s although it was deleted", firstID)
				}
				return nil
			})),
		},
	}))
}

// Destroy fails, naming the backup policy that uses the role, and succeeds once the policy lets go of it.
func TestAccApplianceRole_destroyBlockedWhileInUse(t *testing.T) {
	emu, prefix, roleARN := applianceFixture(t, applianceemu.Options{})
	config := acctest.ProviderConfigWithAppliance(emu, "") +
		applianceRoleArgs{name: prefix, roleARN: fmt.Sprintf("%q", roleARN)}.block()
	inUse := func(by string) func() {
		return func() {
			if err := emu.SetInUse(registeredRecords(emu)[0].ID, by); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.ParallelTest(t, applianceCase(t, emu, []resource.TestStep{
		{Config: config},
		{
			PreConfig:   inUse("backup policy 'nightly-ec2'"),
			Config:      config,
			Destroy:     true,
			ExpectError: regexp.MustCompile(`(?s)still uses IAM role.*backup policy 'nightly-ec2'`),
		},
		{
			PreConfig: inUse(""),
			Config:    config,
			ConfigStateChecks: []statecheck.StateCheck{expectRecords(emu, func(r []applianceemu.Record) error {
				if len(r) != 1 {
					return fmt.Errorf("the refused destroy removed the record: %+v", r)
				}
				return nil
			})},
		},
	}))
}

// A name the appliance already has fails the create with its own message, before anything is registered; the
// default record is never imported.
func TestAccApplianceRole_nameTakenAndDefaultRecord(t *testing.T) {
	emu, prefix, roleARN := applianceFixture(t, applianceemu.Options{})
	taken := emu.Add(applianceemu.Record{Name: prefix, AccountID: emulatorAccount, RoleName: "console-made"})
	// Import steps without a prior apply need the provider's source spelled out under OpenTofu.
	provider := acctest.RequiredProviders() + acctest.ProviderConfigWithAppliance(emu, "")
	var defaultID string
	for _, r := range emu.Records() {
		if r.IsDefault {
			defaultID = r.ID
		}
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: provider + applianceRoleArgs{name: strings.ToUpper(prefix),
				roleARN: fmt.Sprintf("%q", roleARN)}.block(),
			ExpectError: regexp.MustCompile(`(?s)Name refused by the appliance.*already exists`),
		},
		resource.TestStep{
			Config:        provider + applianceRoleArgs{name: "x", roleARN: fmt.Sprintf("%q", roleARN)}.block(),
			ResourceName:  applianceRoleAddress,
			ImportState:   true,
			ImportStateId: defaultID,
			ExpectError:   regexp.MustCompile(`default record is not managed`),
		},
		resource.TestStep{
			Config:        provider + applianceRoleArgs{name: "x", roleARN: fmt.Sprintf("%q", roleARN)}.block(),
			ResourceName:  applianceRoleAddress,
			ImportState:   true,
			ImportStateId: "name:" + applianceemu.DefaultRecordName,
			ExpectError:   regexp.MustCompile(`default record is not managed`),
		},
	))
	if records := registeredRecords(emu); len(records) != 1 || records[0].ID != taken {
		t.Errorf("the appliance holds %+v, want only the record made in the console", records)
	}
}

// Without the appliance block the resource fails the plan with a message that says what to add.
func TestAccApplianceRole_needsApplianceBlock(t *testing.T) {
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfig() +
			applianceRoleArgs{name: "x", roleARN: `"arn:aws:iam::123456789012:role/x"`}.block(),
		ExpectError: regexp.MustCompile(`(?s)No appliance configured.*appliance \{ url`),
	}))
}

// An external ID on a role in the appliance's own account fails the plan on external_id.
func TestAccApplianceRole_externalIDNeedsAnotherAccount(t *testing.T) {
	emu := acctest.NewAppliance(t, applianceemu.Options{})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigWithAppliance(emu, "") + applianceRoleArgs{name: "x",
			roleARN: `"arn:aws:iam::` + emulatorAccount + `:role/x"`, externalID: "veeam-ext"}.block(),
		ExpectError: regexp.MustCompile(`(?s)External ID for a role in the appliance's account.*Remove\s+external_id`),
	}))
}

// An appliance without a default record does not tell its account, so every role is registered as a role from
// another account.
func TestAccApplianceRole_noDefaultRecordMeansCrossAccount(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{NoDefaultRecord: true})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			if left := emu.Records(); len(left) > 0 {
				return fmt.Errorf("after destroy the appliance holds %+v", left)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfigWithAppliance(emu, "") +
				applianceRoleArgs{name: name, roleARN: fmt.Sprintf("%q", roleARN)}.block(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(applianceRoleAddress, tfjsonpath.New("cross_account"), knownvalue.Bool(true)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{expectRecords(emu, recordIs(applianceemu.Record{Name: name,
				Description: text(""), AccountID: emulatorAccount, RoleName: name, CrossAccount: true}))},
		}},
	})
}
