package policy

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The evaluator agrees with itself under rewrites that AWS treats as the same policy: key order, the case of
// action names and condition keys, a one-element list written as a string (and one statement as an object),
// statements split by action, resource or principal, and statements merged back. Policies are generated from a
// fixed seed, so a failure is reproducible.

// generated is a statement as the generator builds it, before it is written as JSON.
type generated struct {
	effect       string
	notAction    bool
	actions      []string
	notResource  bool
	resources    []string // permission statements only
	anyone       bool     // trust statements: "Principal": "*"
	notPrincipal bool
	principals   []string // trust statements: Principal.AWS
	conditions   []generatedCondition
}

type generatedCondition struct {
	operator, key string
	values        []string
}

// sameButActions reports whether a and b differ at most in their actions, so they may be merged.
func (g generated) sameButActions(o generated) bool {
	a, b := g, o
	a.actions, b.actions = nil, nil
	return !g.notAction && !o.notAction && reflect.DeepEqual(a, b)
}

var (
	generatedActions = []string{"ec2:CreateSnapshot", "ec2:Describe*", "ec2:*", "s3:GetObject", "s3:*Object?",
		"*", "sts:AssumeRole", "sts:*", "iam:PassRole", "ec2:Create?napshot"}
	requiredActions = []string{"ec2:CreateSnapshot", "ec2:DescribeInstances", "s3:GetObject", "s3:PutObjects",
		"sts:AssumeRole", "iam:PassRole", "kms:Decrypt"}
	generatedResources = []string{"*", "*", "arn:aws:s3:::veeam", "arn:aws:iam::123456789012:role/*", "**"}
	trustActions       = []string{"sts:AssumeRole", "sts:*", "sts:TagSession", "*", "sts:AssumeRoleWithSAML"}
	trustPrincipals    = []string{impersonation, sameAccountRoot, "111111111111", "*", otherRole,
		"arn:aws:sts::111111111111:role/Imp", "arn:aws:iam::222222222222:root"}
	conditionOperatorsUsed = []string{"StringEquals", "StringLike", "StringNotEquals", "StringNotLike", "ArnLike",
		"ArnNotEquals", "StringEqualsIfExists", "StringNotEqualsIfExists", "Null", "Bool", "NumericLessThan",
		"ForAnyValue:StringEquals"}
	conditionValuesByKey = map[string][]string{
		"aws:PrincipalArn": {checkedRole, impersonation, "arn:aws:iam::*:role/veeam/*", "arn:aws:iam::*:role/Imp",
			"arn:aws:iam::111111111111:role/team-*", "*"},
		"aws:PrincipalAccount":   {checkedAccount, "111111111111", "222222222222", "1*"},
		"sts:ExternalId":         {"veeam-7", "veeam-?", "veeam-*", "other", "true", "false"},
		"aws:PrincipalTag/team":  {"backup", "true"},
		"aws:userid":             {"AROA*", "false"},
		"aws:MultiFactorAuthAge": {"3600", "true"},
	}
)

// generator draws policies from a seeded source.
type generator struct{ r *rand.Rand }

func (g generator) pick(values []string) string { return values[g.r.IntN(len(values))] }

func (g generator) some(values []string, most int) []string {
	n := 1 + g.r.IntN(most)
	out := make([]string, 0, n)
	for range n {
		if v := g.pick(values); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func (g generator) conditions() []generatedCondition {
	var out []generatedCondition
	keys := []string{"aws:PrincipalArn", "aws:PrincipalAccount", "sts:ExternalId", "aws:PrincipalTag/team",
		"aws:userid", "aws:MultiFactorAuthAge"}
	for range g.r.IntN(3) {
		c := generatedCondition{operator: g.pick(conditionOperatorsUsed), key: g.pick(keys)}
		if slices.ContainsFunc(out, func(o generatedCondition) bool {
			return o.operator == c.operator && strings.EqualFold(o.key, c.key)
		}) {
			continue // the same key twice under one operator repeats a JSON key
		}
		c.values = g.some(conditionValuesByKey[c.key], 2)
		out = append(out, c)
	}
	return out
}

func (g generator) effect() string {
	switch n := g.r.IntN(20); {
	case n == 0:
		return "allow" // not an Effect IAM knows: the document does not parse
	case n < 12:
		return "Allow"
	}
	return "Deny"
}

// statements draws up to most statements; some are copies of the one before with other actions, so they merge.
func (g generator) statements(most int, trust bool) []generated {
	var out []generated
	for range 1 + g.r.IntN(most) {
		if len(out) > 0 && g.r.IntN(4) == 0 {
			sibling := out[len(out)-1]
			if !sibling.notAction {
				sibling.actions = g.some(generatedActions, 2)
				if trust {
					sibling.actions = g.some(trustActions, 2)
				}
				out = append(out, sibling)
				continue
			}
		}
		s := generated{effect: g.effect(), notAction: g.r.IntN(6) == 0, conditions: g.conditions()}
		if trust {
			s.actions = g.some(trustActions, 3)
			s.anyone = g.r.IntN(8) == 0
			s.notPrincipal = !s.anyone && g.r.IntN(8) == 0
			s.principals = g.some(trustPrincipals, 3)
		} else {
			s.actions = g.some(generatedActions, 3)
			s.notResource = g.r.IntN(8) == 0
			s.resources = g.some(generatedResources, 2)
		}
		out = append(out, s)
	}
	return out
}

// writer writes generated statements as JSON, with the freedoms IAM allows.
type writer struct {
	r          *rand.Rand // nil writes the canonical form
	shuffle    bool       // object keys in any order
	anyCase    bool       // action names and condition keys in any case
	oneAsValue bool       // a one-element list as a string, one statement as an object
}

type jsonField struct{ key, value string }

func (w writer) object(fields []jsonField) string {
	if w.shuffle {
		w.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = quote(f.key) + ":" + f.value
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (w writer) list(values []string) string {
	if len(values) == 1 && w.oneAsValue && w.r.IntN(2) == 0 {
		return quote(values[0])
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote(v)
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

func (w writer) recase(s string) string {
	if !w.anyCase {
		return s
	}
	runes := []rune(s)
	for i, c := range runes {
		if w.r.IntN(2) == 0 {
			runes[i] = unicode.ToUpper(c)
		} else {
			runes[i] = unicode.ToLower(c)
		}
	}
	return string(runes)
}

func quote(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

func (w writer) statement(s generated, trust bool) string {
	actions := make([]string, len(s.actions))
	for i, a := range s.actions {
		actions[i] = w.recase(a)
	}
	fields := []jsonField{{"Effect", quote(s.effect)}, {keyFor("Action", s.notAction), w.list(actions)}}
	switch {
	case !trust:
		fields = append(fields, jsonField{keyFor("Resource", s.notResource), w.list(s.resources)})
	case s.anyone:
		fields = append(fields, jsonField{"Principal", quote("*")})
	default:
		fields = append(fields, jsonField{keyFor("Principal", s.notPrincipal),
			w.object([]jsonField{{"AWS", w.list(s.principals)}})})
	}
	if len(s.conditions) > 0 {
		fields = append(fields, jsonField{"Condition", w.condition(s.conditions)})
	}
	return w.object(fields)
}

func keyFor(element string, negated bool) string {
	if negated {
		return "Not" + element
	}
	return element
}

func (w writer) condition(conditions []generatedCondition) string {
	var operators []string
	byOperator := map[string][]jsonField{}
	for _, c := range conditions {
		if _, seen := byOperator[c.operator]; !seen {
			operators = append(operators, c.operator)
		}
		byOperator[c.operator] = append(byOperator[c.operator], jsonField{w.recase(c.key), w.list(c.values)})
	}
	fields := make([]jsonField, len(operators))
	for i, op := range operators {
		fields[i] = jsonField{op, w.object(byOperator[op])}
	}
	return w.object(fields)
}

func (w writer) document(statements []generated, trust bool) string {
	written := make([]string, len(statements))
	for i, s := range statements {
		written[i] = w.statement(s, trust)
	}
	body := "[" + strings.Join(written, ",") + "]"
	if len(written) == 1 && w.oneAsValue && w.r.IntN(2) == 0 {
		body = written[0]
	}
	return w.object([]jsonField{{"Version", quote(DefaultVersion)}, {"Statement", body}})
}

// split writes every statement once per action, resource and principal where IAM reads that as the same.
func split(statements []generated) []generated {
	var out []generated
	for _, s := range statements {
		parts := []generated{s}
		if !s.notAction {
			parts = splitBy(parts, func(g generated) []string { return g.actions },
				func(g *generated, v string) { g.actions = []string{v} })
		}
		if !s.notResource && s.resources != nil {
			parts = splitBy(parts, func(g generated) []string { return g.resources },
				func(g *generated, v string) { g.resources = []string{v} })
		}
		if !s.notPrincipal && !s.anyone && s.principals != nil {
			parts = splitBy(parts, func(g generated) []string { return g.principals },
				func(g *generated, v string) { g.principals = []string{v} })
		}
		out = append(out, parts...)
	}
	return out
}

func splitBy(statements []generated, values func(generated) []string, set func(*generated, string)) []generated {
	var out []generated
	for _, s := range statements {
		for _, v := range values(s) {
			part := s
			set(&part, v)
			out = append(out, part)
		}
	}
	return out
}

// merge joins neighbouring statements that differ only in their actions.
func merge(statements []generated) []generated {
	var out []generated
	for _, s := range statements {
		if n := len(out); n > 0 && out[n-1].sameButActions(s) {
			joined := slices.Clone(out[n-1].actions)
			for _, a := range s.actions {
				if !slices.Contains(joined, a) {
					joined = append(joined, a)
				}
			}
			out[n-1].actions = joined
			continue
		}
		out = append(out, s)
	}
	return out
}

// rewrites are the forms one generated policy is written in; each must give the canonical form's answer.
func rewrites(r *rand.Rand) map[string]func([]generated, bool) string {
	canonical := writer{}
	return map[string]func([]generated, bool) string{
		"key order":      writer{r: r, shuffle: true}.document,
		"case":           writer{r: r, anyCase: true}.document,
		"one value":      writer{r: r, oneAsValue: true}.document,
		"split":          func(s []generated, trust bool) string { return canonical.document(split(s), trust) },
		"merged":         func(s []generated, trust bool) string { return canonical.document(merge(s), trust) },
		"split, merged":  func(s []generated, trust bool) string { return canonical.document(merge(split(s)), trust) },
		"all at once":    writer{r: r, shuffle: true, anyCase: true, oneAsValue: true}.document,
		"all, split too": func(s []generated, trust bool) string { return rewrites(r)["all at once"](split(s), trust) },
	}
}

func TestEvaluatorAgreesWithItselfUnderEquivalentRewrites(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	g := generator{r: r}
	forms := rewrites(r)
	verdicts := map[Verdict]int{}
	requests := []RequestContext{RoleContext(checkedRole), RoleContext(checkedRole).With("sts:ExternalId", "veeam-7"),
		{}}
	for i := range 200 {
		identity := make([][]generated, 1+r.IntN(3))
		for d := range identity {
			identity[d] = g.statements(4, false)
		}
		var boundary []generated
		if r.IntN(3) == 0 {
			boundary = g.statements(3, false)
		}
		resource := g.pick([]string{AllResources, AllResources, "arn:aws:s3:::veeam", checkedRole})
		request := requests[r.IntN(len(requests))]
		evaluate := func(write func([]generated, bool) string) Evaluation {
			p := Policies{}
			for d, statements := range identity {
				p.Identity = append(p.Identity, NamedDocument{Name: fmt.Sprint("p", d), Text: write(statements, false)})
			}
			if boundary != nil {
				p.Boundary = &NamedDocument{Name: "boundary", Text: write(boundary, false)}
			}
			return Evaluate(p, requiredActions, resource, request)
		}
		want := evaluate(writer{}.document)
		for _, f := range want.Findings {
			verdicts[f.Verdict]++
		}
		verdicts[Allowed] += len(requiredActions) - len(want.Findings)
		for name, write := range forms {
			got := evaluate(write)
			if !slices.Equal(got.Findings, want.Findings) || len(got.Unparsed) != len(want.Unparsed) {
				t.Fatalf("case %d, %s: findings %+v (unparsed %d), canonical %+v (unparsed %d)\nidentity %s\n"+
					"rewritten %s", i, name, got.Findings, len(got.Unparsed), want.Findings, len(want.Unparsed),
					writer{}.document(identity[0], false), write(identity[0], false))
			}
		}
	}
	for _, v := range []Verdict{Allowed, NotGranted, OnlyConditional, ConditionNotMet, Denied, MaybeDenied,
		OutsideBoundary} {
		if verdicts[v] == 0 {
			t.Errorf("no generated case gave verdict %v: %v", v, verdicts)
		}
	}
}

func TestTrustCheckAgreesWithItselfUnderEquivalentRewrites(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 5))
	g := generator{r: r}
	forms := rewrites(r)
	reasons := map[TrustReason]int{}
	namesRole := 0
	callers := []Caller{{ARN: impersonation}, {ARN: impersonation, ExternalID: "veeam-7"},
		{ARN: sameAccountRoot, ExternalID: "veeam-7"}}
	for i := range 300 {
		statements := g.statements(4, true)
		caller := callers[r.IntN(len(callers))]
		check := func(write func([]generated, bool) string) TrustResult {
			doc, err := Parse(write(statements, true))
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			return CheckTrust(doc, caller)
		}
		want := check(writer{}.document)
		reasons[want.Reason]++
		if want.NamesRole {
			namesRole++
		}
		for name, write := range forms {
			if got := check(write); !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d, %s: %+v, canonical %+v\ncanonical %s\nrewritten %s", i, name, got, want,
					writer{}.document(statements, true), write(statements, true))
			}
		}
	}
	for _, reason := range []TrustReason{Trusted, NotNamed, TrustConditionNotMet, TrustConditionUnknown,
		TrustDenied, TrustMaybeDenied} {
		if reasons[reason] == 0 {
			t.Errorf("no generated case gave reason %v: %v", reason, reasons)
		}
	}
	if namesRole == 0 {
		t.Error("no generated trust named the caller's role")
	}
}
