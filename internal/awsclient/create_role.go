package awsclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// defaultMaxSessionDuration is what IAM sets when CreateRole names no session duration.
const defaultMaxSessionDuration = 3600

// CreateRole creates a role idempotently (see Create), waiting while IAM does not yet know a trusted principal
// made moments ago.
func (c *Client) CreateRole(ctx context.Context, in *iam.CreateRoleInput) (*iamtypes.Role, error) {
	name := aws.ToString(in.RoleName)
	return Create(ctx, c, Creation[*iamtypes.Role]{
		What: "role " + name,
		Send: func(ctx context.Context) (*iamtypes.Role, error) {
			var out *iam.CreateRoleOutput
			err := RetryPropagation(ctx, func(ctx context.Context) error {
				var err error
				out, err = c.IAM.CreateRole(ctx, in, c.RetryUnsentOnly)
				return err
			})
			if err != nil {
				return nil, err
			}
			return out.Role, nil
		},
		Find:    func(ctx context.Context) (*iamtypes.Role, error) { return c.getRole(ctx, name) },
		Matches: func(role *iamtypes.Role, since time.Time) error { return roleMatches(role, in, since) },
	})
}

func (c *Client) getRole(ctx context.Context, name string) (*iamtypes.Role, error) {
	out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	return out.Role, nil
}

// roleMatches returns nil when role is exactly what in asked for and was created at or after since.
func roleMatches(role *iamtypes.Role, in *iam.CreateRoleInput, since time.Time) error {
	trust, err := policy.Decode(aws.ToString(role.AssumeRolePolicyDocument))
	if err != nil {
		return err
	}
	boundary := ""
	if role.PermissionsBoundary != nil {
		boundary = aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	wantSession := aws.ToInt32(in.MaxSessionDuration)
	if wantSession == 0 {
		wantSession = defaultMaxSessionDuration
	}
	return errors.Join(
		differs("path", aws.ToString(role.Path), orDefault(aws.ToString(in.Path), "/")),
		differentPolicy("trust policy", trust, aws.ToString(in.AssumeRolePolicyDocument)),
		differs("description", aws.ToString(role.Description), aws.ToString(in.Description)),
		differs("max_session_duration", aws.ToInt32(role.MaxSessionDuration), wantSession),
		differs("permissions boundary", boundary, aws.ToString(in.PermissionsBoundary)),
		differentTags(role.Tags, in.Tags),
		createdSince(role.CreateDate, since),
	)
}

func differs[V comparable](what string, have, want V) error {
	if have == want {
		return nil
	}
	return fmt.Errorf("its %s is %v, not %v", what, have, want)
}

func differentPolicy(what, have, want string) error {
	if equivalent, err := policy.Equivalent(have, want); err != nil || !equivalent {
		return fmt.Errorf("its %s differs", what)
	}
	return nil
}

func differentTags(have, want []iamtypes.Tag) error {
	if maps.Equal(tagMap(have), tagMap(want)) {
		return nil
	}
	return fmt.Errorf("its tags are %v, not %v", tagMap(have), tagMap(want))
}

func tagMap(tags []iamtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// CreateRoleInstanceProfile makes sure the instance profile named like the role, on the role's path, exists and
// contains the role, and returns the profile's ARN. An empty profile of that name and path, such as the one left
// behind when the role was deleted out of band, is adopted, and its tags are set to tags. A profile that holds
// another role, or lies on another path, is an error that names it. member reports whether the role is in the
// profile, also when err is not nil; arn is "" when no profile exists.
func (c *Client) CreateRoleInstanceProfile(ctx context.Context, roleName, path string, tags []iamtypes.Tag) (
	profileARN string, member bool, err error) {
	profile, err := Create(ctx, c, Creation[*iamtypes.InstanceProfile]{
		What: "instance profile " + roleName,
		Send: func(ctx context.Context) (*iamtypes.InstanceProfile, error) {
			out, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{
				InstanceProfileName: aws.String(roleName), Path: aws.String(path), Tags: tags}, c.RetryUnsentOnly)
			if err != nil {
				return nil, err
			}
			return out.InstanceProfile, nil
		},
		Find: func(ctx context.Context) (*iamtypes.InstanceProfile, error) {
			return c.getInstanceProfile(ctx, roleName)
		},
		Matches: func(p *iamtypes.InstanceProfile, _ time.Time) error {
			return errors.Join(differs("path", aws.ToString(p.Path), path), holdsOnly(p, roleName))
		},
		AdoptPreexisting: true,
	})
	if err != nil {
		return "", false, err
	}
	profileARN = aws.ToString(profile.Arn)
	if err := c.syncInstanceProfileTags(ctx, profile, tags); err != nil {
		return profileARN, false, err
	}
	if ProfileContains(profile, roleName) {
		return profileARN, true, nil
	}
	err = c.addRoleToInstanceProfile(ctx, roleName)
	return profileARN, err == nil, err
}

func (c *Client) getInstanceProfile(ctx context.Context, name string) (*iamtypes.InstanceProfile, error) {
	out, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	return out.InstanceProfile, nil
}

// holdsOnly returns nil when the profile is empty or holds just roleName.
func holdsOnly(p *iamtypes.InstanceProfile, roleName string) error {
	for _, r := range p.Roles {
		if other := aws.ToString(r.RoleName); other != roleName {
			return fmt.Errorf("it holds role %s", other)
		}
	}
	return nil
}

// ProfileContains reports whether the instance profile holds the role.
func ProfileContains(p *iamtypes.InstanceProfile, roleName string) bool {
	return slices.ContainsFunc(p.Roles, func(r iamtypes.Role) bool { return aws.ToString(r.RoleName) == roleName })
}

// addRoleToInstanceProfile adds the role to the profile of its name, idempotently: IAM answers LimitExceeded when
// a lost attempt already added it, and the profile then holds the role.
func (c *Client) addRoleToInstanceProfile(ctx context.Context, roleName string) error {
	_, err := Create(ctx, c, Creation[*iamtypes.InstanceProfile]{
		What: fmt.Sprintf("the membership of role %s in instance profile %s", roleName, roleName),
		Send: func(ctx context.Context) (*iamtypes.InstanceProfile, error) {
			return nil, RetryPropagation(ctx, func(ctx context.Context) error {
				_, err := c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{
					InstanceProfileName: aws.String(roleName), RoleName: aws.String(roleName)}, c.RetryUnsentOnly)
				return err
			})
		},
		Find: func(ctx context.Context) (*iamtypes.InstanceProfile, error) {
			return c.getInstanceProfile(ctx, roleName)
		},
		Matches: func(p *iamtypes.InstanceProfile, _ time.Time) error {
			if ProfileContains(p, roleName) {
				return nil
			}
			return errors.Join(fmt.Errorf("it does not hold role %s", roleName), holdsOnly(p, roleName))
		},
		Conflict:         IsLimitExceeded,
		AdoptPreexisting: true,
	})
	if err != nil {
		return fmt.Errorf("adding role %s to instance profile %s: %w", roleName, roleName, err)
	}
	return nil
}

// syncInstanceProfileTags gives an adopted profile the tags a new one would have had; a profile that already has
// them costs no call.
func (c *Client) syncInstanceProfileTags(ctx context.Context, p *iamtypes.InstanceProfile, tags []iamtypes.Tag) error {
	have, want := tagMap(p.Tags), tagMap(tags)
	var stale []string
	for key := range have {
		if _, keep := want[key]; !keep {
			stale = append(stale, key)
		}
	}
	name := p.InstanceProfileName
	if len(stale) > 0 {
		_, err := c.IAM.UntagInstanceProfile(
			ctx,
			&iam.UntagInstanceProfileInput{InstanceProfileName: name, TagKeys: stale},
		)
		if err != nil {
			return fmt.Errorf("removing tags from instance profile %s: %w", aws.ToString(name), err)
		}
	}
	if len(tags) > 0 && !maps.Equal(have, want) {
		_, err := c.IAM.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: name, Tags: tags})
		if err != nil {
			return fmt.Errorf("tagging instance profile %s: %w", aws.ToString(name), err)
		}
	}
	return nil
}
