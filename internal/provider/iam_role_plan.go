package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// Planning vbaws_iam_role: the configuration checks and everything ModifyPlan derives at plan time.

// ValidateConfig requires `name` or `name_prefix`. It reads just those two attributes: the library's
// resourcevalidator.AtLeastOneOf matches path expressions against the whole configuration, which cost about a tenth
// of the provider's CPU in a plan of new roles.
func (r *iamRoleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse,
) {
	var name, prefix types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathRoleName, &name)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathNamePrefix, &prefix)...)
	if !resp.Diagnostics.HasError() && name.IsNull() && prefix.IsNull() {
		resp.Diagnostics.AddAttributeError(pathRoleName, "Missing role name",
			"Set `name`, or `name_prefix` to have a unique name generated from it.")
	}
	resp.Diagnostics.Append(validateTrustWithoutPrincipals(ctx, req.Config)...)
}

// cannotAssumeSummary is the summary of the warning for a role whose trust names no principal of the appliance.
const cannotAssumeSummary = "The Veeam appliance cannot assume this role"

// validateTrustWithoutPrincipals checks a configuration whose trusted_principal_arns is left out or empty: it warns
// on the attribute that the appliance cannot assume the role unless additional_trust_policy lets it in, and fails
// when nothing else would be in the trust policy (IAM rejects a trust policy without statements) or when
// external_id has no statement to go in. It reads the other inputs only then, so that a role with trusted
// principals costs one attribute read.
func validateTrustWithoutPrincipals(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	var trusted, services types.Set
	diags := config.GetAttribute(ctx, pathTrustedPrincipals, &trusted)
	if diags.HasError() || trusted.IsUnknown() || len(trusted.Elements()) > 0 {
		return diags
	}
	var externalID types.String
	var additional PolicyValue
	diags.Append(config.GetAttribute(ctx, pathServicePrincipals, &services)...)
	diags.Append(config.GetAttribute(ctx, pathExternalID, &externalID)...)
	diags.Append(config.GetAttribute(ctx, pathAdditionalTrust, &additional)...)
	if diags.HasError() || services.IsUnknown() || additional.IsUnknown() {
		return diags
	}
	if !externalID.IsNull() {
		diags.AddAttributeError(pathExternalID, "External ID without trusted principals",
			"external_id goes into the statement of trusted_principal_arns, which is empty, so it would be "+
				"ignored. Add the Impersonation role ARN to trusted_principal_arns, or remove external_id.")
		return diags
	}
	if len(services.Elements()) == 0 && !hasStatements(additional) {
		diags.AddAttributeError(pathTrustedPrincipals, "Nobody may assume the role",
			"trusted_principal_arns, service_principals and additional_trust_policy are all empty, so the trust "+
				"policy would have no statement, which IAM rejects. Add the Veeam Impersonation role ARN, such as "+
				"arn:aws:iam::123456789012:role/VeeamImpersonationRole, to trusted_principal_arns.")
		return diags
	}
	if additionalLetsInAppliance(additional) {
		return diags
	}
	diags.AddAttributeWarning(pathTrustedPrincipals, cannotAssumeSummary,
		"trusted_principal_arns names no principal, so only service_principals and the statements of "+
			"additional_trust_policy may assume the role, and Veeam Backup for AWS cannot use it as a backup, "+
			"restore or worker role. That is right for the Impersonation role itself (the appliance's instance "+
			"role) and for service roles such as Lambda or DLM execution roles. For the appliance to assume the "+
			"role, add the Impersonation role ARN, such as arn:aws:iam::123456789012:role/VeeamImpersonationRole "+
			"(not an arn:aws:sts:: form), to trusted_principal_arns, with external_id if the appliance sends one."+
			stsAdvice(additional))
	return diags
}

// stsAdvice names, for the cannot-assume warning, each STS ARN of a role that additional_trust_policy trusts and
// the IAM role ARN to write instead; "" when it names none.
func stsAdvice(additional PolicyValue) string {
	if additional.IsNull() {
		return ""
	}
	doc, err := policy.Parse(additional.ValueString())
	if err != nil {
		return ""
	}
	names := policy.STSRoleNames(doc)
	var advice strings.Builder
	for _, stsARN := range slices.Sorted(maps.Keys(names)) {
		fmt.Fprintf(&advice, " additional_trust_policy names %s, an STS ARN, which IAM does not read as the role; "+
			"write the IAM role ARN %s (with the role's path, if it has one) in trusted_principal_arns instead.",
			stsARN, names[stsARN])
	}
	return advice.String()
}

// additionalLetsInAppliance reports whether additional_trust_policy lets a principal the appliance may be (a role
// or an account that trusted_principal_arns would accept) call sts:AssumeRole, by the decision vbaws_role_check
// makes (policy.LetsInAWSPrincipal), so that the warning appears only when the check would say the same.
func additionalLetsInAppliance(additional PolicyValue) bool {
	if additional.IsNull() {
		return false
	}
	doc, err := policy.Parse(additional.ValueString())
	return err == nil && policy.LetsInAWSPrincipal(doc, trustFilter().AWS)
}

// hasStatements reports whether an additional_trust_policy value holds a statement. A document that does not parse
// counts as having one: its validator reports it.
func hasStatements(additional PolicyValue) bool {
	if additional.IsNull() {
		return false
	}
	doc, err := policy.Parse(additional.ValueString())
	return err != nil || len(doc.Statements) > 0
}

// ModifyPlan makes everything derivable from configuration known at plan time: tags_all and the trust policy always,
// the ARNs when the name and the account are known. It also checks the principals against the provider's partition. It
// returns early for a role whose plan is its state once the trust policy IAM holds means what the configuration renders
// (see trustHeld); it reads only the attributes it derives from and writes only the derived values that differ from the
// plan, because reading or writing the whole model by reflection costs more than everything else the resource does per
// plan.
func (r *iamRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse,
) {
	planTagsAll(ctx, r.tags, req, resp)
	if nothingToDerive(req, func() bool { return r.trustHeld(ctx, req) }) {
		return
	}
	trust, diags := readTrustInputs(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	naming, diags := readRoleNaming(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	prior, diags := readRolePrior(ctx, req.State)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	partition := connectionPartition(r.client)
	if partition != "" {
		resp.Diagnostics.Append(
			checkPrincipalSet(pathTrustedPrincipals, trust.TrustedPrincipalARNs, partition).Errors()...)
	}
	roleARN, profileARN := r.plannedARNs(naming, prior.ARN)
	id, accountID := r.plannedIdentity(iamRoleModel{roleNaming: naming}, prior)
	plannedTrust := plannedTrustPolicy(ctx, trust, prior.AssumeRolePolicy, partition)
	quota, diags := quotaOf(ctx, req.Plan.GetAttribute, pathTrustPolicyQuota, defaultTrustPolicyQuota)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(checkTrustSize(plannedTrust, trust, quota)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathAssumeRolePolicy, plannedTrust)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleARN, roleARN)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathInstanceProfileARN, profileARN)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleID, id)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleAccountID, accountID)...)
}

// trustHeld reports whether the trust policy in the refreshed state, which is what IAM holds, means what the
// planned inputs render. It is the one derived value of a role that changes outside Terraform: the ARNs, id and
// account follow the name and path, which force a replacement, and instance_profile_arn follows
// create_instance_profile, which refresh reads back. The text in state is usually the rendered text itself, so a
// string comparison mostly decides without parsing either document.
func (r *iamRoleResource) trustHeld(ctx context.Context, req resource.ModifyPlanRequest) bool {
	trust, diags := readTrustInputs(ctx, req.Plan)
	var held PolicyValue
	diags.Append(req.State.GetAttribute(ctx, pathAssumeRolePolicy, &held)...)
	return !diags.HasError() && plannedTrustPolicy(ctx, trust, held, connectionPartition(r.client)).Equal(held)
}

func readTrustInputs(ctx context.Context, plan tfsdk.Plan) (roleTrustInputs, diag.Diagnostics) {
	var in roleTrustInputs
	diags := plan.GetAttribute(ctx, pathTrustedPrincipals, &in.TrustedPrincipalARNs)
	diags.Append(plan.GetAttribute(ctx, pathExternalID, &in.ExternalID)...)
	diags.Append(plan.GetAttribute(ctx, pathServicePrincipals, &in.ServicePrincipals)...)
	diags.Append(plan.GetAttribute(ctx, pathAdditionalTrust, &in.AdditionalTrustPolicy)...)
	return in, diags
}

// readRolePrior reads from state the values ModifyPlan keeps: trust policy, ARN, id and account; all null when the
// role is being created.
func readRolePrior(ctx context.Context, state tfsdk.State) (iamRoleModel, diag.Diagnostics) {
	prior := iamRoleModel{ARN: types.StringNull(), ID: types.StringNull(), AccountID: types.StringNull(),
		AssumeRolePolicy: PolicyValue{StringValue: types.StringNull()}}
	var diags diag.Diagnostics
	if state.Raw.IsNull() {
		return prior, diags
	}
	diags.Append(state.GetAttribute(ctx, pathAssumeRolePolicy, &prior.AssumeRolePolicy)...)
	diags.Append(state.GetAttribute(ctx, pathRoleARN, &prior.ARN)...)
	diags.Append(state.GetAttribute(ctx, pathRoleID, &prior.ID)...)
	diags.Append(state.GetAttribute(ctx, pathRoleAccountID, &prior.AccountID)...)
	return prior, diags
}

func readRoleNaming(ctx context.Context, plan tfsdk.Plan) (roleNaming, diag.Diagnostics) {
	var n roleNaming
	diags := plan.GetAttribute(ctx, pathRoleName, &n.Name)
	diags.Append(plan.GetAttribute(ctx, pathRolePath, &n.Path)...)
	diags.Append(plan.GetAttribute(ctx, pathCreateInstanceProfile, &n.CreateInstanceProfile)...)
	return n, diags
}

// setIfChanged writes value at the path of the plan unless the plan already holds it.
func setIfChanged[T attr.Value](ctx context.Context, plan *tfsdk.Plan, at path.Path, value T) diag.Diagnostics {
	var current T
	diags := plan.GetAttribute(ctx, at, &current)
	if diags.HasError() || current.Equal(value) {
		return diags
	}
	return plan.SetAttribute(ctx, at, value)
}

// plannedTrustPolicy renders the trust policy from the planned inputs, keeping the prior text when it means the
// same so that an equivalent document never shows as a change.
func plannedTrustPolicy(ctx context.Context, in roleTrustInputs, prior PolicyValue, partition string) PolicyValue {
	if !in.known() {
		return NewPolicyUnknown()
	}
	doc, diags := in.render(ctx, partition)
	if diags.HasError() {
		return NewPolicyUnknown()
	}
	return prior.keepEquivalent(doc, sameTrust)
}

// plannedARNs keeps the role ARN of state, or builds it; the profile ARN follows create_instance_profile.
func (r *iamRoleResource) plannedARNs(n roleNaming, priorARN types.String) (roleARN, profileARN types.String) {
	if !priorARN.IsNull() && !priorARN.IsUnknown() {
		roleARN = priorARN
	} else {
		roleARN = r.entityARN("role", n.Path, n.Name)
	}
	switch {
	case n.CreateInstanceProfile.IsUnknown():
		profileARN = types.StringUnknown()
	case !n.CreateInstanceProfile.ValueBool():
		profileARN = types.StringNull()
	default:
		profileARN = r.entityARN("instance-profile", n.Path, n.Name)
	}
	return roleARN, profileARN
}

// entityARN builds an IAM ARN, or returns unknown when the account, path or name is not known yet.
func (r *iamRoleResource) entityARN(kind string, entityPath, name types.String) types.String {
	if r.client == nil || r.client.AccountID == "" || entityPath.IsUnknown() || name.IsUnknown() || name.IsNull() {
		return types.StringUnknown()
	}
	return types.StringValue(r.client.ARN(kind, entityPath.ValueString(), name.ValueString()))
}

func (in roleTrustInputs) known() bool {
	return !in.TrustedPrincipalARNs.IsUnknown() && !in.ExternalID.IsUnknown() && !in.ServicePrincipals.IsUnknown() &&
		allElementsKnown(in.TrustedPrincipalARNs) && allElementsKnown(in.ServicePrincipals) &&
		!in.AdditionalTrustPolicy.IsUnknown()
}

// render builds the role's trust policy from known inputs, reporting principal problems on the attribute.
func (in roleTrustInputs) render(ctx context.Context, partition string) (string, diag.Diagnostics) {
	var principals []string
	diags := in.TrustedPrincipalARNs.ElementsAs(ctx, &principals, false)
	spec, more := veeamTrustSpec(ctx, veeamTrustSid, pathTrustedPrincipals, principals, in.ExternalID,
		in.ServicePrincipals, partition)
	diags.Append(more...)
	extra, more := in.additionalTrustStatements()
	diags.Append(more...)
	if diags.HasError() {
		return "", diags
	}
	return policy.MergeTrust(spec, extra).Marshal(), diags
}

// trustPolicy renders the role's trust policy from the model's inputs (see roleTrustInputs.render).
func (m iamRoleModel) trustPolicy(ctx context.Context, partition string) (string, diag.Diagnostics) {
	return m.render(ctx, partition)
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
