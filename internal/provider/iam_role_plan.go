package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// Paths of the attributes vbaws_iam_role's ModifyPlan reads or derives.
var (
	pathRoleName              = path.Root("name")
	pathNamePrefix            = path.Root("name_prefix")
	pathRolePath              = path.Root("path")
	pathExternalID            = path.Root("external_id")
	pathServicePrincipals     = path.Root("service_principals")
	pathCreateInstanceProfile = path.Root("create_instance_profile")
	pathRoleARN               = path.Root("arn")
	pathInstanceProfileARN    = path.Root("instance_profile_arn")
	pathAssumeRolePolicy      = path.Root("assume_role_policy")
	pathRoleID                = path.Root("id")
	pathRoleAccountID         = path.Root("account_id")
)

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
}

// roleTrustInputs are the arguments a role's trust policy is rendered from.
type roleTrustInputs struct {
	TrustedPrincipalARNs  types.Set
	ExternalID            types.String
	ServicePrincipals     types.Set
	AdditionalTrustPolicy PolicyValue
}

// roleNaming are the arguments the role's and its instance profile's ARNs are built from.
type roleNaming struct {
	Name                  types.String
	Path                  types.String
	CreateInstanceProfile types.Bool
}

// ModifyPlan makes everything derivable from configuration known at plan time: the trust policy always, the ARNs
// when the name and the account are known. It also checks the principals against the provider's partition. It
// returns at once for a role whose plan is its state, reads only the attributes it derives from and writes only
// the derived values that differ from the plan, because reading or writing the whole model by reflection costs
// more than everything else the resource does per plan.
func (r *iamRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse,
) {
	if nothingToDerive(req) {
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
	partition := partitionOf(r.client)
	if partition != "" {
		resp.Diagnostics.Append(
			checkPrincipalSet(pathTrustedPrincipals, trust.TrustedPrincipalARNs, partition).Errors()...)
	}
	roleARN, profileARN := r.plannedARNs(naming, prior.ARN)
	id, accountID := r.plannedIdentity(iamRoleModel{Name: naming.Name}, prior)
	plannedTrust := plannedTrustPolicy(ctx, trust, prior.AssumeRolePolicy, partition)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathAssumeRolePolicy, plannedTrust)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleARN, roleARN)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathInstanceProfileARN, profileARN)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleID, id)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleAccountID, accountID)...)
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
	if prior.IsNull() || prior.IsUnknown() {
		return NewPolicyValue(doc)
	}
	if prior.ValueString() == doc || sameTrust(prior.ValueString(), doc) {
		return prior
	}
	return NewPolicyValue(doc)
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
	return types.StringValue(fmt.Sprintf("arn:%s:iam::%s:%s%s%s", r.client.Partition, r.client.AccountID, kind,
		entityPath.ValueString(), name.ValueString()))
}

func (in roleTrustInputs) known() bool {
	return !in.TrustedPrincipalARNs.IsUnknown() && !in.ExternalID.IsUnknown() && !in.ServicePrincipals.IsUnknown() &&
		allElementsKnown(in.TrustedPrincipalARNs) && allElementsKnown(in.ServicePrincipals) &&
		!in.AdditionalTrustPolicy.IsUnknown()
}

// render builds the role's trust policy from known inputs, reporting principal problems on the attribute.
func (in roleTrustInputs) render(ctx context.Context, partition string) (string, diag.Diagnostics) {
	var principals, services []string
	diags := in.TrustedPrincipalARNs.ElementsAs(ctx, &principals, false)
	diags.Append(in.ServicePrincipals.ElementsAs(ctx, &services, false)...)
	arns, more := principalARNs(pathTrustedPrincipals, principals, partition)
	diags.Append(more...)
	extra, more := iamRoleModel{AdditionalTrustPolicy: in.AdditionalTrustPolicy}.additionalTrustStatements()
	diags.Append(more...)
	if diags.HasError() {
		return "", diags
	}
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: arns, ExternalID: in.ExternalID.ValueString(),
		ServicePrincipals: services}
	return policy.MergeTrust(spec, extra).Marshal(), diags
}

// trustPolicy renders the role's trust policy from the model's inputs (see roleTrustInputs.render).
func (m iamRoleModel) trustPolicy(ctx context.Context, partition string) (string, diag.Diagnostics) {
	in := roleTrustInputs{m.TrustedPrincipalARNs, m.ExternalID, m.ServicePrincipals, m.AdditionalTrustPolicy}
	return in.render(ctx, partition)
}
