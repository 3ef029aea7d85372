package provider

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// A role made by Veeam's CloudFormation, or by hand, may already trust the appliance in Sid-less statements.
// vbaws_trust_relationship then writes nothing (its own statements would only repeat what those mean), keeps
// in state what it was asked for as long as the role grants it, and removes nothing on destroy, so that the trust
// policy means after destroy exactly what it meant before the apply.

// applyOrAdopt returns doc with spec's statements added, or, when Sid-less statements already grant what spec
// grants, without them: a statement of ours that a Sid-less one repeats is taken out again.
func applyOrAdopt(doc policy.Document, spec policy.TrustSpec) policy.Document {
	if grantedWithoutSid(doc, spec) {
		return doc.Remove(spec.Sid).Remove(policy.ServicesSid(spec.Sid))
	}
	return policy.ApplyTrust(doc, spec)
}

// grantedWithoutSid reports whether the Sid-less statements of doc grant everything spec grants, in the same way.
func grantedWithoutSid(doc policy.Document, spec policy.TrustSpec) bool {
	var sidless []policy.Statement
	for _, s := range doc.Statements {
		if s.Sid() == "" {
			sidless = append(sidless, s)
		}
	}
	return len(sidless) > 0 && policy.CoversTrust(policy.NewDocument(sidless...), spec, trustFilter())
}

// holdsTrust reports whether the role's trust policy holds what m manages: its statements, or Sid-less ones
// that grant the same (adopted).
func (m trustRelationshipModel) holdsTrust(ctx context.Context, doc policy.Document, partition string) (
	own, adopted bool) {
	if _, found := doc.Find(m.Sid.ValueString()); found {
		return true, false
	}
	spec, diags := m.spec(ctx, partition)
	return false, !diags.HasError() && grantedWithoutSid(doc, spec)
}

// planRoleARN makes role_arn known at plan time: the prior value while role_name stays the same (no call),
// otherwise from one GetRole, which also fails the plan, on role_name, when the role does not exist.
func (r *trustRelationshipResource) planRoleARN(ctx context.Context, plan *trustRelationshipModel,
	state trustRelationshipModel) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case plan.RoleName.IsUnknown() || r.client == nil:
		plan.RoleARN = types.StringUnknown()
		return diags
	case !state.RoleARN.IsNull() && plan.RoleName.Equal(state.RoleName):
		plan.RoleARN = state.RoleARN
		return diags
	}
	name := plan.RoleName.ValueString()
	out, err := r.client.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case awsclient.IsNoSuchEntity(err):
		diags.AddAttributeError(path.Root("role_name"), "Role not found", fmt.Sprintf(
			"Role %s does not exist in account %s, so it cannot gain the Veeam trust statement (reading role %s: %v).",
			name, orUnknown(r.client.AccountID), name, err))
	case err != nil:
		addAWSError(&diags, "Cannot read role "+name, err)
	default:
		plan.RoleARN = types.StringValue(aws.ToString(out.Role.Arn))
	}
	return diags
}
