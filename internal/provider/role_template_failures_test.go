package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// failedTemplateUpdateSteps are the steps after a template update that a fault stops part-way: the failed apply,
// a plan without refresh once the fault is gone that must show an in-place update of every part still in state,
// and the apply that finishes the update.
func failedTemplateUpdateSteps(proxy *acctest.Proxy, fault acctest.Fault, config string, parts []string,
	want func() error) []resource.TestStep {
	address := "vbaws_role_template.test"
	return []resource.TestStep{
		{
			PreConfig:   func() { proxy.Inject(fault) },
			Config:      config,
			ExpectError: regexp.MustCompile(`Access denied to iam:` + fault.Action),
		},
		{
			PreConfig:          func() { proxy.ClearFaults() },
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				expectPrior(address, "policy_arns", equalTo(parts)),
			}},
		},
		{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(want),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.NotNull()),
			},
		},
	}
}

// A CreatePolicyVersion denied while a one-part template grows keeps the template in state with its part, the
// next plan is an in-place update, and the apply after it converges.
func TestAccRoleTemplate_deniedVersionKeepsTemplateInState(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-tpl")
	small, grown := mustRender(t, "repository"), mustRender(t, "repository", "ec2_backup")
	config := func(operations ...string) string {
		return templateConfig(acctest.ProviderConfigFor(proxy.URL), name, operations, "")
	}
	denied := acctest.Fault{Action: "CreatePolicyVersion", Code: "AccessDenied", Status: 403,
		Message: "not authorized to perform: iam:CreatePolicyVersion"}
	steps := append([]resource.TestStep{{Config: config("repository")}},
		failedTemplateUpdateSteps(proxy, denied, config("repository", "ec2_backup"), templateARNs(name, small),
			func() error { return partsAre(client, name, grown)(nil) })...)
	tc := testAccCase(t, steps...)
	tc.CheckDestroy = policiesGone(client, func() []string { return templateARNs(name, grown) })
	resource.ParallelTest(t, tc)
}

// A part that fails in the middle of a split template: the template keeps every part in state, and the next plan
// is an in-place update that the following apply completes.
func TestAccRoleTemplate_failedMiddlePartKeepsEveryPart(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-tpl")
	all := mustRender(t, defaultOperations()...)
	arns := templateARNs(name, all)
	if len(arns) < 3 {
		t.Fatalf("fixture assumption broken: the full selection has %d parts, want at least 3", len(arns))
	}
	config := func(stage string) string {
		return templateConfig(acctest.ProviderConfigFor(proxy.URL), name, defaultOperations(),
			fmt.Sprintf("  tags = { stage = %q }", stage))
	}
	denied := acctest.Fault{Action: "TagPolicy", Where: map[string]string{"PolicyArn": arns[1]},
		Code: "AccessDenied", Status: 403, Message: "not authorized to perform: iam:TagPolicy"}
	steps := append([]resource.TestStep{{Config: config("one")}},
		failedTemplateUpdateSteps(proxy, denied, config("two"), arns, func() error {
			return partsAre(client, name, all)(nil)
		})...)
	tc := testAccCase(t, steps...)
	tc.CheckDestroy = policiesGone(client, func() []string { return arns })
	resource.ParallelTest(t, tc)
}
