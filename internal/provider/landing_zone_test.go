package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// landingZoneExample is the example under test, relative to this package.
const landingZoneExample = "../../examples/landing-zone"

// landingZoneMembers are the module instances of the example, one per member account.
var landingZoneMembers = []string{"production", "staging", "analytics"}

// landingZone is one run of examples/landing-zone against the emulator, with three member accounts of its own.
type landingZone struct {
	t            *testing.T
	cli          *acctest.CLI
	accounts     map[string]string
	clients      map[string]*iam.Client
	appliance    string // the Impersonation role in the emulator's default account
	applianceARN string
	team         string // a role in the production account owned by another team
	teamARN      string
	roleName     string
	emu          *applianceemu.Server
	caFile       string
}

// The example's root configuration as a user runs it, with the provider binary installed through dev_overrides so
// that each of the four provider configurations gets its own provider process (terraform-plugin-testing serves
// one in-process provider to all aliases). Every output is known in the saved plan, the second plan is empty, the
// appliance holds each member role once (cross-account, with the external ID), a change of operations updates the
// templates in place, and destroy leaves each member account and the appliance as they were, down to the other
// team's trust statements; every provider process logs out of the appliance when it stops.
func TestAccLandingZone_threeMemberAccounts(t *testing.T) {
	t.Parallel()
	lz := newLandingZone(t)
	lz.cli.MustRun("get")
	t.Cleanup(func() { lz.cli.Run("destroy", "-auto-approve", "-input=false", lz.varFile("ec2_backup")) })

	planFile, plan := lz.cli.SavedPlan(lz.varFile("ec2_backup", "ec2_restore"))
	lz.cli.CheckPlan(plan,
		acctest.ExpectOutputsKnown(),
		plancheck.ExpectKnownOutputValue("impersonation_role_arn", knownvalue.StringExact(lz.applianceARN)),
		plancheck.ExpectKnownOutputValue("members", lz.expectedMembers("ec2_backup", "ec2_restore")))
	lz.cli.MustRun("apply", "-input=false", planFile)
	lz.cli.CheckState(append(append(lz.noOrphans(), lz.writtenAsPredicted("ec2_backup", "ec2_restore")...),
		statecheck.ExpectKnownOutputValue("members", lz.expectedMembers("ec2_backup", "ec2_restore")),
		statecheck.ExpectKnownValue(fmt.Sprintf("module.production.vbaws_trust_relationship.team[%q]", lz.team),
			tfjsonpath.New("role_arn"), knownvalue.StringExact(lz.teamARN)))...)
	lz.checkProductionTrust()
	lz.checkRegistered("EC2BackupSnapshot", "EC2Restore")
	_, second := lz.cli.SavedPlan(lz.varFile("ec2_backup", "ec2_restore"))
	lz.cli.CheckPlan(second, plancheck.ExpectEmptyPlan())

	changed := []string{"ec2_backup", "ec2_restore", "vpc_backup"}
	planFile, plan = lz.cli.SavedPlan(lz.varFile(changed...))
	lz.cli.CheckPlan(plan, append(updatesTemplatesInPlace(), acctest.ExpectOutputsKnown(),
		plancheck.ExpectResourceAction("module.production.vbaws_role_template.worker[0]", plancheck.ResourceActionNoop),
		plancheck.ExpectResourceAction("module.production.vbaws_iam_role.backup", plancheck.ResourceActionNoop))...)
	lz.cli.MustRun("apply", "-input=false", planFile)
	lz.cli.CheckState(append(append(lz.noOrphans(), operationsAre(changed...)...),
		lz.writtenAsPredicted(changed...)...)...)
	lz.checkProductionTrust()
	lz.checkRegistered("EC2BackupSnapshot", "EC2Restore", "VPCBackup")
	_, second = lz.cli.SavedPlan(lz.varFile(changed...))
	lz.cli.CheckPlan(second, plancheck.ExpectEmptyPlan())

	lz.cli.MustRun("destroy", "-auto-approve", "-input=false", lz.varFile(changed...))
	kept := map[string][]string{"production": {lz.teamARN}}
	for member, client := range lz.clients {
		if err := onlyRolesLeft(client, member, kept[member]...); err != nil {
			t.Error(err)
		}
	}
	if err := othersMean(t, lz.clients["production"], lz.team, teamTrustPolicy); err != nil {
		t.Errorf("after destroy: %v", err)
	}
	if err := onlyDefaultRecordLeft(lz.emu)(nil); err != nil {
		t.Error(err)
	}
}

// The module's `terraform test` suite (modules/veeam-member-account/tests) passes under mock_provider with the
// provider built from this repository: every run block passes, so the trust policies and documents the provider's
// functions return reach the assertions without credentials, an account or the emulator.
func TestAccLandingZone_moduleTestsUnderMockProvider(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "landing-zone")
	if err := os.CopyFS(dir, os.DirFS(landingZoneExample)); err != nil {
		t.Fatalf("copying the example: %v", err)
	}
	module := filepath.Join(dir, "modules", "veeam-member-account")
	files, err := filepath.Glob(filepath.Join(module, "tests", "*.tftest.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the module has no tests (%v)", err)
	}
	runs := 0
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		runs += len(regexp.MustCompile(`(?m)^run "`).FindAll(content, -1))
	}
	out := acctest.NewInstalledCLI(t, module).MustRun("test", "-no-color")
	if want := fmt.Sprintf("Success! %d passed, 0 failed.", runs); !strings.Contains(out, want) {
		t.Errorf("terraform test did not report %q:\n%s", want, out)
	}
	refusesWithTheProvidersMessage(t, dir)
}

// refusesWithTheProvidersMessage plans a root that passes a user ARN to the module, which fails at the variable's
// validation with the message vbaws_iam_role gives for it, before anything is read or planned.
func refusesWithTheProvidersMessage(t *testing.T, example string) {
	root := filepath.Join(example, "refuse")
	configuration := acctest.ProviderConfig() + `
terraform {
  required_providers {
    vbaws = { source = "vbaws/vbaws" }
  }
}

module "member" {
  source                 = "../modules/veeam-member-account"
  impersonation_role_arn = "arn:aws:iam::123456789012:user/alice"
  operations             = ["ec2_backup"]
  role_name              = "veeam-refused"
}
`
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "main.tf"), []byte(configuration), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := acctest.NewInstalledCLI(t, root)
	cli.MustRun("get")
	code, out := cli.Run("plan", "-no-color", "-input=false")
	_, problem := principal.Parse("arn:aws:iam::123456789012:user/alice", "")
	if code == 0 || problem == nil || !strings.Contains(out, problem.Summary) ||
		!strings.Contains(out, `var.impersonation_role_arn`) {
		t.Errorf("the plan did not stop at the variable with %q (exit %d):\n%s", problem, code, out)
	}
}

// newLandingZone creates the accounts and fixtures and copies the example, modules included, into a working
// directory.
func newLandingZone(t *testing.T) *landingZone {
	lz := &landingZone{t: t, accounts: map[string]string{}, clients: map[string]*iam.Client{}}
	for _, member := range landingZoneMembers {
		lz.accounts[member] = acctest.RandomAccountID()
		lz.clients[member] = acctest.IAMClientIn(t, lz.accounts[member])
	}
	lz.appliance = acctest.RandomName("vbaws-lz-appliance")
	lz.applianceARN = fixtureRole(t, acctest.IAMClient(t), lz.appliance, "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	lz.team = acctest.RandomName("vbaws-lzteam")
	lz.teamARN = fixtureRole(t, lz.clients["production"], lz.team, "/", teamTrustPolicy, nil)
	lz.roleName = acctest.RandomName("vbaws-lz")
	lz.emu = acctest.NewAppliance(t, applianceemu.Options{ImpersonationRoleARN: lz.applianceARN})
	lz.caFile = filepath.Join(t.TempDir(), "appliance.pem")
	if err := os.WriteFile(lz.caFile, []byte(lz.emu.CertificatePEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "landing-zone")
	if err := os.CopyFS(dir, os.DirFS(landingZoneExample)); err != nil {
		t.Fatalf("copying the example: %v", err)
	}
	lz.cli = acctest.NewInstalledCLI(t, dir)
	return lz
}

// varFile writes the root module's variables for the given operations and returns the -var-file argument.
func (lz *landingZone) varFile(operations ...string) string {
	lz.t.Helper()
	vars := map[string]any{
		"endpoint":                acctest.Endpoint(),
		"impersonation_role_name": lz.appliance,
		"member_account_ids":      lz.accounts,
		"operations":              operations,
		"role_name":               lz.roleName,
		"external_id":             "veeam-lz",
		"production_team_roles":   []string{lz.team},
		"appliance_url":           lz.emu.URL(),
		"appliance_username":      lz.emu.Username(),
		"appliance_password":      lz.emu.Password(),
		"appliance_ca_file":       lz.caFile,
	}
	content, err := json.Marshal(vars)
	if err != nil {
		lz.t.Fatal(err)
	}
	path := filepath.Join(lz.t.TempDir(), "landing-zone.tfvars.json")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		lz.t.Fatal(err)
	}
	return "-var-file=" + path
}

// expectedMembers is the root's members output for the given operations: each member's account and role ARNs,
// worker only in production, and the trust policies and documents the functions predict.
func (lz *landingZone) expectedMembers(operations ...string) knownvalue.Check {
	members := map[string]knownvalue.Check{}
	for _, member := range landingZoneMembers {
		members[member] = lz.expectedMemberOutputs(member, operations)
	}
	return knownvalue.ObjectExact(members)
}

// predictedTrust is the backup/restore role's trust policy in a member account, from trust_policy: with the
// external ID, which the root module passes to every member because the appliance assumes each role with it.
func (lz *landingZone) predictedTrust() string {
	options := map[string]attr.Value{"external_id": types.StringValue("veeam-lz")}
	return trustPolicyOf(lz.t, stringSet([]string{lz.applianceARN}), dynamicObject(options))
}

// predictedDocuments are the backup/restore template's documents in a member account: version 11 in analytics.
func (lz *landingZone) predictedDocuments(member string, operations []string) []string {
	version := types.StringNull()
	if member == "analytics" {
		version = types.StringValue("11")
	}
	return permissionDocumentsOf(lz.t, operations, version)
}

// writtenAsPredicted checks that each member's role and template hold in state what the module's outputs, from
// the functions, said they would: the role's trust policy and the template's documents, byte for byte.
func (lz *landingZone) writtenAsPredicted(operations ...string) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for _, member := range landingZoneMembers {
		checks = append(checks,
			statecheck.ExpectKnownValue("module."+member+".vbaws_iam_role.backup",
				tfjsonpath.New("assume_role_policy"), knownvalue.StringExact(lz.predictedTrust())),
			statecheck.ExpectKnownValue("module."+member+".vbaws_role_template.backup", tfjsonpath.New("documents"),
				exactStrings(lz.predictedDocuments(member, operations))))
	}
	return checks
}

// noOrphans checks every member account: each role, policy and instance profile in it is in state, none twice.
func (lz *landingZone) noOrphans() []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for _, member := range landingZoneMembers {
		checks = append(checks, acctest.ExpectNoOrphansOrDuplicates(lz.clients[member], ""))
	}
	return checks
}

// checkProductionTrust reads the production account's trust policies from IAM: the backup/restore role trusts the
// appliance with the external ID, and the team role gained the Veeam statement beside its own.
func (lz *landingZone) checkProductionTrust() {
	client := lz.clients["production"]
	backup := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{lz.applianceARN}, ExternalID: "veeam-lz"}
	team := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{lz.applianceARN}}
	for _, err := range []error{
		trustStatementIs(lz.t, client, lz.roleName, backup),
		trustStatementIs(lz.t, client, lz.team, team),
		othersMeanTeamPolicy(lz.t, client, lz.team, veeamTrustSid),
	} {
		if err != nil {
			lz.t.Error(err)
		}
	}
}

// checkRegistered checks the appliance: each member's role once, from another account, with the external ID
// and the given permissions, and no provider process still logged in.
func (lz *landingZone) checkRegistered(permissions ...string) {
	records := registeredRecords(lz.emu)
	if len(records) != len(landingZoneMembers) {
		lz.t.Errorf("the appliance holds %+v, want one record per member", records)
	}
	for _, member := range landingZoneMembers {
		want := applianceemu.Record{Name: fmt.Sprintf("%s (%s)", lz.roleName, member),
			Description: text("Backup/restore role of the " + member + " account, managed by Terraform"),
			AccountID:   lz.accounts[member], RoleName: lz.roleName, CrossAccount: true, ExternalID: "veeam-lz",
			Permissions: permissions}
		var mine []applianceemu.Record
		for _, r := range records {
			if r.Name == want.Name {
				mine = append(mine, r)
			}
		}
		if err := recordIs(want)(mine); err != nil {
			lz.t.Errorf("%s: %v", member, err)
		}
	}
	if n := lz.emu.ActiveSessions(); n != 0 {
		lz.t.Errorf("%d appliance sessions still open after the providers stopped", n)
	}
}

// expectedMemberOutputs are the outputs of one veeam-member-account instance.
func (lz *landingZone) expectedMemberOutputs(member string, operations []string) knownvalue.Check {
	account, roleName := lz.accounts[member], lz.roleName
	arn := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	outputs := map[string]knownvalue.Check{
		"account_id": knownvalue.StringExact(account),
		"role_arn":   knownvalue.StringExact(arn("role", roleName)),
		"policy_arns": knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact(arn("policy", roleName)),
		}),
		"worker_role_arn":             knownvalue.Null(),
		"worker_instance_profile_arn": knownvalue.Null(),
		"trust_policy":                knownvalue.StringExact(lz.predictedTrust()),
		"permission_documents":        exactStrings(lz.predictedDocuments(member, operations)),
		"worker_trust_policy":         knownvalue.Null(),
	}
	if member == "production" {
		outputs["worker_role_arn"] = knownvalue.StringExact(arn("role", roleName+"-worker"))
		outputs["worker_instance_profile_arn"] = knownvalue.StringExact(arn("instance-profile", roleName+"-worker"))
		outputs["worker_trust_policy"] = knownvalue.StringExact(trustPolicyOf(lz.t,
			stringSet([]string{lz.applianceARN}), dynamicObject(map[string]attr.Value{
				"service_principals": tuple("ec2.amazonaws.com"),
			})))
	}
	return knownvalue.ObjectExact(outputs)
}

// updatesTemplatesInPlace expects every member's backup template to be updated, never replaced.
func updatesTemplatesInPlace() []plancheck.PlanCheck {
	var checks []plancheck.PlanCheck
	for _, member := range landingZoneMembers {
		checks = append(checks, plancheck.ExpectResourceAction("module."+member+".vbaws_role_template.backup",
			plancheck.ResourceActionUpdate))
	}
	return checks
}

// operationsAre expects every member's backup template to hold exactly the given operations.
func operationsAre(operations ...string) []statecheck.StateCheck {
	values := make([]knownvalue.Check, 0, len(operations))
	for _, op := range operations {
		values = append(values, knownvalue.StringExact(op))
	}
	var checks []statecheck.StateCheck
	for _, member := range landingZoneMembers {
		checks = append(checks, statecheck.ExpectKnownValue("module."+member+".vbaws_role_template.backup",
			tfjsonpath.New("operations"), knownvalue.SetExact(values)))
	}
	return checks
}

// onlyRolesLeft checks that a member account holds exactly the given roles and no customer managed policy or
// instance profile at all.
func onlyRolesLeft(client *iam.Client, member string, roles ...string) error {
	inv, err := acctest.TakeInventory(context.Background(), client, "")
	if err != nil {
		return err
	}
	if !slices.Equal(inv.Roles, roles) || len(inv.Policies)+len(inv.InstanceProfiles) > 0 {
		return fmt.Errorf("the %s account holds %v after destroy, want only the roles %v", member, inv.All(), roles)
	}
	return nil
}
