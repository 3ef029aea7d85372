package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// checkRoleConfig is a template, a role that attaches its parts when attach is true, and vbaws_check_role
// triggered after the role is created or updated.
func checkRoleConfig(provider, name, appliance string, attach bool) string {
	policies := "[]"
	if attach {
		policies = "vbaws_role_template.test.policy_arns"
	}
	return provider + fmt.Sprintf(`
resource "vbaws_role_template" "test" {
  name       = %[1]q
  operations = ["organization_rescan"]
}
resource "vbaws_iam_role" "test" {
  name                    = %[1]q
  trusted_principal_arns  = [%[2]q]
  external_id             = "veeam-7"
  service_principals      = vbaws_role_template.test.service_principals
  managed_policy_arns     = %[3]s
  create_instance_profile = vbaws_role_template.test.requires_instance_profile
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.vbaws_check_role.test]
    }
  }
}
action "vbaws_check_role" "test" {
  config {
    role_name             = %[1]q
    operations            = ["organization_rescan"]
    trusted_principal_arn = %[2]q
    external_id           = "veeam-7"
  }
}
`, name, appliance, policies)
}

// The action runs after the role is created and fails the apply with the data source's problem while the role
// lacks the template's permissions; once the update attaches them, the action that runs after it passes.
func TestAccCheckRoleAction_failsUntilTheRoleHasThePermissions(t *testing.T) {
	acctest.RequireCLI(t, acctest.Actions)
	name := acctest.RandomName("vbaws-action")
	appliance := fixtureRole(t, acctest.IAMClient(t), acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: checkRoleConfig(acctest.ProviderConfig(), name, appliance, false),
			ExpectError: regexp.MustCompile(fmt.Sprintf(`Role %s fails Check Permissions:\s+No policy of role\s+%s\s+`+
				`grants`, name, name)),
		},
		resource.TestStep{
			Config: checkRoleConfig(acctest.ProviderConfig(), name, appliance, true),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("managed_policy_arns"), knownvalue.SetSizeExact(1)),
			},
		},
	))
}

// `terraform apply -invoke` runs the check on demand, without writing to IAM: it passes while the role has the
// permissions and fails with the problems once a part is detached out of band.
func TestAccCheckRoleAction_invoke(t *testing.T) {
	acctest.RequireCLI(t, acctest.Actions)
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-invoke")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	proxy := acctest.NewProxy(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	cli.WriteConfig(checkRoleConfig(acctest.ProviderConfigFor(proxy.URL), name, appliance, true))
	cli.MustRun("init", "-no-color")
	cli.MustRun("apply", "-no-color", "-auto-approve")
	t.Cleanup(func() { cli.Run("destroy", "-no-color", "-auto-approve") })
	invoke := []string{"apply", "-no-color", "-auto-approve", "-invoke=action.vbaws_check_role.test"}
	proxy.Reset()
	if out := cli.MustRun(invoke...); !strings.Contains(out, "passes Check Permissions") {
		t.Errorf("the invoked check does not report that the role passes:\n%s", out)
	}
	if writes := slices.DeleteFunc(proxy.IAMWrites(), isSimulatorCall); len(writes) > 0 {
		t.Errorf("the invoked check wrote to IAM: %v", writes)
	}
	ctx := context.Background()
	attached, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil || len(attached.AttachedPolicies) == 0 {
		t.Fatalf("listing the role's policies: %v (%d attached)", err, len(attached.AttachedPolicies))
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name),
			PolicyArn: p.PolicyArn}); err != nil {
			t.Fatal(err)
		}
	}
	code, out := cli.Run(invoke...)
	want := regexp.MustCompile(fmt.Sprintf(`Role %s fails Check Permissions:\s+No policy of role\s+%s\s`, name, name))
	if code == 0 || !want.MatchString(out) {
		t.Errorf("the invoked check of a role without its permissions exits %d:\n%s", code, out)
	}
}
