package policy

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
)

// How the local evaluator decides, in one place. It follows IAM's published evaluation logic for a principal's
// own request inside its account, as far as it can be known without the request:
//
//   - An action is allowed only when an identity policy (inline or managed) allows it, no policy denies it and,
//     when there is a permissions boundary, the boundary allows it too.
//   - An explicit Deny wins wherever it is, identity policy or boundary. A Deny with a Condition applies when the
//     Condition holds for the request, and may apply when that is unknown, which also keeps the action from
//     being granted. A Deny whose Condition does not hold does not apply.
//   - An Allow counts when it has no Condition or its Condition holds. One whose Condition is unknown does not
//     count: whether it applies depends on more of the request. Conditions are decided as condition.go says,
//     with what the RequestContext knows (for a role: its aws:PrincipalArn and aws:PrincipalAccount).
//   - Action names compare case-insensitively; "*" matches any run of characters and "?" exactly one, anywhere in
//     the pattern. NotAction and NotResource match everything their list does not.
//   - Resources compare case-sensitively with the same wildcards. Checked against "*" (every resource), only a
//     pattern made of "*" alone covers it: a statement scoped to some ARNs does not grant an action everywhere.
//   - A document that does not parse, or has duplicate JSON keys, grants nothing and denies nothing. In a
//     boundary that means nothing is inside the boundary.
//   - Service control policies, resource policies and session policies are not visible from inside the account
//     and are not evaluated.

// AllResources is the resource a required action is checked against: every resource.
const AllResources = "*"

// NamedDocument is a policy document with a name that findings can point to, such as "inline policy x" or a
// managed policy ARN.
type NamedDocument struct {
	Name string
	Text string
}

// Policies are the permission policies of one principal.
type Policies struct {
	// Identity are the inline and attached managed policies.
	Identity []NamedDocument
	// Boundary is the permissions boundary, nil when the principal has none.
	Boundary *NamedDocument
}

// Verdict says why an action is or is not allowed.
type Verdict int

const (
	// Allowed: an identity policy allows the action without condition, and nothing denies or bounds it.
	Allowed Verdict = iota
	// NotGranted: no identity policy allows the action.
	NotGranted
	// OnlyConditional: identity policies allow the action only under a condition that may or may not hold.
	OnlyConditional
	// Denied: an explicit Deny without condition matches the action.
	Denied
	// MaybeDenied: an explicit Deny with a condition matches the action.
	MaybeDenied
	// OutsideBoundary: identity policies allow the action, but the permissions boundary does not.
	OutsideBoundary
	// ConditionNotMet: identity policies allow the action only under a condition that does not hold for the
	// principal.
	ConditionNotMet
)

// Finding is one action that is not allowed, with the reason and the policy that decided it ("" for
// NotGranted).
type Finding struct {
	Action  string
	Verdict Verdict
	Policy  string
}

// ParseFailure is a policy the evaluator could not read; it counted as granting nothing.
type ParseFailure struct {
	Policy string
	Err    error
}

// Evaluation is the answer of Evaluate.
type Evaluation struct {
	// Findings has one entry per action that is not allowed, in the order the actions were given.
	Findings []Finding
	// Unparsed lists the policies that did not parse.
	Unparsed []ParseFailure
}

// Missing returns the actions that are not allowed, in the order they were given.
func (e Evaluation) Missing() []string {
	missing := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings {
		missing = append(missing, f.Action)
	}
	return missing
}

// Evaluate decides for each action whether p allows it on resource (AllResources for "everywhere"), for a request
// of which request is known.
func Evaluate(p Policies, actions []string, resource string, request RequestContext) Evaluation {
	var e Evaluation
	parsed := e.parse(p)
	for _, action := range actions {
		if f := parsed.decide(action, resource, request); f.Verdict != Allowed {
			e.Findings = append(e.Findings, f)
		}
	}
	return e
}

// parsedPolicies are the statements of a principal's policies.
type parsedPolicies struct {
	identity, boundary []namedStatements
	hasBoundary        bool
}

// parse reads p, recording the documents that fail.
func (e *Evaluation) parse(p Policies) parsedPolicies {
	parsed := parsedPolicies{identity: e.parseAll(p.Identity), hasBoundary: p.Boundary != nil}
	if p.Boundary != nil {
		parsed.boundary = e.parseAll([]NamedDocument{*p.Boundary})
	}
	return parsed
}

// namedStatements are the statements of one parsed document.
type namedStatements struct {
	name       string
	statements []rule
}

// parseAll parses docs, recording those that fail; a failed document contributes no statement.
func (e *Evaluation) parseAll(docs []NamedDocument) []namedStatements {
	parsed := make([]namedStatements, 0, len(docs))
	for _, d := range docs {
		statements, err := parseGrants(d.Text)
		if err != nil {
			e.Unparsed = append(e.Unparsed, ParseFailure{Policy: d.Name, Err: err})
			continue
		}
		parsed = append(parsed, namedStatements{name: d.Name, statements: statements})
	}
	return parsed
}

// parseGrants reads the statements of a permission policy, refusing a document that repeats a key inside one JSON
// object, whose meaning IAM's JSON does not define.
func parseGrants(text string) ([]rule, error) {
	doc, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if repeated := doc.duplicateKey; repeated != nil {
		return nil, fmt.Errorf("%s repeats the key %q, and IAM does not define which one counts",
			doc.describePath(repeated), repeated[len(repeated)-1])
	}
	grants := make([]rule, 0, len(doc.Statements))
	for i, s := range doc.Statements {
		var g rule
		if err := json.Unmarshal(s.raw, &g); err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		if g.Effect != "Allow" && g.Effect != "Deny" {
			return nil, fmt.Errorf("statement %d: Effect must be Allow or Deny, not %q", i+1, g.Effect)
		}
		grants = append(grants, g)
	}
	return grants, nil
}

// decide evaluates one action against the identity policies and the boundary.
func (p parsedPolicies) decide(action, resource string, request RequestContext) Finding {
	if f, denied := p.denial(action, resource, request); denied {
		return f
	}
	allow := allowedBy(p.identity, action, resource, request)
	switch {
	case allow.granted:
		return p.bounded(action, resource, request)
	case allow.conditionalIn != "":
		return Finding{Action: action, Verdict: OnlyConditional, Policy: allow.conditionalIn}
	case allow.notMetIn != "":
		return Finding{Action: action, Verdict: ConditionNotMet, Policy: allow.notMetIn}
	}
	return Finding{Action: action, Verdict: NotGranted}
}

// denial finds a Deny that applies, or may apply, to action on resource, in the identity policies or the boundary.
func (p parsedPolicies) denial(action, resource string, request RequestContext) (Finding, bool) {
	for _, docs := range [][]namedStatements{p.identity, p.boundary} {
		if deny, conditional, name := firstDeny(docs, action, resource, request); deny {
			if conditional {
				return Finding{Action: action, Verdict: MaybeDenied, Policy: name}, true
			}
			return Finding{Action: action, Verdict: Denied, Policy: name}, true
		}
	}
	return Finding{}, false
}

// bounded reports the action allowed unless there is a boundary that does not allow it.
func (p parsedPolicies) bounded(action, resource string, request RequestContext) Finding {
	if p.hasBoundary && !allowedBy(p.boundary, action, resource, request).granted {
		return Finding{Action: action, Verdict: OutsideBoundary, Policy: boundaryName(p.boundary)}
	}
	return Finding{Action: action, Verdict: Allowed}
}

// firstDeny finds a Deny statement that applies to action on resource, preferring one that surely applies over one
// whose condition is unknown.
func firstDeny(docs []namedStatements, action, resource string, request RequestContext) (
	deny, conditional bool, name string) {
	for _, d := range docs {
		for _, g := range d.statements {
			if g.Effect != "Deny" || !g.matches(action, resource) {
				continue
			}
			switch g.Condition.evaluate(request) {
			case holds:
				return true, false, d.name
			case unknown:
				if !deny {
					deny, conditional, name = true, true, d.name
				}
			}
		}
	}
	return deny, conditional, name
}

// allowance is what the Allow statements of some documents say about one action.
type allowance struct {
	// granted: an Allow without condition, or whose condition holds, covers the action.
	granted bool
	// conditionalIn names the first document whose Allow covers it under a condition that is unknown.
	conditionalIn string
	// notMetIn names the first document whose Allow covers it under a condition that does not hold.
	notMetIn string
}

// allowedBy reads the Allow statements of docs that cover action on resource.
func allowedBy(docs []namedStatements, action, resource string, request RequestContext) allowance {
	var a allowance
	for _, d := range docs {
		for _, g := range d.statements {
			if g.Effect != "Allow" || !g.matches(action, resource) {
				continue
			}
			switch g.Condition.evaluate(request) {
			case holds:
				return allowance{granted: true}
			case unknown:
				a.conditionalIn = cmp.Or(a.conditionalIn, d.name)
			case fails:
				a.notMetIn = cmp.Or(a.notMetIn, d.name)
			}
		}
	}
	return a
}

func boundaryName(boundary []namedStatements) string {
	if len(boundary) == 0 {
		return ""
	}
	return boundary[0].name
}

// matchesEveryResource reports whether a Resource pattern covers every resource, which only "*" (or "**"...) does.
func matchesEveryResource(pattern string) bool {
	return pattern != "" && strings.Trim(pattern, "*") == ""
}

// resourceMatches applies a Resource pattern to resource; AllResources is covered only by a pattern covering every
// resource.
func resourceMatches(pattern, resource string) bool {
	if resource == AllResources {
		return matchesEveryResource(pattern)
	}
	return wildcardMatch(pattern, resource)
}
