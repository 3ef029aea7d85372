package policy

import (
	"slices"
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
// and the others stay in others, so nothing is lost.
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
	spec.AWSPrincipals = nilIfEmpty(sorted(spec.AWSPrincipals))
	spec.ServicePrincipals = nilIfEmpty(sorted(spec.ServicePrincipals))
	return spec, others
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
