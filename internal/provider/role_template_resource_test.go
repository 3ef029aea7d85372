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
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// templateConfig renders a vbaws_role_template named "test" for operations, with extra lines in its body.
func templateConfig(provider, name string, operations []string, extra string) string {
	return provider + fmt.Sprintf(`
resource "vbaws_role_template" "test" {
  name       = %q
  path       = "/veeam/"
  operations = ["%s"]
%s
}
`, name, strings.Join(operations, `", "`), extra)
}

// mustRender renders a selection of the default version or fails the test.
func mustRender(t *testing.T, operations ...string) template.Template {
	t.Helper()
	tpl, err := template.Render(catalog.DefaultVersion, operations, false)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// templateARNs are the part ARNs a template called name in /veeam/ has for tpl.
func templateARNs(name string, tpl template.Template) []string {
	var arns []string
	for _, part := range template.PartNames(name, len(tpl.Documents)) {
		arns = append(arns, "arn:aws:iam::"+emulatorAccount+":policy/veeam/"+part)
	}
	return arns
}

// partsAre checks in IAM that the template's parts hold exactly the documents of tpl.
func partsAre(client *iam.Client, name string, tpl template.Template) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, arn := range templateARNs(name, tpl) {
			out, err := client.GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
			if err != nil {
				return fmt.Errorf("part %d: %w", i+1, err)
			}
			version, err := client.GetPolicyVersion(
				context.Background(),
				&iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: out.Policy.DefaultVersionId},
			)
			if err != nil {
				return err
			}
			document, _ := policy.Decode(aws.ToString(version.PolicyVersion.Document))
			if equivalent, err := policy.Equivalent(document, tpl.Documents[i]); err != nil || !equivalent {
				return fmt.Errorf("part %s holds another document", arn)
			}
		}
		return nil
	}
}

// policiesGone checks in IAM that none of arns exists.
func policiesGone(client *iam.Client, arns func() []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, arn := range arns() {
			if _, err := client.GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String(arn)}); err == nil {
				return fmt.Errorf("policy %s still exists", arn)
			}
		}
		return nil
	}
}

func exactStrings(values []string) knownvalue.Check {
	return knownvalue.ListExact(stringChecks(values))
}

// Create, import, grow from one part to several, and shrink back; the parts no longer needed are deleted.
func TestAccRoleTemplate_growShrinkAndImport(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-tpl")
	small, all := mustRender(t, "repository"), mustRender(t, catalog.OperationNames()...)
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
			Config: config(catalog.OperationNames()),
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
	all := mustRender(t, catalog.OperationNames()...)
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
			Config: config(catalog.OperationNames()),
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

// The data source computes the documents locally: no IAM call at all.
func TestAccRoleTemplateDocumentDataSource_makesNoIAMCall(t *testing.T) {
	proxy := acctest.NewProxy(t)
	tpl, err := template.Render("11", []string{"ec2_backup", "ec2_restore"}, true)
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: acctest.ProviderConfigFor(proxy.URL) + `
data "vbaws_role_template_document" "test" {
  operations = ["ec2_bakup"]
}`,
			ExpectError: regexp.MustCompile(`(?s)operations.*Did you mean "ec2_backup"`),
		},
		resource.TestStep{
			Config: acctest.ProviderConfigFor(proxy.URL) + `
data "vbaws_role_template_document" "test" {
  operations                     = ["ec2_restore", "ec2_backup"]
  product_version                = "11"
  workers_in_production_accounts = true
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(
					"data.vbaws_role_template_document.test",
					tfjsonpath.New("documents"),
					exactStrings(tpl.Documents),
				),
				statecheck.ExpectKnownValue(
					"data.vbaws_role_template_document.test",
					tfjsonpath.New("actions"),
					knownvalue.SetSizeExact(len(tpl.Actions)),
				),
				statecheck.ExpectKnownValue(
					"data.vbaws_role_template_document.test",
					tfjsonpath.New("requires_instance_profile"),
					knownvalue.Bool(tpl.RequiresInstanceProfile),
				),
				acctest.ExpectCalls(proxy, func(counts map[string]int) error {
					delete(counts, "GetCallerIdentity") // the provider's own configuration, not the data source
					if len(counts) > 0 {
						return fmt.Errorf("the data source made calls: %v", counts)
					}
					return nil
				}),
			},
		},
	))
}

// Refreshing a template costs GetPolicy and GetPolicyVersion per part, and no more.
func TestAccRoleTemplate_refreshCost(t *testing.T) {
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-tpl")
	parts := len(mustRender(t, catalog.OperationNames()...).Documents)
	resource.ParallelTest(t, testAccCase(
		t,
		resource.TestStep{
			Config: templateConfig(acctest.ProviderConfigFor(proxy.URL), name, catalog.OperationNames(), ""),
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
