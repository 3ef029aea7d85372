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

func TestReadTrustKeepsWhatIsNotVeeams(t *testing.T) {
	cases := map[string]string{
		"second external ID": `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringEquals":{"sts:ExternalId":"other"}}}`,
		"deny": `{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::1:role/b"},"Action":"sts:AssumeRole"}`,
		"more actions": `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},` +
			`"Action":["sts:AssumeRole","sts:TagSession"]}`,
		"rejected AWS": `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`,
		"service with ID": `{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}`,
		"other condition": `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/b"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringLike":{"sts:ExternalId":"a*"}}}`,
	}
	veeam := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/a"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}`
	for name, statement := range cases {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(`{"Version":"2012-10-17","Statement":[` + veeam + `,` + statement + `]}`)
			if err != nil {
				t.Fatal(err)
			}
			spec, others := ReadTrust(doc, "Veeam", acceptAll())
			if len(others) != 1 || !slices.Equal(spec.AWSPrincipals, []string{"arn:aws:iam::1:role/a"}) {
				t.Fatalf("spec %+v, others %v", spec, others)
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
