package provider

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// The instance profile of vbaws_iam_role: one named like the role, on its path, when create_instance_profile is
// true.

// createInstanceProfile makes sure the profile of the role's name and path exists and holds the role. An existing
// empty profile is used only when this provider made it (its owner tag) or state holds it (inState); any other is
// refused and left untouched (see awsclient.CreateRoleInstanceProfile). The model then says what IAM holds:
// create_instance_profile is whether the role is in it, instance_profile_arn is set while the profile exists, so
// that destroy and the next apply find it.
func (r *iamRoleResource) createInstanceProfile(ctx context.Context, m *iamRoleModel, inState bool) error {
	arn, member, err := r.client.CreateRoleInstanceProfile(
		ctx,
		m.ID.ValueString(),
		m.Path.ValueString(),
		iamTags(ctx, m.TagsAll),
		inState,
	)
	m.CreateInstanceProfile = types.BoolValue(member)
	m.InstanceProfileARN = stringOrNull(&arn)
	return err
}

// readInstanceProfile checks that the profile of the role's name and path still exists and contains the role; if
// not, create_instance_profile reads as false so that the plan creates it again. An empty profile this resource
// made keeps its ARN in state, so that the next apply adopts it and destroy deletes it.
func (r *iamRoleResource) readInstanceProfile(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	name := m.ID.ValueString()
	profile, err := r.client.ReadOwnInstanceProfile(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		addAWSError(&diags, "Cannot read the role's instance profile", err)
		return diags
	}
	ours := err == nil && aws.ToString(profile.Path) == m.Path.ValueString()
	switch {
	case ours && awsclient.ProfileContains(profile, name):
		m.CreateInstanceProfile = types.BoolValue(true)
		m.InstanceProfileARN = types.StringValue(aws.ToString(profile.Arn))
	case ours && len(profile.Roles) == 0 && !m.InstanceProfileARN.IsNull():
		m.CreateInstanceProfile = types.BoolValue(false)
	default:
		m.CreateInstanceProfile, m.InstanceProfileARN = types.BoolValue(false), types.StringNull()
	}
	return diags
}

// updateInstanceProfile creates the role's profile, or takes back an empty one state holds, or deletes it (also an
// empty one left in state by a failed create).
func (r *iamRoleResource) updateInstanceProfile(ctx context.Context, plan iamRoleModel, result *iamRoleModel) error {
	want, have := plan.CreateInstanceProfile.ValueBool(), result.CreateInstanceProfile.ValueBool()
	switch {
	case want && !have:
		return r.createInstanceProfile(ctx, result, !result.InstanceProfileARN.IsNull())
	case !want && (have || !result.InstanceProfileARN.IsNull()):
		if err := r.deleteOwnInstanceProfile(ctx, result.ID.ValueString(), result.Path.ValueString()); err != nil {
			return err
		}
		result.CreateInstanceProfile, result.InstanceProfileARN = types.BoolValue(false), types.StringNull()
	}
	return nil
}

// deleteOwnInstanceProfile deletes the profile of the role's name and path when it is empty or holds only the
// role, taking the role out first. A profile that is gone, lies on another path or holds another role is left.
// It finds the profile by name, so it also deletes a profile the role was taken out of by hand or by an
// interrupted destroy.
func (r *iamRoleResource) deleteOwnInstanceProfile(ctx context.Context, name, rolePath string) error {
	profile, err := r.client.GetInstanceProfile(ctx, name)
	if awsclient.IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading instance profile %s: %w", name, err)
	}
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
	err = r.client.DeleteInstanceProfile(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting instance profile %s: %w", name, err)
	}
	return nil
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
