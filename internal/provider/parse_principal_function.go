package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

var _ function.Function = parsePrincipalFunction{}

func newParsePrincipalFunction() function.Function { return parsePrincipalFunction{} }

// parsePrincipalFunction splits a trust principal into its parts with the rules of the principal package, which
// every resource applies to trusted principals while planning.
type parsePrincipalFunction struct{}

// parsedPrincipal is the object parse_principal returns.
type parsedPrincipal struct {
	ARN       string       `tfsdk:"arn"`
	Partition string       `tfsdk:"partition"`
	AccountID string       `tfsdk:"account_id"`
	Kind      string       `tfsdk:"kind"`
	Path      types.String `tfsdk:"path"`
	Name      types.String `tfsdk:"name"`
}

// Kinds of principal parse_principal reports.
const (
	principalKindRole        = "role"
	principalKindAccountRoot = "account_root"
)

func (parsePrincipalFunction) Metadata(_ context.Context, _ function.MetadataRequest,
	resp *function.MetadataResponse) {
	resp.Name = "parse_principal"
}

func (parsePrincipalFunction) Definition(_ context.Context, _ function.DefinitionRequest,
	resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The parts of a trust principal, failing for any the provider would refuse.",
		MarkdownDescription: "Parses a trust principal as `trusted_principal_arns` of `vbaws_iam_role` and " +
			"`principal_arn` of `vbaws_trust_relationship` take it: an IAM role ARN, an account root ARN or a " +
			"12-digit account ID. It returns an object with `arn` (the form a trust policy names: the role " +
			"ARN, or `arn:<partition>:iam::<account>:root` for an account), `partition`, `account_id`, `kind` " +
			"(`role` or `account_root`), and `path` and `name` of a role (both null for an account root). " +
			"Anything the provider refuses while planning (wildcards, session ARNs, users, groups, service " +
			"principals, malformed ARNs) fails the call with the provider's own message, so that a variable's " +
			"`validation` can call it and stop a bad value before any resource is planned. An account root is " +
			"accepted, as by the resources, which warn about it. " + localFunctionNote,
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "principal",
				MarkdownDescription: "The principal: a role ARN, an account root ARN or a 12-digit account ID.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: map[string]attr.Type{
			"arn":        types.StringType,
			"partition":  types.StringType,
			"account_id": types.StringType,
			"kind":       types.StringType,
			"path":       types.StringType,
			"name":       types.StringType,
		}},
	}
}

func (parsePrincipalFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var value string
	if resp.Error = req.Arguments.Get(ctx, &value); resp.Error != nil {
		return
	}
	p, problem := principal.Parse(value, "")
	if problem != nil {
		resp.Error = newArgumentError(0, problem.Error())
		return
	}
	parsed := parsedPrincipal{ARN: p.ARN(), Partition: p.Partition, AccountID: p.AccountID,
		Kind: principalKindRole, Path: types.StringValue(p.Path), Name: types.StringValue(p.Name)}
	if p.IsAccountRoot() {
		parsed.Kind, parsed.Path, parsed.Name = principalKindAccountRoot, types.StringNull(), types.StringNull()
	}
	resp.Error = resp.Result.Set(ctx, parsed)
}
