package appliance

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// secretKeys are the names of request fields whose values never appear in an error or a log line: what a login
// or refresh sends, and a role's external ID.
var secretKeys = map[string]bool{
	"password": true, "refresh_token": true, "access_token": true, "externalid": true,
}

// minSecretLength is the length below which a value is not searched for in the appliance's text: removing every
// "a" of a message would hide it without hiding anything.
const minSecretLength = 3

// redactedMark replaces a secret in text the appliance sent.
const redactedMark = "(removed)"

// secrets are the values the client has sent that must not come back in a message: the password, every token it
// was given, and the secret fields of request bodies.
type secrets struct {
	mu     sync.Mutex
	values map[string]bool
}

// add records values and the forms an echo may give them (URL-encoded, JSON-escaped).
func (s *secrets) add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]bool{}
	}
	for _, v := range values {
		if len(v) < minSecretLength {
			continue
		}
		s.values[v] = true
		s.values[url.QueryEscape(v)] = true
		s.values[url.PathEscape(v)] = true
		if quoted, err := json.Marshal(v); err == nil {
			s.values[strings.Trim(string(quoted), `"`)] = true
		}
	}
}

// addFrom records the secret fields of a form or a JSON body.
func (s *secrets) addFrom(form url.Values, body []byte) {
	for key, values := range form {
		if secretKeys[strings.ToLower(key)] {
			s.add(values...)
		}
	}
	if len(body) > 0 {
		var decoded any
		if json.Unmarshal(body, &decoded) == nil {
			s.add(secretValues(decoded)...)
		}
	}
}

// secretValues are the string values under secret keys anywhere in a decoded JSON document.
func secretValues(v any) []string {
	var found []string
	switch t := v.(type) {
	case map[string]any:
		for k, inner := range t {
			if str, ok := inner.(string); ok && secretKeys[strings.ToLower(k)] {
				found = append(found, str)
				continue
			}
			found = append(found, secretValues(inner)...)
		}
	case []any:
		for _, inner := range t {
			found = append(found, secretValues(inner)...)
		}
	}
	return found
}

// redact returns text with every recorded secret replaced, longest first so that a secret inside another is not
// left half-hidden.
func (s *secrets) redact(text string) string {
	if text == "" {
		return text
	}
	s.mu.Lock()
	values := make([]string, 0, len(s.values))
	for v := range s.values {
		values = append(values, v)
	}
	s.mu.Unlock()
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, v := range values {
		text = strings.ReplaceAll(text, v, redactedMark)
	}
	return text
}
