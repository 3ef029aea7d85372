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
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// checkRoleConfig is a template, a role that attaches its parts when attach is true, and vbaws_check_role
// triggered after the role is created or updated.
func checkRoleConfig(provider, name, appliance string, attach bool) string {
	return checkRoleConfigOnFailure(provider, name, appliance, attach, "")
}

// checkRoleConfigOnFailure is checkRoleConfig with the action_trigger's on_failure set to onFailure (unless empty).
func checkRoleConfigOnFailure(provider, name, appliance string, attach bool, onFailure string) string {
	if onFailure != "" {
		onFailure = "\n      on_failure = " + onFailure
	}
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
      actions = [action.vbaws_check_role.test]%[4]s
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
`, name, appliance, policies, onFailure)
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
			// The problems follow the summary after a colon, or (Terraform 1.16) below it and the source lines.
			ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)Role %s fails Check Permissions\b.*No policy of role\s+`+
				`%s\s+grants`, name, name)),
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

// What action_trigger's on_failure (Terraform 1.16) does with a failing check, as the action's page says: by
// default (halt) the apply fails and stops before what depends on the role; with continue the finding is a warning
// and the apply goes on to the dependents; with taint the apply fails and the new role is tainted, to be replaced
// by the next apply.
func TestAccCheckRoleAction_onFailure(t *testing.T) {
	acctest.RequireCLI(t, acctest.Actions, acctest.ActionOnFailure)
	cases := map[string]struct {
		fails, dependentCreated, tainted bool
	}{
		"":         {fails: true},
		"halt":     {fails: true},
		"continue": {dependentCreated: true},
		"taint":    {fails: true, tainted: true},
	}
	for onFailure, want := range cases {
		t.Run("on_failure="+onFailure, func(t *testing.T) {
			t.Parallel()
			name := acctest.RandomName("vbaws-onfail")
			appliance := fixtureRole(t, acctest.IAMClient(t), acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy,
				map[string]string{"assume": assumeAnyRolePolicy})
			cli := acctest.NewCLI(t, NewServer("test"))
			cli.WriteConfig(checkRoleConfigOnFailure(acctest.ProviderConfig(), name, appliance, false, onFailure) + `
resource "terraform_data" "after_role" {
  input = vbaws_iam_role.test.arn
}
`)
			cli.MustRun("init", "-no-color")
			t.Cleanup(func() { cli.Run("destroy", "-no-color", "-auto-approve") })
			code, out := cli.Run("apply", "-no-color", "-auto-approve")
			finding := regexp.MustCompile(fmt.Sprintf(`(Error|Warning): Role %s fails Check Permissions`, name))
			match := finding.FindStringSubmatch(out)
			wantSeverity := map[bool]string{true: "Error", false: "Warning"}[want.fails]
			if (code != 0) != want.fails || match == nil || match[1] != wantSeverity {
				t.Fatalf("apply exited %d, want failure %v and the finding as %s:\n%s", code, want.fails, wantSeverity,
					out)
			}
			state := cli.State()
			role, dependent := stateResource(state, testRole), stateResource(state, "terraform_data.after_role")
			if role == nil || role.Tainted != want.tainted || (dependent != nil) != want.dependentCreated {
				t.Errorf("state holds role %+v (want tainted %v) and dependent %v (want created %v)", role,
					want.tainted, dependent != nil, want.dependentCreated)
			}
			if _, plan := cli.Run("plan", "-no-color"); want.tainted != strings.Contains(plan,
				testRole+" is tainted, so must be replaced") {
				t.Errorf("the next plan replaces the role: %v, want %v:\n%s", !want.tainted, want.tainted, plan)
			}
		})
	}
}

// stateResource is the resource of state at address, or nil.
func stateResource(state *tfjson.State, address string) *tfjson.StateResource {
	if state.Values == nil {
		return nil
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r
		}
	}
	return nil
}
