package veeamrest

import (
	"regexp"
	"slices"
	"testing"
)

// The list is newest first, without repeats, in the only form x-api-version takes, and callers get copies.
func TestRevisionsNewestFirst(t *testing.T) {
	form := regexp.MustCompile(`^(\d+)\.(\d+)-rev(\d+)$`)
	got := Revisions()
	for i, r := range got {
		if !form.MatchString(r) {
			t.Errorf("%q is not a revision", r)
		}
		if i > 0 && !newer(got[i-1], r) {
			t.Errorf("%s is listed before %s", got[i-1], r)
		}
	}
	if Newest() != got[0] || !slices.Contains(got, "1.0-rev0") {
		t.Errorf("Newest() = %s, Revisions() = %v", Newest(), got)
	}
	got[0] = "mutated"
	if Revisions()[0] == "mutated" {
		t.Error("Revisions returns the shared slice")
	}
}

// newer reports whether revision a is newer than b, comparing major, minor and rev numerically.
func newer(a, b string) bool {
	form := regexp.MustCompile(`\d+`)
	x, y := form.FindAllString(a, -1), form.FindAllString(b, -1)
	for i := range x {
		if len(x[i]) != len(y[i]) {
			return len(x[i]) > len(y[i])
		}
		if x[i] != y[i] {
			return x[i] > y[i]
		}
	}
	return false
}
