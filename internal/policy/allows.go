package policy

import (
	"path"
	"strings"
)

// AllowsAction reports whether identity policies documents allow action on resource without conditions, by the
// rules of Evaluate for a request of which nothing is known. It fails when a document does not parse.
func AllowsAction(documents []string, action, resource string) (bool, error) {
	named := make([]NamedDocument, len(documents))
	for i, text := range documents {
		named[i] = NamedDocument{Text: text}
	}
	e := Evaluate(Policies{Identity: named}, []string{action}, resource, RequestContext{})
	if len(e.Unparsed) > 0 {
		return false, e.Unparsed[0].Err
	}
	return len(e.Findings) == 0, nil
}

// matches reports whether the statement covers action on resource.
func (g rule) matches(action, resource string) bool {
	return matchesAction(g.Action, g.NotAction, action) &&
		matchesEither(
			g.Resource,
			g.NotResource,
			func(pattern string) bool { return resourceMatches(pattern, resource) },
		)
}

// matchesAction applies an Action list, or else a NotAction list, to action, ignoring case.
func matchesAction(actions, notActions stringOrList, action string) bool {
	action = strings.ToLower(action)
	return matchesEither(actions, notActions, func(pattern string) bool {
		return wildcardMatch(strings.ToLower(pattern), action)
	})
}

// matchesEither applies a positive list, or else its negated form, with match.
func matchesEither(list, notList stringOrList, match func(pattern string) bool) bool {
	if notList != nil {
		return !anyMatch(notList, match)
	}
	return anyMatch(list, match)
}

func anyMatch(patterns stringOrList, match func(pattern string) bool) bool {
	for _, pattern := range patterns {
		if match(pattern) {
			return true
		}
	}
	return false
}

// patternEscaper turns an IAM pattern into a path.Match pattern: "/" becomes a character path.Match does not
// treat as a separator, and "[" and "\\" are literal.
var patternEscaper = strings.NewReplacer("/", "\x00", "[", "\\[", "\\", "\\\\")

// wildcardMatch applies IAM's * and ? wildcards, which, unlike path.Match, also match "/".
func wildcardMatch(pattern, value string) bool {
	escaped := patternEscaper.Replace(pattern)
	ok, err := path.Match(escaped, strings.ReplaceAll(value, "/", "\x00"))
	return err == nil && ok
}
