package policy

import (
	"slices"
	"strings"
)

// PrincipalFilter reports whether a trust principal may be one of Veeam's: AWS principals are checked with
// AWS, service principals with Service. Callers pass the same rules their inputs are validated with.
type PrincipalFilter struct {
	AWS     func(string) bool
	Service func(string) bool
}

// ReadTrust splits a trust policy by what its statements mean, whatever their Sids: the statements that only
// allow sts:AssumeRole to accepted AWS principals (with at most one sts:ExternalId StringEquals condition) or to
// accepted service principals (without condition) make up the returned spec, named sid; every other statement is
// returned unchanged in others. A document written by TrustStatements and one written by Veeam's CloudFormation
// (Sid-less statements) give the same spec. When AWS statements carry different conditions, the first one wins
// and the others stay in others, so nothing is lost. An accepted AWS principal that one of the other statements
// lets in, whatever else that statement names, joins the spec too (see withCoveredPrincipals), while the statement
// stays in others.
func ReadTrust(doc Document, sid string, accept PrincipalFilter) (spec TrustSpec, others []Statement) {
	spec.Sid = sid
	awsCondition := ""
	awsSeen := false
	for _, s := range doc.Statements {
		shape, ok := veeamShape(s, accept)
		switch {
		case !ok:
			others = append(others, s)
		case len(shape.AWSPrincipals) > 0 && awsSeen && shape.ExternalID != awsCondition:
			others = append(others, s)
		default:
			if len(shape.AWSPrincipals) > 0 {
				awsSeen, awsCondition = true, shape.ExternalID
				spec.AWSPrincipals = append(spec.AWSPrincipals, shape.AWSPrincipals...)
			}
			spec.ServicePrincipals = append(spec.ServicePrincipals, shape.ServicePrincipals...)
		}
	}
	spec.ExternalID = awsCondition
	spec = withCoveredPrincipals(doc, spec, others, awsSeen, accept.AWS)
	spec.AWSPrincipals = nilIfEmpty(sorted(spec.AWSPrincipals))
	spec.ServicePrincipals = nilIfEmpty(sorted(spec.ServicePrincipals))
	return spec, others
}

// withCoveredPrincipals adds to spec the accepted AWS principals that a statement of others names and lets call
// sts:AssumeRole, whatever else it names (more principals, more actions such as sts:TagSession, conditions that
// hold for them): CheckTrust, the decision vbaws_role_check makes, trusts them with spec's external ID, and
// a Veeam statement for them would grant nothing the statements of others do not already grant, so the document
// means the same with or without it. When spec has no AWS principal yet, the external ID is the first of none
// and the IDs the statements name under which some principal qualifies.
func withCoveredPrincipals(doc Document, spec TrustSpec, others []Statement, awsSeen bool,
	accept func(string) bool) TrustSpec {
	rules := trustRules(NewDocument(others...))
	externalIDs := []string{spec.ExternalID}
	if !awsSeen {
		externalIDs = append([]string{""}, externalIDsNamed(rules)...)
	}
	for _, externalID := range externalIDs {
		var covered []string
		for _, p := range awsPrincipalsNamed(rules, accept) {
			if !slices.Contains(spec.AWSPrincipals, p) && coveredBy(rules, p, externalID) &&
				CheckTrust(doc, Caller{ARN: p, ExternalID: externalID}).Trusted() {
				covered = append(covered, p)
			}
		}
		if len(covered) > 0 {
			spec.AWSPrincipals = append(spec.AWSPrincipals, covered...)
			spec.ExternalID = externalID
			return spec
		}
	}
	return spec
}

// coveredBy reports whether an Allow of rules names principal p itself and grants it sts:AssumeRole on every
// request that a Veeam statement for p with externalID would let in: its condition holds whatever else the
// request carries, and whatever external ID it sends when externalID is "".
func coveredBy(rules []rule, p, externalID string) bool {
	caller := Caller{ARN: p}
	_, request := caller.principalContext()
	if externalID != "" {
		request = request.With(externalIDKey, externalID)
	}
	return slices.ContainsFunc(rules, func(r rule) bool {
		return r.Effect == "Allow" && !r.unreadable && !r.NotPrincipal.present && r.Principal.namesExactly("AWS", p) &&
			r.Resource == nil && r.NotResource == nil && r.Condition.evaluate(request) == holds
	})
}

// awsPrincipalsNamed returns the AWS principals accept allows that Allow statements of rules name, in order.
func awsPrincipalsNamed(rules []rule, accept func(string) bool) []string {
	var names []string
	for _, r := range rules {
		if r.Effect != "Allow" || r.NotPrincipal.present || accept == nil {
			continue
		}
		for _, value := range r.Principal.byType["AWS"] {
			if accept(value) && !slices.Contains(names, value) {
				names = append(names, value)
			}
		}
	}
	return names
}

// externalIDsNamed returns, sorted, the literal values the conditions of the Allow statements of rules compare
// sts:ExternalId with.
func externalIDsNamed(rules []rule) []string {
	var ids []string
	for _, r := range rules {
		if r.Effect != "Allow" {
			continue
		}
		for _, e := range r.Condition.entries {
			if !strings.EqualFold(e.key, externalIDKey) {
				continue
			}
			for _, v := range e.values {
				if !strings.ContainsAny(v, "*?$") {
					ids = append(ids, v)
				}
			}
		}
	}
	return sorted(ids)
}

// MergeTrust returns the trust policy holding the statements of spec followed by extra, in that order.
func MergeTrust(spec TrustSpec, extra []Statement) Document {
	return NewDocument(append(TrustStatements(spec), extra...)...)
}

// CoversTrust reports whether doc already holds statements, under any Sid, that grant everything spec grants in
// the same way: the same external ID condition for the AWS principals and no condition for the services.
// Adding spec to such a document would only duplicate what it means.
func CoversTrust(doc Document, spec TrustSpec, accept PrincipalFilter) bool {
	have, _ := ReadTrust(doc, spec.Sid, accept)
	if len(spec.AWSPrincipals) > 0 && have.ExternalID != spec.ExternalID {
		return false
	}
	return containsAll(have.AWSPrincipals, spec.AWSPrincipals) &&
		containsAll(have.ServicePrincipals, spec.ServicePrincipals)
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func nilIfEmpty(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	return values
}

// veeamShape reads s as a Veeam trust statement, reporting false for anything else.
func veeamShape(s Statement, accept PrincipalFilter) (TrustSpec, bool) {
	r, condition, ok := trustElements(s)
	if !ok || !plainAllowAssumeRole(r) {
		return TrustSpec{}, false
	}
	var out TrustSpec
	for key, values := range r.Principal.byType {
		switch {
		case key == "AWS" && allAccepted(values, accept.AWS):
			out.AWSPrincipals = values
		case key == "Service" && allAccepted(values, accept.Service):
			out.ServicePrincipals = values
		default:
			return TrustSpec{}, false
		}
	}
	externalID, ok := onlyExternalID(condition)
	if !ok || (externalID != "" && len(out.ServicePrincipals) > 0) ||
		len(out.AWSPrincipals)+len(out.ServicePrincipals) == 0 {
		return TrustSpec{}, false
	}
	out.ExternalID = externalID
	return out, true
}

func plainAllowAssumeRole(r rule) bool {
	return r.Effect == "Allow" && slices.Equal(r.Action, stringOrList{AssumeRoleAction}) &&
		!r.NotPrincipal.present && r.NotAction == nil && r.Resource == nil && r.NotResource == nil
}

func allAccepted(values []string, accept func(string) bool) bool {
	if accept == nil || len(values) == 0 {
		return false
	}
	return !slices.ContainsFunc(values, func(v string) bool { return !accept(v) })
}

// onlyExternalID returns the external ID of a condition that is exactly StringEquals sts:ExternalId with one
// value, "" for no condition, and false for any other condition.
func onlyExternalID(condition map[string]map[string]stringOrList) (string, bool) {
	if len(condition) == 0 {
		return "", true
	}
	values, ok := condition["StringEquals"][externalIDKey]
	if len(condition) != 1 || len(condition["StringEquals"]) != 1 || !ok || len(values) != 1 || values[0] == "" {
		return "", false
	}
	return values[0], true
}

// SameTrustMeaning reports whether two trust policies grant the same thing, whatever their Sids and however the
// Veeam statements are split: each is read with ReadTrust and rebuilt in one normal form before comparing.
func SameTrustMeaning(a, b string, accept PrincipalFilter) (bool, error) {
	da, err := Parse(a)
	if err != nil {
		return false, err
	}
	db, err := Parse(b)
	if err != nil {
		return false, err
	}
	return Equivalent(normalTrust(da, accept).Marshal(), normalTrust(db, accept).Marshal())
}

// normalTrust rebuilds doc from what it means, without any Sid.
func normalTrust(doc Document, accept PrincipalFilter) Document {
	spec, others := ReadTrust(doc, "", accept)
	out := NewDocument()
	for _, s := range MergeTrust(spec, others).Statements {
		out.Statements = append(out.Statements, withoutSid(s))
	}
	return out
}

// withoutSid returns s with its Sid element removed.
func withoutSid(s Statement) Statement {
	var fields map[string]any
	if err := unmarshal(s.raw, &fields); err != nil {
		return s
	}
	delete(fields, "Sid")
	return newStatement(fields)
}
