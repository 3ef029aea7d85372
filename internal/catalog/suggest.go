package catalog

import "strings"

// Suggest returns the operation name closest to name by edit distance
// (ignoring case), or "" when no operation is close enough to be a likely
// typo. It is meant for "did you mean" hints.
func Suggest(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return ""
	}
	best, bestDist := "", maxSuggestDistance(name)+1
	for _, candidate := range operationNames {
		if d := editDistance(name, candidate); d < bestDist {
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

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
