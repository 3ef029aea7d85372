package awsclient

import (
	"cmp"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Reading a refresh from an account snapshot.
//
// A refresh reads every resource in state, ten at a time by default. Role by role, a state of 1,000 roles costs
// 1,000 to 3,000 IAM calls, and IAM's request rate is limited per account. IAM can answer the same questions in a
// handful of calls: ListRoles (1,000 roles a page: trust policy, description, session duration) and
// GetAccountAuthorizationDetails with the Role filter (tags, boundary, attachments, inline policies and instance
// profiles of every role), plus the LocalManagedPolicy filter for the documents of customer managed policies. The
// client keeps at most one such snapshot per provider process and decides whether to take it:
//
//  1. The first role read opens a window of gatherWindow. Reads that arrive meanwhile wait; reads are counted
//     with the calls each would make role by role (its demand).
//  2. Once gatherReads reads have arrived, the account is measured with one GetAccountSummary call. The snapshot
//     costs about one ListRoles page per 1,000 roles and one GetAccountAuthorizationDetails page per
//     gaadRolesPerPage roles (snapshotCost).
//  3. The snapshot is taken as soon as the demand seen reaches its cost; until then reads go role by role. A state
//     of 3 roles in an account of 5,000 therefore never scans the account, and a state of 1,000 roles takes the
//     snapshot after its first reads. ListRoles is filtered by the longest path the roles read so far share.
//
// RefreshSnapshot takes the snapshot at the first read; RefreshPerResource never does.
//
// Why it is never stale and never wrong:
//   - The snapshot only answers positively: a role it does not hold (deleted, created since, outside the path
//     filter, named in another case) is read with GetRole, so a missing role is always confirmed by IAM.
//   - Every IAM write the client sends marks the role and instance profile it names before it is sent (see
//     invalidation); reads of a marked entity go to IAM for the rest of the process, so a read after a write sees
//     IAM. A snapshot older than snapshotMaxAge is dropped.
//   - Managed policy versions are immutable: a policy's metadata and tags are always read with GetPolicy, and
//     only the document of the version GetPolicy names as default comes from the snapshot.
//   - Where IAM's listings have been less complete than GetRole, the snapshot is checked: a role whose boundary
//     the caller knows but the snapshot lacks is read with GetRole; an instance profile is taken from the snapshot
//     only when it lists the role.
//   - A failed measurement or snapshot (AccessDenied for least-privilege credentials, say) turns snapshots off for
//     the process with one DEBUG line; every read then goes role by role.

// RefreshMode says whether reads made during a refresh may come from an account snapshot.
type RefreshMode string

// The refresh modes of the provider's refresh_mode setting.
const (
	RefreshAuto        RefreshMode = "auto"
	RefreshSnapshot    RefreshMode = "snapshot"
	RefreshPerResource RefreshMode = "per_resource"
)

const (
	// gatherWindow is how long the first role read waits for others before reads go role by role.
	gatherWindow = 50 * time.Millisecond
	// gatherReads is how many role reads make the client measure the account.
	gatherReads = 4
	// listRolesPage and authorizationDetailsPage are the MaxItems asked of ListRoles and
	// GetAccountAuthorizationDetails, the most IAM allows.
	listRolesPage            = 1000
	authorizationDetailsPage = 1000
	// gaadRolesPerPage and gaadPoliciesPerPage are how many entities a page of GetAccountAuthorizationDetails is
	// assumed to hold when estimating a snapshot's cost: IAM may end a page before MaxItems when it grows large, so
	// the estimate is conservative.
	gaadRolesPerPage    = 100
	gaadPoliciesPerPage = 100
	// snapshotMaxAge is how long a snapshot answers reads.
	snapshotMaxAge = 2 * time.Minute
	// snapshotTimeout bounds taking a snapshot, which no single read's context owns.
	snapshotTimeout = 5 * time.Minute
)

type snapshotPhase int

const (
	phaseIdle      snapshotPhase = iota // nothing read yet
	phaseGathering                      // the first reads wait for others
	phaseCounting                       // reads go role by role and are counted
	phaseMeasuring                      // GetAccountSummary in flight; reads wait
	phaseLoading                        // the snapshot is being taken; reads wait
	phaseLoaded                         // the snapshot answers reads
	phaseOff                            // no snapshot for the rest of the process
)

// accountSize is what GetAccountSummary says about the account.
type accountSize struct{ roles, policies int }

// snapshotCost estimates the calls a snapshot of the account's roles takes.
func (a accountSize) snapshotCost() int {
	return ceilDiv(a.roles, listRolesPage) + ceilDiv(a.roles, gaadRolesPerPage)
}

// policiesCost estimates the calls a snapshot of the account's customer managed policies takes.
func (a accountSize) policiesCost() int { return ceilDiv(a.policies, gaadPoliciesPerPage) }

func ceilDiv(n, d int) int { return max(1, (n+d-1)/d) }

// snapshotSource is how a snapshot reaches IAM; the Client provides it.
type snapshotSource struct {
	measure      func(ctx context.Context) (accountSize, error)
	loadRoles    func(ctx context.Context, pathPrefix string) (*roleIndex, error)
	loadPolicies func(ctx context.Context) (*policyIndex, error)
}

// snapshot is the client's one account snapshot and the decision whether to take it.
type snapshot struct {
	mode   RefreshMode
	source snapshotSource
	maxAge time.Duration // snapshotMaxAge, shorter in tests

	mu       sync.Mutex
	phase    snapshotPhase
	changed  chan struct{} // closed and replaced to wake waiting reads
	reads    int           // role reads seen since the last snapshot was dropped
	demand   int           // the IAM calls those reads make role by role
	path     string        // the longest path every role those reads named lies under, "" for none
	size     *accountSize  // nil until measured
	roles    *roleIndex
	loadedAt time.Time
	policies policySnapshot
	written  writtenEntities
}

// policySnapshot is the snapshot of customer managed policies, taken once the role snapshot is in use and enough
// policy documents are read.
type policySnapshot struct {
	reads   int
	loading bool
	index   *policyIndex
	off     bool
}

func newSnapshot(mode RefreshMode, source snapshotSource) *snapshot {
	if mode == "" {
		mode = RefreshAuto
	}
	return &snapshot{mode: mode, source: source, maxAge: snapshotMaxAge, changed: make(chan struct{}),
		written: newWrittenEntities()}
}

// setPhase changes the phase and wakes every waiting read. The caller holds mu.
func (s *snapshot) setPhase(p snapshotPhase) {
	s.phase = p
	s.wake()
}

// wake makes every waiting read look again. The caller holds mu.
func (s *snapshot) wake() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// rolesFor is the gate every role read passes: it returns the snapshot to answer from, or nil when the read goes
// to IAM role by role. cost is how many IAM calls the read, and the reads of the role's parts that follow it, make
// role by role; those later reads pass 0 and only use a snapshot that is ready or being taken. path is the role's
// path, or "" when the caller does not know it.
func (s *snapshot) rolesFor(ctx context.Context, cost int, path string) *roleIndex {
	if s.mode == RefreshPerResource {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count(cost, path)
	for {
		if s.phase == phaseLoaded && time.Since(s.loadedAt) >= s.maxAge {
			s.drop()
			s.count(cost, path)
		}
		switch {
		case s.phase == phaseOff:
			return nil
		case s.phase == phaseLoaded:
			return s.roles
		case s.phase == phaseLoading:
		case cost == 0:
			return nil
		case s.phase == phaseIdle:
			s.start(ctx)
		case s.phase == phaseGathering && s.reads >= gatherReads:
			s.startMeasuring(ctx)
		case s.phase == phaseCounting && !s.decide(ctx):
			return nil
		}
		if !s.wait(ctx) {
			return nil
		}
	}
}

// count records one read; reads of a role's parts (cost 0) do not count. The caller holds mu.
func (s *snapshot) count(cost int, path string) {
	if cost == 0 {
		return
	}
	s.reads++
	s.demand += cost
	if path != "" {
		s.path = commonPath(cmp.Or(s.path, path), path)
	}
}

// drop forgets an expired snapshot and what led to it; the account's size stays known. The caller holds mu.
func (s *snapshot) drop() {
	s.roles, s.reads, s.demand, s.path, s.policies = nil, 0, 0, "", policySnapshot{}
	s.setPhase(phaseIdle)
}

// start handles the first read: a snapshot at once in RefreshSnapshot, otherwise the gathering window.
func (s *snapshot) start(ctx context.Context) {
	if s.mode == RefreshSnapshot {
		s.startLoading(ctx)
		return
	}
	s.setPhase(phaseGathering)
	time.AfterFunc(gatherWindow, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.phase == phaseGathering {
			s.setPhase(phaseCounting)
		}
	})
}

// decide reports whether a read in phaseCounting waits for a measurement or a snapshot it has just started.
func (s *snapshot) decide(ctx context.Context) bool {
	switch {
	case s.size == nil && s.reads >= gatherReads:
		s.startMeasuring(ctx)
	case s.size != nil && s.demand >= s.size.snapshotCost():
		s.startLoading(ctx)
	default:
		return false
	}
	return true
}

// wait releases mu until the phase changes or ctx ends, and reports whether the phase changed.
func (s *snapshot) wait(ctx context.Context) bool {
	changed := s.changed
	s.mu.Unlock()
	defer s.mu.Lock()
	select {
	case <-changed:
		return true
	case <-ctx.Done():
		return false
	}
}

// inBackground runs work, which no single read owns, in a goroutine: with the read's values (its logger) but not
// its cancellation, bounded by snapshotTimeout. The function work returns then runs with mu held.
func (s *snapshot) inBackground(ctx context.Context, work func(ctx context.Context) (finish func())) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotTimeout)
		defer cancel()
		finish := work(ctx)
		s.mu.Lock()
		defer s.mu.Unlock()
		finish()
	}()
}

func (s *snapshot) startMeasuring(ctx context.Context) {
	s.setPhase(phaseMeasuring)
	s.inBackground(ctx, func(ctx context.Context) func() {
		size, err := s.source.measure(ctx)
		return func() {
			if err != nil {
				s.turnOff(ctx, "measuring the account", err)
				return
			}
			s.size = &size
			if s.demand >= size.snapshotCost() {
				s.startLoading(ctx)
				return
			}
			tflog.Debug(ctx, "refresh reads roles one by one: the account snapshot would cost more than they do",
				map[string]any{"account_roles": size.roles, "reads": s.reads, "calls_so_far": s.demand,
					"snapshot_calls_estimate": size.snapshotCost()})
			s.setPhase(phaseCounting)
		}
	})
}

func (s *snapshot) startLoading(ctx context.Context) {
	prefix := cmp.Or(s.path, "/")
	if s.mode == RefreshSnapshot {
		prefix = "/"
	}
	s.setPhase(phaseLoading)
	s.inBackground(ctx, func(ctx context.Context) func() {
		start := time.Now()
		roles, err := s.source.loadRoles(ctx, prefix)
		return func() {
			if err != nil {
				s.turnOff(ctx, "taking the account snapshot", err)
				return
			}
			tflog.Debug(ctx, "refresh reads roles from an account snapshot", map[string]any{
				"path_prefix": prefix, "roles": len(roles.byName), "reads": s.reads, "calls_so_far": s.demand,
				"duration_ms": time.Since(start).Milliseconds()})
			s.roles, s.loadedAt = roles, time.Now()
			s.setPhase(phaseLoaded)
		}
	})
}

// turnOff ends snapshots for the process after a failure, with the one DEBUG line that says so. The caller holds
// mu.
func (s *snapshot) turnOff(ctx context.Context, doing string, err error) {
	tflog.Debug(ctx, "refresh falls back to reading role by role: "+doing+" failed", map[string]any{
		"access_denied": IsAccessDenied(err), "error": err.Error()})
	s.policies.off = true
	s.setPhase(phaseOff)
}

// policiesFor is the gate of policy document reads: it returns the policy snapshot, taking it when the role
// snapshot is in use and enough documents have been read to pay for it, or nil.
func (s *snapshot) policiesFor(ctx context.Context) *policyIndex {
	if s.mode == RefreshPerResource {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.policies
	if p.off || (s.mode == RefreshAuto && s.phase != phaseLoaded) {
		return nil
	}
	p.reads++
	for !p.off && p.index == nil {
		if !p.loading {
			if s.mode == RefreshAuto && (s.size == nil || p.reads < s.size.policiesCost()) {
				return nil
			}
			s.startLoadingPolicies(ctx)
		}
		if !s.wait(ctx) {
			return nil
		}
	}
	return p.index
}

func (s *snapshot) startLoadingPolicies(ctx context.Context) {
	s.policies.loading = true
	s.inBackground(ctx, func(ctx context.Context) func() {
		index, err := s.source.loadPolicies(ctx)
		return func() {
			s.policies.loading = false
			if err != nil {
				tflog.Debug(ctx, "refresh reads policy documents one by one: taking the policy snapshot failed",
					map[string]any{"access_denied": IsAccessDenied(err), "error": err.Error()})
				s.policies.off = true
			} else {
				s.policies.index = index
			}
			s.wake()
		}
	})
}

// commonPath is the longest path both a and b lie under.
func commonPath(a, b string) string {
	for !strings.HasPrefix(b, a) {
		a = a[:strings.LastIndex(strings.TrimSuffix(a, "/"), "/")+1]
	}
	return cmp.Or(a, "/")
}
