package tuning

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGarbageCollector(t *testing.T) {
	previous := debug.SetGCPercent(100)
	defer debug.SetGCPercent(previous)
	defer startupGarbageReturned.Store(startupGarbageReturned.Load())

	t.Setenv("GOGC", "50")
	TuneGarbageCollector()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, the GC target became %d; want it left alone", got)
	}
}

func TestTuneGarbageCollector_default(t *testing.T) {
	previous := debug.SetGCPercent(100)
	defer debug.SetGCPercent(previous)
	defer startupGarbageReturned.Store(startupGarbageReturned.Load())

	t.Setenv("GOGC", "")
	_ = os.Unsetenv("GOGC")
	TuneGarbageCollector()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("without GOGC, the GC target is %d; want %d", got, gcPercent)
	}
	if !startupGarbageReturned.Load() {
		t.Error("TuneGarbageCollector left ConfigureProvider keeping the start-up garbage")
	}
}
