package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

var _ function.Function = principalProblemFunction{}

func newPrincipalProblemFunction() function.Function { return principalProblemFunction{} }

// principalProblemFunction is the verdict form of parse_principal: it returns the provider's message for a
// principal the trust resources refuse, and null for one they accept, instead of failing. A variable's
// `validation` condition that compares it with null fails as a condition, which `terraform test` can expect with
// `expect_failures`; a function that raises an error cannot be expected that way.
type principalProblemFunction struct{}

func (principalProblemFunction) Metadata(_ context.Context, _ function.MetadataRequest,
	resp *function.MetadataResponse) {
	resp.Name = "principal_problem"
}

func (principalProblemFunction) Definition(_ context.Context, _ function.DefinitionRequest,
	resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Why the provider would refuse a trust principal, or null when it would accept it.",
		MarkdownDescription: "Checks a trust principal by the rules of `parse_principal` (an IAM role ARN, an " +
			"account root ARN or a 12-digit account ID, as `trusted_principal_arns` of `vbaws_iam_role` and " +
			"`principal_arn` of `vbaws_trust_relationship` take it) and returns the provider's own message " +
			"(\"Summary: Detail\") for a principal it refuses, or null for one it accepts. Unlike " +
			"`parse_principal`, it never fails: use it in a variable's `validation` as `condition = " +
			"provider::vbaws::principal_problem(var.x) == null`, with the message in `error_message`, so that a " +
			"bad value fails the validation, which `terraform test` can expect with `expect_failures = [var.x]`. " +
			localFunctionNote,
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "principal",
				MarkdownDescription: "The principal: a role ARN, an account root ARN or a 12-digit account ID.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (principalProblemFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var value string
	if resp.Error = req.Arguments.Get(ctx, &value); resp.Error != nil {
		return
	}
	problem := types.StringNull()
	if _, p := principal.Parse(value, ""); p != nil {
		problem = types.StringValue(p.Error())
	}
	resp.Error = resp.Result.Set(ctx, problem)
}
