package policy

import (
	"strings"
	"testing"
)

func TestOpenStatements(t *testing.T) {
	assume := `"Action":"sts:AssumeRole"`
	cases := []struct {
		name, statement, reason string
	}{
		{"star", `{"Effect":"Allow","Principal":"*",` + assume + `}`, `lets in "*"`},
		{"aws star", `{"Effect":"Allow","Principal":{"AWS":"*"},` + assume + `}`, `AWS principal "*"`},
		{"aws star in list", `{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},` +
			assume + `}`, `AWS principal "*"`},
		{"account wildcard", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},` + assume + `}`,
			`"arn:aws:iam::*:root", a wildcard`},
		{"service star", `{"Effect":"Allow","Principal":{"Service":"*"},` + assume + `}`, `Service principal "*"`},
		{"action wildcard", `{"Effect":"Allow","Principal":"*","Action":"sts:*"}`, `lets in "*"`},
		{"not principal", `{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},` + assume + `}`,
			"NotPrincipal"},
		{"unrelated condition", `{"Effect":"Allow","Principal":"*",` + assume +
			`,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, `lets in "*"`},
		{"external id only", `{"Effect":"Allow","Principal":{"AWS":"*"},` + assume +
			`,"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}`, `AWS principal "*"`},
		{"negated caller condition", `{"Effect":"Allow","Principal":"*",` + assume +
			`,"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}}`, `lets in "*"`},
		{"if exists", `{"Effect":"Allow","Principal":"*",` + assume +
			`,"Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}}`, `lets in "*"`},
		{"wildcard caller value", `{"Effect":"Allow","Principal":"*",` + assume +
			`,"Condition":{"StringLike":{"aws:PrincipalArn":"*"}}}`, `lets in "*"`},
		{"web identity", `{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/` +
			`token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`, "everyone with a token"},
		{"cognito", `{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` +
			`"Action":"sts:AssumeRoleWithWebIdentity"}`, "everyone with a token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustParse(t, `{"Version":"2012-10-17","Statement":[`+tc.statement+`]}`)
			open := OpenStatements(doc)
			if len(open) != 1 || !strings.Contains(open[0].String(), tc.reason) {
				t.Fatalf("OpenStatements = %v, want one saying %q", open, tc.reason)
			}
		})
	}
}

func TestOpenStatementsAcceptsNamedPrincipals(t *testing.T) {
	assume := `"Action":"sts:AssumeRole"`
	statements := []string{
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Veeam"},` + assume + `}`,
		`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},` + assume + `}`,
		`{"Effect":"Allow","Principal":"*",` + assume + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}`,
		`{"Effect":"Allow","Principal":{"AWS":"*"},` + assume +
			`,"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/veeam-*"}}}`,
		`{"Effect":"Deny","Principal":"*",` + assume + `}`,
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`,
		`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/x"},` +
			`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x:sub":"repo:a/b:ref:main"}}}`,
		`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/corp"},` +
			`"Action":"sts:AssumeRoleWithSAML"}`,
	}
	doc := mustParse(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(statements, ",")+`]}`)
	if open := OpenStatements(doc); len(open) != 0 {
		t.Fatalf("OpenStatements = %v, want none", open)
	}
}

func TestOpenStatementNamesSidAndPosition(t *testing.T) {
	doc := mustParse(t, `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},`+
		`{"Sid":"Everyone","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`)
	open := OpenStatements(doc)
	if len(open) != 1 || !strings.HasPrefix(open[0].String(), "statement 2 (Sid Everyone) lets in") {
		t.Fatalf("OpenStatements = %v", open)
	}
}

func TestMissingPrincipal(t *testing.T) {
	doc := mustParse(t, `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},`+
		`{"Effect":"Allow","Action":"sts:AssumeRole"},`+
		`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)
	if got := MissingPrincipal(doc); len(got) != 1 || got[0] != 1 {
		t.Fatalf("MissingPrincipal = %v, want [1]", got)
	}
}

func mustParse(t *testing.T, text string) Document {
	t.Helper()
	doc, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return doc
}
