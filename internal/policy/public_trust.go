package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// When a trust statement is open to everyone, in one place. An Allow statement that covers sts:AssumeRole,
// sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML is open when:
//
//   - it has NotPrincipal: it lets in everyone it does not list;
//   - its Principal is "*", or a principal of any type is "*" or a pattern with "*" or "?" (such as
//     {"AWS": "*"} or "arn:aws:iam::*:root"), and no Condition narrows who the caller is: a condition counts only
//     with an operator that is not negated and not ...IfExists, on one of callerKeys, with values that are not
//     "*";
//   - its principal is a web-identity provider (Federated, other than a SAML provider) and it has no Condition:
//     everyone with a token of that provider gets in.
//
// Anything else names who may assume the role. A statement that cannot be read is not judged here; parsing
// reports it.

// assumeActions are the actions that let a caller in through a trust policy.
var assumeActions = []string{AssumeRoleAction, "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"}

// callerKeys are the condition keys that say who the caller is, or whose request it makes, in lower case.
var callerKeys = []string{"aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
	"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:userid"}

// OpenStatement is a trust statement that lets anyone in.
type OpenStatement struct {
	// Sid is the statement's Sid, "" when it has none.
	Sid string
	// Index is the statement's position in its document, from 0.
	Index int
	// Reason says, in words, whom it lets in.
	Reason string
}

// String names the statement and says why it is open.
func (o OpenStatement) String() string {
	name := fmt.Sprintf("statement %d", o.Index+1)
	if o.Sid != "" {
		name += fmt.Sprintf(" (Sid %s)", o.Sid)
	}
	return name + " " + o.Reason
}

// OpenStatements returns the statements of doc that let anyone assume the role, by the rules above.
func OpenStatements(doc Document) []OpenStatement {
	var open []OpenStatement
	for i, s := range doc.Statements {
		var r rule
		if json.Unmarshal(s.raw, &r) != nil || r.Effect != "Allow" || !coversAssume(r) {
			continue
		}
		if reason := openReason(r); reason != "" {
			open = append(open, OpenStatement{Sid: s.Sid(), Index: i, Reason: reason})
		}
	}
	return open
}

// MissingPrincipal returns the positions, from 0, of the statements of doc that have neither Principal nor
// NotPrincipal, which IAM refuses in a trust policy.
func MissingPrincipal(doc Document) []int {
	var missing []int
	for i, s := range doc.Statements {
		var r rule
		if json.Unmarshal(s.raw, &r) == nil && !r.Principal.present && !r.NotPrincipal.present {
			missing = append(missing, i)
		}
	}
	return missing
}

func coversAssume(r rule) bool {
	return slices.ContainsFunc(assumeActions, func(a string) bool { return matchesAction(r.Action, r.NotAction, a) })
}

// openReason says whom r lets in when it is open to everyone, or "" when it is not.
func openReason(r rule) string {
	switch {
	case r.NotPrincipal.present:
		return "uses NotPrincipal in an Allow, which lets in every principal it does not list"
	case r.Principal.anyone && !narrowsCaller(r.Condition):
		return `lets in "*", any principal of any account, without a condition on who the caller is`
	}
	for _, kind := range sortedKeys(r.Principal.byType) {
		for _, value := range r.Principal.byType[kind] {
			if strings.ContainsAny(value, "*?") && !narrowsCaller(r.Condition) {
				return fmt.Sprintf("lets in %s principal %q, a wildcard, without a condition on who the caller is",
					kind, value)
			}
			if kind == "Federated" && !strings.Contains(value, ":saml-provider/") && !r.Condition.present() {
				return fmt.Sprintf("lets in everyone with a token of %q, without a condition", value)
			}
		}
	}
	return ""
}

// narrowsCaller reports whether a Condition limits who the caller is, as the rules above say.
func narrowsCaller(b conditionBlock) bool {
	return slices.ContainsFunc(b.entries, func(e conditionEntry) bool {
		operator := strings.ToLower(e.operator)
		return !strings.Contains(operator, "not") && !strings.HasSuffix(operator, "ifexists") &&
			!strings.HasPrefix(operator, "null") && slices.Contains(callerKeys, strings.ToLower(e.key)) &&
			e.valuesRead && len(e.values) > 0 && !slices.Contains(e.values, "*")
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
