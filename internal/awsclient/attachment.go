package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

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

// AttachRolePolicy attaches a managed policy to a role, waiting while IAM does not yet know a policy made moments
// ago. AttachRolePolicy is idempotent, so the SDK may resend it after a lost answer.
func (c *Client) AttachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	return RetryPropagation(ctx, func(ctx context.Context) error {
		_, err := c.IAM.AttachRolePolicy(ctx,
			&iam.AttachRolePolicyInput{RoleName: aws.String(roleName), PolicyArn: aws.String(policyARN)})
		return err
	})
}

// DetachRolePolicy detaches a managed policy from a role.
func (c *Client) DetachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	_, err := c.IAM.DetachRolePolicy(ctx,
		&iam.DetachRolePolicyInput{RoleName: aws.String(roleName), PolicyArn: aws.String(policyARN)})
	return err
}
