package policy

import (
	"slices"
)

// AssumeRoleAction is the action every trust statement built here allows.
const AssumeRoleAction = "sts:AssumeRole"

// externalIDKey is the condition key STS fills from the ExternalId of an AssumeRole call.
const externalIDKey = "sts:ExternalId"

// TrustSpec describes the trust a Veeam role needs.
type TrustSpec struct {
	// Sid names the statement for AWS principals; the service statement is named ServicesSid(Sid).
	Sid string
	// AWSPrincipals are role or account root ARNs allowed to assume the role.
	AWSPrincipals []string
	// ExternalID, when set, must be passed by the AWS principals; services never send one.
	ExternalID string
	// ServicePrincipals are AWS services, such as backup.amazonaws.com, allowed to assume the role.
	ServicePrincipals []string
}

// ServicesSid returns the Sid of the service-principal statement that goes with the statement named sid.
func ServicesSid(sid string) string {
	return sid + "Services"
}

// TrustStatements builds the statements for spec: one allowing the AWS principals, with the external-ID condition
// when one is set, and one without condition allowing the service principals. A statement with no principals is
// left out.
func TrustStatements(spec TrustSpec) []Statement {
	var statements []Statement
	if len(spec.AWSPrincipals) > 0 {
		var condition map[string]map[string]stringOrList
		if spec.ExternalID != "" {
			condition = map[string]map[string]stringOrList{"StringEquals": {externalIDKey: {spec.ExternalID}}}
		}
		statements = append(statements, newTrustStatement(spec.Sid, "Allow",
			map[string]stringOrList{"AWS": sorted(spec.AWSPrincipals)}, condition))
	}
	if len(spec.ServicePrincipals) > 0 {
		statements = append(statements, newTrustStatement(ServicesSid(spec.Sid), "Allow",
			map[string]stringOrList{"Service": sorted(spec.ServicePrincipals)}, nil))
	}
	return statements
}

// TrustInputs reads back from doc the spec that TrustStatements(spec) wrote under sid, as far as the statements are
// there. Principals come back sorted.
func TrustInputs(doc Document, sid string) TrustSpec {
	spec := TrustSpec{Sid: sid}
	if s, condition, ok := readTrust(doc, sid); ok {
		spec.AWSPrincipals = sorted(s.Principal.byType["AWS"])
		if values := condition["StringEquals"][externalIDKey]; len(values) == 1 {
			spec.ExternalID = values[0]
		}
	}
	if s, _, ok := readTrust(doc, ServicesSid(sid)); ok {
		spec.ServicePrincipals = sorted(s.Principal.byType["Service"])
	}
	return spec
}

// readTrust decodes the statement named sid, reporting false when it is absent or not shaped like a trust statement.
func readTrust(doc Document, sid string) (rule, map[string]map[string]stringOrList, bool) {
	found, ok := doc.Find(sid)
	if !ok {
		return rule{}, nil, false
	}
	return trustElements(found)
}

func sorted(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

// PlaceholderSid names the statement RemoveTrust leaves in a trust policy that would otherwise be empty, which
// IAM rejects. ApplyTrust removes it again.
const PlaceholderSid = "VbawsNoTrust"

// placeholderStatement denies sts:AssumeRole to every AWS principal: a role carrying only it trusts nobody.
var placeholderStatement = newTrustStatement(PlaceholderSid, "Deny", map[string]stringOrList{"AWS": {"*"}}, nil)

// ApplyTrust returns doc with the statements of spec added or replaced by Sid, the service statement removed when
// spec has no service principals, and the placeholder left by RemoveTrust dropped. No other statement changes.
func ApplyTrust(doc Document, spec TrustSpec) Document {
	out := doc.Remove(PlaceholderSid).Remove(ServicesSid(spec.Sid))
	for _, s := range TrustStatements(spec) {
		out = out.Upsert(s)
	}
	return out
}

// RemoveTrust returns doc without the statements written for sid. When nothing would be left, it holds the
// placeholder statement instead, and emptied is true.
func RemoveTrust(doc Document, sid string) (out Document, emptied bool) {
	out = doc.Remove(sid).Remove(ServicesSid(sid))
	if len(out.Statements) > 0 {
		return out, false
	}
	return out.Upsert(placeholderStatement), true
}
