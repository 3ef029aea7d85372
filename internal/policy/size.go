package policy

import (
	"fmt"
	"strconv"
	"unicode"
)

// ManagedPolicyMaxSize is IAM's limit for a customer managed policy, in characters excluding whitespace.
const ManagedPolicyMaxSize = 6144

// Size measures a policy document as IAM does against its size quotas: characters, not counting whitespace.
func Size(document string) int {
	n := 0
	for _, r := range document {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// SplitActions packs actions, in the order given, into as few documents as it can, each at most limit characters
// by Size. Each document holds one Allow statement on "*", with Sid sidPrefix followed by the document's number
// from 1. The same input always gives the same documents. It fails when one action alone does not fit.
func SplitActions(actions []string, sidPrefix string, limit int) ([]string, error) {
	var documents []string
	for start := 0; start < len(actions); {
		sid := sidPrefix + strconv.Itoa(len(documents)+1)
		end := start + fitting(actions[start:], sid, limit)
		if end == start {
			return nil, fmt.Errorf("action %q alone makes a document larger than %d characters", actions[start], limit)
		}
		documents = append(documents, permissionDocument(sid, actions[start:end]))
		start = end
	}
	return documents, nil
}

// fitting returns how many of actions, from the first, fit in one document under limit.
func fitting(actions []string, sid string, limit int) int {
	size := Size(permissionDocument(sid, nil)) // with "Action":[] the list brackets are already counted
	for i, action := range actions {
		size += Size(strconv.Quote(action))
		if i > 0 {
			size++ // the comma before it
		}
		if size > limit {
			return i
		}
	}
	return len(actions)
}

// permissionDocument renders the document allowing actions on every resource. Action is always a list, so a
// document's size grows by exactly each action added.
func permissionDocument(sid string, actions []string) string {
	statement := map[string]any{"Sid": sid, "Effect": "Allow", "Action": append([]string{}, actions...),
		"Resource": "*"}
	return NewDocument(newStatement(statement)).Marshal()
}
