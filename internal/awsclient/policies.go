package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// RetiredTagKey marks a managed policy that vbaws_role_template no longer needs but could not delete because
// something still had it attached. Whoever detaches its last user deletes it (see DeleteIfRetiredAndUnused).
const RetiredTagKey = "vbaws:retired"

// DeleteManagedPolicy deletes a managed policy with all its non-default versions. A policy that no longer exists
// counts as deleted.
func (c *Client) DeleteManagedPolicy(ctx context.Context, policyARN string) error {
	versions, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	if IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing versions of policy %s: %w", policyARN, err)
	}
	for _, v := range versions.Versions {
		if v.IsDefaultVersion {
			continue
		}
		_, err := c.IAM.DeletePolicyVersion(
			ctx,
			&iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: v.VersionId},
		)
		if err != nil && !IsNoSuchEntity(err) {
			return fmt.Errorf("deleting version %s of policy %s: %w", aws.ToString(v.VersionId), policyARN, err)
		}
	}
	_, err = c.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil && !IsNoSuchEntity(err) {
		return fmt.Errorf("deleting policy %s: %w", policyARN, err)
	}
	return nil
}

// PolicyUsers lists the roles, users and groups a managed policy is attached to, as "role/name" style strings.
func (c *Client) PolicyUsers(ctx context.Context, policyARN string) ([]string, error) {
	var users []string
	pages := iam.NewListEntitiesForPolicyPaginator(
		c.IAM,
		&iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(policyARN)},
	)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing users of policy %s: %w", policyARN, err)
		}
		for _, r := range page.PolicyRoles {
			users = append(users, "role/"+aws.ToString(r.RoleName))
		}
		for _, u := range page.PolicyUsers {
			users = append(users, "user/"+aws.ToString(u.UserName))
		}
		for _, g := range page.PolicyGroups {
			users = append(users, "group/"+aws.ToString(g.GroupName))
		}
	}
	return users, nil
}

// DeleteIfRetiredAndUnused deletes a managed policy that carries the retired tag and has no users left. It
// reports whether it deleted the policy; a policy that is not retired, still used or already gone is left alone.
// Whether a policy is retired is read once per provider process (see retiredCache); a policy that looks retired
// is read again before anything is deleted.
func (c *Client) DeleteIfRetiredAndUnused(ctx context.Context, policyARN string) (bool, error) {
	retired, err := c.retired.lookup(ctx, policyARN, c.readRetired)
	if err != nil || !retired {
		return false, err
	}
	if retired, err = c.readRetired(ctx, policyARN); err != nil {
		return false, err
	}
	if !retired {
		c.retired.remember(policyARN, false)
		return false, nil
	}
	users, err := c.PolicyUsers(ctx, policyARN)
	if err != nil || len(users) > 0 {
		return false, err
	}
	if err := c.DeleteManagedPolicy(ctx, policyARN); err != nil {
		return false, err
	}
	c.retired.remember(policyARN, false)
	return true, nil
}

// IsRetired reports whether a policy's tags mark it retired (RetiredTagKey).
func IsRetired(tags []iamtypes.Tag) bool { return hasTag(tags, RetiredTagKey) }

func hasTag(tags []iamtypes.Tag, key string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return true
		}
	}
	return false
}

// RetireOrDeletePolicy deletes a managed policy nothing uses any more, or, when something still has it attached,
// tags it retired so that whoever detaches its last user deletes it (see DeleteIfRetiredAndUnused). It never
// detaches anything.
func (c *Client) RetireOrDeletePolicy(ctx context.Context, policyARN string) error {
	users, err := c.PolicyUsers(ctx, policyARN)
	if IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(users) == 0 {
		return c.DeleteManagedPolicy(ctx, policyARN)
	}
	_, err = c.IAM.TagPolicy(
		ctx,
		&iam.TagPolicyInput{
			PolicyArn: aws.String(policyARN),
			Tags:      []iamtypes.Tag{{Key: aws.String(RetiredTagKey), Value: aws.String("true")}},
		},
	)
	if err != nil {
		return fmt.Errorf("marking policy %s as retired: %w", policyARN, err)
	}
	c.retired.remember(policyARN, true)
	return nil
}
