package provider

import (
	"fmt"
	"net"
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
	"github.com/vbaws/terraform-provider-vbaws/internal/veeamrest"
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
			Config: acctest.ProviderConfigWithAppliance(emu, "") + role,
			ExpectError: regexp.MustCompile(`(?s)No REST revision in common.*` + regexp.QuoteMeta(veeamrest.Newest()) +
				`.*api_version`),
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

// Every operation but the login meets 503s and answers lost after taking effect (dropped connections and 504s),
// on a 30-role apply and its destroy: no record twice, none left, and the plan after the apply is empty. The login
// is spared: it sends the password at most three times and then fails the run (TestAccApplianceRoles_hostileAppliance).
func TestAccApplianceRole_faultsMakeNoDuplicates(t *testing.T) {
	emu, name, roleARN := applianceFixture(t, applianceemu.Options{})
	for _, op := range []string{"create", "get", "validateName", "validateDelete", "delete"} {
		emu.Inject(applianceemu.Fault{Op: op, Times: 3, Status: 503})
		emu.Inject(applianceemu.Fault{Op: op, Times: 2, Lost: true})
		emu.Inject(applianceemu.Fault{Op: op, Times: 2, Lost: true, Status: 504})
	}
	resource.ParallelTest(t, applianceCase(t, emu, []resource.TestStep{{
		Config: manyApplianceRoles(acctest.ProviderConfigWithAppliance(emu, ""), name, roleARN, 30),
		ConfigStateChecks: []statecheck.StateCheck{
			expectRecords(emu, uniqueNames(name, 30)),
			expectRemote(func() error {
				if injected := emu.Injected(); injected["lost create"] < 4 || injected["503 create"] < 3 {
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
			emu, impersonation := applianceWithImpersonation(t, applianceemu.Options{AssumeDelay: 20 * time.Second})
			prefix := acctest.RandomName("vbaws-applwait")
			config := twoRolesConfig(acctest.ProviderConfigWithAppliance(emu, ""), prefix, impersonation,
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
	emu, impersonation := applianceWithImpersonation(t, applianceemu.Options{AssumeDelay: 5 * time.Second})
	prefix := acctest.RandomName("vbaws-applwaitup")
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
	emu, impersonation := applianceWithImpersonation(t, applianceemu.Options{Password: password,
		Username: "terraform"})
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	member, name := acctest.RandomAccountID(), acctest.RandomName("vbaws-appllogs")
	roleARN := fixtureRole(t, acctest.IAMClientIn(t, member), name, "/",
		applianceTrust(impersonation, externalID), nil)
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

// failsWith runs config through real Terraform, expects it to fail with an error matching want, and returns the
// error's text (Terraform's output) for further checks. It fails the test when the configuration applies.
func failsWith(t *testing.T, config string, want *regexp.Regexp) string {
	t.Helper()
	var output string
	c := testAccCase(t, resource.TestStep{Config: config})
	c.ErrorCheck = func(err error) error {
		output = err.Error()
		if !want.MatchString(output) {
			return fmt.Errorf("want an error matching %s, got: %w", want, err)
		}
		return nil
	}
	resource.Test(t, c)
	if output == "" {
		t.Fatalf("the configuration applied; want an error matching %s", want)
	}
	return output
}

// An appliance that redirects, falls silent or echoes what it was sent fails vbaws_appliance_roles with one
// message that names the address: no redirect is followed, a silent one gives up within the appliance block's
// timeout, and neither the password nor a token reaches Terraform's output.
func TestAccApplianceRoles_hostileAppliance(t *testing.T) {
	cases := []struct {
		name      string
		opts      acctest.HostileOptions
		sink      bool // redirect to a plain-HTTP sink, else to an HTTPS one on another host name
		extra     string
		want      string
		passwords int // at most
	}{
		{name: "login redirected to plain http", opts: acctest.HostileOptions{Mode: acctest.HostileRedirectLogin},
			sink: true, want: `(?s)The Veeam appliance answered with a redirect.*follows no redirect`, passwords: 1},
		{name: "later call redirected to another host", opts: acctest.HostileOptions{
			Mode: acctest.HostileRedirectLater, RedirectStatus: 308},
			want: `(?s)The Veeam appliance answered with a redirect.*308 Permanent Redirect.*localhost`, passwords: 1},
		{name: "silent", opts: acctest.HostileOptions{Mode: acctest.HostileSilent}, extra: `timeout = "2s"`,
			want: `(?s)The Veeam appliance did not answer in time.*127\.0\.0\.1.*within 2s`, passwords: 0},
		{name: "silent login", opts: acctest.HostileOptions{Mode: acctest.HostileSilentLogin}, extra: `timeout = "2s"`,
			want: `(?s)did not answer in time.*the login to https://127\.0\.0\.1`, passwords: 3},
		{name: "login echoed", opts: acctest.HostileOptions{Mode: acctest.HostileEcho},
			want: `(?s)Cannot log in to the Veeam appliance.*\(removed\)`, passwords: 1},
		{name: "later call echoed", opts: acctest.HostileOptions{Mode: acctest.HostileEchoLater},
			want: `(?s)Cannot list the appliance's IAM role records.*Bearer\s+\(removed\)`, passwords: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sinks []*acctest.RedirectSink
			if tc.opts.Mode == acctest.HostileRedirectLogin || tc.opts.Mode == acctest.HostileRedirectLater {
				sinks = append(sinks, acctest.NewRedirectSink(t, !tc.sink))
				tc.opts.RedirectTo = sinks[0].URL()
			}
			h := acctest.NewHostileAppliance(t, tc.opts)
			start := time.Now()
			output := failsWith(t, acctest.ProviderConfigWithHostileAppliance(h, tc.extra)+
				"data \"vbaws_appliance_roles\" \"all\" {}\n", regexp.MustCompile(tc.want))
			t.Logf("failed after %s; the appliance received the password %d times",
				time.Since(start).Round(time.Millisecond), h.PasswordsReceived())
			for _, secret := range append(h.Tokens(), h.Password()) {
				if strings.Contains(output, secret) {
					t.Errorf("Terraform's output holds a secret: %s", output)
				}
			}
			if n := h.PasswordsReceived(); n > tc.passwords {
				t.Errorf("the appliance received the password %d times, want at most %d", n, tc.passwords)
			}
			for _, sink := range sinks {
				if got := sink.Received(); len(got) > 0 {
					t.Errorf("the redirect's target received %+v", got)
				}
			}
			if took := time.Since(start); took > 60*time.Second {
				t.Errorf("failing took %s", took.Round(time.Second))
			}
		})
	}
}

// A wrong appliance port gives one error, which says to check the address and port, however many calls of the
// plan need the appliance.
func TestAccApplianceRole_wrongPortGivesOneError(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	_ = listener.Close() // nothing listens there now
	base := strings.TrimSuffix(strings.TrimSpace(acctest.ProviderConfig()), "}")
	config := fmt.Sprintf(`%s
  appliance {
    url      = "https://%s"
    username = "terraform"
    password = "vbaws-wrong-port-password"
  }
}

resource "vbaws_appliance_role" "one" {
  name        = "wrong-port"
  role_arn    = "arn:aws:iam::210987654321:role/veeam-wrong-port"
  permissions = ["ec2_backup"]
}
`, base, address)
	output := failsWith(t, config, regexp.MustCompile(`(?s)Cannot reach the Veeam appliance.*`+
		regexp.QuoteMeta(address)+`.*Check the host and port of url`))
	if n := strings.Count(output, "Error: "); n != 1 {
		t.Errorf("%d errors, want one:\n%s", n, output)
	}
}
