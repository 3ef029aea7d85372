package policy

import (
	"strings"
	"testing"
)

func TestPrepareRewriteRefusesRepeatedKeys(t *testing.T) {
	cases := map[string]struct {
		text, names, key string
	}{
		"repeated condition operator in a statement with a Sid": {
			text: `{"Version":"2012-10-17","Statement":[{"Sid":"Ec2","Effect":"Allow","Action":"sts:AssumeRole",
				"Principal":{"Service":"ec2.amazonaws.com"}},{"Sid":"Partner","Effect":"Allow",
				"Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::210987654321:root"},
				"Condition":{"StringEquals":{"sts:ExternalId":"a"},"StringEquals":{"aws:PrincipalTag/team":"b"}}}]}`,
			names: `statement "Partner"`, key: `"StringEquals"`,
		},
		"repeated key in a statement without a Sid": {
			text: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
				"Principal":{"AWS":"arn:aws:iam::210987654321:root","AWS":"arn:aws:iam::111111111111:root"}}]}`,
			names: "statement 1 (no Sid)", key: `"AWS"`,
		},
		"single statement object": {
			text: `{"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Allow","Effect":"Deny",
				"Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}}`,
			names: `statement "One"`, key: `"Effect"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(tc.text)
			if err != nil {
				t.Fatalf("a document with repeated keys is still readable, got %v", err)
			}
			_, err = doc.PrepareRewrite()
			if err == nil {
				t.Fatal("a document with repeated keys was accepted for rewriting")
			}
			for _, want := range []string{tc.names, tc.key} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not name %s: %v", want, err)
				}
			}
		})
	}
}

func TestPrepareRewriteKeepsDistinctKeys(t *testing.T) {
	doc, err := Parse(foreignTrust)
	if err != nil {
		t.Fatal(err)
	}
	out, err := doc.PrepareRewrite()
	if err != nil {
		t.Fatalf("a document without repeated keys was refused: %v", err)
	}
	if out.Marshal() != doc.Marshal() {
		t.Errorf("a versioned document changed:\n%s\n%s", doc.Marshal(), out.Marshal())
	}
}

func TestPrepareRewriteOfDocumentWithoutVersion(t *testing.T) {
	plain := `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}`
	doc, err := Parse(plain)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc.Marshal(), `"Version"`) {
		t.Errorf("a document without Version is marshalled with one: %s", doc.Marshal())
	}
	out, err := doc.PrepareRewrite()
	if err != nil {
		t.Fatalf("a document without Version or policy variables was refused: %v", err)
	}
	if out.Version != DefaultVersion || !strings.HasPrefix(out.Marshal(), `{"Version":"2012-10-17",`) {
		t.Errorf("the rewrite does not declare %s: %s", DefaultVersion, out.Marshal())
	}

	withVariable := `{"Statement":[{"Sid":"Tagged","Effect":"Allow","Action":"sts:AssumeRole",` +
		`"Principal":{"AWS":"arn:aws:iam::210987654321:root"},` +
		`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"${aws:username}"}}}]}`
	doc, err = Parse(withVariable)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.PrepareRewrite(); err == nil || !strings.Contains(err.Error(), `statement "Tagged"`) ||
		!strings.Contains(err.Error(), "2008-10-17") {
		t.Errorf("a document without Version that uses ${...} was not refused clearly: %v", err)
	}
}
