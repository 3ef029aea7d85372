package awsclient

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetiredCacheReadsEachPolicyOnceUnderConcurrency(t *testing.T) {
	var cache retiredCache
	var reads atomic.Int32
	broken := errors.New("access denied")
	read := func(_ context.Context, arn string) (bool, error) {
		reads.Add(1)
		if strings.HasSuffix(arn, "/broken") {
			return false, broken
		}
		time.Sleep(20 * time.Millisecond) // let the other callers arrive while the read is in flight
		return true, nil
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			retired, err := cache.lookup(context.Background(), "arn:aws:iam::123456789012:policy/part", read)
			if err != nil || !retired {
				t.Errorf("lookup = %v, %v; want true, nil", retired, err)
			}
		})
	}
	wg.Wait()
	if got := reads.Load(); got != 1 {
		t.Errorf("50 concurrent lookups of one policy made %d reads, want 1", got)
	}
	if _, err := cache.lookup(context.Background(), "arn:aws:iam::123456789012:policy/other", read); err != nil {
		t.Fatal(err)
	}
	if got := reads.Load(); got != 2 {
		t.Errorf("a second policy made %d reads in total, want 2", got)
	}
	if _, err := cache.lookup(context.Background(), "arn:aws:iam::123456789012:policy/broken", read); err != broken {
		t.Errorf("a failed read returned %v, want its error", err)
	}
}

func TestRetiredCacheForgetsFailedReads(t *testing.T) {
	var cache retiredCache
	calls := 0
	read := func(context.Context, string) (bool, error) {
		calls++
		if calls == 1 {
			return false, errors.New("throttled")
		}
		return false, nil
	}
	const arn = "arn:aws:iam::123456789012:policy/part"
	if _, err := cache.lookup(context.Background(), arn, read); err == nil {
		t.Fatal("the first lookup hid the read error")
	}
	if retired, err := cache.lookup(context.Background(), arn, read); err != nil || retired {
		t.Fatalf("lookup after a failed read = %v, %v; want false, nil", retired, err)
	}
	if calls != 2 {
		t.Errorf("read was called %d times, want 2 (a failure is not remembered)", calls)
	}
}

func TestRetiredCacheRemembersWhatTheProcessDid(t *testing.T) {
	var cache retiredCache
	const arn = "arn:aws:iam::123456789012:policy/part"
	notRetired := func(context.Context, string) (bool, error) { return false, nil }
	if retired, _ := cache.lookup(context.Background(), arn, notRetired); retired {
		t.Fatal("lookup reported retired for a policy read as not retired")
	}
	cache.remember(arn, true)
	if retired, _ := cache.lookup(context.Background(), arn, notRetired); !retired {
		t.Error("a policy this process tagged retired still reads as not retired")
	}
}
