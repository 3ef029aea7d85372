package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }

var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"vbaws": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

// emulatorAccount is the account moto_server answers with.
const emulatorAccount = "123456789012"

// testAccCase fills in what every acceptance test case shares.
func testAccCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    steps,
	}
}

// fixtureRole creates a role outside Terraform, as an appliance deployment or another team would, and deletes it
// when the test ends. inline maps policy names to documents.
func fixtureRole(t *testing.T, client *iam.Client, name, path, trust string, inline map[string]string) string {
	t.Helper()
	ctx := context.Background()
	out, err := client.CreateRole(
		ctx,
		&iam.CreateRoleInput{
			RoleName:                 aws.String(name),
			Path:                     aws.String(path),
			AssumeRolePolicyDocument: aws.String(trust),
		},
	)
	if err != nil {
		t.Fatalf("creating fixture role %s: %v", name, err)
	}
	for policyName, doc := range inline {
		if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName:       aws.String(name),
			PolicyName:     aws.String(policyName),
			PolicyDocument: aws.String(doc),
		}); err != nil {
			t.Fatalf("adding inline policy %s to %s: %v", policyName, name, err)
		}
	}
	t.Cleanup(func() { deleteFixtureRole(client, name, inline) })
	return aws.ToString(out.Role.Arn)
}

func deleteFixtureRole(client *iam.Client, name string, inline map[string]string) {
	ctx := context.Background()
	for policyName := range inline {
		_, _ = client.DeleteRolePolicy(
			ctx,
			&iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)},
		)
	}
	listInput := &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)}
	if attached, err := client.ListAttachedRolePolicies(ctx, listInput); err == nil {
		for _, p := range attached.AttachedPolicies {
			_, _ = client.DetachRolePolicy(
				ctx,
				&iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn},
			)
		}
	}
	_, _ = client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
}

const ec2TrustPolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const assumeAnyRolePolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

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
