package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// RoleIdentityPolicies returns the decoded documents of every inline policy of the role and the default version
// of every managed policy attached to it.
func (c *Client) RoleIdentityPolicies(ctx context.Context, roleName string) ([]string, error) {
	inline, err := c.namedInlinePolicies(ctx, roleName)
	if err != nil {
		return nil, err
	}
	managed, err := c.namedManagedPolicies(ctx, roleName)
	if err != nil {
		return nil, err
	}
	docs := make([]string, 0, len(inline)+len(managed))
	for _, d := range append(inline, managed...) {
		docs = append(docs, d.Text)
	}
	return docs, nil
}

// AttachedPolicyARNs lists the ARNs of the managed policies attached to a role.
func (c *Client) AttachedPolicyARNs(ctx context.Context, roleName string) ([]string, error) {
	var arns []string
	pages := iam.NewListAttachedRolePoliciesPaginator(
		c.IAM,
		&iam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)},
	)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing managed policies attached to role %s: %w", roleName, err)
		}
		for _, p := range page.AttachedPolicies {
			arns = append(arns, aws.ToString(p.PolicyArn))
		}
	}
	return arns, nil
}

// DefaultPolicyDocument returns the decoded document of a managed policy's default version.
func (c *Client) DefaultPolicyDocument(ctx context.Context, policyARN string) (string, error) {
	_, document, err := c.ReadManagedPolicy(ctx, policyARN)
	return document, err
}

// InstanceProfilesForRole lists the instance profiles that contain the role.
func (c *Client) InstanceProfilesForRole(ctx context.Context, roleName string) ([]iamtypes.InstanceProfile, error) {
	var profiles []iamtypes.InstanceProfile
	pages := iam.NewListInstanceProfilesForRolePaginator(
		c.IAM,
		&iam.ListInstanceProfilesForRoleInput{RoleName: aws.String(roleName)},
	)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing instance profiles of role %s: %w", roleName, err)
		}
		profiles = append(profiles, page.InstanceProfiles...)
	}
	return profiles, nil
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile; a role or profile that is already gone,
// or a role no longer in the profile, counts as removed. When the answer is lost, it checks the profile before
// sending again (moto answers a second removal with a 500 rather than NoSuchEntity).
func (c *Client) RemoveRoleFromInstanceProfile(ctx context.Context, profileName, roleName string) error {
	in := &iam.RemoveRoleFromInstanceProfileInput{
		InstanceProfileName: aws.String(profileName),
		RoleName:            aws.String(roleName),
	}
	_, err := c.IAM.RemoveRoleFromInstanceProfile(ctx, in, c.RetryUnsentOnly)
	if MayHaveApplied(err) {
		profile, getErr := c.getInstanceProfile(ctx, profileName)
		if getErr == nil && !ProfileContains(profile, roleName) {
			return nil
		}
		_, err = c.IAM.RemoveRoleFromInstanceProfile(ctx, in)
	}
	if err != nil && !IsNoSuchEntity(err) {
		return fmt.Errorf("removing role %s from instance profile %s: %w", roleName, profileName, err)
	}
	return nil
}
