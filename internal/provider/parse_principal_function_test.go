package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// parsedPrincipalOf calls parse_principal and returns its result as the struct it was set from.
func parsedPrincipalOf(t *testing.T, value string) parsedPrincipal {
	t.Helper()
	result, funcErr := runFunction(t, newParsePrincipalFunction(), types.StringValue(value))
	if funcErr != nil {
		t.Fatalf("parse_principal(%q): %v", value, funcErr)
	}
	var parsed parsedPrincipal
	if diags := result.(types.Object).As(context.Background(), &parsed, basetypes.ObjectAsOptions{}); diags.HasError() {
		t.Fatal(diags)
	}
	return parsed
}

func TestParsePrincipalFunction_parts(t *testing.T) {
	cases := map[string]parsedPrincipal{
		"arn:aws-cn:iam::111111111111:role/veeam/Impersonation": {
			ARN: "arn:aws-cn:iam::111111111111:role/veeam/Impersonation", Partition: "aws-cn",
			AccountID: "111111111111", Kind: "role", Path: types.StringValue("/veeam/"),
			Name: types.StringValue("Impersonation"),
		},
		"222222222222": {ARN: "arn:aws:iam::222222222222:root", Partition: "aws", AccountID: "222222222222",
			Kind: "account_root", Path: types.StringNull(), Name: types.StringNull()},
		"arn:aws:iam::333333333333:root": {ARN: "arn:aws:iam::333333333333:root", Partition: "aws",
			AccountID: "333333333333", Kind: "account_root", Path: types.StringNull(), Name: types.StringNull()},
	}
	for value, want := range cases {
		if got := parsedPrincipalOf(t, value); got != want {
			t.Errorf("parse_principal(%q) = %+v, want %+v", value, got, want)
		}
	}
}

// Every principal the trust resources refuse while planning fails parse_principal with the very message of the
// plan, except one of another partition, which only a provider configuration makes wrong.
func TestParsePrincipalFunction_refusesWithThePlanMessage(t *testing.T) {
	for value, pattern := range invalidPrincipalCases() {
		if strings.HasPrefix(value, "arn:aws-cn:") {
			continue
		}
		_, funcErr := runFunction(t, newParsePrincipalFunction(), types.StringValue(value))
		_, problem := principal.Parse(value, "")
		switch {
		case funcErr == nil || problem == nil:
			t.Errorf("%q: function error %v, plan problem %v", value, funcErr, problem)
		case funcErr.Text != strings.TrimSuffix(problem.Summary+": "+problem.Detail, "."):
			t.Errorf("%q: the function says %q, the plan %q", value, funcErr.Text, problem.Error())
		case !regexp.MustCompile(pattern).MatchString(funcErr.Text):
			t.Errorf("%q: %q does not match %q", value, funcErr.Text, pattern)
		case funcErr.FunctionArgument == nil || *funcErr.FunctionArgument != 0:
			t.Errorf("%q: the error is not on the argument", value)
		}
	}
}

// parse_principal works in a variable's validation: a good value passes, a principal the provider refuses stops
// the plan with the provider's message, and the condition can use the parts.
func TestAccParsePrincipalFunction_inVariableValidation(t *testing.T) {
	configuration := functionConfig() + `
variable "impersonation_role_arn" {
  type = string

  validation {
    condition     = provider::vbaws::parse_principal(var.impersonation_role_arn).kind == "role"
    error_message = "Give the Impersonation role's ARN, not a whole account."
  }
}

output "parsed" {
  value = provider::vbaws::parse_principal(var.impersonation_role_arn)
}
`
	step := func(value string) resource.TestStep {
		return resource.TestStep{Config: configuration,
			ConfigVariables: config.Variables{"impersonation_role_arn": config.StringVariable(value)}}
	}
	good, wildcard, account := step("arn:aws:iam::123456789012:role/veeam/VeeamImpersonationRole"), step("*"),
		step("123456789012")
	good.ConfigStateChecks = []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("parsed",
		knownvalue.ObjectExact(map[string]knownvalue.Check{
			"arn":        knownvalue.StringExact("arn:aws:iam::123456789012:role/veeam/VeeamImpersonationRole"),
			"partition":  knownvalue.StringExact("aws"),
			"account_id": knownvalue.StringExact("123456789012"),
			"kind":       knownvalue.StringExact("role"),
			"path":       knownvalue.StringExact("/veeam/"),
			"name":       knownvalue.StringExact("VeeamImpersonationRole"),
		}))}
	wildcard.ExpectError = regexp.MustCompile(`(?s)Wildcard principal not allowed.*wildcard`)
	account.ExpectError = regexp.MustCompile(`(?s)not a whole account`)
	resource.ParallelTest(t, testAccFunctionCase(t, wildcard, account, good))
}
