package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// The managed policy attachments of vbaws_iam_role: managed_policy_arns is authoritative when set.

func (r *iamRoleResource) readAttachments(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	arns, err := r.client.ReadAttachedPolicyARNs(ctx, m.ID.ValueString())
	if err != nil {
		addAWSError(&diags, "Cannot read the role's managed policies", err)
		return diags
	}
	m.ManagedPolicyARNs = setOrNull(m.ManagedPolicyARNs, arns)
	return diags
}

// syncAttachments attaches the wanted policies missing from have and detaches the others. It returns what is
// attached afterwards, also when it fails part of the way. A detached policy that vbaws_role_template retired is
// deleted once nothing uses it.
func (r *iamRoleResource) syncAttachments(ctx context.Context, roleName string, have, want []string) ([]string, error) {
	attached := slices.Clone(have)
	for _, arn := range want {
		if slices.Contains(attached, arn) {
			continue
		}
		if err := r.client.AttachRolePolicy(ctx, roleName, arn); err != nil {
			return attached, fmt.Errorf("attaching policy %s to role %s: %w", arn, roleName, err)
		}
		attached = append(attached, arn)
	}
	for _, arn := range have {
		if slices.Contains(want, arn) {
			continue
		}
		if err := r.detach(ctx, roleName, arn); err != nil {
			return attached, err
		}
		attached = slices.DeleteFunc(attached, func(a string) bool { return a == arn })
	}
	return attached, nil
}

func (r *iamRoleResource) detach(ctx context.Context, roleName, policyARN string) error {
	err := r.client.DetachRolePolicy(ctx, roleName, policyARN)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("detaching policy %s from role %s: %w", policyARN, roleName, err)
	}
	if _, err := r.client.DeleteIfRetiredAndUnused(ctx, policyARN); err != nil {
		return fmt.Errorf("deleting retired policy %s after detaching it: %w", policyARN, err)
	}
	return nil
}
