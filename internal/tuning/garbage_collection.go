package tuning

import (
	"os"
	"runtime/debug"
	"sync/atomic"
)

// gcPercent is the garbage collector's target the provider runs with, once busy, unless GOGC says otherwise. Once
// requests release their contexts (see ReleaseContexts), the provider's live heap stays near 5 MB during a plan,
// while every call allocates freely; with Go's default of 100 a plan of 1,000 roles collects some 300 times. At
// 300 it collects a third as often, which saves about a fifth of the provider's CPU for a peak of about 60 MiB.
const gcPercent = 300

// busyCalls is how many resource and data source calls make a provider process busy. A landing zone starts one
// process per account (member provider configuration) for a handful of calls each, where a target of 300 saves
// no collection worth having and only lets each process hold up to four times its live heap: until busyCalls,
// the process keeps Go's default target of 100.
const busyCalls = 50

var (
	// gcTuned says that the target is the provider's to choose: GOGC is not set.
	gcTuned atomic.Bool
	// resourceCalls counts the calls the process has served, up to busyCalls.
	resourceCalls atomic.Int64
)

// TuneGarbageCollector applies gcPercent once the process is busy (busyCalls), unless the user set GOGC.
func TuneGarbageCollector() {
	if _, set := os.LookupEnv("GOGC"); !set {
		gcTuned.Store(true)
	}
}

// countCall counts a resource or data source call, and raises the target to gcPercent on the busyCalls-th.
func countCall() {
	if gcTuned.Load() && resourceCalls.Add(1) == busyCalls {
		debug.SetGCPercent(gcPercent)
	}
}
