package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

func TestAccIAMRole_basicImportAndKnownAtPlan(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-role")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	wantARN := fmt.Sprintf("arn:aws:iam::%s:role/veeam/%s", emulatorAccount, name)
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  path                   = "/veeam/"
  trusted_principal_arns = [%q]
  service_principals     = ["backup.amazonaws.com"]`, name, appliance))
	tc := testAccCase(t,
		resource.TestStep{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("arn"), knownvalue.StringExact(wantARN)),
				plancheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("assume_role_policy"),
					knownvalue.StringRegexp(regexp.MustCompile(`backup\.amazonaws\.com`)),
				),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("arn"), knownvalue.StringExact(wantARN)),
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("unique_id"),
					knownvalue.StringRegexp(regexp.MustCompile(`^AROA`)),
				),
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("max_session_duration"),
					knownvalue.Int64Exact(3600),
				),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("instance_profile_arn"), knownvalue.Null()),
			},
		},
		resource.TestStep{ResourceName: testRole, ImportState: true, ImportStateId: name, ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"timeouts"}},
	)
	tc.CheckDestroy = checkRoleGone(client, name)
	resource.ParallelTest(t, tc)
}

func TestAccIAMRole_updateEveryAttributeInPlace(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-upd")
	first := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	second := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	policyA := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
	)
	policyB := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:List*","Resource":"*"}]}`,
	)
	boundary := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	)
	update := func(step resource.TestStep) resource.TestStep {
		step.ConfigPlanChecks = resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate)},
		}
		return step
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  description            = "first"
  trusted_principal_arns = [%q]
  managed_policy_arns    = [%q]
  tags                   = { team = "backup" }`, name, first, policyA))},
		update(resource.TestStep{Config: roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  description             = "second"
  trusted_principal_arns  = [%q, %q]
  external_id             = "veeam-external-id"
  service_principals      = ["backup.amazonaws.com", "ec2.amazonaws.com"]
  managed_policy_arns     = [%q]
  create_instance_profile = true
  max_session_duration    = 7200
  permissions_boundary    = %q
  tags                    = { team = "platform", cost = "42" }`, name, first, second, policyB, boundary)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("description"), knownvalue.StringExact("second")),
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("max_session_duration"),
					knownvalue.Int64Exact(7200),
				),
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("permissions_boundary"),
					knownvalue.StringExact(boundary),
				),
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("managed_policy_arns"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(policyB)}),
				),
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("instance_profile_arn"),
					knownvalue.StringRegexp(regexp.MustCompile(`:instance-profile/`+name+`$`)),
				),
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("tags"),
					knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("platform"), "cost": knownvalue.StringExact("42")}),
				),
				expectRemote(func() error { return trustHasExternalIDAndServices(t, client, name) }),
			}}),
		update(resource.TestStep{Config: roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = [%q]`, name, second)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("description"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("permissions_boundary"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("instance_profile_arn"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("tags"), knownvalue.Null()),
				expectRemote(func() error { return attachmentsAre(client, name) }),
			}}),
	))
}

func trustHasExternalIDAndServices(t *testing.T, client *iam.Client, name string) error {
	doc := remoteTrust(t, client, name)
	ours, ok := doc.Find(veeamTrustSid)
	if !ok || !strings.Contains(ours.JSON(), `"sts:ExternalId":"veeam-external-id"`) {
		return fmt.Errorf("trust statement lacks the external ID: %s", doc.Marshal())
	}
	services, ok := doc.Find(policy.ServicesSid(veeamTrustSid))
	if !ok || strings.Contains(services.JSON(), "ExternalId") ||
		!strings.Contains(services.JSON(), "ec2.amazonaws.com") {
		return fmt.Errorf("services statement wrong: %s", doc.Marshal())
	}
	return nil
}

func TestAccIAMRole_namePrefix(t *testing.T) {
	prefix := acctest.RandomName("vbaws-pfx")
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name_prefix            = %q
  trusted_principal_arns = ["%s"]`, prefix, emulatorAccount)),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(
				testRole,
				tfjsonpath.New("name"),
				knownvalue.StringRegexp(regexp.MustCompile(`^`+prefix+`\d{14}[0-9a-f]{12}$`)),
			),
		},
	}))
}

func TestAccIAMRole_deletedOutsideTerraform(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-gone")
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  trusted_principal_arns  = ["arn:aws:iam::%s:root"]
  create_instance_profile = true`, name, emulatorAccount))
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{
			PreConfig: func() {
				deleteFixtureRoleWithProfile(client, name)
			},
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		},
		resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error {
				_, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)})
				return err
			}),
		}},
	))
}

func deleteFixtureRoleWithProfile(client *iam.Client, name string) {
	deleteInstanceProfile(client, name, name)
	_, _ = client.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(name)})
}

func TestAccIAMRole_driftInTrustAndAttachmentsIsRepaired(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-drift")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	wanted := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
	)
	foreign := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
	)
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = [%q]
  managed_policy_arns    = [%q]`, name, appliance, wanted))
	addForeign := func() {
		ctx := context.Background()
		trust := `{"Version":"2012-10-17","Statement":[{"Sid":"Foreign","Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}]}`
		if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName:       aws.String(name),
			PolicyDocument: aws.String(trust),
		}); err != nil {
			t.Fatalf("changing trust outside Terraform: %v", err)
		}
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
			RoleName:  aws.String(name),
			PolicyArn: aws.String(foreign),
		}); err != nil {
			t.Fatalf("attaching outside Terraform: %v", err)
		}
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{PreConfig: addForeign, Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(func() error { return attachmentsAre(client, name, wanted) }),
				expectRemote(func() error {
					if doc := remoteTrust(t, client, name); len(doc.Statements) != 1 {
						return fmt.Errorf("foreign trust statement survived: %s", doc.Marshal())
					}
					return nil
				}),
			}},
	))
}

// Equivalent trust, in the configuration (reordered) or in IAM (account ID for its root ARN, string for a
// one-element list, reordered values), never shows a diff.
func TestAccIAMRole_equivalentTrustHasEmptyPlan(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-equiv")
	a := fixtureRole(t, client, acctest.RandomName("vbaws-a"), "/", ec2TrustPolicy, nil)
	b := fixtureRole(t, client, acctest.RandomName("vbaws-b"), "/", ec2TrustPolicy, nil)
	root := "arn:aws:iam::" + emulatorAccount + ":root"
	body := func(principals, services string) string {
		return roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = [%s]
  service_principals     = [%s]`, name, principals, services))
	}
	first := body(fmt.Sprintf("%q, %q, %q", a, b, root), `"backup.amazonaws.com", "ec2.amazonaws.com"`)
	equivalentRemote := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
  {"Sid":"VeeamBackupImpersonationServices","Effect":"Allow","Action":["sts:AssumeRole"],
   "Principal":{"Service":["ec2.amazonaws.com","backup.amazonaws.com"]}},
  {"Sid":"VeeamBackupImpersonation","Effect":"Allow","Action":"sts:AssumeRole",
   "Principal":{"AWS":[%q,%q,%q]}}]}`, emulatorAccount, b, a)
	emptyPlan := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: first},
		resource.TestStep{
			Config: body(
				fmt.Sprintf("%q, %q, %q", root, b, a),
				`"ec2.amazonaws.com", "backup.amazonaws.com"`,
			),
			ConfigPlanChecks: emptyPlan,
		},
		resource.TestStep{
			PreConfig: func() {
				if _, err := client.UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
					RoleName: aws.String(name), PolicyDocument: aws.String(equivalentRemote)}); err != nil {
					t.Fatalf("rewriting the trust policy: %v", err)
				}
			},
			Config:           first,
			ConfigPlanChecks: emptyPlan,
		},
	))
}

func TestAccIAMRole_instanceProfileLifecycle(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-worker")
	body := func(create bool) string {
		return roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  path                    = "/workers/"
  trusted_principal_arns  = ["%s"]
  service_principals      = ["ec2.amazonaws.com"]
  create_instance_profile = %t`, name, emulatorAccount, create))
	}
	profileARN := fmt.Sprintf("arn:aws:iam::%s:instance-profile/workers/%s", emulatorAccount, name)
	tc := testAccCase(t,
		resource.TestStep{Config: body(true),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("instance_profile_arn"),
					knownvalue.StringExact(profileARN),
				)}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("instance_profile_arn"),
					knownvalue.StringExact(profileARN),
				),
			}},
		resource.TestStep{ // the profile deleted outside Terraform is created again
			PreConfig: func() { deleteInstanceProfile(client, name, name) },
			Config:    body(true),
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(func() error { return profileHasRole(client, name) }),
			}},
		resource.TestStep{Config: body(false),
			ConfigStateChecks: []statecheck.StateCheck{expectRemote(func() error {
				if profileHasRole(client, name) == nil {
					return fmt.Errorf("instance profile %s still exists", name)
				}
				return nil
			})}},
		resource.TestStep{Config: body(true)},
	)
	tc.CheckDestroy = checkRoleGone(client, name)
	resource.ParallelTest(t, tc)
}

// Refreshing an unchanged role costs GetRole, plus one call per optional feature in use.
func TestAccIAMRole_refreshCost(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	plain, full := acctest.RandomName("vbaws-cost"), acctest.RandomName("vbaws-cost")
	attached := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
	)
	config := acctest.ProviderConfigFor(proxy.URL) + fmt.Sprintf(`
resource "vbaws_iam_role" "plain" {
  name                   = %[1]q
  trusted_principal_arns = ["%[3]s"]
}
resource "vbaws_iam_role" "full" {
  name                    = %[2]q
  trusted_principal_arns  = ["%[3]s"]
  managed_policy_arns     = [%[4]q]
  create_instance_profile = true
}`, plain, full, emulatorAccount, attached)
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{
			PreConfig:    proxy.Reset,
			RefreshState: true,
			Check: acctest.CheckCalls(proxy, func(counts map[string]int) error {
				want := map[string]int{"GetRole": 2, "ListAttachedRolePolicies": 1, "GetInstanceProfile": 1}
				delete(counts, "GetCallerIdentity") // made once when the provider is configured, not per resource
				if !maps.Equal(counts, want) {
					return fmt.Errorf("refreshing two roles made calls %v, want %v", counts, want)
				}
				return nil
			}),
		},
	))
}

// A failure after CreateRole leaves the role in state, names the step, and the next apply converges.
func TestAccIAMRole_failureAfterCreateLeavesNoOrphan(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-partial")
	attached := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
	)
	config := roleConfig(acctest.ProviderConfigFor(proxy.URL), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["%s"]
  managed_policy_arns    = [%q]`, name, emulatorAccount, attached))
	tc := testAccCase(t,
		resource.TestStep{
			PreConfig: func() {
				proxy.Inject(
					acctest.Fault{Action: "AttachRolePolicy", Times: 1, Code: "AccessDenied", Message: "not allowed"},
				)
			},
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)saved in state.*attaching policy`),
		},
		resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error { return attachmentsAre(client, name, attached) }),
		}},
	)
	tc.CheckDestroy = checkRoleGone(client, name)
	resource.ParallelTest(t, tc)
}

// Eventual consistency: a just-created trusted role, a role not yet visible to AttachRolePolicy, concurrent
// modification and throttling are all retried.
func TestAccIAMRole_retriesEventualConsistencyAndThrottling(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-retry")
	attached := fixturePolicy(
		t,
		client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
	)
	proxy.Inject(
		acctest.Fault{
			Action:  "CreateRole",
			Times:   2,
			Code:    "MalformedPolicyDocument",
			Message: "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/new\"",
		},
	)
	proxy.Inject(
		acctest.Fault{
			Action:  "AttachRolePolicy",
			Times:   1,
			Code:    "NoSuchEntity",
			Message: "The role with name " + name + " cannot be found.",
			Status:  404,
		},
	)
	proxy.Inject(
		acctest.Fault{
			Action:  "AttachRolePolicy",
			Times:   1,
			Code:    "ConcurrentModification",
			Message: "busy",
			Status:  409,
		},
	)
	proxy.Inject(acctest.Fault{Action: "GetRole", Times: 2, Code: "Throttling", Message: "Rate exceeded"})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: roleConfig(acctest.ProviderConfigFor(proxy.URL), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["%s"]
  managed_policy_arns    = [%q]`, name, emulatorAccount, attached)),
		ConfigStateChecks: []statecheck.StateCheck{
			acctest.ExpectCalls(proxy, func(counts map[string]int) error {
				if counts["CreateRole"] != 3 || counts["AttachRolePolicy"] != 3 {
					return fmt.Errorf("want 3 CreateRole and 3 AttachRolePolicy attempts, saw %v", counts)
				}
				return nil
			}),
			expectRemote(func() error { return attachmentsAre(client, name, attached) }),
		},
	}))
}

// Every rejected principal fails the plan on the attribute, and nothing is written to IAM.
func TestAccIAMRole_invalidPrincipalsFailPlan(t *testing.T) {
	for value, message := range invalidPrincipalCases() {
		t.Run(value, func(t *testing.T) {
			proxy := acctest.NewProxy(t)
			resource.ParallelTest(t, testAccCase(t, resource.TestStep{
				Config: roleConfig(acctest.ProviderConfigFor(proxy.URL), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = [%q]`, acctest.RandomName("vbaws-invalid"), value)),
				ExpectError: regexp.MustCompile(`(?s)trusted_principal_arns.*` + message),
			}))
			if writes := proxy.IAMWrites(); len(writes) > 0 {
				t.Errorf("an invalid principal still wrote to IAM: %v", writes)
			}
		})
	}
}

// A role needs name or name_prefix; without either the plan fails on `name` before any IAM call.
func TestAccIAMRole_missingNameFailsPlan(t *testing.T) {
	proxy := acctest.NewProxy(t)
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: roleConfig(acctest.ProviderConfigFor(proxy.URL), `
  trusted_principal_arns = ["arn:aws:iam::123456789012:role/VeeamImpersonationRole"]`),
		ExpectError: regexp.MustCompile(`(?s)Missing role name.*name_prefix`),
	}))
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("a role without a name still wrote to IAM: %v", writes)
	}
}

func TestAccIAMRole_duplicatePrincipalsFailPlan(t *testing.T) {
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["%[2]s", "arn:aws:iam::%[2]s:root"]`, acctest.RandomName("vbaws-dup"), emulatorAccount)),
		ExpectError: regexp.MustCompile(`(?i)duplicate`),
	}))
}

// A principal unknown at plan time (from another resource) is checked before the first API call instead.
func TestAccIAMRole_unknownPrincipalCheckedBeforeCreate(t *testing.T) {
	proxy := acctest.NewProxy(t)
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfigFor(proxy.URL) + fmt.Sprintf(`
resource "terraform_data" "principal" {
  input = "arn:aws:iam::%s:user/alice"
}
resource "vbaws_iam_role" "test" {
  name                   = %q
  trusted_principal_arns = [terraform_data.principal.output]
}`, emulatorAccount, acctest.RandomName("vbaws-late")),
		ExpectError: regexp.MustCompile(`(?s)Not a role or account principal.*user/alice`),
	}))
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("an invalid principal known only at apply still wrote to IAM: %v", writes)
	}
}
