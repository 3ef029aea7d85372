package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }

func TestAccProvider_endpointsBlockRoutesEveryCall(t *testing.T) {
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-endpoints")
	fixtureRole(t, acctest.IAMClient(t), name, "/", ec2TrustPolicy, nil)
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigFor(
			proxy.URL,
		) + fmt.Sprintf(
			`data "vbaws_impersonation_role" "test" { name = %q }`,
			name,
		),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(
				"data.vbaws_impersonation_role.test",
				tfjsonpath.New("name"),
				knownvalue.StringExact(name),
			),
			acctest.ExpectCalls(proxy, func(counts map[string]int) error {
				if counts["GetCallerIdentity"] == 0 || counts["GetRole"] == 0 {
					return fmt.Errorf("expected STS and IAM calls through the endpoints block, saw %v", counts)
				}
				return nil
			}),
		},
	}))
}

// TestAccProvider_endpointEnvironmentVariables is not parallel: it sets process environment variables.
func TestAccProvider_endpointEnvironmentVariables(t *testing.T) {
	for _, vars := range [][]string{{"AWS_ENDPOINT_URL"}, {"AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS"}} {
		t.Run(strings.Join(vars, "+"), func(t *testing.T) {
			proxy := acctest.NewProxy(t)
			name := acctest.RandomName("vbaws-envendpoint")
			fixtureRole(t, acctest.IAMClient(t), name, "/", ec2TrustPolicy, nil)
			for _, v := range vars {
				t.Setenv(v, proxy.URL)
			}
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIAVBAWSTESTING0002")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
			resource.Test(t, testAccCase(t, resource.TestStep{
				Config: fmt.Sprintf(`
provider "vbaws" { region = %q }
data "vbaws_impersonation_role" "test" { name = %q }`, acctest.Region, name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(
						"data.vbaws_impersonation_role.test",
						tfjsonpath.New("account_id"),
						knownvalue.StringExact(emulatorAccount),
					),
					acctest.ExpectCalls(proxy, func(counts map[string]int) error {
						if counts["GetCallerIdentity"] == 0 || counts["GetRole"] == 0 {
							return fmt.Errorf("expected calls through %v, saw %v", vars, counts)
						}
						return nil
					}),
				},
			}))
		})
	}
}

func TestAccProvider_badRegionFailsPlan(t *testing.T) {
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: `provider "vbaws" { region = "us-east-one" }` + "\n" +
			`data "vbaws_impersonation_role" "test" { name = "x" }`,
		ExpectError: regexp.MustCompile(`must be an AWS region name`),
	}))
}

// TestAccProvider_missingRegion is not parallel: it clears the region from the environment.
func TestAccProvider_missingRegion(t *testing.T) {
	acctest.PreCheck(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	resource.Test(t, testAccCase(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "vbaws" {
  access_key = "AKIAVBAWSTESTING0003"
  secret_key = "x"
  endpoints {
    iam = %[1]q
    sts = %[1]q
  }
}
data "vbaws_impersonation_role" "test" { name = "x" }`, acctest.Endpoint()),
		ExpectError: regexp.MustCompile(`No AWS region configured[\s\S]*AWS_REGION`),
	}))
}

func TestAccProvider_unreachableEndpoint(t *testing.T) {
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: `
provider "vbaws" {
  region     = "us-east-1"
  access_key = "AKIAVBAWSTESTING0004"
  secret_key = "x"
  endpoints {
    iam = "http://127.0.0.1:1"
    sts = "http://127.0.0.1:1"
  }
}
data "vbaws_impersonation_role" "test" { name = "x" }`,
		ExpectError: regexp.MustCompile(`Cannot reach AWS STS[\s\S]*endpoints.sts`),
	}))
}

// TestAccProvider_noCredentialsInTraceLogs is not parallel: it turns on TRACE logging for its own run only.
func TestAccProvider_noCredentialsInTraceLogs(t *testing.T) {
	acctest.PreCheck(t)
	const secret, token = "vbaws-known-secret-7Q2d9Xz", "vbaws-known-session-token-4kLm8"
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	name := acctest.RandomName("vbaws-logs")
	fixtureRole(t, acctest.IAMClient(t), name, "/", ec2TrustPolicy, map[string]string{"assume": assumeAnyRolePolicy})
	resource.Test(t, testAccCase(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "vbaws" {
  region     = %[1]q
  access_key = "AKIAVBAWSLOGTEST0001"
  secret_key = %[2]q
  token      = %[3]q
  endpoints {
    iam = %[4]q
    sts = %[4]q
  }
}
data "vbaws_impersonation_role" "test" { name = %[5]q }`, acctest.Region, secret, token, acctest.Endpoint(), name),
	}))
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading trace log: %v", err)
	}
	text := withoutConfigDumps(string(logs))
	if !strings.Contains(text, "AWS call") || !strings.Contains(text, "GetRole") {
		t.Fatalf("the trace log does not record AWS calls, so it proves nothing (%d bytes)", len(logs))
	}
	for _, leaked := range []string{secret, token, "Signature="} {
		if strings.Contains(text, leaked) {
			t.Errorf("the TRACE log contains %q", leaked)
		}
	}
}

// withoutConfigDumps drops the log entries in which the test harness itself prints each step's configuration,
// which holds the test's credentials verbatim; everything Terraform and the provider log is kept.
func withoutConfigDumps(log string) string {
	entries := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT`).Split(log, -1)
	kept := entries[:0]
	for _, entry := range entries {
		if !strings.Contains(entry, "sdk.helper_resource: Setting Terraform configuration") {
			kept = append(kept, entry)
		}
	}
	return strings.Join(kept, "\n")
}
