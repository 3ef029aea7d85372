package awsclient

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// retiredCache remembers, per managed policy ARN, whether the policy carried the retired tag when this provider
// process first looked, so that destroying or updating many roles that share a template part reads the part once
// per plan or apply instead of once per detach. Lookups of one ARN made at the same time wait for a single call.
// Only "not retired" answers save work: a policy is deleted only after a fresh read (see
// DeleteIfRetiredAndUnused), so a stale answer can never delete a policy that is in use.
type retiredCache struct {
	mu      sync.Mutex
	entries map[string]*retiredLookup
}

// retiredLookup is one ARN's answer, ready once done is closed.
type retiredLookup struct {
	done    chan struct{}
	retired bool
	err     error
}

// lookup returns the cached answer for policyARN, calling read once when there is none. A failed read is not
// remembered, so the next caller tries again.
func (rc *retiredCache) lookup(ctx context.Context, policyARN string, read func(context.Context, string) (bool, error),
) (bool, error) {
	rc.mu.Lock()
	if rc.entries == nil {
		rc.entries = map[string]*retiredLookup{}
	}
	entry, found := rc.entries[policyARN]
	if !found {
		entry = &retiredLookup{done: make(chan struct{})}
		rc.entries[policyARN] = entry
	}
	rc.mu.Unlock()
	if found {
		select {
		case <-entry.done:
			return entry.retired, entry.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	entry.retired, entry.err = read(ctx, policyARN)
	if entry.err != nil {
		rc.forget(policyARN, entry)
	}
	close(entry.done)
	return entry.retired, entry.err
}

// remember records what this process itself just made true, such as a policy it tagged retired.
func (rc *retiredCache) remember(policyARN string, retired bool) {
	entry := &retiredLookup{done: make(chan struct{}), retired: retired}
	close(entry.done)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.entries == nil {
		rc.entries = map[string]*retiredLookup{}
	}
	rc.entries[policyARN] = entry
}

// forget drops entry, unless a newer answer has replaced it meanwhile.
func (rc *retiredCache) forget(policyARN string, entry *retiredLookup) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.entries[policyARN] == entry {
		delete(rc.entries, policyARN)
	}
}

// readRetired reads whether a managed policy carries the retired tag; a policy that is gone is not retired.
func (c *Client) readRetired(ctx context.Context, policyARN string) (bool, error) {
	out, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if IsNoSuchEntity(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading policy %s: %w", policyARN, err)
	}
	return hasTag(out.Policy.Tags, RetiredTagKey), nil
}
