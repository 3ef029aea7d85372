package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// teamTrustPolicyChanged is teamTrustPolicy after the other team let Lambda assume the role as well.
var teamTrustPolicyChanged = strings.Replace(
	teamTrustPolicy,
	`{"Service":"ec2.amazonaws.com"}`,
	`{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]}`,
	1,
)

func TestAccTrustRelationship_keepsForeignStatementsThroughLifecycle(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-team")
	fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
	body := func(extra string) string {
		return trustConfig(
			acctest.ProviderConfig(),
			fmt.Sprintf("  role_name = %q\n  principal_arn = %q\n%s", team, appliance, extra),
		)
	}
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}}
	withExternalID := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}, ExternalID: "veeam-1",
		ServicePrincipals: []string{"backup.amazonaws.com"}}
	replaced := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}, ExternalID: "veeam-2"}
	remote := func(spec policy.TrustSpec, sids ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if err := trustStatementIs(t, client, team, spec); err != nil {
				return err
			}
			return othersMeanTeamPolicy(t, client, team, sids...)
		}
	}
	tc := testAccCase(t,
		resource.TestStep{
			Config: body(""),
			Check:  remote(spec, veeamTrustSid),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("vbaws_trust_relationship.test", tfjsonpath.New("id"),
					knownvalue.StringExact(team+"/"+veeamTrustSid)),
				statecheck.ExpectKnownValue("vbaws_trust_relationship.test", tfjsonpath.New("role_arn"),
					knownvalue.StringExact("arn:aws:iam::"+emulatorAccount+":role/"+team)),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(
					"vbaws_trust_relationship.test",
					tfjsonpath.New("statement"),
					knownvalue.NotNull(),
				),
				plancheck.ExpectKnownValue(
					"vbaws_trust_relationship.test",
					tfjsonpath.New("id"),
					knownvalue.StringExact(team+"/"+veeamTrustSid),
				),
			}},
		},
		resource.TestStep{
			ResourceName: "vbaws_trust_relationship.test", ImportState: true, ImportStateVerify: true,
			ImportStateId: team + "/" + veeamTrustSid, ImportStateVerifyIgnore: []string{"timeouts"},
		},
		resource.TestStep{
			Config: body(`  external_id = "veeam-1"
  service_principals = ["backup.amazonaws.com"]`),
			Check: remote(withExternalID, veeamTrustSid),
		},
		resource.TestStep{ // our statement changed outside Terraform: a diff, and apply repairs it
			PreConfig: func() {
				doc := policy.ApplyTrust(
					remoteTrust(t, client, team),
					policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{"arn:aws:iam::111111111111:root"}},
				)
				updateTrust(t, client, team, doc.Marshal())
			},
			Config: body(`  external_id = "veeam-2"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("vbaws_trust_relationship.test", plancheck.ResourceActionUpdate)}},
			Check: remote(replaced, veeamTrustSid),
		},
		resource.TestStep{ // our statement removed outside Terraform: the plan adds it again
			PreConfig: func() {
				doc, _ := policy.RemoveTrust(remoteTrust(t, client, team), veeamTrustSid)
				updateTrust(t, client, team, doc.Marshal())
			},
			Config: body(`  external_id = "veeam-2"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("vbaws_trust_relationship.test", plancheck.ResourceActionCreate)}},
			Check: remote(replaced, veeamTrustSid),
		},
		resource.TestStep{ // foreign statements changing never show as a diff
			PreConfig: func() {
				changed, _ := policy.Parse(teamTrustPolicyChanged)
				appServers, _ := changed.Find("AppServers")
				updateTrust(t, client, team, remoteTrust(t, client, team).Upsert(appServers).Marshal())
			},
			Config:           body(`  external_id = "veeam-2"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	)
	tc.CheckDestroy = func(*terraform.State) error { return othersMean(t, client, team, teamTrustPolicyChanged) }
	resource.ParallelTest(t, tc)
}

// Ten and more relationships on one role in one apply all end up present, and destroy restores the original.
func TestAccTrustRelationship_manyOnOneRole(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-team")
	fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
	var sids []string
	for i := range 12 {
		sids = append(sids, fmt.Sprintf("Veeam%02d", i))
	}
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "vbaws_trust_relationship" "many" {
  count         = %d
  role_name     = %q
  principal_arn = %q
  sid           = format("Veeam%%02d", count.index)
}`, len(sids), team, appliance)
	tc := testAccCase(t, resource.TestStep{
		Config: config,
		Check: func(*terraform.State) error {
			for _, sid := range sids {
				spec := policy.TrustSpec{Sid: sid, AWSPrincipals: []string{appliance}}
				if err := trustStatementIs(t, client, team, spec); err != nil {
					return err
				}
			}
			return othersMeanTeamPolicy(t, client, team, sids...)
		},
	})
	tc.CheckDestroy = func(*terraform.State) error { return othersMeanTeamPolicy(t, client, team) }
	resource.ParallelTest(t, tc)
}

// Another writer replacing the trust policy right after our write is detected by the check that follows, and our
// statement is merged again on top of what that writer wrote.
func TestAccTrustRelationship_concurrentWriterIsDetected(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-team")
	fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
	racer := policy.TrustStatements(
		policy.TrustSpec{Sid: "OtherPipeline", AWSPrincipals: []string{"arn:aws:iam::111111111111:root"}},
	)
	var once sync.Once
	proxy.Before("GetRole", func() {
		if proxy.Count("UpdateAssumeRolePolicy") == 1 {
			once.Do(func() { // the other pipeline read the policy before our write and writes its version now
				doc, _ := policy.Parse(teamTrustPolicy)
				updateTrust(t, client, team, doc.Upsert(racer[0]).Marshal())
			})
		}
	})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: trustConfig(
			acctest.ProviderConfigFor(proxy.URL),
			fmt.Sprintf("  role_name = %q\n  principal_arn = %q", team, appliance),
		),
		Check: func(*terraform.State) error {
			doc := remoteTrust(t, client, team)
			if !acctest.HoldsStatements(doc, racer) {
				return fmt.Errorf("the other writer's statement was lost:\n%s", doc.Marshal())
			}
			if writes := proxy.Count("UpdateAssumeRolePolicy"); writes != 2 {
				return fmt.Errorf("%d trust policy writes, want 2 (the write, and the repeat after the race)", writes)
			}
			return trustStatementIs(
				t,
				client,
				team,
				policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}},
			)
		},
	}))
}

// trustsNobody is the trust policy a role is left with when the statements removed were its last ones.
const trustsNobody = `{"Version":"2012-10-17","Statement":[{"Sid":"` + policy.PlaceholderSid + `","Effect":"Deny",` +
	`"Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`

// A role with a path works; a role that trusts nobody gets our statement in place of the placeholder, and when
// our statement was the only one, destroy leaves a statement that trusts nobody.
func TestAccTrustRelationship_lastStatementLeavesRoleTrustingNobody(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-alone")
	only := policy.NewDocument(
		policy.TrustStatements(policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}})...)
	fixtureRole(t, client, team, "/team/backup/", trustsNobody, nil)
	tc := testAccCase(t, resource.TestStep{
		Config: trustConfig(
			acctest.ProviderConfig(),
			fmt.Sprintf("  role_name = %q\n  principal_arn = %q", team, appliance),
		),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("vbaws_trust_relationship.test", tfjsonpath.New("role_arn"),
				knownvalue.StringExact("arn:aws:iam::"+emulatorAccount+":role/team/backup/"+team)),
			expectRemote(func() error { return trustMeansExactly(t, team, only.Marshal()) }),
		},
	})
	tc.CheckDestroy = func(*terraform.State) error {
		doc := remoteTrust(t, client, team)
		if len(doc.Statements) != 1 || doc.Statements[0].Sid() != policy.PlaceholderSid {
			return fmt.Errorf("after destroy the trust policy is %s, want only the placeholder", doc.Marshal())
		}
		return nil
	}
	resource.ParallelTest(t, tc)
}

// A role deleted outside Terraform drops the resource from state, and planning it again fails with the role's
// name, because a relationship cannot be created on a missing role.
func TestAccTrustRelationship_roleDeletedOutsideTerraform(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-team")
	fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
	config := trustConfig(
		acctest.ProviderConfig(),
		fmt.Sprintf("  role_name = %q\n  principal_arn = %q", team, appliance),
	)
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{
			PreConfig:   func() { deleteFixtureRole(client, team, nil) },
			Config:      config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Role not found.*` + team),
		},
	))
}

// A role that does not exist is an error that names it, and nothing is written.
func TestAccTrustRelationship_missingRole(t *testing.T) {
	proxy := acctest.NewProxy(t)
	missing := acctest.RandomName("vbaws-missing")
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: trustConfig(
			acctest.ProviderConfigFor(proxy.URL),
			fmt.Sprintf("  role_name = %q\n  principal_arn = %q", missing, emulatorAccount),
		),
		ExpectError: regexp.MustCompile(`(?s)reading role ` + missing + `.*NoSuchEntity`),
	}))
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("a missing role still led to writes: %v", writes)
	}
}

// Every rejected principal fails the plan on principal_arn, and nothing is written to IAM.
func TestAccTrustRelationship_invalidPrincipalsFailPlan(t *testing.T) {
	for value, message := range invalidPrincipalCases() {
		t.Run(value, func(t *testing.T) {
			proxy := acctest.NewProxy(t)
			resource.ParallelTest(t, testAccCase(t, resource.TestStep{
				Config: trustConfig(
					acctest.ProviderConfigFor(proxy.URL),
					fmt.Sprintf("  role_name = %q\n  principal_arn = %q",
						acctest.RandomName("vbaws-invalid"), value),
				),
				ExpectError: regexp.MustCompile(`(?s)principal_arn.*` + message),
			}))
			if writes := proxy.IAMWrites(); len(writes) > 0 {
				t.Errorf("an invalid principal still wrote to IAM: %v", writes)
			}
		})
	}
}

func TestAccTrustRelationship_invalidImportID(t *testing.T) {
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		// An import-only step's Config is used as written, so it names the provider's address itself.
		Config: acctest.RequiredProviders() +
			trustConfig(acctest.ProviderConfig(), `  role_name = "r"`+"\n"+`  principal_arn = "123456789012"`),
		ResourceName:  "vbaws_trust_relationship.test",
		ImportState:   true,
		ImportStateId: "no-sid-here",
		ExpectError:   regexp.MustCompile(`Expected <role_name>/<sid>`),
	}))
}

// updateTrust replaces a role's trust policy outside Terraform.
func updateTrust(t *testing.T, client *iam.Client, roleName, document string) {
	t.Helper()
	if _, err := client.UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(roleName), PolicyDocument: aws.String(document)}); err != nil {
		t.Fatalf("updating the trust policy of %s: %v", roleName, err)
	}
}
