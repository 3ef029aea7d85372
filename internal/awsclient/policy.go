package awsclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// DefaultPolicyDocument returns the decoded document of a managed policy's default version.
func (c *Client) DefaultPolicyDocument(ctx context.Context, policyARN string) (string, error) {
	_, document, err := c.ReadManagedPolicy(ctx, policyARN)
	return document, err
}

// maxPolicyVersions is how many versions IAM keeps of one managed policy.
const maxPolicyVersions = 5

// NewPolicy is the customer managed policy CreatePolicy makes.
type NewPolicy struct {
	Name        string
	Path        string // "/" when empty
	Description *string
	Document    string
	Tags        []iamtypes.Tag
}

func (p NewPolicy) input() *iam.CreatePolicyInput {
	return &iam.CreatePolicyInput{
		PolicyName:     aws.String(p.Name),
		Path:           aws.String(cmp.Or(p.Path, "/")),
		Description:    p.Description,
		PolicyDocument: aws.String(p.Document),
		Tags:           p.Tags,
	}
}

// CreatePolicy creates a customer managed policy idempotently (see Create): a policy a lost attempt made is
// adopted when its path, description, tags and document are the requested ones and it has a single version.
func (c *Client) CreatePolicy(ctx context.Context, p NewPolicy) (*iamtypes.Policy, error) {
	in := p.input()
	name := p.Name
	path := cmp.Or(aws.ToString(in.Path), "/")
	return Create(ctx, c, Creation[*iamtypes.Policy]{
		What: "policy " + name,
		Send: func(ctx context.Context) (*iamtypes.Policy, error) {
			out, err := c.IAM.CreatePolicy(ctx, in, c.RetryUnsentOnly)
			if err != nil {
				return nil, err
			}
			return out.Policy, nil
		},
		Find: func(ctx context.Context) (*iamtypes.Policy, error) { return c.findPolicy(ctx, path, name) },
		Matches: func(p *iamtypes.Policy, since time.Time) error {
			return c.policyMatches(ctx, p, in, since)
		},
	})
}

// findPolicy reads the customer managed policy of that path and name. Without the account ID its ARN is unknown,
// so the policies on the path are listed instead.
func (c *Client) findPolicy(ctx context.Context, path, name string) (*iamtypes.Policy, error) {
	policyARN := c.ARN("policy", path, name)
	if c.AccountID == "" {
		pages := iam.NewListPoliciesPaginator(c.IAM, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal,
			PathPrefix: aws.String(path)})
		policyARN = ""
		for pages.HasMorePages() && policyARN == "" {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, p := range page.Policies {
				if aws.ToString(p.PolicyName) == name && aws.ToString(p.Path) == path {
					policyARN = aws.ToString(p.Arn)
				}
			}
		}
		if policyARN == "" {
			return nil, &iamtypes.NoSuchEntityException{
				Message: aws.String("Policy " + path + name + " was not found."),
			}
		}
	}
	out, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return nil, err
	}
	return out.Policy, nil
}

func (c *Client) policyMatches(
	ctx context.Context,
	p *iamtypes.Policy,
	in *iam.CreatePolicyInput,
	since time.Time,
) error {
	if err := errors.Join(
		differs("path", aws.ToString(p.Path), cmp.Or(aws.ToString(in.Path), "/")),
		differs("description", aws.ToString(p.Description), aws.ToString(in.Description)),
		differs("default version", aws.ToString(p.DefaultVersionId), "v1"),
		differentTags(TagMap(p.Tags), TagMap(in.Tags)),
		createdSince(p.CreateDate, since),
	); err != nil {
		return err
	}
	document, err := c.DefaultPolicyDocument(ctx, aws.ToString(p.Arn))
	if err != nil {
		return err
	}
	return differentPolicy("document", document, aws.ToString(in.PolicyDocument))
}

// SetPolicyDocument makes document the default version of a managed policy, idempotently: a version a lost
// attempt made is found and kept instead of being made twice. When IAM already holds the maximum number of
// versions, it first deletes the oldest version that is not the default, so a policy never has more than five.
func (c *Client) SetPolicyDocument(ctx context.Context, policyARN, document string) error {
	before, err := c.policyVersions(ctx, policyARN)
	if err != nil {
		return err
	}
	if err := c.makeRoomForVersion(ctx, policyARN, before); err != nil {
		return err
	}
	known := make([]string, 0, len(before))
	for _, v := range before {
		known = append(known, aws.ToString(v.VersionId))
	}
	_, err = Create(ctx, c, Creation[*iamtypes.PolicyVersion]{
		What: "a new version of policy " + policyARN,
		Send: func(ctx context.Context) (*iamtypes.PolicyVersion, error) {
			out, err := c.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN),
				PolicyDocument: aws.String(document), SetAsDefault: true}, c.RetryUnsentOnly)
			if err != nil {
				return nil, err
			}
			return out.PolicyVersion, nil
		},
		Find: func(ctx context.Context) (*iamtypes.PolicyVersion, error) { return c.defaultVersion(ctx, policyARN) },
		Matches: func(v *iamtypes.PolicyVersion, _ time.Time) error {
			if slices.Contains(known, aws.ToString(v.VersionId)) {
				return fmt.Errorf("its default version %s is older than this apply", aws.ToString(v.VersionId))
			}
			remote, err := policy.Decode(aws.ToString(v.Document))
			if err != nil {
				return err
			}
			return differentPolicy("default version's document", remote, document)
		},
		Conflict: IsLimitExceeded,
	})
	if err != nil {
		return fmt.Errorf("creating a new version of policy %s: %w", policyARN, err)
	}
	return nil
}

func (c *Client) policyVersions(ctx context.Context, policyARN string) ([]iamtypes.PolicyVersion, error) {
	out, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return nil, fmt.Errorf("listing versions of policy %s: %w", policyARN, err)
	}
	return out.Versions, nil
}

// defaultVersion reads the default version of a policy with its document.
func (c *Client) defaultVersion(ctx context.Context, policyARN string) (*iamtypes.PolicyVersion, error) {
	pol, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return nil, err
	}
	out, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN),
		VersionId: pol.Policy.DefaultVersionId})
	if err != nil {
		return nil, err
	}
	return out.PolicyVersion, nil
}

// makeRoomForVersion deletes the oldest non-default version when the policy has the maximum number of versions.
func (c *Client) makeRoomForVersion(ctx context.Context, policyARN string, versions []iamtypes.PolicyVersion) error {
	if len(versions) < maxPolicyVersions {
		return nil
	}
	oldest := oldestNonDefault(versions)
	if oldest == nil {
		return nil
	}
	_, err := c.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN),
		VersionId: oldest.VersionId})
	if err != nil && !IsNoSuchEntity(err) {
		return fmt.Errorf(
			"deleting version %s of policy %s to make room: %w",
			aws.ToString(oldest.VersionId),
			policyARN,
			err,
		)
	}
	return nil
}

// oldestNonDefault picks the non-default version with the lowest number; IAM numbers versions v1, v2, ... in the
// order they were created, which is safer than creation times that may be equal to the second.
func oldestNonDefault(versions []iamtypes.PolicyVersion) *iamtypes.PolicyVersion {
	var oldest *iamtypes.PolicyVersion
	for i := range versions {
		v := &versions[i]
		if !v.IsDefaultVersion && (oldest == nil || versionNumber(v) < versionNumber(oldest)) {
			oldest = v
		}
	}
	return oldest
}

func versionNumber(v *iamtypes.PolicyVersion) int {
	n, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(v.VersionId), "v"))
	if err != nil {
		return math.MaxInt
	}
	return n
}

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

// LocalPolicies lists the customer managed policies of the account.
func (c *Client) LocalPolicies(ctx context.Context) ([]iamtypes.Policy, error) {
	var policies []iamtypes.Policy
	pages := iam.NewListPoliciesPaginator(c.IAM, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		policies = append(policies, page.Policies...)
	}
	return policies, nil
}

// GetPolicy reads a managed policy, with its tags.
func (c *Client) GetPolicy(ctx context.Context, policyARN string) (*iamtypes.Policy, error) {
	out, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return nil, err
	}
	return out.Policy, nil
}

// TagPolicy sets tags on a managed policy.
func (c *Client) TagPolicy(ctx context.Context, policyARN string, tags []iamtypes.Tag) error {
	_, err := c.IAM.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(policyARN), Tags: tags})
	return err
}

// UntagPolicy removes the tags of the keys from a managed policy.
func (c *Client) UntagPolicy(ctx context.Context, policyARN string, keys []string) error {
	_, err := c.IAM.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(policyARN), TagKeys: keys})
	return err
}
