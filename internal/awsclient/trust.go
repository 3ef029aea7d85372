package awsclient

import (
	"context"
	"errors"
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

const (
	// TrustSettleTime is how long RemoveFromTrust waits after a removal before it reads again: long enough for
	// another writer's read-modify-write that started before the removal to land, and for IAM's reads to show it.
	TrustSettleTime = 2 * time.Second
	// trustSettleRounds bounds how often RemoveFromTrust removes statements that came back.
	trustSettleRounds = 5
)

// SidTakenError is RewriteTrust's refusal to write under a Sid that a statement it did not write already uses.
type SidTakenError struct {
	RoleName  string
	Sid       string
	Statement policy.Statement
}

func (e *SidTakenError) Error() string {
	return fmt.Sprintf("the trust policy of role %s already holds a statement with Sid %s: %s", e.RoleName, e.Sid,
		e.Statement.JSON())
}

// TrustChange is one change to a role's trust policy for RewriteTrust.
type TrustChange struct {
	// Apply returns the document with the change made. It may be called more than once on one read, so whatever
	// it records must follow from its last call.
	Apply func(policy.Document) policy.Document
	// Claim lists Sids that must be free before the change is written: while no write of this change may have
	// reached IAM, a statement under any of them makes RewriteTrust refuse with a *SidTakenError.
	Claim []string
}

// RewriteTrust changes the trust policy of a role other writers may edit too, keeping the window in which their
// edit can be lost as small as IAM allows, and reports whether it sent a write that may have taken effect. IAM has
// no conditional write, so RewriteTrust:
//
//   - reads the policy right before each write (CurrentTrust, which reads again while IAM answers with a document
//     this process has already replaced) and applies the change to what it read; when the result means what
//     was read, it writes nothing (a document without Version does not get one, a Sid-less statement that
//     already grants stays as it is), otherwise it refuses documents a rewrite would change the meaning of
//     (policy.Document.PrepareRewrite) and Sids it claims that another statement holds;
//   - never resends a computed document: when IAM refuses the write (ConcurrentModification, or "Invalid
//     principal" while a new principal propagates) or its answer is lost, it reads and applies the change again;
//   - reads the policy after each write until the change finds nothing to do; while it still finds something,
//     for at most writeVisibleWindow after the write, it waits and reads again, because IAM may answer with the
//     document as it was before the write; after that it takes another writer to have replaced the policy in
//     between and writes again, at most maxTrustRewrites times, so that the other writer does not silently undo
//     this one.
//
// Calls for one role are serialised within this provider process. It returns the role as last read.
func (c *Client) RewriteTrust(ctx context.Context, roleName string, change TrustChange) (
	role *iamtypes.Role, wrote bool, err error) {
	defer c.LockRole(roleName)()
	deadline := time.Now().Add(PropagationTimeout)
	backoff := retry.NewExponentialJitterBackoff(maxPropagationDelay)
	writes, verify := 0, visibilityWait{}
	for attempt := 1; ; attempt++ {
		role, doc, err := c.CurrentTrust(ctx, roleName)
		if err != nil {
			return role, wrote, err
		}
		if !wrote {
			if err := claimed(roleName, doc, change.Claim); err != nil {
				return role, false, err
			}
		}
		if equivalent, err := policy.Equivalent(doc.Marshal(), change.Apply(doc).Marshal()); err == nil && equivalent {
			return role, wrote, nil
		}
		if waited, err := verify.wait(ctx); waited || err != nil {
			if err != nil {
				return role, wrote, fmt.Errorf("verifying the trust policy of role %s: %w", roleName, err)
			}
			continue
		}
		writable, err := doc.PrepareRewrite()
		if err != nil {
			return role, wrote, fmt.Errorf("refusing to change the trust policy of role %s: %w", roleName, err)
		}
		next := change.Apply(writable).Marshal()
		if writes == maxTrustRewrites {
			return role, wrote, fmt.Errorf("the trust policy of role %s was replaced by another writer after each "+
				"of %d writes; make sure only one pipeline manages it, then apply again", roleName, writes)
		}
		_, err = c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(roleName),
			PolicyDocument: aws.String(next)}, c.RetryUnsentOnly)
		wrote = wrote || mayHaveReached(err)
		switch {
		case err == nil:
			writes++
			c.trustSeen.wrote(roleName, doc.Marshal(), next)
			verify = visibilityWait{since: time.Now()}
			continue
		case !IsConcurrentModification(err) && !IsInvalidPrincipal(err) && !MayHaveApplied(err):
			return role, wrote, fmt.Errorf("updating the trust policy of role %s: %w", roleName, err)
		case time.Now().After(deadline):
			return role, wrote, fmt.Errorf("updating the trust policy of role %s: still failing after %s: %w",
				roleName, PropagationTimeout, err)
		}
		if err := sleep(ctx, backoff, attempt, err); err != nil {
			return role, wrote, err
		}
	}
}

// mayHaveReached reports whether a write that ended with err may have reached IAM: it succeeded, its answer was
// lost, or it was cancelled after it may have been sent.
func mayHaveReached(err error) bool {
	return err == nil || MayHaveApplied(err) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded)
}

// writeVisibleWindow bounds how long RewriteTrust waits for a read to show its write before it takes another
// writer to have replaced the policy.
const writeVisibleWindow = 5 * time.Second

// visibilityWait paces the reads that wait for a write to show: the zero value, before any write, never waits.
type visibilityWait struct {
	since time.Time     // when the write succeeded
	delay time.Duration // the next wait
}

// wait sleeps before the next read and reports true, or reports false once writeVisibleWindow has passed.
func (v *visibilityWait) wait(ctx context.Context) (bool, error) {
	v.delay = max(v.delay, firstStaleReadDelay)
	if v.since.IsZero() || time.Since(v.since)+v.delay > writeVisibleWindow {
		return false, nil
	}
	select {
	case <-ctx.Done():
		return true, ctx.Err()
	case <-time.After(v.delay):
	}
	v.delay = min(2*v.delay, maxStaleReadDelay)
	return true, nil
}

// claimed returns a *SidTakenError for the first of sids that a statement in doc uses.
func claimed(roleName string, doc policy.Document, sids []string) error {
	for _, sid := range sids {
		if s, found := doc.Find(sid); found {
			return &SidTakenError{RoleName: roleName, Sid: sid, Statement: s}
		}
	}
	return nil
}

// RemoveFromTrust is RewriteTrust for a change that takes statements out, verified beyond one read: another
// writer whose read-modify-write started before the removal can write the statements back after it was checked.
// So after each removal it waits TrustSettleTime, reads again and removes what came back, at most
// trustSettleRounds times; statements that still come back then are an error that says so.
func (c *Client) RemoveFromTrust(ctx context.Context, roleName string, remove func(policy.Document) policy.Document) (
	*iamtypes.Role, error) {
	change := TrustChange{Apply: remove}
	role, wrote, err := c.RewriteTrust(ctx, roleName, change)
	for round := 0; wrote && err == nil; round++ {
		if round == trustSettleRounds {
			return role, fmt.Errorf("the statements removed from the trust policy of role %s came back after each "+
				"of %d removals: another writer keeps restoring them; make sure only one pipeline manages the "+
				"role, then destroy again", roleName, trustSettleRounds)
		}
		select {
		case <-ctx.Done():
			return role, fmt.Errorf("waiting to verify the removal from the trust policy of role %s: %w",
				roleName, ctx.Err())
		case <-time.After(TrustSettleTime):
		}
		role, wrote, err = c.RewriteTrust(ctx, roleName, change)
	}
	return role, err
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

// CurrentTrust is RoleTrust that does not take an old answer for the current one. IAM's reads lag its writes, so
// a read may show a trust policy this process has already replaced: one it wrote before its latest write, or one
// it read and then wrote over. While a read shows such a document, within staleReadWindow of the latest write,
// CurrentTrust waits, with a back-off, and reads again; after that it takes the answer as it is (another writer
// may have written the same document again). A document this process never saw comes from another writer and is
// taken at once.
func (c *Client) CurrentTrust(ctx context.Context, roleName string) (*iamtypes.Role, policy.Document, error) {
	delay := firstStaleReadDelay
	for {
		role, doc, err := c.RoleTrust(ctx, roleName)
		if err != nil || !c.trustSeen.stale(roleName, doc.Marshal(), delay) {
			return role, doc, err
		}
		select {
		case <-ctx.Done():
			return role, doc, fmt.Errorf("reading the trust policy of role %s again: %w", roleName, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, maxStaleReadDelay)
	}
}
