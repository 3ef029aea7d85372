package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// landingZoneForEachExample is the OpenTofu provider for_each example, relative to this package.
const landingZoneForEachExample = "../../examples/landing-zone-for-each"

// landingZoneForEachAccounts is how many member accounts the test gives the example (make bench runs it at 50).
const landingZoneForEachAccounts = 3

// examples/landing-zone-for-each as a user runs it under OpenTofu 1.9 or later (skipped elsewhere; see
// acctest.ProviderForEach): one provider instance per member account, each assuming a role in its account. The
// saved plan knows every role's ARN in its own account, apply creates each role there, the next plan is empty and
// destroy leaves every account empty.
func TestAccLandingZone_openTofuProviderForEach(t *testing.T) {
	t.Parallel()
	acctest.RequireCLI(t, acctest.ProviderForEach)
	dir := filepath.Join(t.TempDir(), "landing-zone-for-each")
	if err := os.CopyFS(dir, os.DirFS(landingZoneForEachExample)); err != nil {
		t.Fatalf("copying the example: %v", err)
	}
	accounts, clients := map[string]string{}, map[string]*iam.Client{}
	for range landingZoneForEachAccounts {
		account := acctest.RandomAccountID()
		accounts[account] = "arn:aws:iam::" + account + ":role/veeam-backup"
		clients[account] = acctest.IAMClientIn(t, account)
	}
	cli := acctest.NewInstalledCLI(t, dir)
	cli.Setenv("AWS_ENDPOINT_URL=" + acctest.Endpoint())
	writeMemberAccounts(t, dir, accounts)
	t.Cleanup(func() { cli.Run("destroy", "-auto-approve", "-input=false") })

	planFile, plan := cli.SavedPlan()
	cli.CheckPlan(plan, plancheck.ExpectKnownOutputValue("role_arns", roleARNs(accounts)))
	cli.MustRun("apply", "-input=false", planFile)
	cli.CheckState(statecheck.ExpectKnownOutputValue("role_arns", roleARNs(accounts)))
	for account, client := range clients {
		_, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("veeam-backup")})
		if err != nil {
			t.Errorf("account %s has no backup role after apply: %v", account, err)
		}
	}
	_, second := cli.SavedPlan()
	cli.CheckPlan(second, plancheck.ExpectEmptyPlan())
	cli.MustRun("destroy", "-auto-approve", "-input=false")
	for account, client := range clients {
		if err := onlyRolesLeft(client, account); err != nil {
			t.Error(err)
		}
	}
}

// roleARNs is the example's role_arns output for the accounts (account ID to role ARN).
func roleARNs(accounts map[string]string) knownvalue.Check {
	checks := map[string]knownvalue.Check{}
	for account, arn := range accounts {
		checks[account] = knownvalue.StringExact(arn)
	}
	return knownvalue.MapExact(checks)
}

// writeMemberAccounts writes the example's member_account_ids into an automatically loaded variable file in dir:
// OpenTofu needs the value of a provider's for_each in every command, `show` included.
func writeMemberAccounts(t *testing.T, dir string, accounts map[string]string) {
	t.Helper()
	ids := make([]string, 0, len(accounts))
	for account := range accounts {
		ids = append(ids, account)
	}
	content, err := json.Marshal(map[string]any{"member_account_ids": ids})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "members.auto.tfvars.json"), content, 0o600); err != nil {
		t.Fatal(err)
	}
}
