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
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// vcbPolicy is an inline policy like the ones Veeam's lab stacks give their roles.
const vcbPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Action":["ec2:DescribeInstances","ec2:CreateSnapshot"],"Resource":"*"}]}`

// cfnRoleConfig is the configuration that matches a role made with cfnWorkerTrust and vcbPolicy, with its
// policies written with jsonencode, as Terraform generates them.
func cfnRoleConfig(provider, name, appliance string) string {
	return roleConfig(provider, fmt.Sprintf(`
  name                    = %q
  trusted_principal_arns  = [%q]
  external_id             = %q
  service_principals      = ["ec2.amazonaws.com"]
  additional_trust_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [%s]
  })
  inline_policies = {
    vcb-policy = jsonencode(%s)
  }`, name, appliance, cfnExternalID, breakGlassStatement, vcbPolicy))
}

func TestAccIAMRole_importCloudFormationRole(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	name := acctest.RandomName("vbaws-cfn")
	fixtureRole(t, client, name, "/", cfnWorkerTrust(appliance), map[string]string{"vcb-policy": vcbPolicy})
	// Import steps use their Config as written, so it names the provider's address itself.
	config := acctest.RequiredProviders() + cfnRoleConfig(acctest.ProviderConfig(), name, appliance)
	resource.ParallelTest(t, testAccCase(t,
		// An import block plans a no-op import: the inputs read from meaning match the configuration.
		resource.TestStep{Config: config, ResourceName: testRole, ImportState: true, ImportStateId: name,
			ImportStateKind: resource.ImportBlockWithID,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("trusted_principal_arns"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(appliance)})),
				plancheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("external_id"),
					knownvalue.StringExact(cfnExternalID),
				),
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("service_principals"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("ec2.amazonaws.com")})),
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("additional_trust_policy"),
					knownvalue.StringRegexp(regexp.MustCompile(`"Sid":"BreakGlass"`))),
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("inline_policies").AtMapKey("vcb-policy"),
					knownvalue.StringRegexp(regexp.MustCompile(`ec2:CreateSnapshot`))),
				plancheck.ExpectKnownValue(
					testRole,
					tfjsonpath.New("account_id"),
					knownvalue.StringExact(emulatorAccount),
				),
			}}},
		// The import command gives the same state, and the plan after it is empty.
		resource.TestStep{Config: config, ResourceName: testRole, ImportState: true, ImportStateId: name,
			ImportStatePersist: true},
		resource.TestStep{Config: config, PlanOnly: true},
		// A change to Veeam's part keeps the break-glass statement.
		resource.TestStep{Config: regexp.MustCompile(`"ec2.amazonaws.com"`).ReplaceAllString(config,
			`"backup.amazonaws.com"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate)}},
			ConfigStateChecks: []statecheck.StateCheck{expectRemote(func() error {
				return trustMeans(t, client, name, appliance, "backup.amazonaws.com")
			})}},
	))
}

// trustMeans checks that the role's trust policy means the CloudFormation trust with service instead of
// ec2.amazonaws.com, the break-glass statement included.
func trustMeans(t *testing.T, client *iam.Client, name, appliance, service string) error {
	want := regexp.MustCompile(`ec2\.amazonaws\.com`).ReplaceAllString(cfnWorkerTrust(appliance), service)
	have := remoteTrust(t, client, name).Marshal()
	if !sameTrust(have, want) {
		return fmt.Errorf("trust policy means something else:\n%s\nwant the meaning of\n%s", have, want)
	}
	return nil
}

// An inline policy added out of band shows as drift when inline_policies is set, also to {}, and apply removes it.
func TestAccIAMRole_inlinePoliciesAreAuthoritative(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-inline")
	body := func(inline string) string {
		return roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["%s"]
  inline_policies        = %s`, name, emulatorAccount, inline))
	}
	grantAll := func() {
		_, err := client.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String(name),
			PolicyName: aws.String("backdoor"), PolicyDocument: aws.String(
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
		if err != nil {
			t.Fatalf("adding an inline policy out of band: %v", err)
		}
	}
	withVCB := body(fmt.Sprintf("{ vcb = %q }", vcbPolicy))
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: body("{}"), ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("inline_policies"), knownvalue.MapSizeExact(0)),
		}},
		resource.TestStep{PreConfig: grantAll, Config: body("{}"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate)}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(func() error { return inlineNamesAre(client, name) }),
			}},
		resource.TestStep{Config: withVCB, ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error { return inlineNamesAre(client, name, "vcb") }),
		}},
		resource.TestStep{PreConfig: grantAll, Config: withVCB,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate)}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(func() error { return inlineNamesAre(client, name, "vcb") }),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("inline_policies"), knownvalue.MapSizeExact(1)),
			}},
	))
}

func inlineNamesAre(client *iam.Client, name string, want ...string) error {
	out, err := client.ListRolePolicies(context.Background(), &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	if fmt.Sprint(out.PolicyNames) != fmt.Sprint(want) {
		return fmt.Errorf("inline policies of %s are %v, want %v", name, out.PolicyNames, want)
	}
	return nil
}

// additional_trust_policy may not reuse the Sids of the generated statements.
func TestAccIAMRole_additionalTrustSidTakenFailsPlan(t *testing.T) {
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = "vbaws-never-created"
  trusted_principal_arns  = ["%s"]
  additional_trust_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = %q, Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })`, emulatorAccount, veeamTrustSid))
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, PlanOnly: true,
		ExpectError: regexp.MustCompile(`Statement ID taken`)}))
}

// The Sid-less CloudFormation trust and the generated one mean the same; a different external ID does not.
func TestSameTrustIgnoresSids(t *testing.T) {
	appliance := "arn:aws:iam::111111111111:role/VeeamImpersonationRoleV1"
	doc, err := policy.Parse(cfnWorkerTrust(appliance))
	if err != nil {
		t.Fatal(err)
	}
	spec, others := policy.ReadTrust(doc, veeamTrustSid, trustFilter())
	generated := policy.MergeTrust(spec, others).Marshal()
	if !sameTrust(generated, cfnWorkerTrust(appliance)) {
		t.Fatalf("generated trust does not mean the CloudFormation trust:\n%s", generated)
	}
	other := regexp.MustCompile(cfnExternalID).ReplaceAllString(cfnWorkerTrust(appliance), "another-id")
	if sameTrust(generated, other) {
		t.Fatal("a different external ID was taken for the same meaning")
	}
}

// A role made with name_prefix imports without a replacement: name_prefix is read back from the name.
func TestAccIAMRole_namePrefixImportsWithoutReplacement(t *testing.T) {
	prefix := acctest.RandomName("vbaws-pfx") + "-"
	// Import steps use their Config as written, so it names the provider's address itself.
	config := acctest.RequiredProviders() + roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name_prefix            = %q
  trusted_principal_arns = ["arn:aws:iam::%s:root"]`, prefix, emulatorAccount))
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("name_prefix"), knownvalue.StringExact(prefix)),
		}},
		resource.TestStep{Config: config, ResourceName: testRole, ImportState: true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateIdFunc: func(s *terraform.State) (string, error) {
				return s.RootModule().Resources[testRole].Primary.ID, nil
			},
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(testRole, tfjsonpath.New("name_prefix"), knownvalue.StringExact(prefix)),
			}}},
	))
}

// terraform plan -generate-config-out writes a valid configuration for roles made elsewhere (by Veeam's
// CloudFormation, and with a name made from a prefix), and the plan after importing them shows no changes.
func TestAccIAMRole_generateConfigOut(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	cfn := acctest.RandomName("vbaws-gen")
	fixtureRole(t, client, cfn, "/", cfnWorkerTrust(appliance), map[string]string{"vcb-policy": vcbPolicy})
	prefixed := acctest.RandomName("vbaws-gen") + "-" + uniqueSuffix()
	fixtureRole(t, client, prefixed, "/veeam/", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}]}`, appliance), nil)
	cli := acctest.NewCLI(t, NewServer("test"))
	cli.WriteConfig(acctest.ProviderConfig() + fmt.Sprintf(`
import {
  to = vbaws_iam_role.cfn
  id = %q
}
import {
  to = vbaws_iam_role.prefixed
  id = %q
}`, cfn, prefixed))
	cli.MustRun("init", "-no-color")
	cli.MustRun("plan", "-no-color", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(cli.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	out := cli.MustRun("plan", "-no-color")
	if !strings.Contains(out, "2 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the generated configuration plans changes:\n%s\n%s", generated, out)
	}
	cli.MustRun("apply", "-no-color", "-auto-approve")
	if code, out := cli.Run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after import is not empty (exit %d):\n%s\n%s", code, generated, out)
	}
	for _, want := range []string{`external_id = "` + cfnExternalID + `"`, `"ec2.amazonaws.com"`, "BreakGlass",
		"vcb-policy", `name_prefix = "` + strings.TrimSuffix(prefixed, prefixed[len(prefixed)-26:]) + `"`} {
		if !strings.Contains(regexp.MustCompile(`\s+`).ReplaceAllString(string(generated), " "),
			regexp.MustCompile(`\s+`).ReplaceAllString(want, " ")) {
			t.Errorf("generated configuration lacks %s:\n%s", want, generated)
		}
	}
}

// id (the name) and account_id are known while planning a create.
func TestAccIAMRole_idAndAccountKnownAtPlan(t *testing.T) {
	name := acctest.RandomName("vbaws-known")
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["arn:aws:iam::%s:role/appliance"]`, name, emulatorAccount)),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionCreate),
			plancheck.ExpectKnownValue(testRole, tfjsonpath.New("id"), knownvalue.StringExact(name)),
			plancheck.ExpectKnownValue(testRole, tfjsonpath.New("account_id"), knownvalue.StringExact(emulatorAccount)),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(
				testRole,
				tfjsonpath.New("account_id"),
				knownvalue.StringExact(emulatorAccount),
			),
		},
	}))
}
