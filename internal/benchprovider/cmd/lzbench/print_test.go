package main

import (
	"strings"
	"testing"
)

// runOf is one run's measurements of plan, apply and refresh plan, all alike.
func runOf(seconds float64, peakKiB, calls int) []measurement {
	m := measurement{seconds: seconds, peak: residence{rssKiB: peakKiB}, calls: calls}
	return []measurement{m, m, m}
}

func TestTargetLinesSayMetOrMissed(t *testing.T) {
	landingZone := scenario{configurations: 50, resources: 1}
	cases := []struct {
		name    string
		vbaws   []measurement
		missed  int
		contain string
	}{
		{"at the floor", runOf(10, 1000, 50), 0, "peak RSS 1.000"},
		{"RSS just over", runOf(10, 1151, 50), 2, "peak RSS 1.151 (at most 1.15): MISSED"},
		{"two calls per configuration", runOf(10, 1000, 100), 1, "AWS calls per configuration 2.000"},
	}
	for _, tc := range cases {
		results := map[string][][]measurement{floorName: {runOf(10, 1000, 0)}, vbawsName: {tc.vbaws}}
		lines := targetLines(landingZone, results)
		text := strings.Join(lines, "\n")
		if len(lines) != len(landingZoneTargets) || strings.Count(text, "MISSED") != tc.missed ||
			!strings.Contains(text, tc.contain) {
			t.Errorf("%s: want %d of %d missed and %q, got:\n%s", tc.name, tc.missed, len(landingZoneTargets),
				tc.contain, text)
		}
	}
	width := targetLines(scenario{configurations: 1, resources: 1000},
		map[string][][]measurement{floorName: {runOf(10, 1000, 0)}, vbawsName: {runOf(11.2, 1000, 14)}})
	if len(width) != 1 || !strings.Contains(width[0], "refresh plan, wall 1.120 (at most 1.1): MISSED") {
		t.Errorf("width targets: %q", width)
	}
}
