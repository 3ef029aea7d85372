package awsclient

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// defaultMaxSessionDuration is what IAM sets when CreateRole names no session duration.
const defaultMaxSessionDuration = 3600

// NewRole is the role CreateRole makes.
type NewRole struct {
	Name                string
	Path                string // "/" when empty
	TrustPolicy         string
	Description         *string
	MaxSessionDuration  int32 // IAM's default when 0
	PermissionsBoundary *string
	Tags                []iamtypes.Tag
}

func (r NewRole) input() *iam.CreateRoleInput {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(r.Name),
		Path:                     aws.String(orDefault(r.Path, "/")),
		AssumeRolePolicyDocument: aws.String(r.TrustPolicy),
		Description:              r.Description,
		PermissionsBoundary:      r.PermissionsBoundary,
		Tags:                     r.Tags,
	}
	if r.MaxSessionDuration != 0 {
		in.MaxSessionDuration = aws.Int32(r.MaxSessionDuration)
	}
	return in
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
		Matches: func(role *iamtypes.Role, since time.Time) error { return roleMatches(role, in, since) },
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

// UpdateTrustPolicy replaces the trust policy of a role, waiting while IAM does not yet know a principal made
// moments ago. The write is idempotent, so the SDK may resend it.
func (c *Client) UpdateTrustPolicy(ctx context.Context, roleName, document string) error {
	return RetryPropagation(ctx, func(ctx context.Context) error {
		_, err := c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(roleName), PolicyDocument: aws.String(document)})
		return err
	})
}

// UpdateRoleSettings sets the description and the maximum session duration of a role.
func (c *Client) UpdateRoleSettings(ctx context.Context, roleName, description string, maxSession int32) error {
	_, err := c.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{
		RoleName:           aws.String(roleName),
		Description:        aws.String(description),
		MaxSessionDuration: aws.Int32(maxSession),
	})
	return err
}

// SetPermissionsBoundary sets the permissions boundary of a role, or removes it when boundaryARN is "".
func (c *Client) SetPermissionsBoundary(ctx context.Context, roleName, boundaryARN string) error {
	if boundaryARN == "" {
		_, err := c.IAM.DeleteRolePermissionsBoundary(ctx,
			&iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(roleName)})
		return err
	}
	_, err := c.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
		RoleName: aws.String(roleName), PermissionsBoundary: aws.String(boundaryARN)})
	return err
}

// TagRole sets tags on a role.
func (c *Client) TagRole(ctx context.Context, roleName string, tags []iamtypes.Tag) error {
	_, err := c.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(roleName), Tags: tags})
	return err
}

// UntagRole removes the tags of the keys from a role.
func (c *Client) UntagRole(ctx context.Context, roleName string, keys []string) error {
	_, err := c.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(roleName), TagKeys: keys})
	return err
}

// DeleteRole deletes a role, which must hold no policy and be in no instance profile.
func (c *Client) DeleteRole(ctx context.Context, roleName string) error {
	_, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(roleName)})
	return err
}
