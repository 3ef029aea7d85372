package awsclient

import (
	"sync"
	"time"
)

const (
	// staleReadWindow bounds how long after its latest write to a role's trust policy this process takes a read
	// that shows a document it has replaced for an old answer and reads again. IAM's reads normally catch up
	// within a second or two.
	staleReadWindow = 10 * time.Second
	// firstStaleReadDelay and maxStaleReadDelay bound the back-off between those reads.
	firstStaleReadDelay = 100 * time.Millisecond
	maxStaleReadDelay   = 2 * time.Second
)

// trustHistory remembers, per role, the trust policy this process wrote last and the ones it replaced, as
// policy.Document.Marshal texts, so that a read showing a replaced one can be recognised as old.
type trustHistory struct {
	mu    sync.Mutex
	roles map[string]*roleTrustHistory
}

type roleTrustHistory struct {
	latest   string               // the document written last
	at       time.Time            // when it was written
	replaced map[string]time.Time // documents replaced since, by when they were replaced
}

// wrote records that this process replaced base, the document it read, with written.
func (h *trustHistory) wrote(roleName, base, written string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.roles == nil {
		h.roles = map[string]*roleTrustHistory{}
	}
	now := time.Now()
	r := h.roles[roleName]
	if r == nil {
		r = &roleTrustHistory{replaced: map[string]time.Time{}}
		h.roles[roleName] = r
	}
	for doc, at := range r.replaced {
		if now.Sub(at) > staleReadWindow {
			delete(r.replaced, doc)
		}
	}
	if r.latest != "" {
		r.replaced[r.latest] = now
	}
	r.replaced[base] = now
	delete(r.replaced, written)
	r.latest, r.at = written, now
}

// stale reports whether a read that showed doc is an old answer worth reading again after wait: doc is one this
// process replaced, and the latest write is recent enough that IAM may not show it yet.
func (h *trustHistory) stale(roleName, doc string, wait time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.roles[roleName]
	if r == nil || doc == r.latest || time.Since(r.at)+wait > staleReadWindow {
		return false
	}
	_, replaced := r.replaced[doc]
	return replaced
}
