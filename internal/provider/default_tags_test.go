package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// withProviderBlocks adds blocks (default_tags, ignore_tags) to the provider block of config.
func withProviderBlocks(config, blocks string) string {
	block := `provider "vbaws" {`
	return strings.Replace(config, block, block+"\n"+blocks+"\n", 1)
}

// defaultTags is a default_tags block with the given tags (HCL map body).
func defaultTags(tags string) string {
	return "  default_tags {\n    tags = { " + tags + " }\n  }"
}

// tagChecks turns want into the checks of an exact map.
func tagChecks(want map[string]string) knownvalue.Check {
	checks := map[string]knownvalue.Check{}
	for k, v := range want {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.MapExact(checks)
}

// tagsEqual compares IAM's tags with want.
func tagsEqual(what string, tags []iamtypes.Tag, want map[string]string) error {
	got := map[string]string{}
	for _, t := range tags {
		got[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	if !maps.Equal(got, want) {
		return fmt.Errorf("%s has tags %v, want %v", what, got, want)
	}
	return nil
}

// roleTagsAre checks in IAM that the role holds exactly want and, when withProfile, that its instance profile holds
// want and the provider's ownership tag.
func roleTagsAre(client *iam.Client, name string, withProfile bool, want map[string]string) error {
	ctx := context.Background()
	out, err := client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	if err := tagsEqual("role "+name, out.Tags, want); err != nil || !withProfile {
		return err
	}
	profile, err := client.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	if err != nil {
		return err
	}
	owned := maps.Clone(want)
	owned[awsclient.ProfileOwnerTagKey] = awsclient.ProfileOwnerTagValue
	return tagsEqual("instance profile "+name, profile.InstanceProfile.Tags, owned)
}

// tagRole sets tags on a role outside Terraform.
func tagRole(t *testing.T, client *iam.Client, name string, tags map[string]string) {
	t.Helper()
	if _, err := client.TagRole(context.Background(), &iam.TagRoleInput{RoleName: aws.String(name),
		Tags: sortedTags(tags)}); err != nil {
		t.Fatal(err)
	}
}

func TestAccDefaultTags_planApplyOverrideAndChange(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-dt")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	config := func(defaults, tags string) string {
		return withProviderBlocks(roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  trusted_principal_arns  = [%q]
  create_instance_profile = true
  tags                    = { %s }`, name, appliance, tags)), defaultTags(defaults))
	}
	step := func(cfg string, action plancheck.ResourceActionType, tags, all map[string]string) resource.TestStep {
		return resource.TestStep{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, action),
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("tags_all"), tagChecks(all)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("tags"), tagChecks(tags)),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("tags_all"), tagChecks(all)),
				// The instance profile gets the role's tags_all when it is created; updates retag the role, as before.
				expectRemote(func() error {
					return roleTagsAre(client, name, action == plancheck.ResourceActionCreate, all)
				}),
			},
		}
	}
	tc := testAccCase(t,
		step(config(`env = "prod", owner = "platform"`, `team = "backup"`), plancheck.ResourceActionCreate,
			map[string]string{"team": "backup"},
			map[string]string{"env": "prod", "owner": "platform", "team": "backup"}),
		// The resource's own tag wins over the default; the framework then checks that the next plan is empty.
		step(config(`env = "prod", owner = "platform"`, `team = "backup", owner = "backup-team"`),
			plancheck.ResourceActionUpdate,
			map[string]string{"team": "backup", "owner": "backup-team"},
			map[string]string{"env": "prod", "owner": "backup-team", "team": "backup"}),
		// A changed default is an in-place update whose plan already shows the final tags.
		step(config(`env = "staging", owner = "platform"`, `team = "backup", owner = "backup-team"`),
			plancheck.ResourceActionUpdate,
			map[string]string{"team": "backup", "owner": "backup-team"},
			map[string]string{"env": "staging", "owner": "backup-team", "team": "backup"}),
		// Dropping the override brings the default back.
		step(config(`env = "staging", owner = "platform"`, `team = "backup"`), plancheck.ResourceActionUpdate,
			map[string]string{"team": "backup"},
			map[string]string{"env": "staging", "owner": "platform", "team": "backup"}),
		resource.TestStep{ResourceName: testRole, ImportState: true, ImportStateId: name, ImportStateVerify: true,
			ImportStateVerifyIgnore: []string{"timeouts"}},
	)
	tc.CheckDestroy = checkRoleGone(client, name)
	resource.ParallelTest(t, tc)
}

func TestAccDefaultTags_driftOfDefaultTagIsRestored(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-dtdrift")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	config := withProviderBlocks(roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = [%q]`, name, appliance)), defaultTags(`env = "prod"`))
	want := map[string]string{"env": "prod"}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("tags"), knownvalue.Null()),
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("tags_all"), tagChecks(want)),
		}},
		// Someone changes the default tag's value in IAM: the plan sets it back, and the plan after is empty.
		resource.TestStep{
			PreConfig: func() { tagRole(t, client, name, map[string]string{"env": "changed"}) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate),
				expectPrior(testRole, "tags_all", equalTo(map[string]any{"env": "changed"})),
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("tags_all"), tagChecks(want)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(func() error { return roleTagsAre(client, name, false, want) }),
			},
		},
	))
}

func TestAccDefaultTags_ignoredKeysAreNeitherWrittenRemovedNorShown(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-dtign")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	config := func(tags string) string {
		return withProviderBlocks(roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = [%q]
  tags                   = { %s }`, name, appliance, tags)), defaultTags(`env = "prod", ext = "mine"`)+`
  ignore_tags {
    keys         = ["ext"]
    key_prefixes = ["aws-backup:"]
  }`)
	}
	foreign := map[string]string{"ext": "theirs", "aws-backup:plan": "daily"}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: config(`team = "backup"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("tags_all"),
					tagChecks(map[string]string{"env": "prod", "team": "backup"})),
			}},
			ConfigStateChecks: []statecheck.StateCheck{expectRemote(func() error {
				return roleTagsAre(client, name, false, map[string]string{"env": "prod", "team": "backup"})
			})},
		},
		// Tags under ignored keys added outside Terraform are no drift, and later updates leave them.
		resource.TestStep{
			PreConfig: func() { tagRole(t, client, name, foreign) },
			Config:    config(`team = "platform"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("tags_all"),
					tagChecks(map[string]string{"env": "prod", "team": "platform"})),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("tags"),
					tagChecks(map[string]string{"team": "platform"})),
				expectRemote(func() error {
					return roleTagsAre(client, name, false, map[string]string{"env": "prod", "team": "platform",
						"ext": "theirs", "aws-backup:plan": "daily"})
				}),
			},
		},
	))
}

func TestAccDefaultTags_unknownDefaultsLeaveTagsAllUnknown(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-dtunk")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	config := withProviderBlocks(roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = [%q]
  tags                   = { team = "backup" }`, name, appliance)), defaultTags(`env = terraform_data.env.output`)) + `
resource "terraform_data" "env" {
  input = "prod"
}
`
	want := map[string]string{"env": "prod", "team": "backup"}
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectUnknownValue(testRole, tfjsonpath.New("tags_all")),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("tags_all"), tagChecks(want)),
			expectRemote(func() error { return roleTagsAre(client, name, false, want) }),
		},
	}))
}

func TestAccDefaultTags_roleTemplate(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-dttpl")
	operations := []string{"repository"}
	arns := templateARNs(name, mustRender(t, operations...))
	config := func(defaults string) string {
		return withProviderBlocks(templateConfig(acctest.ProviderConfig(), name, operations,
			`  tags = { team = "backup", owner = "backup-team" }`), defaultTags(defaults))
	}
	step := func(cfg string, action plancheck.ResourceActionType, all map[string]string) resource.TestStep {
		return resource.TestStep{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("vbaws_role_template.test", action),
				plancheck.ExpectKnownValue("vbaws_role_template.test", tfjsonpath.New("tags_all"), tagChecks(all)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("vbaws_role_template.test", tfjsonpath.New("tags"),
					tagChecks(map[string]string{"team": "backup", "owner": "backup-team"})),
				expectRemote(func() error { return policyUserTagsAre(client, arns, all) }),
			},
		}
	}
	resource.ParallelTest(t, testAccCase(t,
		step(config(`env = "prod", owner = "platform"`), plancheck.ResourceActionCreate,
			map[string]string{"env": "prod", "owner": "backup-team", "team": "backup"}),
		step(config(`env = "staging", owner = "platform"`), plancheck.ResourceActionUpdate,
			map[string]string{"env": "staging", "owner": "backup-team", "team": "backup"}),
	))
}

// policyUserTagsAre checks in IAM that every part holds exactly want besides the provider's own tags.
func policyUserTagsAre(client *iam.Client, arns []string, want map[string]string) error {
	for _, arn := range arns {
		out, err := client.ListPolicyTags(context.Background(), &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
		if err != nil {
			return err
		}
		if err := tagsEqual("policy "+arn, userTags(out.Tags), want); err != nil {
			return err
		}
	}
	return nil
}
