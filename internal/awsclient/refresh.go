package awsclient

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// The reads of a refresh. Each answers exactly as the IAM calls named in its comment would, from the account
// snapshot when it holds the answer (see snapshot.go), otherwise with those calls.

// RoleHint is what a caller already knows about a role it reads, from state.
type RoleHint struct {
	// Path is the role's path, which lets the snapshot filter ListRoles.
	Path string
	// Boundary is the ARN of the role's permissions boundary; a snapshot that shows none confirms with GetRole.
	Boundary string
	// PartCalls is how many IAM calls the reads of the role's parts that follow (ReadAttachedPolicyARNs and the
	// like) make role by role, so that the decision to take a snapshot counts the whole read at once.
	PartCalls int
}

// ReadRole reads a role as GetRole does; a missing role is GetRole's NoSuchEntity error.
func (c *Client) ReadRole(ctx context.Context, name string, hint RoleHint) (*iamtypes.Role, error) {
	entry := c.snapshotRole(ctx, name, 1+hint.PartCalls, hint.Path)
	if entry != nil && (hint.Boundary == "" || entry.role.PermissionsBoundary != nil) {
		role := entry.role
		return &role, nil
	}
	return c.GetRole(ctx, name)
}

// ReadAttachedPolicyARNs lists the ARNs of the managed policies attached to a role (ListAttachedRolePolicies).
func (c *Client) ReadAttachedPolicyARNs(ctx context.Context, roleName string) ([]string, error) {
	if entry := c.snapshotRole(ctx, roleName, 0, ""); entry != nil {
		return slices.Clone(entry.attached), nil
	}
	return c.AttachedPolicyARNs(ctx, roleName)
}

// ReadInlinePolicies returns the decoded documents of a role's inline policies by name (ListRolePolicies and
// GetRolePolicy).
func (c *Client) ReadInlinePolicies(ctx context.Context, roleName string) (map[string]string, error) {
	entry := c.snapshotRole(ctx, roleName, 0, "")
	if entry == nil {
		return c.InlinePolicies(ctx, roleName)
	}
	docs := make(map[string]string, len(entry.inline))
	for name, encoded := range entry.inline {
		doc, err := policy.Decode(encoded)
		if err != nil {
			return nil, fmt.Errorf("reading inline policy %s of role %s: %w", name, roleName, err)
		}
		docs[name] = doc
	}
	return docs, nil
}

// ReadOwnInstanceProfile reads the instance profile named like the role (GetInstanceProfile); a missing profile is
// GetInstanceProfile's NoSuchEntity error. The snapshot answers only when it shows the role in that profile: an
// empty profile is not listed anywhere but in GetInstanceProfile.
func (c *Client) ReadOwnInstanceProfile(ctx context.Context, roleName string) (*iamtypes.InstanceProfile, error) {
	if !c.snap.profileWritten(roleName) {
		if entry := c.snapshotRole(ctx, roleName, 0, ""); entry != nil {
			for _, p := range entry.profiles {
				if aws.ToString(p.InstanceProfileName) == roleName && ProfileContains(&p, roleName) {
					return &p, nil
				}
			}
		}
	}
	return c.GetInstanceProfile(ctx, roleName)
}

// ReadInstanceProfilesForRole lists the instance profiles that hold the role (ListInstanceProfilesForRole).
func (c *Client) ReadInstanceProfilesForRole(ctx context.Context, roleName string) ([]iamtypes.InstanceProfile,
	error) {
	entry := c.snapshotRole(ctx, roleName, 0, "")
	if entry != nil && !slices.ContainsFunc(entry.profiles, func(p iamtypes.InstanceProfile) bool {
		return c.snap.profileWritten(aws.ToString(p.InstanceProfileName))
	}) {
		return slices.Clone(entry.profiles), nil
	}
	return c.InstanceProfilesForRole(ctx, roleName)
}

// ReadManagedPolicy reads a managed policy (GetPolicy) and the decoded document of its default version
// (GetPolicyVersion, unless the policy snapshot holds that version).
func (c *Client) ReadManagedPolicy(ctx context.Context, policyARN string) (*iamtypes.Policy, string, error) {
	out, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return nil, "", fmt.Errorf("reading policy %s: %w", policyARN, err)
	}
	document, found := "", false
	if !strings.Contains(policyARN, ":iam::aws:policy/") { // only customer managed policies are in the snapshot
		if index := c.snap.policiesFor(ctx); index != nil {
			document, found = index.document(out.Policy)
		}
	}
	if !found {
		version, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN),
			VersionId: out.Policy.DefaultVersionId})
		if err != nil {
			return nil, "", fmt.Errorf("reading the default version of policy %s: %w", policyARN, err)
		}
		document = aws.ToString(version.PolicyVersion.Document)
	}
	decoded, err := policy.Decode(document)
	return out.Policy, decoded, err
}

// snapshotRole is the snapshot's entry for a role, or nil when the read goes to IAM: snapshots are off or not worth
// it, this process wrote to the role, or the snapshot does not hold it. cost is as for snapshot.rolesFor.
func (c *Client) snapshotRole(ctx context.Context, name string, cost int, path string) *snapshotRole {
	if c.snap.roleWritten(name) {
		return nil
	}
	index := c.snap.rolesFor(ctx, cost, path)
	if index == nil {
		return nil
	}
	return index.byName[name]
}
