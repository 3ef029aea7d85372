package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// A misspelled role of the provider's account fails the apply at once, naming the ARN and the closest existing
// role, whether its ARN is known at plan time (the plan warns) or only at apply time; the appliance is never
// asked to register it, and the default assume_wait of 6 minutes is not waited.
func TestAccApplianceRole_missingRoleFailsFast(t *testing.T) {
	cases := map[string]struct {
		roleARN func(fixture string) string
		want    func(fixture string) string
	}{
		"known at plan time": {
			roleARN: func(fixture string) string { return fmt.Sprintf("%q", fixture+"x") },
			want: func(fixture string) string {
				return `(?s)No such IAM role.*` + regexp.QuoteMeta(fixture+"x") +
					`.*does\s+not\s+exist.*closest\s+existing\s+role\s+is\s+` + regexp.QuoteMeta(fixture)
			},
		},
		"known at apply time": {
			roleARN: func(string) string { return `"${vbaws_iam_role.first.arn}x"` },
			want: func(string) string {
				return `(?s)No such IAM role.*-firstx\s+does\s+not\s+exist.*closest\s+existing\s+role\s+is\s+\S+-first\.`
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			emu, impersonation := applianceWithImpersonation(t, applianceemu.Options{})
			prefix := acctest.RandomName("vbaws-applfast")
			fixture := fixtureRole(t, acctest.IAMClient(t), prefix+"-fixture", "/", applianceTrust(impersonation), nil)
			config := twoRolesConfig(acctest.ProviderConfigWithAppliance(emu, ""), prefix, impersonation,
				applianceRoleArgs{name: prefix, roleARN: tc.roleARN(fixture)})
			start := time.Now()
			resource.Test(t, testAccCase(t, resource.TestStep{Config: config,
				ExpectError: regexp.MustCompile(tc.want(fixture))}))
			if took := time.Since(start); took > time.Minute {
				t.Errorf("failing took %s", took.Round(time.Second))
			}
			if n := emu.Counts()["create"]; n > 0 {
				t.Errorf("the appliance was asked %d times to register a role that does not exist", n)
			}
		})
	}
}

// While the appliance cannot assume a role yet, every refused attempt leaves an INFO log line that says what the
// provider waits for. Not parallel: it turns on logging for its own run only.
func TestAccApplianceRole_waitingIsLogged(t *testing.T) {
	emu, impersonation := applianceWithImpersonation(t, applianceemu.Options{AssumeDelay: 4 * time.Second})
	logFile := filepath.Join(t.TempDir(), "info.log")
	t.Setenv("TF_LOG", "INFO")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	prefix := acctest.RandomName("vbaws-applwaitlog")
	resource.Test(t, testAccCase(t, resource.TestStep{
		Config: twoRolesConfig(acctest.ProviderConfigWithAppliance(emu, ""), prefix, impersonation,
			applianceRoleArgs{name: prefix, roleARN: "vbaws_iam_role.first.arn"}),
	}))
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	const line = "The appliance cannot assume the IAM role yet; waiting for its trust policy to take effect"
	refused := emu.Counts()["create"] - 1
	if n := strings.Count(string(logs), line); refused < 1 || n != refused {
		t.Errorf("%d log lines for %d refused attempts", n, refused)
	}
	if !strings.Contains(string(logs), prefix+"-first") || !strings.Contains(string(logs), "next_attempt_in") {
		t.Error("the log lines do not name the role and when the next attempt comes")
	}
}
