package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// Trust principals are checked three times with the same rules from the principal package: by attribute
// validators while planning (values known then, partition not), by ModifyPlan once the provider's partition is
// known, and before any API call for values that were unknown at plan time.

// principalSetValidator checks every known element of a set of trust principals, duplicates after normalisation
// included, and warns about account-root principals.
type principalSetValidator struct{}

func (principalSetValidator) Description(context.Context) string {
	return "IAM role ARNs, account root ARNs or 12-digit account IDs; no wildcards, sessions, users or services"
}

func (v principalSetValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (principalSetValidator) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	diags := checkPrincipalSet(req.Path, req.ConfigValue, "")
	if rootAcknowledged(ctx, req.Config) {
		diags = diags.Errors()
	}
	resp.Diagnostics.Append(diags...)
}

// pathAcknowledgeRoot is the attribute with which a resource acknowledges an account-root principal.
var pathAcknowledgeRoot = path.Root("acknowledge_account_root")

// rootAcknowledged reports whether the configuration sets acknowledge_account_root to true.
func rootAcknowledged(ctx context.Context, config tfsdk.Config) bool {
	var acknowledged types.Bool
	if diags := config.GetAttribute(ctx, pathAcknowledgeRoot, &acknowledged); diags.HasError() {
		return false
	}
	return acknowledged.ValueBool()
}

// rootWarningDetail adds to an account-root warning how to acknowledge it.
func rootWarningDetail(detail string) string {
	return detail + " When the whole account is meant (Veeam's \"IAM role from another account\" mode), set " +
		"acknowledge_account_root = true to silence this warning."
}

// checkPrincipalSet runs principal.ParseList over the known elements of set and reports problems on the element
// paths. partition may be empty when the provider's partition is not known.
func checkPrincipalSet(at path.Path, set types.Set, partition string) diag.Diagnostics {
	var diags diag.Diagnostics
	values, elems := knownStrings(set)
	result := principal.ParseList(values, partition)
	for i, p := range result.Errors {
		diags.AddAttributeError(at.AtSetValue(elems[i]), p.Summary, p.Detail)
	}
	for i, p := range result.Warnings {
		diags.AddAttributeWarning(at.AtSetValue(elems[i]), p.Summary, rootWarningDetail(p.Detail))
	}
	return diags
}

// principalARNs parses fully known principals into the ARNs a trust policy names, reporting any problem on at.
// Callers use it right before an API call, when every value is known.
func principalARNs(at path.Path, values []string, partition string) ([]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	result := principal.ParseList(values, partition)
	for i, p := range result.Errors {
		diags.AddAttributeError(at, p.Summary, values[i]+": "+p.Detail)
	}
	arns := make([]string, 0, len(result.Principals))
	for _, p := range result.Principals {
		arns = append(arns, p.ARN())
	}
	return arns, diags
}

// principalValidator checks one trust principal and warns about an account root.
func principalValidator() validator.String {
	return principalStringValidator{}
}

type principalStringValidator struct{}

func (principalStringValidator) Description(ctx context.Context) string {
	return principalSetValidator{}.Description(ctx)
}

func (v principalStringValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (principalStringValidator) ValidateString(ctx context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	p, problem := principal.Parse(req.ConfigValue.ValueString(), "")
	if problem != nil {
		resp.Diagnostics.AddAttributeError(req.Path, problem.Summary, problem.Detail)
		return
	}
	if warning := principal.RootWarning(p); warning != nil && !rootAcknowledged(ctx, req.Config) {
		resp.Diagnostics.AddAttributeWarning(req.Path, warning.Summary, rootWarningDetail(warning.Detail))
	}
}

// servicePrincipalValidator checks one AWS service principal such as backup.amazonaws.com.
func servicePrincipalValidator() validator.String {
	return ruleValidator{
		description: "an AWS service principal such as backup.amazonaws.com",
		rule:        principal.ValidateServicePrincipal,
	}
}

// sidValidator checks a statement ID: letters and digits only, as IAM requires.
func sidValidator() validator.String {
	return ruleValidator{description: "letters and digits only", rule: func(s string) *principal.Problem {
		if policy.ValidSid(s) {
			return nil
		}
		return &principal.Problem{
			Summary: "Invalid statement ID",
			Detail:  "IAM allows only ASCII letters and digits in a Sid; got " + s + ".",
		}
	}}
}
