package policy

import (
	"slices"
	"strings"
	"testing"
)

// cloudFormationTrust is shaped like the trust policy of VeeamWorkerRole in Veeam's aws-org-roles StackSet:
// Sid-less statements, the Impersonation role with an external ID, and ec2.amazonaws.com on its own, plus a
// break-glass statement that is not Veeam's.
const cloudFormationTrust = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/VeeamImpersonationRoleV1"},
  "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x7Kq2mZp9LwB"}}},
 {"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]},
 {"Sid":"BreakGlass","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/BreakGlass"},
  "Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
 {"Effect":"Allow",
  "Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},
  "Action":"sts:AssumeRoleWithWebIdentity"}
]}`

func acceptAll() PrincipalFilter {
	isARN := func(s string) bool { return strings.HasPrefix(s, "arn:") }
	isService := func(s string) bool { return strings.HasSuffix(s, ".amazonaws.com") }
	return PrincipalFilter{AWS: isARN, Service: isService}
}

func TestReadTrustByMeaning(t *testing.T) {
	doc, err := Parse(cloudFormationTrust)
	if err != nil {
		t.Fatal(err)
	}
	spec, others := ReadTrust(doc, "Veeam", acceptAll())
	if !slices.Equal(spec.AWSPrincipals, []string{"arn:aws:iam::111111111111:role/VeeamImpersonationRoleV1"}) ||
		spec.ExternalID != "x7Kq2mZp9LwB" || !slices.Equal(spec.ServicePrincipals, []string{"ec2.amazonaws.com"}) {
		t.Fatalf("spec = %+v", spec)
	}
	if len(others) != 2 || others[0].Sid() != "BreakGlass" || !strings.Contains(others[1].JSON(), "Federated") {
		t.Fatalf("others = %v", others)
	}
	merged := MergeTrust(spec, others)
	if same, err := SameTrustMeaning(merged.Marshal(), doc.Marshal(), acceptAll()); err != nil || !same {
		t.Fatalf("merged trust means something else (%v):\n%s", err, merged.Marshal())
	}
}

func TestReadTrustRoundTripsTrustStatements(t *testing.T) {
	spec := TrustSpec{Sid: "Veeam", AWSPrincipals: []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"},
		ExternalID: "abc", ServicePrincipals: []string{"backup.amazonaws.com"}}
	got, others := ReadTrust(NewDocument(TrustStatements(spec)...), "Veeam", acceptAll())
	if len(others) != 0 || !slices.Equal(got.AWSPrincipals, spec.AWSPrincipals) || got.ExternalID != "abc" ||
		!slices.Equal(got.ServicePrincipals, spec.ServicePrincipals) {
		t.Fatalf("got %+v, others %v", got, others)
	}
}

// A statement that is not Veeam's stays unchanged in others; the AWS principal it names joins the spec when it
// grants that principal all a Veeam statement with the spec's external ID would (more actions, a condition that
// holds for the ID), and stays out otherwise.
func TestReadTrustKeepsWhatIsNotVeeams(t *testing.T) {
	a, b := "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"
	cases := map[string]struct {
		statement string
		trusted   []string
	}{
		"second external ID": {`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},` +
			`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"other"}}}`, []string{a}},
		"deny": {`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::1:role/b"},"Action":"sts:AssumeRole"}`,
			[]string{a}},
		"more actions": {`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},` +
			`"Action":["sts:AssumeRole","sts:TagSession"]}`, []string{a, b}},
		"rejected AWS": {`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`, []string{a}},
		"service with ID": {`{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},` +
			`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}`, []string{a}},
		"other condition that holds": {`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},` +
			`"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"a*"}}}`, []string{a, b}},
		"other condition that fails": {`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},` +
			`"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"z*"}}}`, []string{a}},
		"condition on more of the request": {`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},` +
			`"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`, []string{a}},
		"not an Allow for AssumeRole": {`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},` +
			`"Action":"sts:TagSession"}`, []string{a}},
	}
	veeam := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/a"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}`
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(`{"Version":"2012-10-17","Statement":[` + veeam + `,` + c.statement + `]}`)
			if err != nil {
				t.Fatal(err)
			}
			spec, others := ReadTrust(doc, "Veeam", acceptAll())
			if len(others) != 1 || !slices.Equal(spec.AWSPrincipals, c.trusted) || spec.ExternalID != "abc" {
				t.Fatalf("spec %+v, others %v; want trusted %v", spec, others, c.trusted)
			}
			merged := MergeTrust(spec, others).Marshal()
			if same, err := SameTrustMeaning(merged, doc.Marshal(), acceptAll()); err != nil || !same {
				t.Fatalf("merged trust means something else (%v):\n%s", err, merged)
			}
		})
	}
}

// Without a Veeam-shaped statement, the principals another statement lets in are read with the external ID it
// names, and only those it lets in: a principal a Deny stops, or one named only through a condition that needs
// more of the request, stays out, as vbaws_role_check would say.
func TestReadTrustAdoptsPrincipalsOfMixedStatements(t *testing.T) {
	a, b := "arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b"
	cases := map[string]struct {
		statements string
		trusted    []string
		externalID string
	}{
		"mixed principals with an external ID": {`{"Effect":"Allow","Action":"sts:AssumeRole",` +
			`"Principal":{"AWS":["arn:aws:iam::111111111111:role/a","arn:aws:iam::111111111111:user/u"]},` +
			`"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}`, []string{a}, "x"},
		"tag session": {`{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],` +
			`"Principal":{"AWS":"arn:aws:iam::111111111111:role/a"}}`, []string{a}, ""},
		"a condition on the principal's account": {`{"Effect":"Allow","Action":"sts:AssumeRole",` +
			`"Principal":{"AWS":["arn:aws:iam::111111111111:role/a","arn:aws:iam::111111111111:role/b"]},` +
			`"Condition":{"StringEquals":{"sts:ExternalId":"x","aws:PrincipalAccount":"111111111111"}}}`, []string{a, b}, "x"},
		"a Deny for one of them": {`{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],` +
			`"Principal":{"AWS":["arn:aws:iam::111111111111:role/a","arn:aws:iam::111111111111:role/b"]}},` +
			`{"Effect":"Deny","Action":"sts:*","Principal":{"AWS":"arn:aws:iam::111111111111:role/b"}}`, []string{a}, ""},
		"a condition on more of the request": {`{"Effect":"Allow","Action":"sts:AssumeRole",` +
			`"Principal":{"AWS":"arn:aws:iam::111111111111:role/a"},"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`,
			nil, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(`{"Version":"2012-10-17","Statement":[` + c.statements + `]}`)
			if err != nil {
				t.Fatal(err)
			}
			spec, others := ReadTrust(doc, "Veeam", veeamFilter())
			if !slices.Equal(spec.AWSPrincipals, c.trusted) || spec.ExternalID != c.externalID ||
				len(others) != len(doc.Statements) {
				t.Fatalf("spec %+v, %d others; want %v with %q", spec, len(others), c.trusted, c.externalID)
			}
			merged := MergeTrust(spec, others).Marshal()
			if same, err := SameTrustMeaning(merged, doc.Marshal(), veeamFilter()); err != nil || !same {
				t.Fatalf("merged trust means something else (%v):\n%s", err, merged)
			}
			if got := LetsInAWSPrincipal(doc, veeamFilter().AWS); got != (len(c.trusted) > 0) {
				t.Errorf("LetsInAWSPrincipal = %v, want %v", got, len(c.trusted) > 0)
			}
			for _, p := range c.trusted {
				if !CheckTrust(doc, Caller{ARN: p, ExternalID: c.externalID}).Trusted() {
					t.Errorf("%s was read as trusted, but CheckTrust does not trust it", p)
				}
			}
		})
	}
}

func TestCoversTrust(t *testing.T) {
	doc, err := Parse(cloudFormationTrust)
	if err != nil {
		t.Fatal(err)
	}
	covered := TrustSpec{
		Sid:               "Veeam",
		AWSPrincipals:     []string{"arn:aws:iam::111111111111:role/VeeamImpersonationRoleV1"},
		ExternalID:        "x7Kq2mZp9LwB",
		ServicePrincipals: []string{"ec2.amazonaws.com"},
	}
	if !CoversTrust(doc, covered, acceptAll()) {
		t.Fatal("the CloudFormation statements were not recognised")
	}
	for name, change := range map[string]func(*TrustSpec){
		"other external ID": func(s *TrustSpec) { s.ExternalID = "different" },
		"no external ID":    func(s *TrustSpec) { s.ExternalID = "" },
		"other principal":   func(s *TrustSpec) { s.AWSPrincipals = []string{"arn:aws:iam::111111111111:role/Other"} },
		"more services":     func(s *TrustSpec) { s.ServicePrincipals = append(s.ServicePrincipals, "backup.amazonaws.com") },
	} {
		spec := covered
		spec.AWSPrincipals = slices.Clone(covered.AWSPrincipals)
		change(&spec)
		if CoversTrust(doc, spec, acceptAll()) {
			t.Errorf("%s: reported as covered", name)
		}
	}
}

func TestSameTrustMeaning(t *testing.T) {
	split := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/a"},"Action":"sts:AssumeRole"},
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},"Action":"sts:AssumeRole"},
 {"Sid":"Foreign","Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},
  "Action":"sts:AssumeRole"}]}`
	joined := MergeTrust(
		TrustSpec{Sid: "Veeam", AWSPrincipals: []string{"arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"}},
		nil,
	).Marshal()
	joinedWithForeign := strings.TrimSuffix(joined, `]}`) +
		`,{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if same, err := SameTrustMeaning(split, joinedWithForeign, acceptAll()); err != nil || !same {
		t.Fatalf("same meaning not recognised (%v)", err)
	}
	if same, err := SameTrustMeaning(split, joined, acceptAll()); err != nil || same {
		t.Fatalf("a missing foreign statement was not noticed (%v)", err)
	}
}
