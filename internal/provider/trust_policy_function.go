package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

var _ function.Function = trustPolicyFunction{}

func newTrustPolicyFunction() function.Function { return trustPolicyFunction{} }

// trustPolicyFunction returns the trust policy vbaws_iam_role writes for the same arguments, rendered by the
// resource's own code (roleTrustInputs.render), so that the two can never differ by a byte.
type trustPolicyFunction struct{}

// trustOptionNames are the attributes the options argument of trust_policy takes.
var trustOptionNames = []string{"external_id", "service_principals", "additional_trust_policy", "partition"}

var pathTrustOptions = path.Root("options")

func (trustPolicyFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "trust_policy"
}

func (trustPolicyFunction) Definition(_ context.Context, _ function.DefinitionRequest,
	resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The trust policy vbaws_iam_role writes for the given principals and options.",
		MarkdownDescription: "Returns the trust policy JSON that `vbaws_iam_role` writes (its `assume_role_policy`) " +
			"for `trusted_principal_arns = principals` and the other trust arguments taken from `options`, byte " +
			"for byte: the resource and the function share one rendering. The arguments are checked as the " +
			"resource checks them while planning, and a value it would refuse fails the call with the same " +
			"message. " + localFunctionNote,
		Parameters: []function.Parameter{
			function.SetParameter{
				Name:        "principals",
				ElementType: types.StringType,
				MarkdownDescription: "Who may assume the role, as `trusted_principal_arns` of `vbaws_iam_role`: the " +
					"Impersonation role ARN, or the appliance's account as a 12-digit ID or root ARN.",
			},
			function.DynamicParameter{
				Name:           "options",
				AllowNullValue: true,
				MarkdownDescription: "An object with any of these attributes, each optional (`{}` or `null` for " +
					"none): `external_id` (string), `service_principals` (list or set of strings) and " +
					"`additional_trust_policy` (a policy document as a JSON string, such as from `jsonencode`), " +
					"as on `vbaws_iam_role`, and `partition`, the AWS partition of the provider configuration " +
					"that creates the role (such as `aws-cn`). With `partition`, principals are checked against " +
					"it and a bare account ID becomes that partition's root ARN, as the resource does; without " +
					"it, principals of any partition are accepted and a bare account ID becomes " +
					"`arn:aws:iam::<ID>:root`. It is a dynamic argument, so that attributes can be left out; " +
					"an attribute not listed here is an error.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (trustPolicyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var principals types.Set
	var options types.Dynamic
	if resp.Error = req.Arguments.Get(ctx, &principals, &options); resp.Error != nil {
		return
	}
	in, partition, funcErr := trustArguments(ctx, principals, options)
	if funcErr != nil {
		resp.Error = funcErr
		return
	}
	doc, diags := in.render(ctx, partition)
	if resp.Error = function.FuncErrorFromDiags(ctx, diags); resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, doc)
}

// trustArguments reads the options and checks the arguments as vbaws_iam_role does while planning: principals
// by the rules of trusted_principal_arns, each option by the validators of its attribute.
func trustArguments(ctx context.Context, principals types.Set, options types.Dynamic) (
	roleTrustInputs, string, *function.FuncError) {
	attributes, err := optionAttributes(options, trustOptionNames)
	if err != nil {
		return roleTrustInputs{}, "", newArgumentError(1, err.Error())
	}
	externalID, errExternalID := optionString(attributes, "external_id")
	services, errServices := optionStringSet(attributes, "service_principals")
	additional, errAdditional := optionString(attributes, "additional_trust_policy")
	partition, errPartition := optionString(attributes, "partition")
	if err := errors.Join(errExternalID, errServices, errAdditional, errPartition); err != nil {
		return roleTrustInputs{}, "", newArgumentError(1, err.Error())
	}
	var optionDiags diag.Diagnostics
	optionDiags.Append(validateString(ctx, pathTrustOptions.AtName("external_id"), externalID,
		externalIDValidators()...)...)
	optionDiags.Append(validateSet(ctx, pathTrustOptions.AtName("service_principals"), services,
		setvalidator.ValueStringsAre(servicePrincipalValidator()))...)
	optionDiags.Append(validateString(ctx, pathTrustOptions.AtName("additional_trust_policy"), additional,
		additionalTrustValidator{})...)
	optionDiags.Append(validateString(ctx, pathTrustOptions.AtName("partition"), partition,
		stringvalidator.OneOf(principal.Partitions...))...)
	if funcErr := argumentError(ctx, 1, optionDiags); funcErr != nil {
		return roleTrustInputs{}, "", funcErr
	}
	principalDiags := validateSet(ctx, path.Root("principals"), principals, setvalidator.SizeAtLeast(1))
	principalDiags.Append(checkPrincipalSet(path.Root("principals"), principals, partition.ValueString())...)
	if funcErr := argumentError(ctx, 0, principalDiags); funcErr != nil {
		return roleTrustInputs{}, "", funcErr
	}
	in := roleTrustInputs{TrustedPrincipalARNs: principals, ExternalID: externalID, ServicePrincipals: services,
		AdditionalTrustPolicy: PolicyValue{StringValue: additional}}
	return in, partition.ValueString(), nil
}
