package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// The appliance's failure suite: revision windows, tokens that expire, 503s and lost answers, refused logins and
// certificates, roles that are not assumable yet, and what TRACE logs hold. Every test runs real Terraform
// against its own emulated appliance.

// An appliance that accepts only older revisions (an 8.x one) is spoken to in the newest of them, permissions
// included.
func TestAccApplianceRole_negotiatesOlderRevision(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{
		Revisions: []string{"1.6-rev0", "1.5-rev1", "1.5-rev0", "1.4-rev0"}})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigWithAppliance(emu, "") + applianceRoleArgs{name: name,
			roleARN: fmt.Sprintf("%q", roleARN), permissions: `["ec2_backup", "rds_snapshot"]`}.block(),
		ConfigStateChecks: []statecheck.StateCheck{expectRecords(emu, recordIs(applianceemu.Record{Name: name,
			AccountID: emulatorAccount, RoleName: name, Permissions: []string{"EC2BackupSnapshot", "RDSSnapshot"},
			Description: text("")}))},
	}))
}

// An appliance older than 1.5-rev0 takes records without permissions and fails a plan that sets them.
func TestAccApplianceRole_oldRevisionRefusesPermissions(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{Revisions: []string{"1.4-rev0", "1.3-rev0"}})
	provider := acctest.ProviderConfigWithAppliance(emu, "")
	args := applianceRoleArgs{name: name, roleARN: fmt.Sprintf("%q", roleARN)}
	withPermissions := args
	withPermissions.permissions = `["ec2_backup"]`
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config:      provider + withPermissions.block(),
			ExpectError: regexp.MustCompile(`(?s)Permissions need a newer appliance.*1\.4-rev0`),
		},
		resource.TestStep{
			Config: provider + args.block(),
			ConfigStateChecks: []statecheck.StateCheck{expectRecords(emu, recordIs(applianceemu.Record{Name: name,
				AccountID: emulatorAccount, RoleName: name, Description: text("")}))},
		},
	))
}

// An appliance that accepts only revisions newer than any this provider knows fails with a message that says
// so, and works once api_version pins one of them.
func TestAccApplianceRole_newerRevisionsOnly(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{Revisions: []string{"2.0-rev0", "2.1-rev0"}})
	role := applianceRoleArgs{name: name, roleARN: fmt.Sprintf("%q", roleARN)}.block()
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config:      acctest.ProviderConfigWithAppliance(emu, "") + role,
			ExpectError: regexp.MustCompile(`(?s)No REST revision in common.*1\.9-rev0.*api_version`),
		},
		resource.TestStep{
			Config:            acctest.ProviderConfigWithAppliance(emu, `api_version = "2.0-rev0"`) + role,
			ConfigStateChecks: []statecheck.StateCheck{expectRecords(emu, recordCount(1))},
		},
	))
}

// The access token expires in the middle of a 30-role apply, once by its lifetime and once because the
// appliance revoked it: the provider refreshes before expiry and once on 401, and every role is registered once.
func TestAccApplianceRole_tokenExpiresDuringApply(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{AccessTokenLifetime: 2 * time.Second})
	var creates atomic.Int32
	emu.Before("create", func() {
		if creates.Add(1) == 10 {
			emu.ExpireAccessTokens()
		}
	})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: manyApplianceRoles(acctest.ProviderConfigWithAppliance(emu, ""), name, roleARN, 30),
		ConfigStateChecks: []statecheck.StateCheck{
			expectRecords(emu, uniqueNames(name, 30)),
			expectRemote(func() error {
				if counts := emu.Counts(); counts["create"] <= 30 || counts["token:refresh_token"] == 0 {
					return fmt.Errorf("calls %v: want a create refused with 401 and a refresh", counts)
				}
				return nil
			}),
		},
	}))
}

// 20% of the calls get 503 and 10% lose their answer after taking effect, on a 30-role apply and its destroy:
// no record twice, none left, and the plan after the apply is empty.
func TestAccApplianceRole_faultsMakeNoDuplicates(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{})
	emu.SetChaos(applianceemu.Chaos{Seed: 24, Unavailable: 0.2, Lost: 0.1})
	resource.ParallelTest(t, applianceCase(t, emu, []resource.TestStep{{
		Config: manyApplianceRoles(acctest.ProviderConfigWithAppliance(emu, ""), name, roleARN, 30),
		ConfigStateChecks: []statecheck.StateCheck{
			expectRecords(emu, uniqueNames(name, 30)),
			expectRemote(func() error {
				if injected := emu.Injected(); injected["lost create"] == 0 || injected["503 create"] == 0 {
					return fmt.Errorf("faults %v: the test proves nothing without lost and refused creates", injected)
				}
				return nil
			}),
		},
	}}))
}

// A wrong password, an untrusted certificate and a user without the Portal Administrator role each fail within
// 10 seconds with a message that says which.
func TestAccApplianceRole_refusedConnections(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{OperatorUsername: "operator",
		OperatorPassword: "operator-password"})
	other := acctest.NewAppliance(t, applianceemu.Options{})
	role := applianceRoleArgs{name: name, roleARN: fmt.Sprintf("%q", roleARN)}.block()
	cases := []struct {
		name, username, password, ca, want string
	}{
		{"wrong password", emu.Username(), "wrong-password", emu.CertificatePEM(),
			`(?s)Cannot log in to the Veeam appliance.*password is incorrect\.\s+Check.*VBAWS_APPLIANCE_PASSWORD`},
		{"wrong CA", emu.Username(), emu.Password(), other.CertificatePEM(),
			`(?s)Cannot verify the Veeam appliance's certificate.*ca_file or ca_pem`},
		{"operator", "operator", "operator-password", emu.CertificatePEM(),
			`(?s)The appliance user may not do this.*Portal Administrator`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			resource.Test(t, testAccCase(t, resource.TestStep{
				Config:      acctest.ProviderConfigWithApplianceAs(emu, tc.username, tc.password, tc.ca, "") + role,
				ExpectError: regexp.MustCompile(tc.want),
			}))
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("failing took %s, want under 10 s", took.Round(time.Millisecond))
			}
		})
	}
	if records := registeredRecords(emu); len(records) > 0 {
		t.Errorf("refused connections registered %+v", records)
	}
}

// A role whose trust policy was written moments ago becomes assumable 20 seconds later: create keeps trying
// within assume_wait and registers it; with a shorter assume_wait it fails with the appliance's message.
func TestAccApplianceRole_assumeWait(t *testing.T) {
	cases := []struct {
		name, assumeWait, want string
	}{
		{"within assume_wait", "", ""},
		{"assume_wait too short", "3s", `(?s)Cannot register the IAM role.*still could not assume.*Failed to assume`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu := acctest.NewAppliance(t, applianceemu.Options{AssumeDelay: 20 * time.Second})
			prefix := acctest.RandomName("vbaws-applwait")
			config := twoRolesConfig(acctest.ProviderConfigWithAppliance(emu, ""), prefix, impersonationFixture(t),
				applianceRoleArgs{name: prefix, roleARN: "vbaws_iam_role.first.arn", assumeWait: tc.assumeWait})
			step := resource.TestStep{Config: config}
			if tc.want != "" {
				step.ExpectError = regexp.MustCompile(tc.want)
			} else {
				step.ConfigStateChecks = []statecheck.StateCheck{registeredAfterRetries(emu, "create")}
			}
			start := time.Now()
			resource.Test(t, testAccCase(t, step))
			if took := time.Since(start); tc.want == "" && took < 20*time.Second {
				t.Errorf("registered after %s, before the role could be assumed", took)
			}
		})
	}
}

// Update also keeps trying within assume_wait while the appliance cannot assume the role it is moved to yet.
func TestAccApplianceRole_assumeWaitOnUpdate(t *testing.T) {
	emu := acctest.NewAppliance(t, applianceemu.Options{AssumeDelay: 5 * time.Second})
	prefix := acctest.RandomName("vbaws-applwaitup")
	impersonation := impersonationFixture(t)
	config := func(role string) string {
		return twoRolesConfig(acctest.ProviderConfigWithAppliance(emu, ""), prefix, impersonation,
			applianceRoleArgs{name: prefix, roleARN: role})
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config("vbaws_iam_role.first.arn")},
		resource.TestStep{
			Config: config("vbaws_iam_role.second.arn"),
			ConfigStateChecks: []statecheck.StateCheck{
				registeredAfterRetries(emu, "update"),
				expectRecords(emu, recordIs(applianceemu.Record{Name: prefix, Description: text(""),
					AccountID: emulatorAccount, RoleName: "/veeam/" + prefix + "-second"})),
			},
		},
	))
}

// registeredAfterRetries checks that the appliance holds one record after it refused op at least twice.
func registeredAfterRetries(emu *applianceemu.Server, op string) statecheck.StateCheck {
	return expectRecords(emu, func(r []applianceemu.Record) error {
		if n := emu.Counts()[op]; len(r) != 1 || n < 3 {
			return fmt.Errorf("records %+v after %d requests to %s, want 1 after several", r, n, op)
		}
		return nil
	})
}

// TestAccApplianceRole_noSecretsInTraceLogs is not parallel: it turns on TRACE logging for its own run only.
func TestAccApplianceRole_noSecretsInTraceLogs(t *testing.T) {
	const password, externalID = "vbaws-known-appliance-password-3Kd", "vbaws-known-external-id-9Xq"
	emu := acctest.NewAppliance(t, applianceemu.Options{Password: password, Username: "terraform"})
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	member, name := acctest.RandomAccountID(), acctest.RandomName("vbaws-appllogs")
	roleARN := fixtureRole(t, acctest.IAMClientIn(t, member), name, "/",
		applianceTrust(impersonationFixture(t), externalID), nil)
	resource.Test(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigWithAppliance(emu, "") + applianceRoleArgs{name: name,
			roleARN: fmt.Sprintf("%q", roleARN), externalID: externalID}.block(),
	}))
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading trace log: %v", err)
	}
	text := withoutConfigDumps(string(logs))
	if !strings.Contains(text, "appliance call") || !strings.Contains(text, "/api/v1/accounts/amazon") {
		t.Fatalf("the trace log does not record appliance calls, so it proves nothing (%d bytes)", len(logs))
	}
	for _, secret := range append(emu.Tokens(), password, externalID) {
		if strings.Contains(text, secret) {
			t.Errorf("the TRACE log contains %q", secret)
		}
	}
}
