package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// How the local evaluator decides, in one place. It follows IAM's published evaluation logic for a principal's
// own request inside its account, as far as it can be known without the request:
//
//   - An action is allowed only when an identity policy (inline or managed) allows it, no policy denies it and,
//     when there is a permissions boundary, the boundary allows it too.
//   - An explicit Deny wins wherever it is, identity policy or boundary. A Deny with a Condition may apply, so it
//     also keeps the action from being granted.
//   - An Allow with a Condition does not count: whether it applies depends on the request. An empty Condition
//     object is no condition.
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
	// OnlyConditional: identity policies allow the action only under a condition.
	OnlyConditional
	// Denied: an explicit Deny without condition matches the action.
	Denied
	// MaybeDenied: an explicit Deny with a condition matches the action.
	MaybeDenied
	// OutsideBoundary: identity policies allow the action, but the permissions boundary does not.
	OutsideBoundary
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

// Evaluate decides for each action whether p allows it on resource (AllResources for "everywhere").
func Evaluate(p Policies, actions []string, resource string) Evaluation {
	var e Evaluation
	identity := e.parseAll(p.Identity)
	var boundary []namedStatements
	if p.Boundary != nil {
		boundary = e.parseAll([]NamedDocument{*p.Boundary})
	}
	for _, action := range actions {
		if f := decide(identity, boundary, p.Boundary != nil, action, resource); f.Verdict != Allowed {
			e.Findings = append(e.Findings, f)
		}
	}
	return e
}

// namedStatements are the statements of one parsed document.
type namedStatements struct {
	name       string
	statements []grantStatement
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
func parseGrants(text string) ([]grantStatement, error) {
	doc, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if repeated := doc.duplicateKey; repeated != nil {
		return nil, fmt.Errorf("%s repeats the key %q, and IAM does not define which one counts",
			doc.describePath(repeated), repeated[len(repeated)-1])
	}
	grants := make([]grantStatement, 0, len(doc.Statements))
	for i, s := range doc.Statements {
		var g grantStatement
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

// decide evaluates one action against the identity policies and, when hasBoundary, the boundary.
func decide(identity, boundary []namedStatements, hasBoundary bool, action, resource string) Finding {
	for _, docs := range [][]namedStatements{identity, boundary} {
		if deny, conditional, name := firstDeny(docs, action, resource); deny {
			if conditional {
				return Finding{Action: action, Verdict: MaybeDenied, Policy: name}
			}
			return Finding{Action: action, Verdict: Denied, Policy: name}
		}
	}
	granted, conditionalIn := allowedBy(identity, action, resource)
	switch {
	case !granted && conditionalIn != "":
		return Finding{Action: action, Verdict: OnlyConditional, Policy: conditionalIn}
	case !granted:
		return Finding{Action: action, Verdict: NotGranted}
	}
	if hasBoundary {
		if inside, _ := allowedBy(boundary, action, resource); !inside {
			return Finding{Action: action, Verdict: OutsideBoundary, Policy: boundaryName(boundary)}
		}
	}
	return Finding{Action: action, Verdict: Allowed}
}

// firstDeny finds a Deny statement covering action on resource, preferring one without condition.
func firstDeny(docs []namedStatements, action, resource string) (deny, conditional bool, name string) {
	for _, d := range docs {
		for _, g := range d.statements {
			if g.Effect != "Deny" || !g.matches(action, resource) {
				continue
			}
			if !g.conditional() {
				return true, false, d.name
			}
			if !deny {
				deny, conditional, name = true, true, d.name
			}
		}
	}
	return deny, conditional, name
}

// allowedBy reports whether an Allow without condition covers action on resource; otherwise it names a document
// whose Allow covers it only under a condition, if any.
func allowedBy(docs []namedStatements, action, resource string) (granted bool, conditionalIn string) {
	for _, d := range docs {
		for _, g := range d.statements {
			if g.Effect != "Allow" || !g.matches(action, resource) {
				continue
			}
			if !g.conditional() {
				return true, ""
			}
			if conditionalIn == "" {
				conditionalIn = d.name
			}
		}
	}
	return false, conditionalIn
}

func boundaryName(boundary []namedStatements) string {
	if len(boundary) == 0 {
		return ""
	}
	return boundary[0].name
}

// conditional reports whether the statement has a non-empty Condition.
func (g grantStatement) conditional() bool {
	trimmed := bytes.TrimSpace(g.Condition)
	return len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("{}")) && !bytes.Equal(trimmed, []byte("null"))
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
