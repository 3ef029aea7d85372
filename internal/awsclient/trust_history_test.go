package awsclient

import (
	"testing"
	"time"
)

// A read showing a document this process replaced is stale while the latest write is recent; the latest write, a
// document never seen, a role never written and a read after the window are not.
func TestTrustHistoryStale(t *testing.T) {
	var h trustHistory
	h.wrote("r", "d0", "d1")
	h.wrote("r", "d1", "d2")
	cases := []struct {
		role, doc string
		wait      time.Duration
		stale     bool
	}{
		{"r", "d0", 0, true},
		{"r", "d1", 0, true},
		{"r", "d2", 0, false},
		{"r", "from-another-writer", 0, false},
		{"other", "d0", 0, false},
		{"r", "d0", staleReadWindow, false},
	}
	for _, c := range cases {
		if got := h.stale(c.role, c.doc, c.wait); got != c.stale {
			t.Errorf("stale(%s, %s, %s) = %v, want %v", c.role, c.doc, c.wait, got, c.stale)
		}
	}
}

// Writing a document back that was replaced before makes it the latest again, not stale.
func TestTrustHistoryWritingBackIsLatest(t *testing.T) {
	var h trustHistory
	h.wrote("r", "d0", "d1")
	h.wrote("r", "d1", "d0")
	if h.stale("r", "d0", 0) || !h.stale("r", "d1", 0) {
		t.Errorf("after writing d0 back, d0 must be current and d1 replaced")
	}
}
