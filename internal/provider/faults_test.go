package provider

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// The fault suite: lost responses, throttling and 5xx, interrupts, failed steps and dead endpoints, all through
// the recording proxy against the emulator. Every test asserts that IAM holds nothing under the test's name
// prefix that state does not know (no orphans), nothing twice (no duplicate versions or trust statements), and
// that the plan is clean after at most one apply (terraform-plugin-testing plans again after every apply).

// lostFaults makes the first call of each action lose its answer after taking effect.
func lostFaults(proxy *acctest.Proxy, actions ...string) {
	for _, action := range actions {
		proxy.Inject(acctest.Fault{Action: action, Times: 1, Lost: true})
	}
}

// expectLost checks that every action lost an answer, so that a test cannot pass without its faults.
func expectLost(proxy *acctest.Proxy, actions ...string) error {
	injected := proxy.Injected()
	var missing []string
	for _, action := range actions {
		if injected["lost "+action] == 0 {
			missing = append(missing, action)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no answer was lost for %v (injected: %v)", missing, injected)
	}
	return nil
}

// lostWritesConfig is a template, a role using it with an instance profile, and a trust statement on a foreign
// role. second changes every attribute that is updated in place.
func lostWritesConfig(provider, prefix, foreign, appliance, other, boundary string, second bool) string {
	operations, tplTags := `["ec2_backup"]`, `{ stage = "one", keep = "yes" }`
	principals, extra, trustExtra := fmt.Sprintf("[%q]", appliance), `
  description = "first"
  tags        = { stage = "one", keep = "yes" }`, ""
	if second {
		operations, tplTags = `["ec2_backup", "ec2_restore"]`, `{ stage = "two" }`
		principals, extra, trustExtra = fmt.Sprintf("[%q, %q]", appliance, other), fmt.Sprintf(`
  description          = "second"
  max_session_duration = 7200
  permissions_boundary = %q
  tags                 = { stage = "two" }`, boundary), `
  external_id   = "veeam-external-id"`
	}
	return provider + fmt.Sprintf(`
resource "vbaws_role_template" "test" {
  name       = "%[1]s-tpl"
  operations = %[2]s
  tags       = %[3]s
}

resource "vbaws_iam_role" "test" {
  name                    = "%[1]s-role"
  trusted_principal_arns  = %[4]s
  managed_policy_arns     = vbaws_role_template.test.policy_arns
  create_instance_profile = true%[5]s
}

resource "vbaws_trust_relationship" "test" {
  role_name     = %[6]q
  principal_arn = %[7]q%[8]s
}
`, prefix, operations, tplTags, principals, extra, foreign, appliance, trustExtra)
}

// Every create, update and delete call loses its first answer after taking effect. Each apply still succeeds in
// one run with a clean plan, adopting what the lost calls made, and destroy leaves nothing behind.
func TestAccFaults_lostResponseOnEveryWrite(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	prefix := acctest.RandomName("vbaws-lost")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	other := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	foreign := acctest.RandomName("vbaws-foreign")
	fixtureRole(t, client, foreign, "/", teamTrustPolicy, nil)
	boundary := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	)
	config := func(second bool) string {
		return lostWritesConfig(
			acctest.ProviderConfigFor(proxy.URL),
			prefix,
			foreign,
			appliance,
			other,
			boundary,
			second,
		)
	}
	creates := []string{"CreatePolicy", "CreateRole", "AttachRolePolicy", "CreateInstanceProfile",
		"AddRoleToInstanceProfile", "UpdateAssumeRolePolicy"}
	updates := []string{"DeletePolicyVersion", "CreatePolicyVersion", "TagPolicy", "UntagPolicy", "UpdateRole",
		"TagRole", "UntagRole", "PutRolePermissionsBoundary", "UpdateAssumeRolePolicy"}
	deletes := []string{"RemoveRoleFromInstanceProfile", "DeleteInstanceProfile", "DetachRolePolicy", "DeleteRole",
		"DeletePolicy", "UpdateAssumeRolePolicy"}
	inventory := acctest.ExpectNoOrphansOrDuplicates(client, prefix)
	tc := testAccCase(t,
		resource.TestStep{
			PreConfig: func() { lostFaults(proxy, creates...) },
			Config:    config(false),
			ConfigStateChecks: []statecheck.StateCheck{inventory,
				expectRemote(func() error { return expectLost(proxy, creates...) })},
		},
		resource.TestStep{
			PreConfig: func() {
				fillPolicyVersions(t, client, "arn:aws:iam::"+emulatorAccount+":policy/"+prefix+"-tpl")
				lostFaults(proxy, updates...)
				lostFaults(proxy, "UpdateAssumeRolePolicy") // the role's own trust and the foreign one
			},
			Config: config(true),
			ConfigStateChecks: []statecheck.StateCheck{inventory,
				expectRemote(func() error { return expectLost(proxy, updates...) })},
		},
		resource.TestStep{
			PreConfig: func() { proxy.Reset(); lostFaults(proxy, deletes...) },
			Config:    config(true),
			Destroy:   true,
		},
	)
	tc.CheckDestroy = func(s *terraform.State) error {
		if err := acctest.CheckNothingLeft(client, prefix)(s); err != nil {
			return err
		}
		return expectLost(proxy, deletes...)
	}
	resource.ParallelTest(t, tc)
}

// fillPolicyVersions adds non-default versions out of band until the policy has IAM's maximum of five, so that
// the next update must make room.
func fillPolicyVersions(t *testing.T, client *iam.Client, policyARN string) {
	t.Helper()
	ctx := context.Background()
	for i := 2; i <= 5; i++ {
		document := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",`+
			`"Resource":"arn:aws:s3:::filler-%d/*"}]}`, i)
		_, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN),
			PolicyDocument: aws.String(document)})
		if err != nil {
			t.Fatalf("adding version %d to %s: %v", i, policyARN, err)
		}
	}
}

// The estate of the issue (30 roles, a template, 10 trust relationships) under random faults: each configuration
// applies in one run with 0 orphans and 0 duplicates, plans clean, and destroys leaving nothing behind.
func TestAccFaults_estateUnderRandomFaults(t *testing.T) {
	cases := map[string]acctest.Chaos{
		"throttling 20% and 5xx 5%": {Seed: 12, Throttle: 0.20, ServerError: 0.05},
		"10% lost":                  {Seed: 10, Lost: 0.10},
		"30% lost":                  {Seed: 30, Lost: 0.30},
	}
	for name, chaos := range cases {
		t.Run(name, func(t *testing.T) {
			client := acctest.IAMClient(t)
			proxy := acctest.NewProxy(t)
			prefix := acctest.RandomName("vbaws-estate")
			appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
			foreign := foreignRoles(t, client, 5)
			tc := testAccCase(t, resource.TestStep{
				PreConfig: func() { proxy.SetChaos(chaos) },
				Config:    estateConfig(acctest.ProviderConfigFor(proxy.URL), prefix, appliance, 30, foreign),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectNoOrphansOrDuplicates(client, prefix),
					expectRemote(func() error { return foreignStatementsAre(t, client, foreign) }),
				},
			})
			tc.CheckDestroy = func(s *terraform.State) error {
				t.Logf("faults injected: %v", proxy.Injected())
				return acctest.CheckNothingLeft(client, prefix)(s)
			}
			resource.ParallelTest(t, tc)
		})
	}
}

// A failed update step leaves state with what IAM holds: the steps done before it are saved, the failed one and
// those after it keep their prior values. A plan without refresh therefore still shows the change, and the
// next apply completes it.
func TestAccFaults_failedUpdateStepThenPlan(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	prefix := acctest.RandomName("vbaws-step")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	other := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	foreign := acctest.RandomName("vbaws-foreign")
	fixtureRole(t, client, foreign, "/", teamTrustPolicy, nil)
	config := func(description, externalID string, principals ...string) string {
		return acctest.ProviderConfigFor(proxy.URL) + fmt.Sprintf(`
resource "vbaws_iam_role" "test" {
  name                   = "%[1]s-role"
  description            = %[2]q
  trusted_principal_arns = ["%[3]s"]
  tags                   = { step = %[2]q }
}

resource "vbaws_trust_relationship" "test" {
  role_name     = %[4]q
  principal_arn = %[5]q
  external_id   = %[6]q
}
`, prefix, description, strings.Join(principals, `", "`), foreign, appliance, externalID)
	}
	updated := config("second", "external-two", appliance, other)
	denied := func(action string, where map[string]string) acctest.Fault {
		return acctest.Fault{Action: action, Where: where, Code: "AccessDenied", Message: "not authorized", Status: 403}
	}
	tc := testAccCase(t,
		resource.TestStep{Config: config("first", "external-one", appliance)},
		resource.TestStep{
			PreConfig: func() {
				proxy.Inject(denied("UpdateRole", nil))
				proxy.Inject(denied("UpdateAssumeRolePolicy", map[string]string{"RoleName": foreign}))
			},
			Config:      updated,
			ExpectError: regexp.MustCompile(`Access denied to iam:(UpdateRole|UpdateAssumeRolePolicy)`),
		},
		resource.TestStep{
			PreConfig:          func() { proxy.ClearFaults() },
			Config:             updated,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("vbaws_iam_role.test", plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("vbaws_trust_relationship.test", plancheck.ResourceActionUpdate),
				// The trust step ran before the failed UpdateRole; the tag step after it never ran.
				expectPrior("vbaws_iam_role.test", "assume_role_policy", containing(other)),
				expectPrior("vbaws_iam_role.test", "description", equalTo("first")),
				expectPrior("vbaws_iam_role.test", "tags", equalTo(map[string]any{"step": "first"})),
				expectPrior("vbaws_trust_relationship.test", "external_id", equalTo("external-one")),
			}},
		},
		resource.TestStep{Config: updated, ConfigStateChecks: []statecheck.StateCheck{
			acctest.ExpectNoOrphansOrDuplicates(client, prefix)}},
	)
	tc.CheckDestroy = acctest.CheckNothingLeft(client, prefix)
	resource.ParallelTest(t, tc)
}

func containing(want string) func(any) error {
	return func(got any) error {
		if !strings.Contains(fmt.Sprint(got), want) {
			return fmt.Errorf("is %v, which does not contain %s", got, want)
		}
		return nil
	}
}

// A plan against an IAM endpoint that refuses connections fails in seconds, whatever max_retries says, with an
// error that names IAM and the endpoint, never "not found".
func TestAccFaults_refusedIAMEndpointFailsFast(t *testing.T) {
	acctest.PreCheck(t)
	if acctest.RealAWS() {
		t.Skip("needs the emulator for STS")
	}
	refused := closedPort(t)
	config := fmt.Sprintf(`
provider "vbaws" {
  region      = %q
  access_key  = "AKIAVBAWSTESTING0001"
  secret_key  = "vbaws-acceptance-test-secret-key"
  max_retries = 25
  endpoints {
    iam = %q
    sts = %q
  }
}

data "vbaws_impersonation_role" "test" {
  name = "VeeamImpersonationRole"
}
`, acctest.Region, refused, acctest.Endpoint())
	var start time.Time // set when the step starts, not while the parallel test waits for its turn
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		PreConfig: func() { start = time.Now() },
		Config:    config,
		PlanOnly:  true,
		ExpectError: regexp.MustCompile(
			`(?s)Cannot reach AWS IAM.*` + regexp.QuoteMeta(refused) + `.*connection refused`,
		),
	}))
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Errorf("the plan took %s to fail against a refused endpoint, want under 30s", elapsed)
	} else {
		t.Logf("the plan failed after %s", elapsed.Round(time.Millisecond))
	}
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + listener.Addr().String()
	_ = listener.Close()
	return url
}

// A 403 is access denied with the action, not a missing role.
func TestAccFaults_accessDeniedIsNotNotFound(t *testing.T) {
	proxy := acctest.NewProxy(t)
	proxy.Inject(acctest.Fault{Action: "GetRole", Code: "AccessDenied", Status: 403,
		Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:GetRole"})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigFor(proxy.URL) + `
data "vbaws_impersonation_role" "test" {
  name = "VeeamImpersonationRole"
}
`,
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Access denied to iam:GetRole.*not authorized to perform: iam:GetRole`),
	}))
}
