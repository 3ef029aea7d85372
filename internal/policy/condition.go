package policy

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// How a Condition element is decided, in one place. It follows IAM's condition operators as far as the request is
// known:
//
//   - What is known of the request is a RequestContext: condition keys with their value, and keys known to be
//     absent. Every other key is unknown. Condition keys compare case-insensitively; operator names do not.
//   - A Condition holds when every operator and key in it holds; an empty or null one always holds. When one of
//     them is known not to hold, the Condition does not hold; otherwise, when one is unknown, the Condition is
//     unknown.
//   - Decided exactly: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase,
//     StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, each also with IfExists, and Null.
//   - With several values, a key holds when the request's value matches any of them; a negated operator holds
//     when it matches none.
//   - StringLike and StringNotLike are case-sensitive, "*" matching any run of characters and "?" exactly one.
//     ArnEquals and ArnLike are the same: each of the six colon-separated parts of the ARN is matched on its own,
//     with the same wildcards.
//   - A key absent from the request: ...IfExists holds, a negated operator holds, any other operator does not.
//     Null with "true" holds exactly when the key is absent, with "false" exactly when it is present.
//   - Contradictory conditions on one key: when the request does not know a key that the Condition compares
//     only with StringEquals, StringNotEquals (also with IfExists) and Null, and neither any value nor the key's
//     absence satisfies all of them (say StringEquals "a" and StringEquals "b", or Null "true" and StringEquals
//     "a"), the Condition does not hold, whatever the request carries, as AWS never matches it. Keys compare
//     case-insensitively here too, so "sts:ExternalId" and "sts:externalid" are one key.
//   - Unknown: every other operator, the ForAnyValue: and ForAllValues: set operators, values with a policy
//     variable (${...}), values other than strings, numbers and booleans, an empty list of values, an ARN
//     operator on a value that is not an ARN, and a Condition element that is not an object of objects.

// RequestContext is what the evaluator knows of a request: condition keys with their value, and keys known to be
// absent. The zero value knows nothing.
type RequestContext struct {
	keys map[string]*string // lower-case key to its value, nil when the key is known to be absent
}

// Condition keys the evaluator fills in for a principal.
const (
	// PrincipalARNKey is the ARN of the principal making the request; for a role session, the role's ARN.
	PrincipalARNKey = "aws:PrincipalArn"
	// PrincipalAccountKey is the account the principal making the request belongs to.
	PrincipalAccountKey = "aws:PrincipalAccount"
)

// With returns a copy of c in which key has value.
func (c RequestContext) With(key, value string) RequestContext {
	return c.set(key, &value)
}

// Without returns a copy of c in which key is known to be absent.
func (c RequestContext) Without(key string) RequestContext {
	return c.set(key, nil)
}

func (c RequestContext) set(key string, value *string) RequestContext {
	keys := maps.Clone(c.keys)
	if keys == nil {
		keys = map[string]*string{}
	}
	keys[strings.ToLower(key)] = value
	return RequestContext{keys: keys}
}

// lookup reports what c knows of key.
func (c RequestContext) lookup(key string) (value string, present, known bool) {
	v, known := c.keys[strings.ToLower(key)]
	if !known || v == nil {
		return "", false, known
	}
	return *v, true, true
}

// RoleContext is what every request of a session of the role roleARN carries: its aws:PrincipalArn, which is the
// role's ARN and not the session's, and its aws:PrincipalAccount.
func RoleContext(roleARN string) RequestContext {
	request := RequestContext{}.With(PrincipalARNKey, roleARN)
	if a, ok := splitARN(roleARN); ok {
		request = request.With(PrincipalAccountKey, a.account)
	}
	return request
}

// AccountContext is what every request of a principal of account accountID carries: its aws:PrincipalAccount.
func AccountContext(accountID string) RequestContext {
	return RequestContext{}.With(PrincipalAccountKey, accountID)
}

// arnFields are the parts of an ARN; resource keeps any further colons.
type arnFields struct {
	partition, service, account, resource string
}

// splitARN cuts arn into its parts, reporting false when it is not shaped like an ARN.
func splitARN(arn string) (arnFields, bool) {
	fields := strings.SplitN(arn, ":", 6)
	if len(fields) != 6 || fields[0] != "arn" {
		return arnFields{}, false
	}
	return arnFields{partition: fields[1], service: fields[2], account: fields[4], resource: fields[5]}, true
}

// truth is the answer to whether a condition holds.
type truth int

const (
	holds truth = iota
	fails
	unknown
)

func truthOf(b bool) truth {
	if b {
		return holds
	}
	return fails
}

// conditionBlock is a Condition element. Reading one never fails: one that does not read is malformed, and its
// answer is unknown.
type conditionBlock struct {
	entries   []conditionEntry
	malformed bool
	raw       json.RawMessage
}

// conditionEntry is one operator applied to one key.
type conditionEntry struct {
	operator, key string
	values        []string
	valuesRead    bool
}

// UnmarshalJSON reads an object of operators, each an object of keys with one value or a list of them.
func (b *conditionBlock) UnmarshalJSON(data []byte) error {
	*b = readCondition(data)
	b.raw = append(json.RawMessage(nil), data...)
	return nil
}

// stringValues returns the Condition as it is written when each value is a string or a list of strings, and an
// error when it is written otherwise (a number or a boolean value, say). No Condition gives nil.
func (b conditionBlock) stringValues() (map[string]map[string]stringOrList, error) {
	var out map[string]map[string]stringOrList
	if b.raw == nil {
		return nil, nil
	}
	return out, json.Unmarshal(b.raw, &out)
}

// readCondition reads a Condition element; one that is not an object of objects is malformed.
func readCondition(data []byte) conditionBlock {
	var operators map[string]map[string]json.RawMessage
	if json.Unmarshal(data, &operators) != nil {
		return conditionBlock{malformed: true}
	}
	var b conditionBlock
	for operator, keys := range operators {
		for key, raw := range keys {
			values, ok := conditionValues(raw)
			b.entries = append(b.entries, conditionEntry{operator: operator, key: key, values: values, valuesRead: ok})
		}
	}
	return b
}

// present reports whether the statement has a Condition with anything in it.
func (b conditionBlock) present() bool {
	return b.malformed || len(b.entries) > 0
}

// conditionValues reads a value or a list of values, each a string, a number or a boolean, as strings.
func conditionValues(raw json.RawMessage) ([]string, bool) {
	var list []json.RawMessage
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, false
	}
	values := make([]string, 0, len(list))
	for _, item := range list {
		value, ok := scalar(item)
		if !ok {
			return nil, false
		}
		values = append(values, value)
	}
	return values, len(values) > 0
}

// scalar reads a JSON string, number or boolean as the string IAM compares.
func scalar(raw json.RawMessage) (string, bool) {
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var v any
	if err := decoder.Decode(&v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// evaluate decides the Condition for the request known by c.
func (b conditionBlock) evaluate(c RequestContext) truth {
	if b.malformed {
		return unknown
	}
	result := holds
	for _, e := range b.entries {
		switch e.evaluate(c) {
		case fails:
			return fails
		case unknown:
			result = unknown
		}
	}
	if result == unknown && b.contradictory(c) {
		return fails
	}
	return result
}

// matcher compares one condition value with the request's value, reporting false for decided when it cannot.
type matcher func(pattern, value string) (matched, decided bool)

// conditionOperator is an operator the evaluator decides, apart from IfExists and Null.
type conditionOperator struct {
	match   matcher
	negated bool
}

var conditionOperators = map[string]conditionOperator{
	"StringEquals":              {match: stringEquals},
	"StringNotEquals":           {match: stringEquals, negated: true},
	"StringEqualsIgnoreCase":    {match: stringEqualsIgnoreCase},
	"StringNotEqualsIgnoreCase": {match: stringEqualsIgnoreCase, negated: true},
	"StringLike":                {match: stringLike},
	"StringNotLike":             {match: stringLike, negated: true},
	"ArnEquals":                 {match: arnLike},
	"ArnLike":                   {match: arnLike},
	"ArnNotEquals":              {match: arnLike, negated: true},
	"ArnNotLike":                {match: arnLike, negated: true},
}

func stringEquals(pattern, value string) (bool, bool) { return pattern == value, true }

func stringEqualsIgnoreCase(pattern, value string) (bool, bool) {
	return strings.EqualFold(pattern, value), true
}

func stringLike(pattern, value string) (bool, bool) { return wildcardMatch(pattern, value), true }

// arnLike matches each of the six parts of an ARN on its own; it cannot decide when either side is not an ARN.
func arnLike(pattern, value string) (bool, bool) {
	patterns, values := strings.SplitN(pattern, ":", 6), strings.SplitN(value, ":", 6)
	if len(patterns) != 6 || len(values) != 6 {
		return false, false
	}
	for i := range patterns {
		if !wildcardMatch(patterns[i], values[i]) {
			return false, true
		}
	}
	return true, true
}

// evaluate decides one operator on one key.
func (e conditionEntry) evaluate(c RequestContext) truth {
	value, present, known := c.lookup(e.key)
	if !e.valuesRead || !known {
		return unknown
	}
	if e.operator == "Null" {
		return e.null(present)
	}
	name, ifExists := strings.CutSuffix(e.operator, "IfExists")
	operator, decided := conditionOperators[name]
	switch {
	case !decided:
		return unknown
	case !present:
		return truthOf(ifExists || operator.negated)
	}
	matched := false
	for _, pattern := range e.values {
		if strings.Contains(pattern, "${") {
			return unknown
		}
		m, ok := operator.match(pattern, value)
		if !ok {
			return unknown
		}
		matched = matched || m
	}
	return truthOf(matched != operator.negated)
}

// null decides the Null operator: "true" asks for the key to be absent, "false" for it to be present.
func (e conditionEntry) null(present bool) truth {
	result := fails
	for _, v := range e.values {
		switch {
		case strings.EqualFold(v, "true"):
			if !present {
				result = holds
			}
		case strings.EqualFold(v, "false"):
			if present {
				result = holds
			}
		default:
			return unknown
		}
	}
	return result
}

// equalityOperators are the operators whose answer for a value depends only on whether it equals, exactly, one
// of the condition's values or is absent, so that trying every value named, one named by none and absence
// decides whether any request satisfies them together.
var equalityOperators = map[string]bool{"StringEquals": true, "StringNotEquals": true,
	"StringEqualsIfExists": true, "StringNotEqualsIfExists": true, "Null": true}

// contradictory reports whether some key that c does not know is compared only by equalityOperators in ways no
// request can satisfy together.
func (b conditionBlock) contradictory(c RequestContext) bool {
	byKey := map[string][]conditionEntry{}
	for _, e := range b.entries {
		key := strings.ToLower(e.key)
		if _, _, known := c.lookup(key); !known {
			byKey[key] = append(byKey[key], e)
		}
	}
	for key, entries := range byKey {
		if decidableByEquality(entries) && !satisfiable(key, entries, c) {
			return true
		}
	}
	return false
}

// decidableByEquality reports whether every entry uses one of equalityOperators on values without a policy
// variable.
func decidableByEquality(entries []conditionEntry) bool {
	for _, e := range entries {
		if !equalityOperators[e.operator] || !e.valuesRead ||
			slices.ContainsFunc(e.values, func(v string) bool { return strings.Contains(v, "${") }) {
			return false
		}
	}
	return true
}

// satisfiable reports whether the key's absence, one of the values the entries name, or a value longer than all
// of them makes every entry hold. An entry it cannot decide counts as satisfiable.
func satisfiable(key string, entries []conditionEntry, c RequestContext) bool {
	candidates := []RequestContext{c.Without(key)}
	longest := 0
	for _, e := range entries {
		for _, v := range e.values {
			candidates = append(candidates, c.With(key, v))
			longest = max(longest, len(v))
		}
	}
	candidates = append(candidates, c.With(key, strings.Repeat("x", longest+1)))
	for _, request := range candidates {
		all := true
		for _, e := range entries {
			switch e.evaluate(request) {
			case unknown:
				return true
			case fails:
				all = false
			}
		}
		if all {
			return true
		}
	}
	return false
}
