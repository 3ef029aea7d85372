package policy

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// How a trust policy is checked, in one place:
//
//   - A principal may assume the role when an Allow statement covering sts:AssumeRole (Action, NotAction and
//     wildcards as in Evaluate) names it in Principal.AWS, by any of its names (role ARN, account root ARN,
//     account ID) or as "*", and no Deny statement covering sts:AssumeRole may apply to it.
//   - The Allow counts without condition, or with a condition made only of StringEquals on sts:ExternalId (the key
//     in any case, as IAM reads condition keys) whose values include the one the caller sends. Any other condition
//     depends on more of the request, and does not count. A Deny counts with or without condition.
//   - A statement that cannot be read counts as a Deny for anyone, so an unreadable policy trusts nobody.
//   - An Allow with NotPrincipal cannot be judged without the request and does not count; a Deny with
//     NotPrincipal applies to everyone it does not list.
//   - A service principal counts when an Allow without condition names it in Principal.Service, or the statement's
//     Principal is "*", and no Deny names it.

// trustRule is a trust-policy statement as the trust check reads it.
type trustRule struct {
	Effect       string                                `json:"Effect"`
	Principal    principalValue                        `json:"Principal"`
	NotPrincipal principalValue                        `json:"NotPrincipal"`
	Action       stringOrList                          `json:"Action"`
	NotAction    stringOrList                          `json:"NotAction"`
	Condition    map[string]map[string]json.RawMessage `json:"Condition"`
}

// principalValue is a Principal element: "*" or a map from principal type to names.
type principalValue struct {
	present bool
	anyone  bool
	byType  map[string]stringOrList
}

// UnmarshalJSON accepts "*" or an object of string-or-list values.
func (p *principalValue) UnmarshalJSON(data []byte) error {
	p.present = true
	var star string
	if err := json.Unmarshal(data, &star); err == nil {
		p.anyone = star == "*"
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

// appliesTo reports whether a statement with this Principal or NotPrincipal covers the principal known by ids.
func appliesTo(principal, notPrincipal principalValue, kind string, ids []string) bool {
	if notPrincipal.present {
		return !notPrincipal.names(kind, ids)
	}
	return principal.names(kind, ids)
}

// TrustsPrincipal reports whether doc lets the principal known by ids (its ARN, and for a role also the account
// root ARN and account ID it lives in) call sts:AssumeRole, sending externalID ("" for none), by the rules above.
func TrustsPrincipal(doc Document, ids []string, externalID string) bool {
	rules := trustRules(doc)
	if deniedTo(rules, "AWS", ids) {
		return false
	}
	for _, r := range rules {
		if r.Effect == "Allow" && !r.NotPrincipal.present && r.Principal.names("AWS", ids) &&
			sendsExternalID(r.Condition, externalID) {
			return true
		}
	}
	return false
}

// MissingServicePrincipals returns those of services that doc does not let call sts:AssumeRole, in the order given.
func MissingServicePrincipals(doc Document, services []string) []string {
	rules := trustRules(doc)
	var missing []string
	for _, service := range services {
		ids := []string{service}
		if deniedTo(rules, "Service", ids) || !slices.ContainsFunc(rules, func(r trustRule) bool {
			return r.Effect == "Allow" && !r.NotPrincipal.present && r.Principal.names("Service", ids) &&
				len(r.Condition) == 0
		}) {
			missing = append(missing, service)
		}
	}
	return missing
}

// trustRules reads the statements of doc that cover sts:AssumeRole; a statement that does not read is skipped,
// so it grants nothing.
func trustRules(doc Document) []trustRule {
	var rules []trustRule
	for _, s := range doc.Statements {
		var r trustRule
		if err := json.Unmarshal(s.raw, &r); err != nil {
			rules = append(rules, unreadableRule) // it might deny anyone
			continue
		}
		if matchesAction(r.Action, r.NotAction, AssumeRoleAction) {
			rules = append(rules, r)
		}
	}
	return rules
}

// deniedTo reports whether a Deny, with or without condition, may apply to the principal.
func deniedTo(rules []trustRule, kind string, ids []string) bool {
	return slices.ContainsFunc(rules, func(r trustRule) bool {
		return r.Effect == "Deny" && appliesTo(r.Principal, r.NotPrincipal, kind, ids)
	})
}

// unreadableRule stands for a statement that cannot be read: it may be a Deny for anyone.
var unreadableRule = trustRule{Effect: "Deny", Principal: principalValue{present: true, anyone: true}}

// sendsExternalID reports whether a caller sending externalID ("" for none) meets condition: no condition, or
// only StringEquals on sts:ExternalId with externalID among its values.
func sendsExternalID(condition map[string]map[string]json.RawMessage, externalID string) bool {
	if len(condition) == 0 {
		return true
	}
	keys := condition["StringEquals"]
	if len(condition) != 1 || len(keys) != 1 || externalID == "" {
		return false
	}
	key := slices.Collect(maps.Keys(keys))[0]
	var values stringOrList
	if !strings.EqualFold(key, externalIDKey) || json.Unmarshal(keys[key], &values) != nil {
		return false
	}
	return slices.Contains(values, externalID)
}
