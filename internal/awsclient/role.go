package awsclient

import (
	"cmp"
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

// RoleSettings is everything a role carries besides its name and its trust policy: what CreateRole sets, what
// adoption after a lost answer compares, what UpdateRoleSettings changes and what ReadRole (from GetRole or from
// the account snapshot) returns. A new role attribute is a field here, filled in SettingsOf, sent in
// createInput and changed in UpdateRoleSettings; TestAccRoleSettings_snapshotFillsWhatGetRoleFills fails until
// the snapshot fills it too.
type RoleSettings struct {
	Path                string            // "/" when empty
	Description         string            // "" for none
	MaxSessionDuration  int32             // IAM's default, 3600, when 0
	PermissionsBoundary string            // the boundary policy's ARN, "" for none
	Tags                map[string]string // nil or empty for none
}

// SettingsOf returns the settings a role, as GetRole describes it, has.
func SettingsOf(role *iamtypes.Role) RoleSettings {
	s := RoleSettings{
		Path:               aws.ToString(role.Path),
		Description:        aws.ToString(role.Description),
		MaxSessionDuration: aws.ToInt32(role.MaxSessionDuration),
		Tags:               TagMap(role.Tags),
	}
	if role.PermissionsBoundary != nil {
		s.PermissionsBoundary = aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	return s
}

// withDefaults fills what IAM fills when CreateRole leaves it out: the path "/" and a session of one hour.
func (s RoleSettings) withDefaults() RoleSettings {
	s.Path = cmp.Or(s.Path, "/")
	if s.MaxSessionDuration == 0 {
		s.MaxSessionDuration = defaultMaxSessionDuration
	}
	return s
}

// differences says how have differs from s, or returns nil when it does not.
func (s RoleSettings) differences(have RoleSettings) error {
	want := s.withDefaults()
	return errors.Join(
		differs("path", have.Path, want.Path),
		differs("description", have.Description, want.Description),
		differs("max_session_duration", have.MaxSessionDuration, want.MaxSessionDuration),
		differs("permissions boundary", have.PermissionsBoundary, want.PermissionsBoundary),
		differentTags(have.Tags, want.Tags),
	)
}

// NewRole is the role CreateRole makes.
type NewRole struct {
	Name        string
	TrustPolicy string
	RoleSettings
}

func (r NewRole) input() *iam.CreateRoleInput {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(r.Name),
		Path:                     aws.String(cmp.Or(r.Path, "/")),
		AssumeRolePolicyDocument: aws.String(r.TrustPolicy),
		Description:              optional(r.Description),
		PermissionsBoundary:      optional(r.PermissionsBoundary),
		Tags:                     IAMTags(r.Tags),
	}
	if r.MaxSessionDuration != 0 {
		in.MaxSessionDuration = aws.Int32(r.MaxSessionDuration)
	}
	return in
}

// optional is s for a request, or nil when s is "".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// CreateRole creates a role idempotently (see Create), waiting while IAM does not yet know a trusted principal
// made moments ago.
func (c *Client) CreateRole(ctx context.Context, role NewRole) (*iamtypes.Role, error) {
	in := role.input()
	name := role.Name
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
		Find:    func(ctx context.Context) (*iamtypes.Role, error) { return c.GetRole(ctx, name) },
		Matches: func(existing *iamtypes.Role, since time.Time) error { return roleMatches(existing, role, since) },
	})
}

// GetRole reads a role by name.
func (c *Client) GetRole(ctx context.Context, name string) (*iamtypes.Role, error) {
	out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	return out.Role, nil
}

// roleMatches returns nil when role is exactly what want asked for and was created at or after since.
func roleMatches(role *iamtypes.Role, want NewRole, since time.Time) error {
	trust, err := policy.Decode(aws.ToString(role.AssumeRolePolicyDocument))
	if err != nil {
		return err
	}
	return errors.Join(
		differentPolicy("trust policy", trust, want.TrustPolicy),
		want.differences(SettingsOf(role)),
		createdSince(role.CreateDate, since),
	)
}

// UpdateTrustPolicy replaces the trust policy of a role, waiting while IAM does not yet know a principal made
// moments ago. The write is idempotent, so the SDK may resend it.
func (c *Client) UpdateTrustPolicy(ctx context.Context, roleName, document string) error {
	return RetryPropagation(ctx, func(ctx context.Context) error {
		_, err := c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(roleName), PolicyDocument: aws.String(document)})
		return err
	})
}

// UpdateRoleSettings changes a role's settings from have to want with the calls for what differs, in this order:
// description and session duration, permissions boundary, tags removed, tags set. The path cannot change (a new
// path is a new role). It returns the settings the role has when it stops: want when every call succeeded,
// otherwise have with the changes made before the call that failed.
func (c *Client) UpdateRoleSettings(ctx context.Context, roleName string, have, want RoleSettings) (RoleSettings,
	error) {
	now := have
	if have.Description != want.Description || have.MaxSessionDuration != want.MaxSessionDuration {
		if err := c.updateRole(ctx, roleName, want); err != nil {
			return now, fmt.Errorf("updating description and session duration of role %s: %w", roleName, err)
		}
		now.Description, now.MaxSessionDuration = want.Description, want.MaxSessionDuration
	}
	if have.PermissionsBoundary != want.PermissionsBoundary {
		if err := c.setPermissionsBoundary(ctx, roleName, want.PermissionsBoundary); err != nil {
			return now, fmt.Errorf("updating the permissions boundary of role %s: %w", roleName, err)
		}
		now.PermissionsBoundary = want.PermissionsBoundary
	}
	set, remove := TagChanges(have.Tags, want.Tags)
	if len(remove) > 0 {
		if err := c.untagRole(ctx, roleName, remove); err != nil {
			return now, fmt.Errorf("removing tags from role %s: %w", roleName, err)
		}
		now.Tags = maps.Clone(have.Tags)
		maps.DeleteFunc(now.Tags, func(key, _ string) bool { return slices.Contains(remove, key) })
	}
	if len(set) > 0 {
		if err := c.tagRole(ctx, roleName, set); err != nil {
			return now, fmt.Errorf("tagging role %s: %w", roleName, err)
		}
	}
	now.Tags = want.Tags
	return now, nil
}

func (c *Client) updateRole(ctx context.Context, roleName string, want RoleSettings) error {
	_, err := c.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{
		RoleName:           aws.String(roleName),
		Description:        aws.String(want.Description),
		MaxSessionDuration: aws.Int32(want.MaxSessionDuration),
	})
	return err
}

// setPermissionsBoundary sets the permissions boundary of a role, or removes it when boundaryARN is "".
func (c *Client) setPermissionsBoundary(ctx context.Context, roleName, boundaryARN string) error {
	if boundaryARN == "" {
		_, err := c.IAM.DeleteRolePermissionsBoundary(ctx,
			&iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(roleName)})
		return err
	}
	_, err := c.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
		RoleName: aws.String(roleName), PermissionsBoundary: aws.String(boundaryARN)})
	return err
}

func (c *Client) tagRole(ctx context.Context, roleName string, tags []iamtypes.Tag) error {
	_, err := c.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(roleName), Tags: tags})
	return err
}

func (c *Client) untagRole(ctx context.Context, roleName string, keys []string) error {
	_, err := c.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(roleName), TagKeys: keys})
	return err
}

// DeleteRole deletes a role, which must hold no policy and be in no instance profile.
func (c *Client) DeleteRole(ctx context.Context, roleName string) error {
	_, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(roleName)})
	return err
}
