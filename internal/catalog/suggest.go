package catalog

import (
	"strings"

	"github.com/agext/levenshtein"
)

// Suggest returns the operation name (of any version) closest to name by edit distance
// (ignoring case), or "" when no operation is close enough to be a likely
// typo. It is meant for "did you mean" hints.
func Suggest(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return ""
	}
	best, bestDist := "", maxSuggestDistance(name)+1
	for _, candidate := range AllOperations() {
		if d := levenshtein.Distance(name, candidate, nil); d < bestDist {
			best, bestDist = candidate, d
		}
	}
	return best
}

// maxSuggestDistance is the largest edit distance still treated as a typo:
// roughly one edit per four characters, between 1 and 3.
func maxSuggestDistance(name string) int {
	return min(3, max(1, len([]rune(name))/4))
}
