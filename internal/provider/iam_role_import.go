package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// Adopting roles made elsewhere (Veeam's CloudFormation, the console, another team): vbaws_iam_role reads its
// inputs back from what the trust policy means, never from our Sids, and compares trust policies the same way,
// so that an imported role plans no changes.

var pathAdditionalTrust = path.Root("additional_trust_policy")

// generatedName matches a name made from name_prefix by uniqueSuffix: the prefix, a UTC timestamp and 12 hex
// digits.
var generatedName = regexp.MustCompile(`^(.*)\d{14}[0-9a-f]{12}$`)

// trustFilter accepts the principals trusted_principal_arns and service_principals accept, so that a statement
// is read as Veeam's only when this resource could have written it.
func trustFilter() policy.PrincipalFilter {
	return policy.PrincipalFilter{
		AWS: func(s string) bool {
			_, problem := principal.Parse(s, "")
			return problem == nil
		},
		Service: func(s string) bool { return principal.ValidateServicePrincipal(s) == nil },
	}
}

// sameTrust reports whether two trust policies grant the same, whatever their Sids and however Veeam's part is
// split into statements. Unparsable documents are never the same.
func sameTrust(a, b string) bool {
	same, err := policy.SameTrustMeaning(a, b, trustFilter())
	return err == nil && same
}

// importTrust fills trusted_principal_arns, external_id, service_principals and additional_trust_policy from the
// trust policy of an imported role by what its statements mean, so that a role made by Veeam's CloudFormation
// (Sid-less statements) imports as well as one this resource made.
func (m *iamRoleModel) importTrust(ctx context.Context, trust string) diag.Diagnostics {
	var diags diag.Diagnostics
	doc, err := policy.Parse(trust)
	if err != nil {
		diags.AddError("Cannot parse the role's trust policy", err.Error())
		return diags
	}
	spec, others := policy.ReadTrust(doc, veeamTrustSid, trustFilter())
	m.TrustedPrincipalARNs, diags = types.SetValueFrom(ctx, types.StringType, nonNil(spec.AWSPrincipals))
	m.ExternalID = stringOrNull(aws.String(spec.ExternalID))
	m.ServicePrincipals = setOrNull(types.SetNull(types.StringType), spec.ServicePrincipals)
	m.AdditionalTrustPolicy = PolicyValue{StringValue: types.StringNull()}
	if len(others) > 0 {
		m.AdditionalTrustPolicy = NewPolicyValue(jsonencodeForm(policy.NewDocument(others...).Marshal()))
	}
	return diags
}

// jsonencodeForm rewrites a JSON document the way Terraform's jsonencode writes it: compact, object keys sorted.
// Values read on import get this form, so that a configuration written with jsonencode, as Terraform generates
// it, matches them exactly: Terraform compares configuration and state by text while planning.
func jsonencodeForm(text string) string {
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return text
	}
	out, err := json.Marshal(value)
	if err != nil {
		return text
	}
	return string(out)
}

func nonNil(values []string) []string {
	if values == nil {
		return []string{}
	}
	return values
}

// additionalTrustStatements returns the statements of additional_trust_policy; none when it is null.
func (m iamRoleModel) additionalTrustStatements() ([]policy.Statement, diag.Diagnostics) {
	var diags diag.Diagnostics
	if m.AdditionalTrustPolicy.IsNull() {
		return nil, diags
	}
	doc, err := policy.Parse(m.AdditionalTrustPolicy.ValueString())
	if err != nil {
		diags.AddAttributeError(pathAdditionalTrust, "Invalid additional trust policy", err.Error())
		return nil, diags
	}
	return doc.Statements, diags
}

// readNamePrefix derives name_prefix from a name made from one, so that such a role imports without a
// replacement; other names have none.
func (m *iamRoleModel) readNamePrefix() {
	match := generatedName.FindStringSubmatch(m.Name.ValueString())
	if match == nil || match[1] == "" {
		m.NamePrefix = types.StringNull()
		return
	}
	m.NamePrefix = types.StringValue(match[1])
}

// accountOf returns the account ID of an IAM ARN, or null.
func accountOf(arn types.String) types.String {
	parts := strings.Split(arn.ValueString(), ":")
	if len(parts) < 6 || parts[4] == "" {
		return types.StringNull()
	}
	return types.StringValue(parts[4])
}

// plannedIdentity makes id (the name) and account_id known at plan time whenever the name and the provider's
// account are.
func (r *iamRoleResource) plannedIdentity(plan, state iamRoleModel) (id, accountID types.String) {
	id, accountID = state.ID, state.AccountID
	if id.IsNull() || id.IsUnknown() {
		id = types.StringUnknown()
		if !plan.Name.IsUnknown() && !plan.Name.IsNull() {
			id = plan.Name
		}
	}
	if accountID.IsNull() || accountID.IsUnknown() {
		accountID = types.StringUnknown()
		if r.client != nil && r.client.AccountID != "" {
			accountID = types.StringValue(r.client.AccountID)
		}
	}
	return id, accountID
}

// additionalTrustValidator checks that additional_trust_policy is a policy document whose Sids do not collide
// with the statements this resource writes.
type additionalTrustValidator struct{}

func (additionalTrustValidator) Description(context.Context) string {
	return "a trust policy document whose statements do not use the Sids " + veeamTrustSid + " or " +
		policy.ServicesSid(veeamTrustSid)
}

func (v additionalTrustValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (additionalTrustValidator) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	doc, err := policy.Parse(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid additional trust policy", err.Error())
		return
	}
	for _, sid := range []string{veeamTrustSid, policy.ServicesSid(veeamTrustSid)} {
		if _, taken := doc.Find(sid); taken {
			resp.Diagnostics.AddAttributeError(req.Path, "Statement ID taken", fmt.Sprintf(
				"Sid %s names a statement generated from trusted_principal_arns or service_principals; "+
					"use another Sid or none.", sid))
		}
	}
}

// namePrefixValidator lets name and name_prefix appear together only when name is made from name_prefix, as in a
// configuration Terraform generates on import.
type namePrefixValidator struct{}

func (namePrefixValidator) Description(context.Context) string {
	return "name_prefix may accompany name only when name begins with it and ends with the generated suffix"
}

func (v namePrefixValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (namePrefixValidator) ValidateString(ctx context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if name.IsNull() || name.IsUnknown() {
		return
	}
	match := generatedName.FindStringSubmatch(name.ValueString())
	if match == nil || match[1] != req.ConfigValue.ValueString() {
		resp.Diagnostics.AddAttributeError(req.Path, "Conflicting name and name_prefix", fmt.Sprintf(
			"Set one of them. Both may be set only when name was made from name_prefix (%q followed by a "+
				"timestamp and 12 hex digits), as Terraform writes them for an imported role; got name %q.",
			req.ConfigValue.ValueString(), name.ValueString()))
	}
}

// withAdoptionAttributes adds to the role's schema the attributes that let it adopt what others made: further
// trust statements, inline policies, the account, and the acknowledgement of an account-root principal.
func withAdoptionAttributes(attributes map[string]schema.Attribute) map[string]schema.Attribute {
	attributes["additional_trust_policy"] = schema.StringAttribute{
		Optional:   true,
		CustomType: PolicyType{},
		Validators: []validator.String{additionalTrustValidator{}},
		MarkdownDescription: "Trust statements beyond Veeam's, as a policy document (for example a break-glass " +
			"principal or an OIDC federation), compared by meaning. The trust policy is the statements generated " +
			"from `trusted_principal_arns`, `external_id` and `service_principals`, followed by these. Import fills " +
			"it with the statements that are not Veeam's.",
	}
	attributes["inline_policies"] = schema.MapAttribute{
		Optional:    true,
		ElementType: PolicyType{},
		Validators:  inlinePoliciesValidators(),
		MarkdownDescription: "Inline policies by name, as policy documents compared by meaning. When set (also to " +
			"`{}`), it is authoritative: an inline policy added outside Terraform shows as drift and apply removes " +
			"it. Left out, inline policies are not managed. Import fills it.",
	}
	attributes["account_id"] = schema.StringAttribute{
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		MarkdownDescription: "The role's account; known at plan time when the provider knows its account.",
	}
	attributes["acknowledge_account_root"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Set to `true` to acknowledge that an account root in `trusted_principal_arns` " +
			"trusts the whole account, as in Veeam's \"IAM role from another account\" mode; the warning is then " +
			"silent.",
	}
	return attributes
}
