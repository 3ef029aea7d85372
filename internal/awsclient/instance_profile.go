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
)

// ProfileOwnerTagKey and ProfileOwnerTagValue mark an instance profile this provider created:
// CreateRoleInstanceProfile gives every profile it creates this tag, beside the role's tags, and takes over an
// existing profile only when it carries it (or the caller's state already holds the profile).
const (
	ProfileOwnerTagKey   = "vbaws:created-by"
	ProfileOwnerTagValue = "vbaws_iam_role"
)

// CreateRoleInstanceProfile makes sure the instance profile named like the role, on the role's path, exists and
// contains the role, and returns the profile's ARN. The profile gets tags and the owner tag (ProfileOwnerTagKey).
// An existing empty profile of that name and path is used only when this provider created it: it carries the
// owner tag (such as the one left behind when the role was deleted out of band, or one whose create answer was
// lost), or inState says the caller's state holds it (created or imported earlier); its tags are then set. Any
// other existing profile is an error that quotes it and names import; it is left untouched. member reports
// whether the role is in the profile, also when err is not nil; arn is "" when no profile is used.
func (c *Client) CreateRoleInstanceProfile(ctx context.Context, roleName, path string, tags []iamtypes.Tag,
	inState bool) (profileARN string, member bool, err error) {
	tags = withOwnerTag(tags)
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
			return c.GetInstanceProfile(ctx, roleName)
		},
		Matches: func(p *iamtypes.InstanceProfile, _ time.Time) error {
			if err := errors.Join(differs("path", aws.ToString(p.Path), path), holdsOnly(p, roleName)); err != nil {
				return err
			}
			if inState || ownProfile(p) {
				return nil
			}
			return fmt.Errorf("this provider did not create it: it lacks the tag %s = %s, and it is %s",
				ProfileOwnerTagKey, ProfileOwnerTagValue, describeProfile(p))
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

// withOwnerTag returns tags with the owner tag set, replacing a tag of that key.
func withOwnerTag(tags []iamtypes.Tag) []iamtypes.Tag {
	out := slices.DeleteFunc(slices.Clone(tags), func(t iamtypes.Tag) bool {
		return aws.ToString(t.Key) == ProfileOwnerTagKey
	})
	return append(out, iamtypes.Tag{Key: aws.String(ProfileOwnerTagKey), Value: aws.String(ProfileOwnerTagValue)})
}

// ownProfile reports whether the profile carries the owner tag this provider gives the profiles it creates.
func ownProfile(p *iamtypes.InstanceProfile) bool {
	return TagMap(p.Tags)[ProfileOwnerTagKey] == ProfileOwnerTagValue
}

// describeProfile quotes what exists: the profile's ARN, roles, tags and creation date.
func describeProfile(p *iamtypes.InstanceProfile) string {
	roles := make([]string, 0, len(p.Roles))
	for _, r := range p.Roles {
		roles = append(roles, aws.ToString(r.RoleName))
	}
	return fmt.Sprintf("%s holding roles %v, tagged %v, created %s", aws.ToString(p.Arn), roles, TagMap(p.Tags),
		formatTime(p.CreateDate))
}

// GetInstanceProfile reads an instance profile by name.
func (c *Client) GetInstanceProfile(ctx context.Context, name string) (*iamtypes.InstanceProfile, error) {
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
			return c.GetInstanceProfile(ctx, roleName)
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
	have, want := TagMap(p.Tags), TagMap(tags)
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
		profile, getErr := c.GetInstanceProfile(ctx, profileName)
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

// DeleteInstanceProfile deletes an instance profile, which must hold no role.
func (c *Client) DeleteInstanceProfile(ctx context.Context, name string) error {
	_, err := c.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(name)})
	return err
}
