package awsclient

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// fakeAccount stands in for IAM behind a snapshot's source and counts what the gate asks of it.
type fakeAccount struct {
	size                         accountSize
	measureErr, loadErr          error
	measures, loads, policyLoads atomic.Int32
	mu                           sync.Mutex
	prefixes                     []string
}

func (f *fakeAccount) source() snapshotSource {
	return snapshotSource{
		measure: func(context.Context) (accountSize, error) {
			f.measures.Add(1)
			return f.size, f.measureErr
		},
		loadRoles: func(_ context.Context, prefix string) (*roleIndex, error) {
			f.loads.Add(1)
			f.mu.Lock()
			f.prefixes = append(f.prefixes, prefix)
			f.mu.Unlock()
			if f.loadErr != nil {
				return nil, f.loadErr
			}
			return &roleIndex{byName: map[string]*snapshotRole{}}, nil
		},
		loadPolicies: func(context.Context) (*policyIndex, error) {
			f.policyLoads.Add(1)
			return &policyIndex{byARN: map[string]snapshotPolicy{}}, nil
		},
	}
}

// readConcurrently makes n role reads at once, as Terraform's parallel refresh does, and returns how many the
// snapshot answered.
func readConcurrently(s *snapshot, n, cost int, path string) int {
	var answered atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.rolesFor(context.Background(), cost, path) != nil {
				answered.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(answered.Load())
}

func TestSnapshot_fewReadsNeverMeasureTheAccount(t *testing.T) {
	account := &fakeAccount{size: accountSize{roles: 5000}}
	s := newSnapshot(RefreshAuto, account.source())
	if answered := readConcurrently(s, gatherReads-1, 3, "/"); answered != 0 {
		t.Errorf("%d of %d reads came from a snapshot", answered, gatherReads-1)
	}
	if s.rolesFor(context.Background(), 0, "") != nil {
		t.Error("a part read came from a snapshot")
	}
	if account.measures.Load() != 0 || account.loads.Load() != 0 {
		t.Errorf("%d reads made %d measurements and %d snapshots, want none", gatherReads-1,
			account.measures.Load(), account.loads.Load())
	}
}

func TestSnapshot_manyReadsTakeOneSnapshotUnderTheirPath(t *testing.T) {
	account := &fakeAccount{size: accountSize{roles: 1000}} // the first gatherReads reads pay for its snapshot
	s := newSnapshot(RefreshAuto, account.source())
	if answered := readConcurrently(s, 10, 3, "/veeam/workers/"); answered != 10 {
		t.Errorf("%d of 10 reads came from the snapshot", answered)
	}
	if answered := readConcurrently(s, 10, 3, "/veeam/"); answered != 10 {
		t.Errorf("%d of 10 later reads came from the snapshot", answered)
	}
	if account.measures.Load() != 1 || account.loads.Load() != 1 {
		t.Errorf("%d measurements and %d snapshots, want one each", account.measures.Load(), account.loads.Load())
	}
	if got := account.prefixes; len(got) != 1 || got[0] != "/veeam/workers/" {
		t.Errorf("ListRoles path prefixes %v, want [/veeam/workers/]", got)
	}
}

// Ski rental: reads go role by role until what they have cost reaches the snapshot's estimated cost.
func TestSnapshot_smallShareOfLargeAccountWaitsUntilTheSnapshotPaysOff(t *testing.T) {
	account := &fakeAccount{size: accountSize{roles: 5000}}
	cost := account.size.snapshotCost()
	s := newSnapshot(RefreshAuto, account.source())
	answered := readConcurrently(s, gatherReads, 1, "/")
	for range cost - gatherReads - 1 {
		if s.rolesFor(context.Background(), 1, "/") != nil {
			answered++
		}
	}
	if answered != 0 || account.loads.Load() != 0 {
		t.Fatalf("after %d reads of one call, %d came from a snapshot (%d taken), want none before %d",
			cost-1, answered, account.loads.Load(), cost)
	}
	if s.rolesFor(context.Background(), 1, "/") == nil || account.loads.Load() != 1 {
		t.Errorf("read %d, which makes the reads cost as much as the snapshot, did not take it", cost)
	}
	if account.measures.Load() != 1 {
		t.Errorf("the account was measured %d times, want once", account.measures.Load())
	}
}

func TestSnapshot_failureFallsBackRoleByRoleWithOneDebugLine(t *testing.T) {
	denied := &AccessDeniedError{Action: "iam:GetAccountAuthorizationDetails", Err: errors.New("not authorized")}
	cases := map[string]*fakeAccount{
		"snapshot denied":    {size: accountSize{roles: 10}, loadErr: denied},
		"measurement denied": {measureErr: &AccessDeniedError{Action: "iam:GetAccountSummary", Err: denied.Err}},
	}
	for name, account := range cases {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &logs)
			s := newSnapshot(RefreshAuto, account.source())
			var wg sync.WaitGroup
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if s.rolesFor(ctx, 2, "/") != nil {
						t.Error("a read came from a snapshot that failed")
					}
				}()
			}
			wg.Wait()
			if s.rolesFor(ctx, 2, "/") != nil || account.loads.Load() > 1 || account.measures.Load() > 1 {
				t.Errorf("after the failure: %d measurements, %d snapshots", account.measures.Load(),
					account.loads.Load())
			}
			if lines := strings.Count(logs.String(), "falls back to reading role by role"); lines != 1 {
				t.Errorf("%d fallback lines, want 1:\n%s", lines, logs.String())
			}
			if !strings.Contains(logs.String(), `"access_denied":true`) || !strings.Contains(logs.String(), "debug") {
				t.Errorf("the fallback line does not say access was denied at DEBUG:\n%s", logs.String())
			}
		})
	}
}

func TestSnapshot_modes(t *testing.T) {
	account := &fakeAccount{size: accountSize{roles: 100_000}}
	off := newSnapshot(RefreshPerResource, account.source())
	if readConcurrently(off, 20, 3, "/") != 0 || account.measures.Load()+account.loads.Load() != 0 {
		t.Error("per_resource read from a snapshot or measured the account")
	}
	always := newSnapshot(RefreshSnapshot, account.source())
	if always.rolesFor(context.Background(), 1, "/x/") == nil {
		t.Fatal("snapshot mode did not answer the first read from a snapshot")
	}
	if account.measures.Load() != 0 || account.loads.Load() != 1 || account.prefixes[0] != "/" {
		t.Errorf("snapshot mode: %d measurements, %d snapshots under %v; want none, one under /",
			account.measures.Load(), account.loads.Load(), account.prefixes)
	}
}

func TestSnapshot_expiredSnapshotIsTakenAgain(t *testing.T) {
	account := &fakeAccount{}
	s := newSnapshot(RefreshSnapshot, account.source())
	s.maxAge = 20 * time.Millisecond
	first := s.rolesFor(context.Background(), 1, "/")
	time.Sleep(30 * time.Millisecond)
	second := s.rolesFor(context.Background(), 1, "/")
	if first == nil || second == nil || first == second || account.loads.Load() != 2 {
		t.Errorf("after expiry: %d snapshots, same one reused: %v", account.loads.Load(), first == second)
	}
}

func TestSnapshot_policiesOnlyWhileRolesComeFromTheSnapshot(t *testing.T) {
	account := &fakeAccount{size: accountSize{roles: 10, policies: 10}}
	s := newSnapshot(RefreshAuto, account.source())
	if s.policiesFor(context.Background()) != nil || account.policyLoads.Load() != 0 {
		t.Fatal("a policy read before any role snapshot took a policy snapshot")
	}
	readConcurrently(s, 10, 2, "/")
	first, second := s.policiesFor(context.Background()), s.policiesFor(context.Background())
	if first == nil || second != first || account.policyLoads.Load() != 1 {
		t.Errorf("policy reads with the role snapshot in use took %d policy snapshots, want 1",
			account.policyLoads.Load())
	}
}

func TestSnapshot_writesInvalidateWhatTheyName(t *testing.T) {
	s := newSnapshot(RefreshAuto, (&fakeAccount{}).source())
	s.invalidate(&iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("veeam"), PolicyDocument: aws.String("{}")})
	s.invalidate(&iam.AddRoleToInstanceProfileInput{RoleName: aws.String("worker"),
		InstanceProfileName: aws.String("worker-profile")})
	s.invalidate(&iam.TagPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/p")})
	for _, name := range []string{"veeam", "worker"} {
		if !s.roleWritten(name) {
			t.Errorf("role %s is not marked written", name)
		}
	}
	if !s.profileWritten("worker-profile") || s.profileWritten("worker") || s.roleWritten("other") {
		t.Errorf("marked: %+v", s.written)
	}
	for action, want := range map[string]bool{"GetRole": false, "ListRoles": false,
		"SimulatePrincipalPolicy": false, "GetAccountAuthorizationDetails": false, "CreateRole": true,
		"TagRole": true, "RemoveRoleFromInstanceProfile": true, "UpdateRoleDescription": true} {
		if isWrite(action) != want {
			t.Errorf("isWrite(%s) = %v, want %v", action, !want, want)
		}
	}
}

func TestCommonPath(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"/veeam/", "/veeam/", "/veeam/"},
		{"/veeam/workers/", "/veeam/", "/veeam/"},
		{"/a/b/", "/a/c/d/", "/a/"},
		{"/a/", "/", "/"},
		{"/ab/", "/ac/", "/"},
	}
	for _, c := range cases {
		if got := commonPath(c.a, c.b); got != c.want {
			t.Errorf("commonPath(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestPolicyIndex_documentOnlyOfTheSamePolicy(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	index := &policyIndex{byARN: map[string]snapshotPolicy{
		"arn:aws:iam::1:policy/with-id": {id: "ANPA1", created: &created, versions: map[string]string{"v2": "doc"}},
		"arn:aws:iam::1:policy/no-id":   {created: &created, versions: map[string]string{"v1": "doc"}},
	}}
	later := created.Add(time.Hour)
	cases := []struct {
		name   string
		policy iamtypes.Policy
		found  bool
	}{
		{"same ID", iamtypes.Policy{Arn: aws.String("arn:aws:iam::1:policy/with-id"), PolicyId: aws.String("ANPA1"),
			DefaultVersionId: aws.String("v2")}, true},
		{"made again", iamtypes.Policy{Arn: aws.String("arn:aws:iam::1:policy/with-id"),
			PolicyId: aws.String("ANPA2"), DefaultVersionId: aws.String("v2")}, false},
		{"version not in the snapshot", iamtypes.Policy{Arn: aws.String("arn:aws:iam::1:policy/with-id"),
			PolicyId: aws.String("ANPA1"), DefaultVersionId: aws.String("v3")}, false},
		{"no ID, same date", iamtypes.Policy{Arn: aws.String("arn:aws:iam::1:policy/no-id"),
			PolicyId: aws.String("ANPA3"), CreateDate: &created, DefaultVersionId: aws.String("v1")}, true},
		{"no ID, another date", iamtypes.Policy{Arn: aws.String("arn:aws:iam::1:policy/no-id"),
			CreateDate: &later, DefaultVersionId: aws.String("v1")}, false},
		{"unknown policy", iamtypes.Policy{Arn: aws.String("arn:aws:iam::1:policy/other"),
			DefaultVersionId: aws.String("v1")}, false},
	}
	for _, c := range cases {
		if _, found := index.document(&c.policy); found != c.found {
			t.Errorf("%s: found %v, want %v", c.name, found, c.found)
		}
	}
}
