package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
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
)

// Create, import, grow from one part to several, and shrink back; the parts no longer needed are deleted.
func TestAccRoleTemplate_growShrinkAndImport(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-tpl")
	small, all := mustRender(t, "repository"), mustRender(t, defaultOperations()...)
	if len(small.Documents) != 1 || len(all.Documents) < 2 {
		t.Fatalf("fixture assumption broken: %d and %d parts", len(small.Documents), len(all.Documents))
	}
	config := func(operations []string) string {
		return templateConfig(acctest.ProviderConfig(), name, operations, `  tags = { team = "backup" }`)
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: config([]string{"repository"}),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(
					"vbaws_role_template.test",
					tfjsonpath.New("policy_arns"),
					exactStrings(templateARNs(name, small)),
				),
				plancheck.ExpectKnownValue(
					"vbaws_role_template.test",
					tfjsonpath.New("requires_instance_profile"),
					knownvalue.Bool(false),
				),
			}},
			Check: partsAre(client, name, small),
		},
		resource.TestStep{
			ResourceName: "vbaws_role_template.test", ImportState: true, ImportStateVerify: true, ImportStateId: name,
		},
		resource.TestStep{
			Config: config(defaultOperations()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(
					"vbaws_role_template.test",
					tfjsonpath.New("policy_arns"),
					exactStrings(templateARNs(name, all)),
				),
			},
			Check: resource.ComposeTestCheckFunc(partsAre(client, name, all),
				policiesGone(client, func() []string { return templateARNs(name, small) })),
		},
		resource.TestStep{
			ResourceName: "vbaws_role_template.test", ImportState: true, ImportStateVerify: true, ImportStateId: name,
		},
		resource.TestStep{
			Config: config([]string{"repository"}),
			Check: resource.ComposeTestCheckFunc(partsAre(client, name, small),
				policiesGone(client, func() []string { return templateARNs(name, all) })),
		},
	))
}

// More than five updates: the oldest non-default version makes room each time, so no policy holds more than five.
func TestAccRoleTemplate_manyUpdatesKeepFiveVersions(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-tpl")
	selections := [][]string{
		{"repository"},
		{"ec2_backup"},
		{"ec2_restore"},
		{"rds_snapshot"},
		{"efs_backup"},
		{"dynamodb_backup"},
		{"fsx_backup"},
	}
	var steps []resource.TestStep
	for _, operations := range selections {
		steps = append(steps, resource.TestStep{
			Config: templateConfig(acctest.ProviderConfig(), name, operations, ""),
			Check:  partsAre(client, name, mustRender(t, operations...)),
		})
	}
	steps[len(steps)-1].Check = resource.ComposeTestCheckFunc(steps[len(steps)-1].Check, func(*terraform.State) error {
		versions, err := client.ListPolicyVersions(context.Background(), &iam.ListPolicyVersionsInput{
			PolicyArn: aws.String("arn:aws:iam::" + emulatorAccount + ":policy/veeam/" + name)})
		if err != nil {
			return err
		}
		if n := len(versions.Versions); n != 5 {
			return fmt.Errorf("the policy holds %d versions after %d updates, want 5", n, len(selections)-1)
		}
		return nil
	})
	resource.ParallelTest(t, testAccCase(t, steps...))
}

// Shrinking while a role of the same configuration uses the obsolete parts converges in one apply.
func TestAccRoleTemplate_shrinkWhileAttachedConvergesInOneApply(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	name := acctest.RandomName("vbaws-tpl")
	all := mustRender(t, defaultOperations()...)
	config := func(operations []string) string {
		return templateConfig(acctest.ProviderConfig(), name, operations, "") + fmt.Sprintf(`
resource "vbaws_iam_role" "test" {
  name                    = %q
  trusted_principal_arns  = [%q]
  managed_policy_arns     = vbaws_role_template.test.policy_arns
  service_principals      = vbaws_role_template.test.service_principals
  create_instance_profile = vbaws_role_template.test.requires_instance_profile
}`, name, appliance)
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: config(defaultOperations()),
			Check:  func(*terraform.State) error { return attachmentsAre(client, name, templateARNs(name, all)...) },
		},
		resource.TestStep{
			Config: config([]string{"repository"}),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				func(*terraform.State) error {
					return attachmentsAre(client, name, templateARNs(name, mustRender(t, "repository"))...)
				},
				policiesGone(client, func() []string { return templateARNs(name, all) })),
		},
	))
}

// Destroy is refused, with the users named, while a role outside the configuration uses a part.
func TestAccRoleTemplate_deleteRefusedWhileForeignRoleUsesPart(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-tpl")
	foreign := acctest.RandomName("vbaws-foreign")
	fixtureRole(t, client, foreign, "/", ec2TrustPolicy, nil)
	part := templateARNs(name, mustRender(t, "repository"))[0]
	config := templateConfig(acctest.ProviderConfig(), name, []string{"repository"}, "")
	attach := func(*terraform.State) error {
		_, err := client.AttachRolePolicy(
			context.Background(),
			&iam.AttachRolePolicyInput{RoleName: aws.String(foreign), PolicyArn: aws.String(part)},
		)
		return err
	}
	resource.ParallelTest(t, testAccCase(
		t,
		resource.TestStep{Config: config, Check: attach},
		resource.TestStep{
			Config:      config,
			Destroy:     true,
			ExpectError: regexp.MustCompile(`(?s)still in use.*role/` + foreign),
		},
		resource.TestStep{
			PreConfig: func() {
				if _, err := client.DetachRolePolicy(context.Background(), &iam.DetachRolePolicyInput{
					RoleName:  aws.String(foreign),
					PolicyArn: aws.String(part),
				}); err != nil {
					t.Fatalf("detaching: %v", err)
				}
			},
			Config: config,
			Check:  partsAre(client, name, mustRender(t, "repository")),
		},
	))
}

func TestAccRoleTemplate_invalidOperationFailsPlan(t *testing.T) {
	proxy := acctest.NewProxy(t)
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: templateConfig(
			acctest.ProviderConfigFor(proxy.URL),
			acctest.RandomName("vbaws-tpl"),
			[]string{"ec2_bakup"},
			"",
		),
		ExpectError: regexp.MustCompile(`(?s)operations.*Did you mean "ec2_backup"`),
	}))
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("an invalid operation still wrote to IAM: %v", writes)
	}
}

// Refreshing a template costs GetPolicy and GetPolicyVersion per part, and no more.
func TestAccRoleTemplate_refreshCost(t *testing.T) {
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-tpl")
	parts := len(mustRender(t, defaultOperations()...).Documents)
	resource.ParallelTest(t, testAccCase(
		t,
		resource.TestStep{
			Config: templateConfig(acctest.ProviderConfigFor(proxy.URL), name, defaultOperations(), ""),
		},
		resource.TestStep{
			PreConfig:    proxy.Reset,
			RefreshState: true,
			Check: acctest.CheckCalls(proxy, func(counts map[string]int) error {
				want := map[string]int{"GetPolicy": parts, "GetPolicyVersion": parts}
				delete(counts, "GetCallerIdentity") // made once when the provider is configured, not per resource
				if !maps.Equal(counts, want) {
					return fmt.Errorf("refreshing a template of %d parts made calls %v, want %v", parts, counts, want)
				}
				return nil
			}),
		},
	))
}

// A policy this provider did not create has no selection tags, so import explains why it cannot be imported.
func TestAccRoleTemplate_importWithoutTagsFails(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-handmade")
	out, err := client.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String(name),
		PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
		)})
	if err != nil {
		t.Fatalf("creating policy: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeletePolicy(context.Background(), &iam.DeletePolicyInput{PolicyArn: out.Policy.Arn})
	})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		// An import-only step's Config is used as written, so it names the provider's address itself.
		Config: acctest.RequiredProviders() +
			templateConfig(acctest.ProviderConfig(), name, []string{"repository"}, ""),
		ResourceName:  "vbaws_role_template.test",
		ImportState:   true,
		ImportStateId: name,
		ExpectError: regexp.MustCompile(
			`(?s)no vbaws:product-version tag.*Only templates created by vbaws_role_template`,
		),
	}))
}
