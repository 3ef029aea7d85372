package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// InlinePolicies returns the decoded document of every inline policy of a role, by policy name.
func (c *Client) InlinePolicies(ctx context.Context, roleName string) (map[string]string, error) {
	docs := map[string]string{}
	pages := iam.NewListRolePoliciesPaginator(c.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing inline policies of role %s: %w", roleName, err)
		}
		for _, name := range page.PolicyNames {
			doc, err := c.inlinePolicy(ctx, roleName, name)
			if IsNoSuchEntity(err) {
				continue // deleted between the list and the read
			}
			if err != nil {
				return nil, err
			}
			docs[name] = doc
		}
	}
	return docs, nil
}

func (c *Client) inlinePolicy(ctx context.Context, roleName, name string) (string, error) {
	out, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName),
		PolicyName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("reading inline policy %s of role %s: %w", name, roleName, err)
	}
	return policy.Decode(aws.ToString(out.PolicyDocument))
}

// PutInlinePolicy sets an inline policy of a role. The write is idempotent, so the SDK may resend it.
func (c *Client) PutInlinePolicy(ctx context.Context, roleName, name, document string) error {
	err := RetryPropagation(ctx, func(ctx context.Context) error {
		_, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName),
			PolicyName: aws.String(name), PolicyDocument: aws.String(document)})
		return err
	})
	if err != nil {
		return fmt.Errorf("putting inline policy %s on role %s: %w", name, roleName, err)
	}
	return nil
}

// DeleteInlinePolicy deletes an inline policy of a role; one that is gone counts as deleted.
func (c *Client) DeleteInlinePolicy(ctx context.Context, roleName, name string) error {
	_, err := c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName),
		PolicyName: aws.String(name)})
	if err != nil && !IsNoSuchEntity(err) {
		return fmt.Errorf("deleting inline policy %s of role %s: %w", name, roleName, err)
	}
	return nil
}

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

// InlinePolicyNames lists the names of the inline policies of a role.
func (c *Client) InlinePolicyNames(ctx context.Context, roleName string) ([]string, error) {
	var names []string
	pages := iam.NewListRolePoliciesPaginator(c.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		names = append(names, page.PolicyNames...)
	}
	return names, nil
}
