package policy

import (
	"encoding/json"
	"path"
	"strings"
)

// grantStatement is the part of an identity-policy statement that decides whether it applies to a request.
type grantStatement struct {
	Effect      string          `json:"Effect"`
	Action      stringOrList    `json:"Action"`
	NotAction   stringOrList    `json:"NotAction"`
	Resource    stringOrList    `json:"Resource"`
	NotResource stringOrList    `json:"NotResource"`
	Condition   json.RawMessage `json:"Condition"`
}

// AllowsAction reports whether identity policies documents allow action on resource without conditions. A Deny
// that matches, with or without a condition, wins; an Allow with a condition does not count, because whether it
// applies depends on the request. Wildcards in actions and resources are honoured; actions compare case-insensitively.
func AllowsAction(documents []string, action, resource string) (bool, error) {
	allowed := false
	for _, text := range documents {
		doc, err := Parse(text)
		if err != nil {
			return false, err
		}
		for _, s := range doc.Statements {
			var g grantStatement
			if err := json.Unmarshal(s.raw, &g); err != nil {
				return false, err
			}
			if !g.matches(action, resource) {
				continue
			}
			if g.Effect == "Deny" {
				return false, nil
			}
			allowed = allowed || (g.Effect == "Allow" && len(g.Condition) == 0)
		}
	}
	return allowed, nil
}

// matches reports whether the statement covers action on resource.
func (g grantStatement) matches(action, resource string) bool {
	return matchesEither(g.Action, g.NotAction, strings.ToLower(action), strings.ToLower) &&
		matchesEither(g.Resource, g.NotResource, resource, func(s string) string { return s })
}

// matchesEither applies a positive list, or else its negated form, to value.
func matchesEither(list, notList stringOrList, value string, normalise func(string) string) bool {
	if notList != nil {
		return !anyMatch(notList, value, normalise)
	}
	return anyMatch(list, value, normalise)
}

func anyMatch(patterns stringOrList, value string, normalise func(string) string) bool {
	for _, pattern := range patterns {
		if wildcardMatch(normalise(pattern), value) {
			return true
		}
	}
	return false
}

// wildcardMatch applies IAM's * and ? wildcards, which, unlike path.Match, also match "/".
func wildcardMatch(pattern, value string) bool {
	escaped := strings.NewReplacer("/", "\x00", "[", "\\[", "\\", "\\\\").Replace(pattern)
	ok, err := path.Match(escaped, strings.ReplaceAll(value, "/", "\x00"))
	return err == nil && ok
}
