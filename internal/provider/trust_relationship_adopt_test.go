package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

const testTrust = "vbaws_trust_relationship.test"

// callsWhilePlanning is a plan check on the proxy's call counts, taken right after Terraform planned.
type callsWhilePlanning struct {
	proxy *acctest.Proxy
	check func(counts map[string]int) error
}

func (c callsWhilePlanning) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest,
	resp *plancheck.CheckPlanResponse) {
	resp.Error = c.check(c.proxy.Counts())
}

// expectCount checks the number of calls of one action.
func expectCount(action string, want int) func(map[string]int) error {
	return func(counts map[string]int) error {
		if counts[action] != want {
			return fmt.Errorf("%s was called %d times, want %d (all calls: %v)", action, counts[action], want, counts)
		}
		return nil
	}
}

// trustMeansExactly checks that the role's trust policy means want, Sids and all, as read from IAM.
func trustMeansExactly(t *testing.T, roleName, want string) error {
	have := remoteTrust(t, acctest.IAMClient(t), roleName).Marshal()
	if equivalent, err := policy.Equivalent(have, want); err != nil || !equivalent {
		return fmt.Errorf("trust policy of %s changed:\n%s\nwant\n%s", roleName, have, want)
	}
	return nil
}

// On a role whose Sid-less statements, as Veeam's CloudFormation writes them, already grant the same, the
// resource writes nothing, plans no change afterwards, and destroy leaves the trust policy as it was.
func TestAccTrustRelationship_adoptsSidlessStatementOfSameMeaning(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	role := acctest.RandomName("vbaws-cfn")
	original := cfnWorkerTrust(appliance)
	fixtureRole(t, client, role, "/", original, nil)
	config := trustConfig(acctest.ProviderConfigFor(proxy.URL), fmt.Sprintf(`
  role_name          = %q
  principal_arn      = %q
  external_id        = %q
  service_principals = ["ec2.amazonaws.com"]`, role, appliance, cfnExternalID))
	tc := testAccCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error { return trustMeansExactly(t, role, original) }),
			acctest.ExpectCalls(proxy, expectCount("UpdateAssumeRolePolicy", 0)),
			statecheck.ExpectKnownValue(
				testTrust,
				tfjsonpath.New("external_id"),
				knownvalue.StringExact(cfnExternalID),
			),
		}},
		resource.TestStep{Config: config, PlanOnly: true},
	)
	tc.CheckDestroy = func(*terraform.State) error {
		if n := proxy.Count("UpdateAssumeRolePolicy"); n != 0 {
			return fmt.Errorf("destroy wrote the trust policy %d times", n)
		}
		return trustMeansExactly(t, role, original)
	}
	resource.ParallelTest(t, tc)
}

// When the Sid-less statement means something else (another external ID), the resource adds its own, and
// destroy restores exactly the prior meaning.
func TestAccTrustRelationship_differentMeaningAddsOwnAndRestores(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	role := acctest.RandomName("vbaws-cfn")
	original := cfnWorkerTrust(appliance)
	fixtureRole(t, client, role, "/", original, nil)
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}, ExternalID: "rotated-id"}
	tc := testAccCase(t, resource.TestStep{
		Config: trustConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  role_name     = %q
  principal_arn = %q
  external_id   = "rotated-id"`, role, appliance)),
		ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error { return trustStatementIs(t, client, role, spec) }),
			expectRemote(func() error { return othersMean(t, client, role, original, veeamTrustSid) }),
		},
	})
	tc.CheckDestroy = func(*terraform.State) error { return trustMeansExactly(t, role, original) }
	resource.ParallelTest(t, tc)
}

// role_arn is known at plan: planning a create reads the role once, planning an unchanged resource reads it only
// to refresh. A missing role fails the plan with its name, before any write.
func TestAccTrustRelationship_roleARNKnownAtPlan(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	role := acctest.RandomName("vbaws-team")
	roleARN := fixtureRole(t, client, role, "/team/", teamTrustPolicy, nil)
	missing := acctest.RandomName("vbaws-missing")
	body := func(name string) string {
		return trustConfig(acctest.ProviderConfigFor(proxy.URL), fmt.Sprintf(`
  role_name          = %q
  principal_arn      = "%s"
  service_principals = []`, name, emulatorAccount))
	}
	getRoleOnce := callsWhilePlanning{proxy: proxy, check: expectCount("GetRole", 1)}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{PreConfig: proxy.Reset, Config: body(missing), PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Role not found.*` + missing)},
		resource.TestStep{PreConfig: proxy.Reset, Config: body(role),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				getRoleOnce,
				plancheck.ExpectKnownValue(testTrust, tfjsonpath.New("role_arn"), knownvalue.StringExact(roleARN)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(
					testTrust,
					tfjsonpath.New("service_principals"),
					knownvalue.SetSizeExact(0),
				),
				expectRemote(func() error {
					if _, found := remoteTrust(t, client, role).Find(policy.ServicesSid(veeamTrustSid)); found {
						return fmt.Errorf("service_principals = [] wrote a service statement")
					}
					return nil
				}),
			}},
		// Unchanged: the refresh reads the role, planning does not.
		resource.TestStep{PreConfig: proxy.Reset, Config: body(role),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(), getRoleOnce}}},
	))
	if writes := proxy.IAMWrites(); len(writes) > 0 && strings.Contains(fmt.Sprint(writes), missing) {
		t.Errorf("the missing role was written to: %v", writes)
	}
}

// service_principals = [] plans and applies like leaving it out, on vbaws_iam_role as well.
func TestAccIAMRole_emptyServicePrincipalsIsNull(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-nosvc")
	body := func(services string) string {
		return roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["%s"]
  %s`, name, emulatorAccount, services))
	}
	single := func() error {
		if doc := remoteTrust(t, client, name); len(doc.Statements) != 1 {
			return fmt.Errorf("want only the AWS statement, got %s", doc.Marshal())
		}
		return nil
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: body("service_principals = []"),
			ConfigStateChecks: []statecheck.StateCheck{expectRemote(single)}},
		resource.TestStep{Config: body(""), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownValue(testRole, tfjsonpath.New("assume_role_policy"), withoutText("Service")),
		}}, ConfigStateChecks: []statecheck.StateCheck{expectRemote(single)}},
	))
}

// The account-root warning shows on both resources until acknowledge_account_root = true silences it.
func TestAccAcknowledgeAccountRoot(t *testing.T) {
	cli := acctest.NewCLI(t, NewServer("test"))
	config := func(acknowledge string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "vbaws_iam_role" "test" {
  name                     = "vbaws-never-created"
  trusted_principal_arns   = ["%[1]s"]
  acknowledge_account_root = %[2]s
}
resource "vbaws_trust_relationship" "test" {
  role_name                = "vbaws-never-created"
  principal_arn            = "arn:aws:iam::%[1]s:root"
  acknowledge_account_root = %[2]s
}`, emulatorAccount, acknowledge)
	}
	cli.WriteConfig(config("null"))
	cli.MustRun("init", "-no-color")
	if warnings := countWarnings(t, cli.MustRun("validate", "-json"), "trusts the whole account"); warnings != 2 {
		t.Fatalf("want the account-root warning on both resources, got %d", warnings)
	}
	cli.WriteConfig(config("true"))
	if warnings := countWarnings(t, cli.MustRun("validate", "-json"), "trusts the whole account"); warnings != 0 {
		t.Fatalf("acknowledged account roots still warn %d times", warnings)
	}
}

// withoutText is a knownvalue check that a string does not contain text.
func withoutText(text string) knownvalue.Check { return notContaining(text) }

type notContaining string

func (c notContaining) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok || strings.Contains(s, string(c)) {
		return fmt.Errorf("expected a string without %q, got %v", string(c), v)
	}
	return nil
}

func (c notContaining) String() string { return "without " + string(c) }

// A team that manages its role's trust policy in its own configuration includes the relationship's plan-known
// statement in it; both then converge in one apply, plan no changes afterwards, and keep each other's statements.
func TestAccTrustRelationship_ownerComposesStatement(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-owner")
	owner := fmt.Sprintf(`
resource "vbaws_iam_role" "team" {
  name                    = %q
  trusted_principal_arns  = ["arn:aws:iam::%s:role/deployer"]
  additional_trust_policy = %s
}`, team, emulatorAccount, "%s")
	alone := acctest.ProviderConfig() + fmt.Sprintf(owner, "null")
	composed := acctest.ProviderConfig() + fmt.Sprintf(owner, "vbaws_trust_relationship.veeam.statement") +
		fmt.Sprintf(`
resource "vbaws_trust_relationship" "veeam" {
  role_name     = %q
  sid           = "VeeamAppliance"
  principal_arn = %q
  external_id   = "owner-composed"
}`, team, appliance)
	spec := policy.TrustSpec{Sid: "VeeamAppliance", AWSPrincipals: []string{appliance}, ExternalID: "owner-composed"}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: alone},
		resource.TestStep{Config: composed, ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error { return trustStatementIs(t, client, team, spec) }),
			expectRemote(func() error {
				if _, found := remoteTrust(t, client, team).Find(veeamTrustSid); !found {
					return fmt.Errorf("the owner's own statement is gone")
				}
				return nil
			}),
		}},
		resource.TestStep{Config: composed, PlanOnly: true},
		resource.TestStep{Config: composed, ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
	))
}

// writesAre checks the IAM writes the proxy saw since its last reset, as sorted distinct actions.
func writesAre(proxy *acctest.Proxy, want ...string) func(map[string]int) error {
	return func(map[string]int) error {
		if have := proxy.IAMWrites(); fmt.Sprint(have) != fmt.Sprint(want) {
			return fmt.Errorf("IAM writes %v, want %v (all calls: %v)", have, want, proxy.Counts())
		}
		return nil
	}
}

// When the role's trust policy already grants what the resource is asked for, create, an update of its other
// arguments and destroy write nothing, whatever form the grant takes: a document without Version, keys in any
// order, one-element lists for single values, the AWS and service principals in one statement or in several.
func TestAccTrustRelationship_zeroWritesWhenTrustAlreadyGrants(t *testing.T) {
	cases := map[string]struct {
		trust string // {{appliance}} stands for the appliance's ARN
		body  string // and so here
	}{
		"Sid-less statement, no Version": {
			trust: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"{{appliance}}"},"Action":"sts:AssumeRole",` +
				`"Condition":{"StringEquals":{"sts:ExternalId":"x7Kq2mZp9LwB"}}}]}`,
			body: `principal_arn = "{{appliance}}"
  external_id   = "x7Kq2mZp9LwB"`,
		},
		"keys in another order and one-element lists": {
			trust: `{"Statement":[{"Condition":{"StringEquals":{"sts:ExternalId":["x7Kq2mZp9LwB"]}},` +
				`"Action":["sts:AssumeRole"],"Principal":{"AWS":["{{appliance}}"]},"Effect":"Allow"}],"Version":"2012-10-17"}`,
			body: `principal_arn = "{{appliance}}"
  external_id   = "x7Kq2mZp9LwB"`,
		},
		"AWS and service principals in one statement, no Version": {
			trust: `{"Statement":[{"Effect":"Allow","Principal":{"Service":["backup.amazonaws.com"],` +
				`"AWS":"{{appliance}}"},"Action":"sts:AssumeRole"}]}`,
			body: `principal_arn      = "{{appliance}}"
  service_principals = ["backup.amazonaws.com"]`,
		},
		"StackSet worker statements, no Version": {
			trust: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"{{appliance}}"},"Action":["sts:AssumeRole"],` +
				`"Condition":{"StringEquals":{"sts:ExternalId":"Qm4Tz8Rw2NcY"}}},` +
				`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			body: `principal_arn      = "{{appliance}}"
  external_id        = "Qm4Tz8Rw2NcY"
  service_principals = ["ec2.amazonaws.com"]`,
		},
		"account ID for the root ARN": {
			trust: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + emulatorAccount +
				`:root"},"Action":"sts:AssumeRole"}]}`,
			body: `principal_arn            = "` + emulatorAccount + `"
  acknowledge_account_root = true`,
		},
	}
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			proxy := acctest.NewProxy(t)
			role, original := applianceTrustFixture(t, client, "vbaws-granted", c.trust, appliance)
			config := func(timeouts string) string {
				return trustConfig(acctest.ProviderConfigFor(proxy.URL), fmt.Sprintf("  role_name     = %q\n  ", role)+
					strings.ReplaceAll(c.body, "{{appliance}}", appliance)+"\n  timeouts = "+timeouts)
			}
			unchanged := []statecheck.StateCheck{
				acctest.ExpectCalls(proxy, writesAre(proxy)),
				expectRemote(func() error { return trustTextIs(t, client, role, original) }),
			}
			tc := testAccCase(t,
				resource.TestStep{PreConfig: proxy.Reset, Config: config("null"), ConfigStateChecks: unchanged},
				resource.TestStep{PreConfig: proxy.Reset, Config: config(`{ update = "4m" }`),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testTrust, plancheck.ResourceActionUpdate)}},
					ConfigStateChecks: unchanged},
				resource.TestStep{PreConfig: proxy.Reset, Config: config(`{ update = "4m" }`), PlanOnly: true},
			)
			tc.CheckDestroy = func(*terraform.State) error {
				if n := proxy.Count("UpdateAssumeRolePolicy"); n != 0 {
					return fmt.Errorf("destroy wrote the trust policy %d times", n)
				}
				return trustTextIs(t, client, role, original)
			}
			resource.ParallelTest(t, tc)
		})
	}
}
