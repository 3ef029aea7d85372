package policy

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const foreignTrust = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "EC2", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
     "Action": ["sts:AssumeRole", "sts:TagSession"],
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}}
  ]
}`

func TestParseForms(t *testing.T) {
	plain, err := Parse(foreignTrust)
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := Parse(url.PathEscape(foreignTrust))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Marshal() != encoded.Marshal() {
		t.Fatalf("URL-encoded form parsed differently:\n%s\n%s", plain.Marshal(), encoded.Marshal())
	}
	if len(plain.Statements) != 2 || plain.Statements[0].Sid() != "EC2" || plain.Statements[1].Sid() != "" {
		t.Fatalf("statements = %+v", plain.Statements)
	}
	if !strings.Contains(plain.Marshal(), `"aws:MultiFactorAuthAge":3600`) {
		t.Fatalf("number not kept as written: %s", plain.Marshal())
	}
	single, err := Parse(
		`{"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
	)
	if err != nil || len(single.Statements) != 1 || single.Statements[0].Sid() != "One" {
		t.Fatalf("single statement object: %+v, %v", single, err)
	}
}

func TestParseErrors(t *testing.T) {
	for name, text := range map[string]string{
		"not json":          `{"Version":`,
		"trailing content":  `{"Statement":[]} {}`,
		"unknown element":   `{"Version":"2012-10-17","Statements":[]}`,
		"statement string":  `{"Statement":["x"]}`,
		"sid not a string":  `{"Statement":[{"Sid":1}]}`,
		"duplicate sid":     `{"Statement":[{"Sid":"A","Effect":"Allow"},{"Sid":"A","Effect":"Deny"}]}`,
		"bad url encoding":  `%7B%zz`,
		"statement is null": `{"Statement":[null]}`,
	} {
		if _, err := Parse(text); err == nil {
			t.Errorf("%s: Parse(%q) succeeded", name, text)
		}
	}
}

func TestMarshalDeterministic(t *testing.T) {
	a, _ := Parse(`{"Statement":[{"Effect":"Allow","Action":"x:Y","Sid":"S"}],"Version":"2012-10-17","Id":"doc"}`)
	b, _ := Parse(`{"Id":"doc","Version":"2012-10-17","Statement":[{"Sid":"S","Action":"x:Y","Effect":"Allow"}]}`)
	want := `{"Version":"2012-10-17","Id":"doc","Statement":[{"Action":"x:Y","Effect":"Allow","Sid":"S"}]}`
	if a.Marshal() != want || b.Marshal() != want {
		t.Fatalf("got\n%s\n%s\nwant\n%s", a.Marshal(), b.Marshal(), want)
	}
}

func TestUpsertAndRemoveKeepOtherStatements(t *testing.T) {
	doc, _ := Parse(foreignTrust)
	spec := TrustSpec{Sid: "Veeam", AWSPrincipals: []string{"arn:aws:iam::222222222222:role/Imp"}, ExternalID: "x1"}
	veeam := TrustStatements(spec)[0]

	added := doc.Upsert(veeam)
	if len(added.Statements) != 3 || added.Statements[2].JSON() != veeam.JSON() {
		t.Fatalf("append: %s", added.Marshal())
	}
	spec.AWSPrincipals = append(spec.AWSPrincipals, "arn:aws:iam::333333333333:role/Imp")
	replaced := added.Upsert(TrustStatements(spec)[0])
	if len(replaced.Statements) != 3 || !strings.Contains(replaced.Statements[2].JSON(), "333333333333") {
		t.Fatalf("replace in place: %s", replaced.Marshal())
	}
	removed := replaced.Remove("Veeam")
	if removed.Marshal() != doc.Marshal() {
		t.Fatalf("remove left\n%s\nwant\n%s", removed.Marshal(), doc.Marshal())
	}
	if len(added.Statements) != 3 {
		t.Fatal("Upsert or Remove changed the document it was called on")
	}
	if _, found := removed.Find("Veeam"); found {
		t.Fatal("removed statement still found")
	}
	if removed.Remove("Missing").Marshal() != removed.Marshal() {
		t.Fatal("removing a missing Sid changed the document")
	}
}

func TestTrustStatements(t *testing.T) {
	spec := TrustSpec{
		Sid:               "Veeam",
		AWSPrincipals:     []string{"arn:aws:iam::2:role/b", "arn:aws:iam::2:role/a"},
		ExternalID:        "ext",
		ServicePrincipals: []string{"ec2.amazonaws.com", "backup.amazonaws.com"},
	}
	doc := NewDocument(TrustStatements(spec)...)
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext"}},"Effect":"Allow",` +
		`"Principal":{"AWS":["arn:aws:iam::2:role/a","arn:aws:iam::2:role/b"]},"Sid":"Veeam"},` +
		`{"Action":"sts:AssumeRole","Effect":"Allow",` +
		`"Principal":{"Service":["backup.amazonaws.com","ec2.amazonaws.com"]},"Sid":"VeeamServices"}]}`
	if doc.Marshal() != want {
		t.Fatalf("got\n%s\nwant\n%s", doc.Marshal(), want)
	}
	got := TrustInputs(doc, "Veeam")
	if strings.Join(got.AWSPrincipals, ",") != "arn:aws:iam::2:role/a,arn:aws:iam::2:role/b" ||
		got.ExternalID != "ext" ||
		strings.Join(got.ServicePrincipals, ",") != "backup.amazonaws.com,ec2.amazonaws.com" {
		t.Fatalf("TrustInputs = %+v", got)
	}
	if n := len(TrustStatements(TrustSpec{Sid: "S", ServicePrincipals: []string{"ec2.amazonaws.com"}})); n != 1 {
		t.Fatalf("services only: %d statements", n)
	}
	if empty := TrustInputs(NewDocument(), "Veeam"); empty.AWSPrincipals != nil || empty.ServicePrincipals != nil {
		t.Fatalf("inputs from empty document: %+v", empty)
	}
}

func TestEquivalent(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		want bool
	}{
		{"principal order",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":["arn:aws:iam::111111111111:role/a","arn:aws:iam::111111111111:role/b"]}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":["arn:aws:iam::111111111111:role/b","arn:aws:iam::111111111111:role/a"]}}]}`, true},
		{"string vs one-element list",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"Service":"ec2.amazonaws.com"}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],` +
				`"Principal":{"Service":["ec2.amazonaws.com"]}}]}`, true},
		{"account id vs root arn",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"111111111111"}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"arn:aws:iam::111111111111:root"}}]}`, true},
		{"condition value order",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"arn:aws:iam::111111111111:root"},` +
				`"Condition":{"StringEquals":{"sts:ExternalId":["a","b"]}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"arn:aws:iam::111111111111:root"},` +
				`"Condition":{"StringEquals":{"sts:ExternalId":["b","a"]}}}]}`, true},
		{"url-encoded vs plain", url.PathEscape(foreignTrust), foreignTrust, true},
		{"different principal",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"arn:aws:iam::111111111111:role/a"}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"arn:aws:iam::111111111111:role/b"}}]}`, false},
		{"different external id",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"arn:aws:iam::111111111111:root"},` +
				`"Condition":{"StringEquals":{"sts:ExternalId":"a"}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",` +
				`"Principal":{"AWS":"arn:aws:iam::111111111111:root"},` +
				`"Condition":{"StringEquals":{"sts:ExternalId":"b"}}}]}`, false},
	}
	for _, tc := range cases {
		got, err := Equivalent(tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("%s: Equivalent = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestSize(t *testing.T) {
	if got := Size("{ \"a\" :\n\t[1, 2] }"); got != 11 {
		t.Fatalf("Size = %d, want 11", got)
	}
}

func TestSplitActions(t *testing.T) {
	actions := make([]string, 500)
	for i := range actions {
		actions[i] = fmt.Sprintf("service%d:DescribeSomethingLong%03d", i%7, i)
	}
	docs, err := SplitActions(actions, "Veeam", ManagedPolicyMaxSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 3 {
		t.Fatalf("%d documents; 500 long actions cannot fit in fewer than 3", len(docs))
	}
	var seen []string
	for i, text := range docs {
		if Size(text) > ManagedPolicyMaxSize {
			t.Fatalf("document %d has %d characters", i+1, Size(text))
		}
		doc, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Statements[0].Sid() != fmt.Sprintf("Veeam%d", i+1) {
			t.Fatalf("document %d has Sid %q", i+1, doc.Statements[0].Sid())
		}
		var g rule
		_ = unmarshal(doc.Statements[0].raw, &g)
		seen = append(seen, g.Action...)
		if i < len(docs)-1 {
			next := Size(text) + len(actions[len(seen)]) + 3
			if next <= ManagedPolicyMaxSize {
				t.Fatalf("document %d stopped at %d characters although the next action fits", i+1, Size(text))
			}
		}
	}
	if strings.Join(seen, ",") != strings.Join(actions, ",") {
		t.Fatal("split lost, duplicated or reordered actions")
	}
	again, _ := SplitActions(actions, "Veeam", ManagedPolicyMaxSize)
	if strings.Join(again, "\n") != strings.Join(docs, "\n") {
		t.Fatal("split is not deterministic")
	}
	if _, err := SplitActions([]string{"s3:GetObject", strings.Repeat("x", 200)}, "S", 200); err == nil {
		t.Fatal("an action larger than the limit was accepted")
	}
	if docs, _ := SplitActions(nil, "S", 100); len(docs) != 0 {
		t.Fatalf("no actions gave %d documents", len(docs))
	}
	one, _ := SplitActions([]string{"s3:GetObject"}, "S", 200)
	if len(one) != 1 || !strings.Contains(one[0], `"Action":["s3:GetObject"]`) {
		t.Fatalf("one action: %v", one)
	}
}

func TestAllowsAction(t *testing.T) {
	allow := func(statement string) string { return `{"Version":"2012-10-17","Statement":[` + statement + `]}` }
	cases := []struct {
		name string
		docs []string
		want bool
	}{
		{"exact", []string{allow(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`)}, true},
		{"service wildcard", []string{allow(`{"Effect":"Allow","Action":"sts:*","Resource":"*"}`)}, true},
		{
			"case-insensitive action",
			[]string{allow(`{"Effect":"Allow","Action":"STS:assumerole","Resource":"*"}`)},
			true,
		},
		{"question mark", []string{allow(`{"Effect":"Allow","Action":"sts:AssumeRol?","Resource":["*"]}`)}, true},
		{"everything", []string{allow(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}, true},
		{"not action other", []string{allow(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}, true},
		{"not action same", []string{allow(`{"Effect":"Allow","NotAction":"sts:*","Resource":"*"}`)}, false},
		{"other action", []string{allow(`{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}`)}, false},
		{
			"one role only",
			[]string{allow(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::1:role/x"}`)},
			false,
		},
		{
			"roles by wildcard",
			[]string{allow(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}`)},
			false,
		},
		{
			"conditional allow",
			[]string{
				allow(
					`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`,
				),
			},
			false,
		},
		{
			"deny in other document",
			[]string{
				allow(`{"Effect":"Allow","Action":"*","Resource":"*"}`),
				allow(`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`),
			},
			false,
		},
		{
			"not resource",
			[]string{allow(`{"Effect":"Allow","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::1:role/x"}`)},
			true,
		},
		{"none", nil, false},
	}
	for _, tc := range cases {
		got, err := AllowsAction(tc.docs, "sts:AssumeRole", "*")
		if err != nil || got != tc.want {
			t.Errorf("%s: AllowsAction = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := AllowsAction([]string{"nope"}, "sts:AssumeRole", "*"); err == nil {
		t.Error("an unparsable document gave no error")
	}
}

func TestValidSid(t *testing.T) {
	for sid, want := range map[string]bool{
		"Veeam1": true, "": false, "with space": false, "dash-ed": false, "ünicode": false,
	} {
		if ValidSid(sid) != want {
			t.Errorf("ValidSid(%q) = %v", sid, !want)
		}
	}
}

// FuzzParseMarshal checks that a parsed document marshals to text that parses to the same document.
func FuzzParseMarshal(f *testing.F) {
	f.Add(foreignTrust)
	f.Add(`{"Statement":{"Sid":"A","Effect":"Allow"}}`)
	f.Add(`%7B%22Statement%22%3A%5B%5D%7D`)
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := Parse(text)
		if err != nil {
			return
		}
		once := doc.Marshal()
		again, err := Parse(once)
		if err != nil {
			t.Fatalf("marshalled form does not parse: %v\n%s", err, once)
		}
		if again.Marshal() != once {
			t.Fatalf("unstable:\n%s\n%s", once, again.Marshal())
		}
	})
}

// FuzzUpsertRemove checks that adding or removing a statement by Sid never changes any other statement.
func FuzzUpsertRemove(f *testing.F) {
	f.Add(foreignTrust, "Veeam", "arn:aws:iam::111111111111:role/x")
	f.Add(foreignTrust, "EC2", "123456789012")
	f.Fuzz(func(t *testing.T, text, sid, principalARN string) {
		doc, err := Parse(text)
		if err != nil || !ValidSid(sid) { // callers validate Sids before building statements
			return
		}
		statement := TrustStatements(TrustSpec{Sid: sid, AWSPrincipals: []string{principalARN}})[0]
		others := othersThan(doc, sid)
		if got := othersThan(doc.Upsert(statement), sid); got != others {
			t.Fatalf("Upsert changed other statements:\n%s\n%s", others, got)
		}
		if got := othersThan(doc.Remove(sid), sid); got != others {
			t.Fatalf("Remove changed other statements:\n%s\n%s", others, got)
		}
	})
}

// othersThan joins the JSON of every statement not named sid.
func othersThan(doc Document, sid string) string {
	var parts []string
	for _, s := range doc.Statements {
		if s.Sid() != sid {
			parts = append(parts, s.JSON())
		}
	}
	return strings.Join(parts, "\n")
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(foreignTrust); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEquivalent(b *testing.B) {
	encoded := url.PathEscape(foreignTrust)
	for b.Loop() {
		if ok, err := Equivalent(foreignTrust, encoded); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkSplitActions(b *testing.B) {
	actions := make([]string, 450)
	for i := range actions {
		actions[i] = fmt.Sprintf("ec2:DescribeThing%03d", i)
	}
	for b.Loop() {
		if _, err := SplitActions(actions, "Veeam", ManagedPolicyMaxSize); err != nil {
			b.Fatal(err)
		}
	}
}

func TestApplyAndRemoveTrust(t *testing.T) {
	foreign, _ := Parse(foreignTrust)
	spec := TrustSpec{
		Sid:               "Veeam",
		AWSPrincipals:     []string{"arn:aws:iam::222222222222:role/Imp"},
		ServicePrincipals: []string{"backup.amazonaws.com"},
	}
	applied := ApplyTrust(foreign, spec)
	if len(applied.Statements) != 4 || !holdsUnderSids(applied, TrustStatements(spec)) {
		t.Fatalf("apply: %s", applied.Marshal())
	}
	spec.ServicePrincipals = nil
	withoutServices := ApplyTrust(applied, spec)
	if _, found := withoutServices.Find(ServicesSid("Veeam")); found || len(withoutServices.Statements) != 3 {
		t.Fatalf("services statement kept: %s", withoutServices.Marshal())
	}
	removed, emptied := RemoveTrust(applied, "Veeam")
	if emptied || removed.Marshal() != foreign.Marshal() {
		t.Fatalf("remove from shared role: emptied=%v\n%s", emptied, removed.Marshal())
	}

	alone := ApplyTrust(NewDocument(), spec)
	placeholder, emptied := RemoveTrust(alone, "Veeam")
	if !emptied || len(placeholder.Statements) != 1 || placeholder.Statements[0].Sid() != PlaceholderSid {
		t.Fatalf("last statement: emptied=%v %s", emptied, placeholder.Marshal())
	}
	if allowed, _ := AllowsAction([]string{placeholder.Marshal()}, AssumeRoleAction, "*"); allowed {
		t.Fatal("the placeholder grants something")
	}
	again := ApplyTrust(placeholder, spec)
	if _, found := again.Find(PlaceholderSid); found || !holdsUnderSids(again, TrustStatements(spec)) {
		t.Fatalf("placeholder not replaced: %s", again.Marshal())
	}
	if holdsUnderSids(foreign, TrustStatements(spec)) {
		t.Fatal("holdsUnderSids found statements that are not there")
	}
}

// holdsUnderSids reports whether doc holds, under each Sid of want, a statement that means the same.
func holdsUnderSids(doc Document, want []Statement) bool {
	for _, w := range want {
		s, found := doc.Find(w.Sid())
		if !found {
			return false
		}
		if same, err := Equivalent(NewDocument(s).Marshal(), NewDocument(w).Marshal()); err != nil || !same {
			return false
		}
	}
	return true
}
