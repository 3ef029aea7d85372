package tuning

import (
	"context"
	"os"
	"runtime/debug"
	"testing"
)

// resetGC puts the collector and the call count back as they were before the test.
func resetGC(t *testing.T) {
	previous := debug.SetGCPercent(100)
	gcTuned.Store(false)
	resourceCalls.Store(0)
	t.Cleanup(func() {
		debug.SetGCPercent(previous)
		gcTuned.Store(false)
		resourceCalls.Store(0)
	})
}

func TestTuneGarbageCollector(t *testing.T) {
	resetGC(t)
	t.Setenv("GOGC", "50")
	TuneGarbageCollector()
	serveCalls(busyCalls)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, the GC target became %d; want it left alone", got)
	}
}

// Without GOGC, a process keeps Go's default target while it serves few calls, as each provider process of a
// landing zone does, and takes gcPercent once it has served busyCalls.
func TestTuneGarbageCollector_default(t *testing.T) {
	resetGC(t)
	t.Setenv("GOGC", "")
	_ = os.Unsetenv("GOGC")
	TuneGarbageCollector()
	serveCalls(busyCalls - 1)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after %d calls, the GC target is %d; want Go's default of 100", busyCalls-1, got)
	}
	serveCalls(1)
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("after %d calls, the GC target is %d; want %d", busyCalls, got, gcPercent)
	}
}

// serveCalls passes n calls through withReleasedContext, as the wrapped server does.
func serveCalls(n int) {
	for range n {
		_, _ = withReleasedContext(context.Background(), 0, func(context.Context, int) (int, error) { return 0, nil })
	}
}
