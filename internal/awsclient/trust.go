package awsclient

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// maxTrustRewrites bounds how often RewriteTrust writes again when another writer replaced the trust policy
// between its write and the read that verifies it.
const maxTrustRewrites = 5

// RewriteTrust changes the trust policy of a role other writers may edit too, keeping the window in which their
// edit can be lost as small as IAM allows. change may be called more than once on one read, so whatever it records
// must follow from its last call. IAM has no conditional write, so RewriteTrust:
//
//   - reads the policy right before each write and applies change to what it read; when the result means what
//     was read, it writes nothing (a document without Version does not get one, a Sid-less statement that
//     already grants stays as it is), otherwise it refuses documents a rewrite would change the meaning of
//     (policy.Document.PrepareRewrite);
//   - never resends a computed document: when IAM refuses the write (ConcurrentModification, or "Invalid
//     principal" while a new principal propagates) or its answer is lost, it reads and applies change again;
//   - reads the policy after each write and writes again, at most maxTrustRewrites times, until change finds
//     nothing to do, so that a writer who replaced the policy in between does not silently undo this one.
//
// Calls for one role are serialised within this provider process. It returns the role as last read.
func (c *Client) RewriteTrust(ctx context.Context, roleName string, change func(policy.Document) policy.Document) (
	*iamtypes.Role, error) {
	defer c.LockRole(roleName)()
	deadline := time.Now().Add(PropagationTimeout)
	backoff := retry.NewExponentialJitterBackoff(maxPropagationDelay)
	writes := 0
	for attempt := 1; ; attempt++ {
		role, doc, err := c.RoleTrust(ctx, roleName)
		if err != nil {
			return role, err
		}
		if equivalent, err := policy.Equivalent(doc.Marshal(), change(doc).Marshal()); err == nil && equivalent {
			return role, nil
		}
		writable, err := doc.PrepareRewrite()
		if err != nil {
			return role, fmt.Errorf("refusing to change the trust policy of role %s: %w", roleName, err)
		}
		next := change(writable)
		if writes == maxTrustRewrites {
			return role, fmt.Errorf("the trust policy of role %s was replaced by another writer after each of %d "+
				"writes; make sure only one pipeline manages it, then apply again", roleName, writes)
		}
		_, err = c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(roleName),
			PolicyDocument: aws.String(next.Marshal())}, c.RetryUnsentOnly)
		switch {
		case err == nil:
			writes++
			continue
		case !IsConcurrentModification(err) && !IsInvalidPrincipal(err) && !MayHaveApplied(err):
			return role, fmt.Errorf("updating the trust policy of role %s: %w", roleName, err)
		case time.Now().After(deadline):
			return role, fmt.Errorf("updating the trust policy of role %s: still failing after %s: %w",
				roleName, PropagationTimeout, err)
		}
		if err := sleep(ctx, backoff, attempt, err); err != nil {
			return role, err
		}
	}
}

// ParsedTrust decodes and parses a role's trust policy.
func ParsedTrust(role *iamtypes.Role) (*iamtypes.Role, policy.Document, error) {
	text, err := policy.Decode(aws.ToString(role.AssumeRolePolicyDocument))
	if err == nil {
		var doc policy.Document
		doc, err = policy.Parse(text)
		return role, doc, err
	}
	return role, policy.Document{}, fmt.Errorf("reading the trust policy of role %s: %w",
		aws.ToString(role.RoleName), err)
}

// RoleTrust reads a role and its parsed trust policy. A missing role is an error that names it.
func (c *Client) RoleTrust(ctx context.Context, roleName string) (*iamtypes.Role, policy.Document, error) {
	role, err := c.GetRole(ctx, roleName)
	if err != nil {
		return nil, policy.Document{}, fmt.Errorf("reading role %s: %w", roleName, err)
	}
	return ParsedTrust(role)
}
