package policy

import (
	"slices"
	"testing"
)

const (
	sameAccountRoot = "arn:aws:iam::111111111111:root"
	otherRole       = "arn:aws:iam::111111111111:role/Other"
)

// allowAssume is a trust statement allowing sts:AssumeRole to principal ("*" or a JSON value), with condition
// ("" for none).
func allowAssume(principal, condition string) string {
	return assumeStatement("Allow", principal, condition)
}

func denyAssume(principal, condition string) string {
	return assumeStatement("Deny", principal, condition)
}

func assumeStatement(effect, principal, condition string) string {
	if principal != `"*"` {
		principal = `{"AWS":` + principal + `}`
	}
	s := `{"Effect":"` + effect + `","Principal":` + principal + `,"Action":"sts:AssumeRole"`
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + "}"
}

func quoted(s string) string { return `"` + s + `"` }

// External-ID conditions other than a plain StringEquals are decided with the external ID the caller sends.
func TestCheckTrustExternalIDConditions(t *testing.T) {
	imp := quoted(impersonation)
	cases := []struct {
		name       string
		statements []string
		externalID string
		want       TrustReason
	}{
		{"StringLike", []string{allowAssume(imp, `{"StringLike":{"sts:ExternalId":"veeam-*"}}`)}, "veeam-7", Trusted},
		{"StringLike that does not match", []string{allowAssume(imp, `{"StringLike":{"sts:ExternalId":"veeam-?"}}`)},
			"veeam-77", TrustConditionNotMet},
		{"StringLike without an external ID", []string{allowAssume(imp, `{"StringLike":{"sts:ExternalId":"*"}}`)}, "",
			TrustConditionNotMet},
		{"StringEqualsIgnoreCase", []string{allowAssume(imp, `{"StringEqualsIgnoreCase":{"sts:ExternalId":"VEEAM"}}`)},
			"veeam", Trusted},
		{"IfExists with the external ID", []string{allowAssume(imp,
			`{"StringEqualsIfExists":{"sts:ExternalId":"veeam-7"}}`)}, "veeam-7", Trusted},
		{"IfExists with another external ID", []string{allowAssume(imp,
			`{"StringEqualsIfExists":{"sts:ExternalId":"veeam-7"}}`)}, "veeam-8", TrustConditionNotMet},
		{"IfExists without an external ID", []string{allowAssume(imp,
			`{"StringEqualsIfExists":{"sts:ExternalId":"veeam-7"}}`)}, "", Trusted},
		{"Deny StringNotEquals, matching", []string{allowAssume(imp, ""),
			denyAssume(`"*"`, `{"StringNotEquals":{"sts:ExternalId":"veeam-7"}}`)}, "veeam-7", Trusted},
		{"Deny StringNotEquals, other", []string{allowAssume(imp, ""),
			denyAssume(`"*"`, `{"StringNotEquals":{"sts:ExternalId":"veeam-7"}}`)}, "veeam-8", TrustDenied},
		{"Deny StringNotEquals, none", []string{allowAssume(imp, ""),
			denyAssume(`"*"`, `{"StringNotEquals":{"sts:ExternalId":"veeam-7"}}`)}, "", TrustDenied},
		{"Deny StringNotLike, matching", []string{allowAssume(imp, ""),
			denyAssume(`"*"`, `{"StringNotLike":{"sts:ExternalId":"veeam-*"}}`)}, "veeam-7", Trusted},
		{"Deny Null true, sent", []string{allowAssume(imp, ""),
			denyAssume(`"*"`, `{"Null":{"sts:ExternalId":"true"}}`)}, "veeam-7", Trusted},
		{"Deny Null true, none", []string{allowAssume(imp, ""),
			denyAssume(`"*"`, `{"Null":{"sts:ExternalId":true}}`)}, "", TrustDenied},
		{"Allow Null false, sent", []string{allowAssume(imp, `{"Null":{"sts:ExternalId":"false"}}`)}, "x", Trusted},
		{"Deny on another key may apply", []string{allowAssume(imp, ""),
			denyAssume(`"*"`, `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`)}, "x", TrustMaybeDenied},
		{"Allow with an external ID and an org condition", []string{allowAssume(imp,
			`{"StringEquals":{"sts:ExternalId":"x","aws:PrincipalOrgID":"o-1"}}`)}, "x", TrustConditionUnknown},
		{"Allow with a wrong external ID and an org condition", []string{allowAssume(imp,
			`{"StringEquals":{"sts:ExternalId":"y","aws:PrincipalOrgID":"o-1"}}`)}, "x", TrustConditionNotMet},
		{"set operator on the external ID", []string{allowAssume(imp,
			`{"ForAnyValue:StringEquals":{"sts:ExternalId":"x"}}`)}, "x", TrustConditionUnknown},
		{"Allow for the caller's ARN", []string{allowAssume(`"*"`,
			`{"ArnEquals":{"aws:PrincipalArn":"`+impersonation+`"}}`)}, "", Trusted},
		{"Allow for the caller's account", []string{allowAssume(`"*"`,
			`{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`)}, "", Trusted},
		{"Allow for another account", []string{allowAssume(`"*"`,
			`{"StringEquals":{"aws:PrincipalAccount":"222222222222"}}`)}, "", TrustConditionNotMet},
		{"Deny for other principals", []string{allowAssume(quoted(sameAccountRoot), ""),
			denyAssume(`"*"`, `{"ArnNotEquals":{"aws:PrincipalArn":"`+impersonation+`"}}`)}, "", Trusted},
		{"a failing Allow and a granting one", []string{allowAssume(imp, `{"StringLike":{"sts:ExternalId":"y*"}}`),
			allowAssume(imp, `{"StringLike":{"sts:ExternalId":"x*"}}`)}, "x1", Trusted},
		{"unreadable statement", []string{allowAssume(imp, ""),
			`{"Effect":"Deny","Principal":{"AWS":7},"Action":"sts:AssumeRole"}`}, "", TrustUnreadable},
		{"not named", []string{allowAssume(quoted(otherRole), "")}, "", NotNamed},
	}
	for _, tc := range cases {
		got := CheckTrust(trustDoc(t, tc.statements...), Caller{ARN: impersonation, ExternalID: tc.externalID})
		if got.Reason != tc.want || got.Trusted() != (tc.want == Trusted) {
			t.Errorf("%s: reason %v, want %v", tc.name, got.Reason, tc.want)
		}
	}
}

// For an account caller, only aws:PrincipalAccount is known.
func TestCheckTrustAccountCaller(t *testing.T) {
	account := Caller{ARN: sameAccountRoot, ExternalID: "x"}
	byAccount := trustDoc(t, allowAssume(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`))
	if got := CheckTrust(byAccount, account); !got.Trusted() || got.NamesRole {
		t.Errorf("account condition: %+v", got)
	}
	byARN := trustDoc(t, allowAssume(`"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/*"}}`))
	if got := CheckTrust(byARN, account); got.Reason != TrustConditionUnknown {
		t.Errorf("principal ARN condition for a whole account: %+v", got)
	}
	root := trustDoc(t, allowAssume(quoted(sameAccountRoot), ""))
	if got := CheckTrust(root, account); !got.Trusted() || got.NamesRole {
		t.Errorf("root: %+v", got)
	}
}

// NamesRole tells a trust that names the caller's role ARN itself or everyone ("*") from one that names its
// account, which delegates to the caller's own policies.
func TestCheckTrustNamesRole(t *testing.T) {
	imp := quoted(impersonation)
	cases := []struct {
		name       string
		statements []string
		trusted    bool
		namesRole  bool
	}{
		{"role ARN", []string{allowAssume(imp, "")}, true, true},
		{"role ARN in a list", []string{allowAssume(`["x",`+imp+`]`, "")}, true, true},
		{"account root", []string{allowAssume(quoted(sameAccountRoot), "")}, true, false},
		{"account ID", []string{allowAssume(`"111111111111"`, "")}, true, false},
		{"everyone", []string{allowAssume(`"*"`, "")}, true, true},
		{"AWS star", []string{allowAssume(`["*"]`, "")}, true, true},
		{"AWS star with a condition that holds", []string{allowAssume(`"*"`,
			`{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`)}, true, true},
		{"AWS star with a condition that fails", []string{allowAssume(`"*"`,
			`{"StringEquals":{"aws:PrincipalAccount":"222222222222"}}`)}, false, false},
		{"AWS star and a Deny", []string{allowAssume(`"*"`, ""), denyAssume(imp, "")}, false, false},
		{"role ARN whose condition fails, and the root", []string{allowAssume(imp, `{"Null":{"sts:ExternalId":"false"}}`),
			allowAssume(quoted(sameAccountRoot), "")}, true, false},
		{"root, and the role ARN", []string{allowAssume(quoted(sameAccountRoot), ""), allowAssume(imp, "")}, true, true},
		{"role ARN and a Deny", []string{allowAssume(imp, ""), denyAssume(imp, "")}, false, false},
		{"another role", []string{allowAssume(quoted(otherRole), "")}, false, false},
		{"Allow with NotPrincipal never counts", []string{`{"Effect":"Allow","NotPrincipal":{"AWS":"` + otherRole +
			`"},"Action":"sts:AssumeRole","Condition":{}}`}, false, false},
	}
	for _, tc := range cases {
		got := CheckTrust(trustDoc(t, tc.statements...), Caller{ARN: impersonation})
		if got.Trusted() != tc.trusted || got.NamesRole != tc.namesRole {
			t.Errorf("%s: trusted %v, names role %v; want %v, %v", tc.name, got.Trusted(), got.NamesRole, tc.trusted,
				tc.namesRole)
		}
	}
}

// A same-account trust that names the caller's role ARN lets it assume the role without an Allow of its own; its
// own Deny and its boundary still stop it. A trust that names only the account needs the caller's own Allow.
func TestMayAssumeRole(t *testing.T) {
	target := "arn:aws:iam::111111111111:role/VeeamBackup"
	assumeAll := `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`
	denyAssumeAll := `{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`
	cases := []struct {
		name      string
		identity  []string
		boundary  string
		namesRole bool
		want      Verdict // Allowed when the role may assume target
	}{
		{"named, no policies", nil, "", true, Allowed},
		{"by account, no policies", nil, "", false, NotGranted},
		{"by account, own Allow", []string{doc(assumeAll)}, "", false, Allowed},
		{"named, own Allow for other roles", []string{doc(`{"Effect":"Allow","Action":"sts:AssumeRole",` +
			`"Resource":"arn:aws:iam::111111111111:role/team-*"}`)}, "", true, Allowed},
		{"named, own conditional Allow", []string{doc(allowIfTagged)}, "", true, Allowed},
		{"named, own Deny", []string{doc(allowAll, denyAssumeAll)}, "", true, Denied},
		{"named, own Deny under a condition", []string{doc(`{"Effect":"Deny","Action":"sts:*","Resource":"*",` +
			`"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`)}, "", true, MaybeDenied},
		{"named, own Deny for other roles", []string{doc(`{"Effect":"Deny","Action":"sts:*","Resource":"*",` +
			`"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Imp"}}}`)}, "", true, Allowed},
		{"named, boundary without sts", nil, doc(allowEC2Reads), true, OutsideBoundary},
		{"named, boundary with sts", nil, doc(assumeAll), true, Allowed},
		{"by account, boundary with sts only", nil, doc(assumeAll), false, NotGranted},
	}
	for _, tc := range cases {
		p := Policies{Identity: named(tc.identity...)}
		if tc.boundary != "" {
			p.Boundary = &NamedDocument{Name: "boundary", Text: tc.boundary}
		}
		e := MayAssumeRole(p, target, RoleContext(impersonation), tc.namesRole)
		got := Allowed
		if len(e.Findings) > 0 {
			got = e.Findings[0].Verdict
		}
		if got != tc.want {
			t.Errorf("%s: verdict %v, want %v", tc.name, got, tc.want)
		}
	}
	broken := MayAssumeRole(Policies{Identity: named("{")}, target, RoleContext(impersonation), true)
	if len(broken.Unparsed) != 1 {
		t.Errorf("a policy that does not parse is not reported: %+v", broken)
	}
}

// A trust statement that writes the caller's role as an STS ARN does not trust it, and the result says so.
func TestCheckTrustSTSNames(t *testing.T) {
	stsRole := "arn:aws:sts::111111111111:role/Imp"
	session := "arn:aws:sts::111111111111:assumed-role/Imp/appliance"
	cases := []struct {
		name       string
		caller     string
		statements []string
		want       []string
		reason     TrustReason
	}{
		{"STS role ARN", impersonation, []string{allowAssume(quoted(stsRole), "")}, []string{stsRole}, NotNamed},
		{"session ARN", impersonation, []string{allowAssume(`[`+quoted(session)+`,`+quoted(stsRole)+`]`, "")},
			[]string{session, stsRole}, NotNamed},
		{"with a condition", impersonation, []string{allowAssume(quoted(stsRole),
			`{"StringEquals":{"sts:ExternalId":"x"}}`)}, []string{stsRole}, NotNamed},
		{"caller with a path", "arn:aws:iam::111111111111:role/veeam/Imp", []string{allowAssume(quoted(stsRole), "")},
			[]string{stsRole}, NotNamed},
		{"another role", impersonation, []string{allowAssume(`"arn:aws:sts::111111111111:role/Impersonation"`, "")},
			nil, NotNamed},
		{"another account", impersonation, []string{allowAssume(`"arn:aws:sts::222222222222:role/Imp"`, "")}, nil,
			NotNamed},
		{"a Deny", impersonation, []string{denyAssume(quoted(stsRole), "")}, nil, NotNamed},
		{"account caller", sameAccountRoot, []string{allowAssume(quoted(stsRole), "")}, nil, NotNamed},
		{"and the IAM ARN", impersonation, []string{allowAssume(quoted(stsRole), ""),
			allowAssume(quoted(impersonation), "")}, []string{stsRole}, Trusted},
	}
	for _, tc := range cases {
		got := CheckTrust(trustDoc(t, tc.statements...), Caller{ARN: tc.caller})
		if !slices.Equal(got.STSNames, tc.want) || got.Reason != tc.reason {
			t.Errorf("%s: STS names %v, reason %v; want %v, %v", tc.name, got.STSNames, got.Reason, tc.want,
				tc.reason)
		}
	}
}
