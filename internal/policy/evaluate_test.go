package policy

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// doc wraps statements in a policy document.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func named(texts ...string) []NamedDocument {
	out := make([]NamedDocument, len(texts))
	for i, text := range texts {
		out[i] = NamedDocument{Name: "p" + string(rune('1'+i)), Text: text}
	}
	return out
}

const (
	allowAll      = `{"Effect":"Allow","Action":"*","Resource":"*"}`
	allowEC2Reads = `{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}`
	denySnapshots = `{"Effect":"Deny","Action":"ec2:*Snapshot*","Resource":"*"}`
	denyIfNoMFA   = `{"Effect":"Deny","Action":"ec2:*","Resource":"*",` +
		`"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`
	allowIfTagged = `{"Effect":"Allow","Action":"ec2:*","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:ResourceTag/x":"y"}}}`
	allowEmptyCond  = `{"Effect":"Allow","Action":"ec2:CreateSnapshot","Resource":"*","Condition":{}}`
	allowNotIAM     = `{"Effect":"Allow","NotAction":["iam:*","sts:*"],"Resource":"*"}`
	denyNotEC2      = `{"Effect":"Deny","NotAction":"ec2:*","Resource":"*"}`
	allowOneBucket  = `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::veeam"}`
	allowNotBucket  = `{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret"}`
	allowNotAnyRes  = `{"Effect":"Allow","Action":"s3:*","NotResource":"*"}`
	allowQuestion   = `{"Effect":"Allow","Action":"ec2:CreateSnapsho?","Resource":"*"}`
	allowMixedCase  = `{"Effect":"Allow","Action":"EC2:createsnapshot","Resource":"*"}`
	allowMidStar    = `{"Effect":"Allow","Action":"ec2:*Snap*","Resource":["arn:aws:ec2:*:*:volume/*","*"]}`
	allowResourceQ  = `{"Effect":"Allow","Action":"ec2:CreateSnapshot","Resource":"?"}`
	allowDoubleStar = `{"Effect":"Allow","Action":"ec2:CreateSnapshot","Resource":"**"}`
	allowNoResource = `{"Effect":"Allow","Action":"ec2:CreateSnapshot"}`
	allowS3Get      = `{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}`
	allowService    = `{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`
	denyDescribe    = `{"Effect":"Deny","Action":"ec2:DescribeInstances","Resource":"*"}`
	denyScoped      = `{"Effect":"Deny","Action":"ec2:CreateSnapshot","Resource":"arn:aws:ec2:*:*:volume/prod"}`
)

func TestEvaluate(t *testing.T) {
	snapshot := []string{"ec2:CreateSnapshot"}
	cases := []struct {
		name     string
		identity []string
		boundary string // "" for none
		actions  []string
		resource string
		want     map[string]Verdict // actions not allowed; every other one is allowed
	}{
		{"no policies", nil, "", snapshot, "*", map[string]Verdict{"ec2:CreateSnapshot": NotGranted}},
		{"allow all", []string{doc(allowAll)}, "", snapshot, "*", nil},
		{
			"prefix wildcard",
			[]string{doc(allowEC2Reads)},
			"",
			[]string{"ec2:DescribeVolumes", "ec2:CreateSnapshot"},
			"*",
			map[string]Verdict{"ec2:CreateSnapshot": NotGranted},
		},
		{"service wildcard", []string{doc(allowService)}, "", []string{"ec2:CreateSnapshot", "s3:GetObject"}, "*",
			map[string]Verdict{"s3:GetObject": NotGranted}},
		{"wildcard in the middle", []string{doc(allowMidStar)}, "", []string{"ec2:CreateSnapshots", "ec2:CopySnapshot",
			"ec2:CreateVolume"}, "*", map[string]Verdict{"ec2:CreateVolume": NotGranted}},
		{"question mark matches one character", []string{doc(allowQuestion)}, "", []string{"ec2:CreateSnapshot",
			"ec2:CreateSnapshots", "ec2:CreateSnapsho"}, "*",
			map[string]Verdict{"ec2:CreateSnapshots": NotGranted, "ec2:CreateSnapsho": NotGranted}},
		{"mixed-case pattern", []string{doc(allowMixedCase)}, "", snapshot, "*", nil},
		{
			"mixed-case required action",
			[]string{doc(allowS3Get)},
			"",
			[]string{"S3:getobject", "s3:LISTBUCKET"},
			"*",
			nil,
		},
		{"action list", []string{doc(allowS3Get)}, "", []string{"s3:GetObject", "s3:PutObject"}, "*",
			map[string]Verdict{"s3:PutObject": NotGranted}},
		{"NotAction allows the rest", []string{doc(allowNotIAM)}, "", []string{"ec2:CreateSnapshot", "iam:GetRole",
			"sts:AssumeRole"}, "*", map[string]Verdict{"iam:GetRole": NotGranted, "sts:AssumeRole": NotGranted}},
		{"NotAction with Deny", []string{doc(allowAll, denyNotEC2)}, "", []string{"ec2:CreateSnapshot", "s3:GetObject"},
			"*", map[string]Verdict{"s3:GetObject": Denied}},
		{"Resource scoped to one ARN does not cover every resource", []string{doc(allowOneBucket)}, "",
			[]string{"s3:GetObject"}, "*", map[string]Verdict{"s3:GetObject": NotGranted}},
		{"Resource scoped to one ARN covers that ARN", []string{doc(allowOneBucket)}, "", []string{"s3:GetObject"},
			"arn:aws:s3:::veeam", nil},
		{"Resource ARNs are case-sensitive", []string{doc(allowOneBucket)}, "", []string{"s3:GetObject"},
			"arn:aws:s3:::VEEAM", map[string]Verdict{"s3:GetObject": NotGranted}},
		{"NotResource of one ARN covers every resource", []string{doc(allowNotBucket)}, "", []string{"s3:GetObject"},
			"*", nil},
		{"NotResource excludes its ARN", []string{doc(allowNotBucket)}, "", []string{"s3:GetObject"},
			"arn:aws:s3:::secret", map[string]Verdict{"s3:GetObject": NotGranted}},
		{"NotResource star covers nothing", []string{doc(allowNotAnyRes)}, "", []string{"s3:GetObject"}, "*",
			map[string]Verdict{"s3:GetObject": NotGranted}},
		{"Resource ? is not every resource", []string{doc(allowResourceQ)}, "", snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": NotGranted}},
		{"Resource ** is every resource", []string{doc(allowDoubleStar)}, "", snapshot, "*", nil},
		{"statement without Resource grants nothing", []string{doc(allowNoResource)}, "", snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": NotGranted}},
		{"resource wildcard across slashes", []string{doc(`{"Effect":"Allow","Action":"sts:AssumeRole",` +
			`"Resource":"arn:aws:iam::1:role/*"}`)}, "", []string{"sts:AssumeRole"}, "arn:aws:iam::1:role/veeam/x", nil},
		{"Deny wins over Allow in the same policy", []string{doc(allowAll, denySnapshots)}, "",
			[]string{"ec2:CreateSnapshot", "ec2:DescribeSnapshots", "ec2:CreateVolume"}, "*",
			map[string]Verdict{"ec2:CreateSnapshot": Denied, "ec2:DescribeSnapshots": Denied}},
		{"Deny wins over Allow in another policy", []string{doc(allowAll), doc(denyDescribe)}, "",
			[]string{"ec2:DescribeInstances", "ec2:DescribeVolumes"}, "*",
			map[string]Verdict{"ec2:DescribeInstances": Denied}},
		{"Deny with condition may apply", []string{doc(allowAll, denyIfNoMFA)}, "", snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": MaybeDenied}},
		{"Deny without condition preferred over conditional", []string{doc(allowAll, denyIfNoMFA), doc(denySnapshots)},
			"", snapshot, "*", map[string]Verdict{"ec2:CreateSnapshot": Denied}},
		{"Deny scoped to another resource leaves every resource", []string{doc(allowAll, denyScoped)}, "", snapshot,
			"*", nil},
		{"Deny scoped to the checked resource", []string{doc(allowAll, denyScoped)}, "", snapshot,
			"arn:aws:ec2:eu-west-1:1:volume/prod", map[string]Verdict{"ec2:CreateSnapshot": Denied}},
		{"Deny of another action", []string{doc(allowAll, denyDescribe)}, "", snapshot, "*", nil},
		{"conditional Allow does not grant", []string{doc(allowIfTagged)}, "", snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": OnlyConditional}},
		{"conditional Allow plus unconditional Allow", []string{doc(allowIfTagged), doc(allowMixedCase)}, "", snapshot,
			"*", nil},
		{"empty Condition is no condition", []string{doc(allowEmptyCond)}, "", snapshot, "*", nil},
		{"boundary allows", []string{doc(allowAll)}, doc(allowService), snapshot, "*", nil},
		{"boundary narrows", []string{doc(allowAll)}, doc(allowEC2Reads), []string{"ec2:DescribeVolumes",
			"ec2:CreateSnapshot"}, "*", map[string]Verdict{"ec2:CreateSnapshot": OutsideBoundary}},
		{"boundary alone grants nothing", nil, doc(allowAll), snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": NotGranted}},
		{"boundary with Deny", []string{doc(allowAll)}, doc(allowAll, denySnapshots), []string{"ec2:CreateSnapshot",
			"ec2:CreateVolume"}, "*", map[string]Verdict{"ec2:CreateSnapshot": Denied}},
		{"boundary with conditional Allow", []string{doc(allowAll)}, doc(allowIfTagged), snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": OutsideBoundary}},
		{"boundary with NotAction", []string{doc(allowAll)}, doc(allowNotIAM), []string{"ec2:CreateSnapshot",
			"iam:PassRole"}, "*", map[string]Verdict{"iam:PassRole": OutsideBoundary}},
		{"boundary intersection with wildcards", []string{doc(allowEC2Reads)}, doc(allowMidStar),
			[]string{"ec2:DescribeSnapshots", "ec2:DescribeVolumes", "ec2:CreateSnapshot"}, "*",
			map[string]Verdict{"ec2:DescribeVolumes": OutsideBoundary, "ec2:CreateSnapshot": NotGranted}},
		{"policy that does not parse grants nothing", []string{`{"Version":"2012-10-17","Statement":[`}, "", snapshot,
			"*", map[string]Verdict{"ec2:CreateSnapshot": NotGranted}},
		{"policy that does not parse denies nothing", []string{doc(allowAll), `{"Statement":[{"Effect":"Deny"`}, "",
			snapshot, "*", nil},
		{"boundary that does not parse bounds everything", []string{doc(allowAll)}, `not json`, snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": OutsideBoundary}},
		{"duplicate JSON keys are refused", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
			`"Effect":"Allow","Action":"*","Resource":"*"}]}`}, "", snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": NotGranted}},
		{
			"unknown Effect is refused",
			[]string{doc(`{"Effect":"allow","Action":"*","Resource":"*"}`)},
			"",
			snapshot,
			"*",
			map[string]Verdict{"ec2:CreateSnapshot": NotGranted},
		},
		{"Action of the wrong type is refused", []string{doc(`{"Effect":"Allow","Action":7,"Resource":"*"}`)}, "",
			snapshot, "*", map[string]Verdict{"ec2:CreateSnapshot": NotGranted}},
		{"URL-encoded document", []string{url.PathEscape(doc(allowService))}, "", snapshot, "*", nil},
		{"URL-encoded boundary", []string{doc(allowAll)}, url.PathEscape(doc(allowEC2Reads)), snapshot, "*",
			map[string]Verdict{"ec2:CreateSnapshot": OutsideBoundary}},
		{"single statement object", []string{`{"Version":"2012-10-17","Statement":` + allowService + `}`}, "", snapshot,
			"*", nil},
		{
			"brackets in a pattern are literal",
			[]string{doc(`{"Effect":"Allow","Action":"ec2:[C]*","Resource":"*"}`)},
			"",
			snapshot,
			"*",
			map[string]Verdict{"ec2:CreateSnapshot": NotGranted},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Policies{Identity: named(tc.identity...)}
			if tc.boundary != "" {
				p.Boundary = &NamedDocument{Name: "boundary", Text: tc.boundary}
			}
			got := map[string]Verdict{}
			e := Evaluate(p, tc.actions, tc.resource, RequestContext{})
			for _, f := range e.Findings {
				got[f.Action] = f.Verdict
			}
			if len(got) != len(tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			for action, verdict := range tc.want {
				if v, ok := got[action]; !ok || v != verdict {
					t.Errorf("%s: verdict %v (found %v), want %v", action, v, ok, verdict)
				}
			}
		})
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
}

func TestEvaluateNamesPoliciesAndFailures(t *testing.T) {
	p := Policies{
		Identity: []NamedDocument{
			{Name: "inline allow", Text: doc(allowAll)},
			{Name: "arn:deny", Text: doc(denySnapshots)},
			{Name: "broken", Text: "{"},
		},
		Boundary: &NamedDocument{Name: "arn:boundary", Text: doc(allowEC2Reads, allowQuestion)},
	}
	e := Evaluate(p, []string{"ec2:CreateSnapshot", "ec2:CreateVolume", "ec2:DescribeVolumes"}, AllResources,
		RequestContext{})
	want := []Finding{
		{Action: "ec2:CreateSnapshot", Verdict: Denied, Policy: "arn:deny"},
		{Action: "ec2:CreateVolume", Verdict: OutsideBoundary, Policy: "arn:boundary"},
	}
	if !slices.Equal(e.Findings, want) {
		t.Fatalf("findings %+v, want %+v", e.Findings, want)
	}
	if !slices.Equal(e.Missing(), []string{"ec2:CreateSnapshot", "ec2:CreateVolume"}) {
		t.Fatalf("missing %v", e.Missing())
	}
	if len(e.Unparsed) != 1 || e.Unparsed[0].Policy != "broken" || e.Unparsed[0].Err == nil {
		t.Fatalf("unparsed %+v", e.Unparsed)
	}
	conditional := Evaluate(Policies{Identity: []NamedDocument{{Name: "tagged", Text: doc(allowIfTagged)}}},
		[]string{"ec2:CreateSnapshot"}, AllResources, RequestContext{})
	if conditional.Findings[0].Policy != "tagged" {
		t.Fatalf("conditional finding names %q", conditional.Findings[0].Policy)
	}
}

const (
	impersonation = "arn:aws:iam::111111111111:role/Imp"
	applianceRoot = "arn:aws:iam::111111111111:root"
	applianceID   = "111111111111"
)

func trustDoc(t *testing.T, statements ...string) Document {
	t.Helper()
	d, err := Parse(doc(statements...))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCheckTrust(t *testing.T) {
	extID := `"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}`
	cases := []struct {
		name       string
		statements []string
		caller     string
		externalID string
		want       bool
	}{
		{
			"role ARN",
			[]string{`{"Effect":"Allow","Principal":{"AWS":"` + impersonation + `"},"Action":"sts:AssumeRole"}`},
			impersonation,
			"",
			true,
		},
		{
			"account root",
			[]string{`{"Effect":"Allow","Principal":{"AWS":"` + applianceRoot + `"},"Action":"sts:AssumeRole"}`},
			impersonation,
			"",
			true,
		},
		{"account ID in a list", []string{`{"Effect":"Allow","Principal":{"AWS":["x","` + applianceID +
			`"]},"Action":["sts:AssumeRole","sts:TagSession"]}`}, impersonation, "", true},
		{"everyone", []string{`{"Effect":"Allow","Principal":"*","Action":"sts:*"}`}, impersonation, "", true},
		{"another role", []string{`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/Other"},` +
			`"Action":"sts:AssumeRole"}`}, impersonation, "", false},
		{"a service only", []string{`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},` +
			`"Action":"sts:AssumeRole"}`}, impersonation, "", false},
		{"another action", []string{`{"Effect":"Allow","Principal":{"AWS":"` + impersonation + `"},` +
			`"Action":"sts:AssumeRoleWithSAML"}`}, impersonation, "", false},
		{"matching external ID", []string{`{"Effect":"Allow","Principal":{"AWS":"` + impersonation + `"},` +
			`"Action":"sts:AssumeRole",` + extID + `}`}, impersonation, "abc", true},
		{"one of several external IDs", []string{`{"Effect":"Allow","Principal":{"AWS":"` +
			impersonation + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["x","abc"]}}}`},
			impersonation, "abc", true},
		{"none of several external IDs", []string{`{"Effect":"Allow","Principal":{"AWS":"` +
			impersonation + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["x","y"]}}}`},
			impersonation, "abc", false},
		{"condition key in another case", []string{`{"Effect":"Allow","Principal":{"AWS":"` +
			impersonation + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"STS:externalid":"abc"}}}`},
			impersonation, "abc", true},
		{"external ID that does not match", []string{`{"Effect":"Allow","Principal":{"AWS":"` + impersonation + `"},` +
			`"Action":"sts:AssumeRole",` + extID + `}`}, impersonation, "abd", false},
		{
			"external ID required but none sent",
			[]string{`{"Effect":"Allow","Principal":{"AWS":"` + impersonation + `"},` +
				`"Action":"sts:AssumeRole",` + extID + `}`},
			impersonation,
			"",
			false,
		},
		{"unconditional trust accepts any external ID", []string{`{"Effect":"Allow","Principal":{"AWS":"` +
			impersonation + `"},"Action":"sts:AssumeRole"}`}, impersonation, "abc", true},
		{"another condition", []string{`{"Effect":"Allow","Principal":{"AWS":"` + impersonation + `"},` +
			`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc","aws:PrincipalOrgID":"o-1"}}}`},
			impersonation, "abc", false},
		{
			"Deny wins",
			[]string{`{"Effect":"Allow","Principal":{"AWS":"` + applianceRoot + `"},"Action":"sts:AssumeRole"}`,
				`{"Effect":"Deny","Principal":{"AWS":"` + impersonation + `"},"Action":"sts:*"}`},
			impersonation,
			"",
			false,
		},
		{"Deny with NotPrincipal", []string{`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`,
			`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:role/x"},"Action":"sts:AssumeRole"}`}, impersonation, "",
			false},
		{"Allow with NotPrincipal does not count", []string{`{"Effect":"Allow","NotPrincipal":{"AWS":"x"},` +
			`"Action":"sts:AssumeRole"}`}, impersonation, "", false},
		{"Deny with a numeric condition", []string{`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`,
			`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"NumericGreaterThan":` +
				`{"aws:MultiFactorAuthAge":3600}}}`}, impersonation, "", false},
		{"Allow with a numeric condition", []string{`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",` +
			`"Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}`}, impersonation, "", false},
		{"unreadable statement", []string{`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`,
			`{"Effect":"Deny","Principal":{"AWS":7},"Action":"sts:AssumeRole"}`}, impersonation, "", false},
		{"placeholder trusts nobody", []string{placeholderStatement.JSON()}, impersonation, "", false},
		{"statements built by TrustStatements", []string{TrustStatements(TrustSpec{Sid: "Veeam",
			AWSPrincipals: []string{impersonation}, ExternalID: "abc"})[0].JSON()}, impersonation, "abc", true},
	}
	for _, tc := range cases {
		caller := Caller{ARN: tc.caller, ExternalID: tc.externalID}
		if got := CheckTrust(trustDoc(t, tc.statements...), caller).Trusted(); got != tc.want {
			t.Errorf("%s: trusted = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMissingServicePrincipals(t *testing.T) {
	services := []string{"backup.amazonaws.com", "ec2.amazonaws.com"}
	cases := []struct {
		name       string
		statements []string
		want       []string
	}{
		{"none", []string{`{"Effect":"Allow","Principal":{"AWS":"` + impersonation + `"},"Action":"sts:AssumeRole"}`},
			services},
		{
			"one of two",
			[]string{`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`},
			[]string{"backup.amazonaws.com"},
		},
		{"both in a list", []string{`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com",` +
			`"backup.amazonaws.com"]},"Action":"sts:AssumeRole"}`}, nil},
		{
			"conditional",
			[]string{`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","backup.amazonaws.com"]},` +
				`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"1"}}}`},
			services,
		},
		{"denied", []string{`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`,
			`{"Effect":"Deny","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`},
			[]string{"ec2.amazonaws.com"}},
		{"everyone", []string{`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`}, nil},
		{"AWS star is not a service", []string{`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`},
			services},
		{"built by TrustStatements", []string{TrustStatements(TrustSpec{Sid: "V",
			ServicePrincipals: services})[0].JSON()}, nil},
	}
	for _, tc := range cases {
		if got := MissingServicePrincipals(trustDoc(t, tc.statements...), services); !slices.Equal(got, tc.want) {
			t.Errorf("%s: missing %v, want %v", tc.name, got, tc.want)
		}
	}
}
