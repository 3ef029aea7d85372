package provider

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// deleteRole deletes the role with as few calls as IAM allows. It first undoes what state says the resource made:
// the instance profile of the role's name and path, the attachments of managed_policy_arns and the policies of
// inline_policies. Then it deletes
// the role; only when IAM answers DeleteConflict (something was added outside Terraform, or state is stale) does
// it list the role's instance profiles, attachments and inline policies, take the role out of them and delete
// again. A plain role costs one call. It never deletes a policy or profile it did not create, except a retired
// template part left with no users.
func (r *iamRoleResource) deleteRole(ctx context.Context, state iamRoleModel) error {
	name, rolePath := state.ID.ValueString(), state.Path.ValueString()
	if state.CreateInstanceProfile.ValueBool() || !state.InstanceProfileARN.IsNull() {
		if err := r.deleteOwnInstanceProfile(ctx, name, rolePath); err != nil {
			return err
		}
	}
	if _, err := r.syncAttachments(ctx, name, stringsOf(ctx, state.ManagedPolicyARNs), nil); err != nil {
		return err
	}
	for policyName := range state.InlinePolicies.Elements() {
		if err := r.deleteInlinePolicy(ctx, name, policyName); err != nil {
			return err
		}
	}
	err := r.deleteRoleOnly(ctx, name)
	if !awsclient.IsDeleteConflict(err) {
		return err
	}
	if err := r.emptyRole(ctx, name); err != nil {
		return err
	}
	return r.deleteRoleOnly(ctx, name)
}

// deleteRoleOnly sends DeleteRole; a role that is already gone counts as deleted.
func (r *iamRoleResource) deleteRoleOnly(ctx context.Context, name string) error {
	_, err := r.client.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting role %s: %w", name, err)
	}
	return nil
}

// emptyRole takes the role out of every instance profile that holds it, detaches every managed policy and
// deletes every inline policy, as IAM requires before it deletes a role.
func (r *iamRoleResource) emptyRole(ctx context.Context, name string) error {
	if err := r.leaveInstanceProfiles(ctx, name); err != nil {
		return err
	}
	attached, err := r.client.AttachedPolicyARNs(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return err
	}
	if _, err := r.syncAttachments(ctx, name, attached, nil); err != nil {
		return err
	}
	return r.deleteInlinePolicies(ctx, name)
}

// leaveInstanceProfiles takes the role out of every profile that still holds it.
func (r *iamRoleResource) leaveInstanceProfiles(ctx context.Context, name string) error {
	profiles, err := r.client.InstanceProfilesForRole(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return err
	}
	for _, p := range profiles {
		if err := r.client.RemoveRoleFromInstanceProfile(ctx, aws.ToString(p.InstanceProfileName), name); err != nil {
			return err
		}
	}
	return nil
}

// deleteOwnInstanceProfile deletes the profile of the role's name and path when it is empty or holds only the
// role, taking the role out first. A profile that is gone, lies on another path or holds another role is left.
// It finds the profile by name, so it also deletes a profile the role was taken out of by hand or by an
// interrupted destroy.
func (r *iamRoleResource) deleteOwnInstanceProfile(ctx context.Context, name, rolePath string) error {
	out, err := r.client.IAM.GetInstanceProfile(
		ctx,
		&iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)},
	)
	if awsclient.IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading instance profile %s: %w", name, err)
	}
	profile := out.InstanceProfile
	for _, role := range profile.Roles {
		if aws.ToString(role.RoleName) != name {
			return nil
		}
	}
	if aws.ToString(profile.Path) != rolePath {
		return nil
	}
	if awsclient.ProfileContains(profile, name) {
		if err := r.client.RemoveRoleFromInstanceProfile(ctx, name, name); err != nil {
			return err
		}
	}
	_, err = r.client.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{
		InstanceProfileName: aws.String(name)})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting instance profile %s: %w", name, err)
	}
	return nil
}

func (r *iamRoleResource) deleteInlinePolicies(ctx context.Context, name string) error {
	out, err := r.client.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if awsclient.IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing inline policies of role %s: %w", name, err)
	}
	for _, policyName := range out.PolicyNames {
		if err := r.deleteInlinePolicy(ctx, name, policyName); err != nil {
			return err
		}
	}
	return nil
}

// deleteInlinePolicy deletes one inline policy of the role; one that is already gone counts as deleted.
func (r *iamRoleResource) deleteInlinePolicy(ctx context.Context, roleName, policyName string) error {
	_, err := r.client.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
		RoleName: aws.String(roleName), PolicyName: aws.String(policyName)})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting inline policy %s of role %s: %w", policyName, roleName, err)
	}
	return nil
}
