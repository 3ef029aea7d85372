package policy

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
)

// How a trust policy is checked, in one place:
//
//   - A caller may assume the role when an Allow statement covering sts:AssumeRole (Action, NotAction and
//     wildcards as in Evaluate) names it in Principal.AWS, by any of its names (role ARN, account root ARN,
//     account ID) or as "*", with no Condition or one that holds, and no Deny statement covering sts:AssumeRole
//     may apply to it.
//   - Conditions are decided as condition.go says, with what the caller's request carries: sts:ExternalId (the
//     external ID it sends, or absent when it sends none), aws:PrincipalAccount and, for a role, aws:PrincipalArn.
//     An Allow whose Condition is unknown does not count; a Deny whose Condition is unknown may apply.
//   - A statement that cannot be read counts as a Deny for anyone, so an unreadable policy trusts nobody.
//   - An Allow with NotPrincipal never counts (IAM refuses it in a trust policy); a Deny with NotPrincipal applies
//     to everyone it does not list.
//   - A principal written as an STS ARN (arn:<partition>:sts::...) is not an IAM role ARN and names no caller.
//   - Within one account, an Allow that names the caller's role ARN itself or everyone ("*", as Principal or in
//     Principal.AWS), not its account, is enough on its own: the caller needs no Allow of its own, but its own Deny
//     and its permissions boundary still stop it (MayAssumeRole). Naming the account (its root ARN or ID) is not:
//     the account then delegates to the caller's own policies.
//   - A service principal counts when an Allow without condition names it in Principal.Service, or the statement's
//     Principal is "*", and no Deny names it.

// Caller is the principal that calls sts:AssumeRole, as the trust check knows it.
type Caller struct {
	// ARN is the caller's role ARN, or the root ARN of its account when the caller is any principal of an account.
	ARN string
	// ExternalID is the external ID the caller sends, "" for none.
	ExternalID string
}

// TrustReason says why a trust policy does or does not let a caller in.
type TrustReason int

const (
	// Trusted: an Allow lets the caller in and no Deny may apply.
	Trusted TrustReason = iota
	// NotNamed: no Allow names the caller, its account or "*".
	NotNamed
	// TrustConditionNotMet: the Allows that name the caller have conditions that do not hold for it.
	TrustConditionNotMet
	// TrustConditionUnknown: the Allows that name the caller have conditions that depend on more of the request.
	TrustConditionUnknown
	// TrustDenied: a Deny applies to the caller.
	TrustDenied
	// TrustMaybeDenied: a Deny applies to the caller under a condition that may hold.
	TrustMaybeDenied
	// TrustUnreadable: a statement cannot be read, so it counts as denying everyone.
	TrustUnreadable
)

// TrustResult is the answer of CheckTrust.
type TrustResult struct {
	// Reason says whether and why the caller may assume the role.
	Reason TrustReason
	// NamesRole: the caller is a role trusted by an Allow that names its role ARN itself or everyone ("*"), not
	// its account; within one account that lets it in without an Allow of its own.
	NamesRole bool
	// STSNames are the principals of Allow statements for sts:AssumeRole written as the STS ARN of the caller's
	// role (arn:<partition>:sts::<account>:role/<name> or .../assumed-role/<name>/<session>), which IAM does not
	// read as the role.
	STSNames []string
}

// Trusted reports whether the caller may assume the role.
func (r TrustResult) Trusted() bool {
	return r.Reason == Trusted
}

// CheckTrust decides whether doc lets caller call sts:AssumeRole, by the rules above.
func CheckTrust(doc Document, caller Caller) TrustResult {
	ids, request := caller.identities()
	rules := trustRules(doc)
	result := TrustResult{Reason: NotNamed, STSNames: stsNamesOf(rules, caller.ARN)}
	if reason, denied := denial(rules, "AWS", ids, request); denied {
		result.Reason = reason
		return result
	}
	for _, r := range rules {
		if r.Effect != "Allow" || r.NotPrincipal.present || !r.Principal.names("AWS", ids) {
			continue
		}
		switch r.Condition.evaluate(request) {
		case holds:
			result.Reason = Trusted
			result.NamesRole = result.NamesRole || r.Principal.namesRoleItself(caller.ARN) && caller.isRole()
		case unknown:
			if result.Reason != Trusted {
				result.Reason = TrustConditionUnknown
			}
		case fails:
			if result.Reason == NotNamed {
				result.Reason = TrustConditionNotMet
			}
		}
	}
	return result
}

// identities returns the names a trust policy may give the caller (its ARN, its account's root ARN and ID) and
// what its request carries.
func (c Caller) identities() ([]string, RequestContext) {
	ids, request := c.principalContext()
	if c.ExternalID == "" {
		return ids, request.Without(externalIDKey)
	}
	return ids, request.With(externalIDKey, c.ExternalID)
}

// principalContext returns the names a trust policy may give the caller and what every request of it carries,
// whatever external ID it sends.
func (c Caller) principalContext() ([]string, RequestContext) {
	a, ok := splitARN(c.ARN)
	if !ok {
		return []string{c.ARN}, RequestContext{}
	}
	ids := []string{c.ARN, "arn:" + a.partition + ":iam::" + a.account + ":root", a.account}
	if c.isRole() {
		return ids, RoleContext(c.ARN)
	}
	return ids, AccountContext(a.account)
}

// LetsInAWSPrincipal reports whether doc lets some AWS principal that accept allows call sts:AssumeRole, by
// CheckTrust (the decision vbaws_role_check makes), sending no external ID or one the document names. It is how
// vbaws_iam_role decides to warn that the Veeam appliance cannot assume a role.
func LetsInAWSPrincipal(doc Document, accept func(string) bool) bool {
	rules := trustRules(doc)
	for _, externalID := range append([]string{""}, externalIDsNamed(rules)...) {
		for _, p := range awsPrincipalsNamed(rules, accept) {
			if CheckTrust(doc, Caller{ARN: p, ExternalID: externalID}).Trusted() {
				return true
			}
		}
	}
	return false
}

// isRole reports whether the caller is one role rather than any principal of an account.
func (c Caller) isRole() bool {
	a, ok := splitARN(c.ARN)
	return ok && a.service == "iam" && strings.HasPrefix(a.resource, "role/")
}

// stsNamesOf returns the STS ARNs naming the role roleARN in the Allow statements of rules, sorted.
func stsNamesOf(rules []rule, roleARN string) []string {
	a, ok := splitARN(roleARN)
	if !ok || !strings.HasPrefix(a.resource, "role/") {
		return nil
	}
	name := path.Base(a.resource)
	prefix := "arn:" + a.partition + ":sts::" + a.account + ":"
	var names []string
	for _, r := range rules {
		if r.Effect != "Allow" || r.Principal.anyone {
			continue
		}
		for _, value := range r.Principal.byType["AWS"] {
			resource, isSTS := strings.CutPrefix(value, prefix)
			if isSTS && (resource == "role/"+name || strings.HasPrefix(resource, "assumed-role/"+name+"/")) {
				names = append(names, value)
			}
		}
	}
	return sorted(names)
}

// STSRoleNames maps each principal of an Allow statement for sts:AssumeRole in doc written as an STS ARN of a role
// (arn:<partition>:sts::<account>:role/<name> or .../assumed-role/<name>/<session>), which IAM does not read as
// the role, to the IAM role ARN to write instead (without a path, which the STS form does not carry).
func STSRoleNames(doc Document) map[string]string {
	names := map[string]string{}
	for _, r := range trustRules(doc) {
		if r.Effect != "Allow" || r.Principal.anyone {
			continue
		}
		for _, value := range r.Principal.byType["AWS"] {
			if iamARN, ok := iamRoleARNOf(value); ok {
				names[value] = iamARN
			}
		}
	}
	return names
}

// iamRoleARNOf returns the IAM role ARN an STS ARN of a role or of one of its sessions stands for.
func iamRoleARNOf(stsARN string) (string, bool) {
	a, ok := splitARN(stsARN)
	if !ok || a.service != "sts" {
		return "", false
	}
	name, isRole := strings.CutPrefix(a.resource, "role/")
	if session, isSession := strings.CutPrefix(a.resource, "assumed-role/"); isSession {
		name, _, isRole = strings.Cut(session, "/")
	}
	if !isRole || name == "" {
		return "", false
	}
	return "arn:" + a.partition + ":iam::" + a.account + ":role/" + path.Base(name), true
}

// MayAssumeRole decides whether a role with policies p, of which request is known, may call sts:AssumeRole on
// target in its own account. When trustNamesRole, target's trust policy lets the role in by naming its role ARN,
// which is enough without an Allow of its own; a Deny of its own and its permissions boundary still apply. The
// answer has one finding when the role may not, and lists the policies that did not parse, which also make the
// answer no.
func MayAssumeRole(p Policies, target string, request RequestContext, trustNamesRole bool) Evaluation {
	var e Evaluation
	parsed := e.parse(p)
	f := parsed.decide(AssumeRoleAction, target, request)
	if trustNamesRole && (f.Verdict == NotGranted || f.Verdict == OnlyConditional || f.Verdict == ConditionNotMet) {
		f = parsed.bounded(AssumeRoleAction, target, request)
	}
	if f.Verdict != Allowed {
		e.Findings = append(e.Findings, f)
	}
	return e
}

// MissingServicePrincipals returns those of services that doc does not let call sts:AssumeRole, in the order given.
func MissingServicePrincipals(doc Document, services []string) []string {
	rules := trustRules(doc)
	var missing []string
	for _, service := range services {
		ids := []string{service}
		_, denied := denial(rules, "Service", ids, RequestContext{})
		if denied || !slices.ContainsFunc(rules, func(r rule) bool {
			return r.Effect == "Allow" && !r.NotPrincipal.present && r.Principal.names("Service", ids) &&
				!r.Condition.present()
		}) {
			missing = append(missing, service)
		}
	}
	return missing
}

// trustRules reads the statements of doc that cover sts:AssumeRole; a statement that does not read is skipped,
// so it grants nothing.
func trustRules(doc Document) []rule {
	var rules []rule
	for _, s := range doc.Statements {
		var r rule
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

// denial reports whether a Deny applies, or may apply, to the principal known by ids under principal type kind,
// and why.
func denial(rules []rule, kind string, ids []string, request RequestContext) (TrustReason, bool) {
	reason, denied := Trusted, false
	for _, r := range rules {
		if r.Effect != "Deny" || !appliesTo(r.Principal, r.NotPrincipal, kind, ids) {
			continue
		}
		switch {
		case r.unreadable:
			return TrustUnreadable, true
		case r.Condition.evaluate(request) == holds:
			reason, denied = TrustDenied, true
		case r.Condition.evaluate(request) == unknown && !denied:
			reason, denied = TrustMaybeDenied, true
		}
	}
	return reason, denied
}

// unreadableRule stands for a statement that cannot be read: it may be a Deny for anyone.
var unreadableRule = rule{Effect: "Deny", Principal: principalValue{present: true, anyone: true}, unreadable: true}
