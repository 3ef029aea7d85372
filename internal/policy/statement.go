package policy

import (
	"encoding/json"
	"slices"
)

// The statement model. A Statement holds its canonical JSON; whatever this package reads from one (the evaluator,
// the trust check, the reading of Veeam's trust statements) is decoded into rule, and whatever it writes is built
// from the elements it sets and held canonical.

// rule is a statement as every reader in this package decodes it.
type rule struct {
	Effect       string         `json:"Effect"`
	Principal    principalValue `json:"Principal"`
	NotPrincipal principalValue `json:"NotPrincipal"`
	Action       stringOrList   `json:"Action"`
	NotAction    stringOrList   `json:"NotAction"`
	Resource     stringOrList   `json:"Resource"`
	NotResource  stringOrList   `json:"NotResource"`
	Condition    conditionBlock `json:"Condition"`
	// unreadable marks the rule that stands for a statement that cannot be read.
	unreadable bool
}

// trustElements reads s as a trust statement written the way IAM documents one: Principal an object of principal
// types and Condition an object of string values. It reports false for anything else.
func trustElements(s Statement) (rule, map[string]map[string]stringOrList, bool) {
	var r rule
	if err := json.Unmarshal(s.raw, &r); err != nil || r.Principal.notObject {
		return rule{}, nil, false
	}
	condition, err := r.Condition.stringValues()
	if err != nil {
		return rule{}, nil, false
	}
	return r, condition, true
}

// newTrustStatement builds the statement sid with effect on sts:AssumeRole for principals by principal type,
// under condition when it is not nil. Writers build their statements from the elements they set, and the
// statement is held canonical.
func newTrustStatement(sid, effect string, principals map[string]stringOrList,
	condition map[string]map[string]stringOrList) Statement {
	elements := map[string]any{"Sid": sid, "Effect": effect, "Action": stringOrList{AssumeRoleAction},
		"Principal": principals}
	if condition != nil {
		elements["Condition"] = condition
	}
	return newStatement(elements)
}

// principalValue is a Principal element: "*" or a map from principal type to names.
type principalValue struct {
	present   bool
	anyone    bool
	notObject bool // written as a string, such as "*", rather than an object of principal types
	byType    map[string]stringOrList
}

// UnmarshalJSON accepts "*" or an object of string-or-list values.
func (p *principalValue) UnmarshalJSON(data []byte) error {
	p.present = true
	var star string
	if err := json.Unmarshal(data, &star); err == nil {
		p.anyone = star == "*"
		p.notObject = string(data) != "null"
		return nil
	}
	return json.Unmarshal(data, &p.byType)
}

// names reports whether the element names one of ids under principal type kind ("AWS", "Service").
func (p principalValue) names(kind string, ids []string) bool {
	if p.anyone {
		return true
	}
	for _, value := range p.byType[kind] {
		if value == "*" || slices.Contains(ids, value) {
			return true
		}
	}
	return false
}

// namesExactly reports whether the element names id itself under principal type kind, not through "*".
func (p principalValue) namesExactly(kind, id string) bool {
	return slices.Contains(p.byType[kind], id)
}

// namesRoleItself reports whether the element names the role roleARN by its ARN or names everyone ("*"), which
// within one account admits the role the same way, rather than through its account.
func (p principalValue) namesRoleItself(roleARN string) bool {
	return p.anyone || p.namesExactly("AWS", roleARN) || p.namesExactly("AWS", "*")
}

// appliesTo reports whether a statement with this Principal or NotPrincipal covers the principal known by ids.
func appliesTo(principal, notPrincipal principalValue, kind string, ids []string) bool {
	if notPrincipal.present {
		return !notPrincipal.names(kind, ids)
	}
	return principal.names(kind, ids)
}

// stringOrList is a policy value written either as one string or as a list of strings.
type stringOrList []string

// UnmarshalJSON accepts a string or a list of strings.
func (l *stringOrList) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = stringOrList{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(data, &many)
	*l = many
	return err
}

// MarshalJSON writes a single value as a string and anything else as a list, as IAM does.
func (l stringOrList) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]string(l))
}
