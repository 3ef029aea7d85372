package policy

import (
	"encoding/json"
	"maps"
	"testing"
)

const (
	checkedAccount = "123456789012"
	checkedRole    = "arn:aws:iam::123456789012:role/veeam/VeeamBackup"
)

func TestConditionOperators(t *testing.T) {
	known := RoleContext(checkedRole).With("sts:ExternalId", "Ab/c-7")
	none := RoleContext(checkedRole).Without("sts:ExternalId")
	cases := []struct {
		name      string
		condition string
		request   RequestContext
		want      truth
	}{
		{"empty", `{}`, known, holds},
		{"null", `null`, known, holds},
		{"StringEquals", `{"StringEquals":{"sts:ExternalId":"Ab/c-7"}}`, known, holds},
		{"StringEquals is case-sensitive", `{"StringEquals":{"sts:ExternalId":"ab/c-7"}}`, known, fails},
		{"StringEquals takes wildcards literally", `{"StringEquals":{"sts:ExternalId":"Ab*"}}`, known, fails},
		{"key in another case", `{"StringEquals":{"STS:EXTERNALID":"Ab/c-7"}}`, known, holds},
		{"operator names are not case-insensitive", `{"stringequals":{"sts:ExternalId":"Ab/c-7"}}`, known, unknown},
		{"one of several values", `{"StringEquals":{"sts:ExternalId":["x","Ab/c-7"]}}`, known, holds},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"sts:ExternalId":"AB/C-7"}}`, known, holds},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"sts:ExternalId":"AB/C-7"}}`, known, fails},
		{"StringLike star across a slash", `{"StringLike":{"sts:ExternalId":"A*7"}}`, known, holds},
		{"StringLike question mark", `{"StringLike":{"sts:ExternalId":"Ab/c-?"}}`, known, holds},
		{"StringLike question mark is one character", `{"StringLike":{"sts:ExternalId":"Ab/c?"}}`, known, fails},
		{"StringLike is case-sensitive", `{"StringLike":{"sts:ExternalId":"ab*"}}`, known, fails},
		{"StringLike brackets are literal", `{"StringLike":{"sts:ExternalId":"[A]b*"}}`, known, fails},
		{"StringNotLike", `{"StringNotLike":{"sts:ExternalId":["x*","y*"]}}`, known, holds},
		{"StringNotLike one matches", `{"StringNotLike":{"sts:ExternalId":["x*","A*"]}}`, known, fails},
		{"StringNotEquals", `{"StringNotEquals":{"sts:ExternalId":["x","y"]}}`, known, holds},
		{"StringNotEquals one matches", `{"StringNotEquals":{"sts:ExternalId":["x","Ab/c-7"]}}`, known, fails},
		{"absent key", `{"StringEquals":{"sts:ExternalId":"Ab/c-7"}}`, none, fails},
		{"absent key, StringLike star", `{"StringLike":{"sts:ExternalId":"*"}}`, none, fails},
		{"absent key, negated operator", `{"StringNotEquals":{"sts:ExternalId":"Ab/c-7"}}`, none, holds},
		{"absent key, IfExists", `{"StringEqualsIfExists":{"sts:ExternalId":"x"}}`, none, holds},
		{"present key, IfExists", `{"StringEqualsIfExists":{"sts:ExternalId":"x"}}`, known, fails},
		{"present key, IfExists matches", `{"StringLikeIfExists":{"sts:ExternalId":"Ab*"}}`, known, holds},
		{"present key, negated IfExists", `{"StringNotEqualsIfExists":{"sts:ExternalId":"Ab/c-7"}}`, known, fails},
		{"Null true, absent", `{"Null":{"sts:ExternalId":"true"}}`, none, holds},
		{"Null true, present", `{"Null":{"sts:ExternalId":"true"}}`, known, fails},
		{"Null false, present", `{"Null":{"sts:ExternalId":"false"}}`, known, holds},
		{"Null as a JSON boolean", `{"Null":{"sts:ExternalId":true}}`, none, holds},
		{"Null with another value", `{"Null":{"sts:ExternalId":"yes"}}`, none, unknown},
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/veeam/Veeam*"}}`, known, holds},
		{"ArnEquals takes wildcards too", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}`, known, holds},
		{"ArnLike part by part", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam:*:123456789012:role/*"}}`, known, holds},
		{"ArnLike star stays in its part", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:*:role/veeam/VeeamBackup"}}`,
			known, unknown},
		{"StringLike star crosses parts", `{"StringLike":{"aws:PrincipalArn":"arn:aws:*:role/veeam/VeeamBackup"}}`,
			known, holds},
		{"ArnLike other path", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Veeam*"}}`, known, fails},
		{"ArnLike is case-sensitive", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/veeam/veeam*"}}`, known,
			fails},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/team/*"}}`, known, holds},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"` + checkedRole + `"}}`, known, fails},
		{"ArnLike on a value that is not an ARN", `{"ArnLike":{"aws:PrincipalAccount":"arn:aws:iam::*:root"}}`, known,
			unknown},
		{"account", `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`, known, holds},
		{"account as a number", `{"StringEquals":{"aws:PrincipalAccount":123456789012}}`, known, holds},
		{"unknown key", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`, known, unknown},
		{"unknown key, IfExists", `{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}`, known, unknown},
		{"unknown key, Null", `{"Null":{"aws:PrincipalOrgID":"true"}}`, known, unknown},
		{"other operator on a known key", `{"NumericEquals":{"aws:PrincipalAccount":"123456789012"}}`, known, unknown},
		{"set operator", `{"ForAnyValue:StringEquals":{"aws:PrincipalAccount":"123456789012"}}`, known, unknown},
		{"policy variable", `{"StringLike":{"aws:PrincipalArn":"${aws:PrincipalArn}"}}`, known, unknown},
		{"empty list of values", `{"StringNotEquals":{"aws:PrincipalAccount":[]}}`, known, unknown},
		{"object value", `{"StringEquals":{"aws:PrincipalAccount":{"a":1}}}`, known, unknown},
		{"not an object", `"StringEquals"`, known, unknown},
		{"every key must hold", `{"StringEquals":{"aws:PrincipalAccount":"123456789012","sts:ExternalId":"x"}}`,
			known, fails},
		{"a failing key decides over an unknown one",
			`{"StringEquals":{"aws:PrincipalOrgID":"o-1"},"StringLike":{"sts:ExternalId":"x"}}`, known, fails},
		{"an unknown key keeps the rest from deciding",
			`{"StringEquals":{"aws:PrincipalOrgID":"o-1"},"StringLike":{"sts:ExternalId":"A*"}}`, known, unknown},
		{"nothing known", `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`, RequestContext{}, unknown},
	}
	for _, tc := range cases {
		var b conditionBlock
		if err := json.Unmarshal([]byte(tc.condition), &b); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := b.evaluate(tc.request); got != tc.want {
			t.Errorf("%s: %s is %v, want %v", tc.name, tc.condition, got, tc.want)
		}
	}
}

func TestRequestContextCopies(t *testing.T) {
	base := AccountContext(checkedAccount)
	with := base.With("sts:ExternalId", "x")
	without := with.Without("STS:ExternalId")
	if _, _, known := base.lookup("sts:externalid"); known {
		t.Error("With changed the context it was called on")
	}
	if v, present, _ := with.lookup("sts:externalid"); !present || v != "x" {
		t.Errorf("With: %q %v", v, present)
	}
	if _, present, known := without.lookup("sts:ExternalId"); present || !known {
		t.Errorf("Without: present %v, known %v", present, known)
	}
	if v, _, _ := RoleContext(checkedRole).lookup(PrincipalAccountKey); v != checkedAccount {
		t.Errorf("RoleContext account %q", v)
	}
}

// Conditions on aws:PrincipalArn and aws:PrincipalAccount in a role's own policies and boundary are decided with
// the role's values; conditions on other keys stay conservative.
func TestEvaluatePrincipalConditions(t *testing.T) {
	allowIf := func(condition string) string {
		return `{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + condition + `}`
	}
	denyIf := func(condition string) string {
		return `{"Effect":"Deny","Action":"*","Resource":"*","Condition":` + condition + `}`
	}
	arnLike := func(pattern string) string { return `{"ArnLike":{"aws:PrincipalArn":"` + pattern + `"}}` }
	veeam := arnLike("arn:aws:iam::" + checkedAccount + ":role/veeam/Veeam*")
	other := arnLike("arn:aws:iam::" + checkedAccount + ":role/team/*")
	sameAccount := `{"StringEquals":{"aws:PrincipalAccount":"` + checkedAccount + `"}}`
	otherAccounts := `{"StringNotEquals":{"aws:PrincipalAccount":"` + checkedAccount + `"}}`
	role := RoleContext(checkedRole)
	snapshot := "ec2:CreateSnapshot"
	cases := []struct {
		name     string
		identity []string
		boundary string
		request  RequestContext
		want     Verdict
	}{
		{"Allow for the role's ARN pattern", []string{doc(allowIf(veeam))}, "", role, Allowed},
		{"Allow for the role's account", []string{doc(allowIf(sameAccount))}, "", role, Allowed},
		{"Allow for other roles", []string{doc(allowIf(other))}, "", role, ConditionNotMet},
		{"Allow for other accounts", []string{doc(allowIf(otherAccounts))}, "", role, ConditionNotMet},
		{"Deny for other roles", []string{doc(allowAll, denyIf(`{"ArnNotLike":{"aws:PrincipalArn":"`+
			"arn:aws:iam::*:role/veeam/*"+`"}}`))}, "", role, Allowed},
		{"Deny for one other role", []string{doc(allowAll, denyIf(`{"ArnEquals":{"aws:PrincipalArn":`+
			`"arn:aws:iam::123456789012:role/someone-else"}}`))}, "", role, Allowed},
		{"Deny for other accounts", []string{doc(allowAll, denyIf(otherAccounts))}, "", role, Allowed},
		{"Deny for the role", []string{doc(allowAll, denyIf(veeam))}, "", role, Denied},
		{"Deny for the role with IfExists", []string{doc(allowAll,
			denyIf(`{"StringEqualsIfExists":{"aws:PrincipalAccount":"`+checkedAccount+`"}}`))}, "", role, Denied},
		{"Allow for the role and an unknown key", []string{doc(allowIf(`{"ArnLike":{"aws:PrincipalArn":"*"},` +
			`"StringEquals":{"aws:PrincipalTag/team":"backup"}}`))}, "", role, OnlyConditional},
		{"Deny on aws:userid may apply", []string{doc(allowAll, denyIf(`{"StringNotLike":{"aws:userid":"AROA*"}}`))},
			"", role, MaybeDenied},
		{"Deny on aws:PrincipalType may apply", []string{doc(allowAll,
			denyIf(`{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`))}, "", role, MaybeDenied},
		{"unknown principal keeps the Allow conditional", []string{doc(allowIf(veeam))}, "", RequestContext{},
			OnlyConditional},
		{"unknown principal keeps the Deny possible", []string{doc(allowAll, denyIf(otherAccounts))}, "",
			RequestContext{}, MaybeDenied},
		{"unknown Allow preferred over a failing one in the finding", []string{doc(allowIf(other)),
			doc(allowIf(`{"Bool":{"aws:SecureTransport":"true"}}`))}, "", role, OnlyConditional},
		{"boundary for the role's ARN pattern", []string{doc(allowAll)}, doc(allowIf(veeam)), role, Allowed},
		{"boundary for other roles", []string{doc(allowAll)}, doc(allowIf(other)), role, OutsideBoundary},
		{"boundary Deny for other accounts", []string{doc(allowAll)}, doc(allowAll, denyIf(otherAccounts)), role,
			Allowed},
	}
	for _, tc := range cases {
		p := Policies{Identity: named(tc.identity...)}
		if tc.boundary != "" {
			p.Boundary = &NamedDocument{Name: "boundary", Text: tc.boundary}
		}
		e := Evaluate(p, []string{snapshot}, AllResources, tc.request)
		got := Allowed
		if len(e.Findings) > 0 {
			got = e.Findings[0].Verdict
		}
		if got != tc.want || len(e.Unparsed) > 0 {
			t.Errorf("%s: verdict %v, want %v (unparsed %v)", tc.name, got, tc.want, e.Unparsed)
		}
	}
}

// Contradictory conditions on one key the request does not know hold for no request, as AWS decides: a Deny under
// them never applies, an Allow under them never grants. Conditions some request satisfies stay unknown.
func TestContradictoryConditions(t *testing.T) {
	request := RoleContext(checkedRole) // aws:PrincipalOrgID and sts:ExternalId are unknown
	cases := []struct {
		name, condition string
		want            truth
	}{
		{"two values through two operators", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"},` +
			`"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-2"}}`, fails},
		{"the same key in two cases", `{"StringEquals":{"aws:PrincipalOrgID":"o-1","aws:principalorgid":"o-2"}}`,
			fails},
		{"equal and not equal", `{"StringEquals":{"sts:ExternalId":"a"},"StringNotEquals":{"sts:ExternalId":"a"}}`,
			fails},
		{"absent and equal", `{"Null":{"sts:ExternalId":"true"},"StringEquals":{"sts:ExternalId":"a"}}`, fails},
		{"present and absent", `{"Null":{"sts:ExternalId":["true"]},"StringNotEquals":{"sts:ExternalId":"a"},` +
			`"StringEquals":{"sts:ExternalId":["a","b"]}}`, fails},
		{"one of the values is shared", `{"StringEquals":{"aws:PrincipalOrgID":["o-1","o-2"]},` +
			`"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-2"}}`, unknown},
		{"absent satisfies both", `{"StringNotEquals":{"sts:ExternalId":"a"},` +
			`"StringEqualsIfExists":{"sts:ExternalId":"b"}}`, unknown},
		{"another value satisfies both", `{"StringNotEquals":{"sts:ExternalId":"a"},` +
			`"Null":{"sts:ExternalId":"false"}}`, unknown},
		{"one key alone", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`, unknown},
		{"wildcards are not decided", `{"StringLike":{"sts:ExternalId":"a*"},"StringEquals":{"sts:ExternalId":"b"}}`,
			unknown},
		{"case-insensitive operators are not decided", `{"StringEqualsIgnoreCase":{"sts:ExternalId":"a"},` +
			`"StringNotEquals":{"sts:ExternalId":["a","A"]}}`, unknown},
		{"a Null value that is not a boolean", `{"Null":{"sts:ExternalId":"maybe"},` +
			`"StringEquals":{"sts:ExternalId":"a"}}`, unknown},
		{"policy variables are not decided", `{"StringEquals":{"sts:ExternalId":"${aws:username}"},` +
			`"StringNotEquals":{"sts:ExternalId":"a"}}`, unknown},
		{"a contradiction on one key decides over an unknown one", `{"StringEquals":{"aws:PrincipalOrgID":"o-1",` +
			`"sts:ExternalId":"a"},"StringNotEquals":{"sts:ExternalId":"a"}}`, fails},
	}
	for _, tc := range cases {
		var b conditionBlock
		if err := json.Unmarshal([]byte(tc.condition), &b); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := b.evaluate(request); got != tc.want {
			t.Errorf("%s: %s is %v, want %v", tc.name, tc.condition, got, tc.want)
		}
	}
}

// Through the evaluator and the trust check: a Deny under contradictory conditions denies nothing, so the action
// is granted and the caller trusted; an Allow under them grants nothing.
func TestContradictoryConditionsInPoliciesAndTrust(t *testing.T) {
	never := `{"StringEquals":{"aws:PrincipalOrgID":"o-1"},"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-2"}}`
	allow := `{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`
	deny := `{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":` + never + `}`
	conditionalAllow := `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":` + never + `}`
	doc := `{"Version":"2012-10-17","Statement":[` + allow + `,` + deny + `,` + conditionalAllow + `]}`
	e := Evaluate(Policies{Identity: []NamedDocument{{Name: "p", Text: doc}}},
		[]string{"ec2:RunInstances", "s3:GetObject"}, AllResources, RoleContext(checkedRole))
	if len(e.Findings) != 1 || e.Findings[0].Action != "s3:GetObject" || e.Findings[0].Verdict != ConditionNotMet {
		t.Errorf("findings %+v, want only s3:GetObject with ConditionNotMet", e.Findings)
	}
	trust := trustDoc(t, allowAssume(quoted(impersonation), ""), denyAssume(`"*"`, never))
	if got := CheckTrust(trust, Caller{ARN: impersonation}); !got.Trusted() {
		t.Errorf("a Deny that never applies keeps the caller out: %+v", got)
	}
}

// The STS ARNs of a role in Allow statements are mapped to the IAM role ARN to write.
func TestSTSRoleNames(t *testing.T) {
	doc := trustDoc(t,
		allowAssume(`["arn:aws:sts::111111111111:role/Imp","arn:aws:sts::111111111111:assumed-role/Imp2/s",`+
			`"arn:aws:iam::111111111111:role/Other","arn:aws-cn:sts::222222222222:role/veeam/Imp3"]`, ""),
		denyAssume(`"arn:aws:sts::111111111111:role/Denied"`, ""),
		allowAssume(`"arn:aws:sts::111111111111:federated-user/bob"`, ""))
	got := STSRoleNames(doc)
	want := map[string]string{
		"arn:aws:sts::111111111111:role/Imp":            "arn:aws:iam::111111111111:role/Imp",
		"arn:aws:sts::111111111111:assumed-role/Imp2/s": "arn:aws:iam::111111111111:role/Imp2",
		"arn:aws-cn:sts::222222222222:role/veeam/Imp3":  "arn:aws-cn:iam::222222222222:role/Imp3",
	}
	if !maps.Equal(got, want) {
		t.Errorf("STSRoleNames = %v, want %v", got, want)
	}
}
