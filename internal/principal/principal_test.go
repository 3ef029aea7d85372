package principal

import (
	"regexp"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, value, partition string
		wantARN                string // for accepted values
		wantSummary            string // for rejected values
		wantDetail             string // regexp the detail must match
	}{
		// Accepted forms.
		{
			name:    "role",
			value:   "arn:aws:iam::123456789012:role/VeeamImpersonation",
			wantARN: "arn:aws:iam::123456789012:role/VeeamImpersonation",
		},
		{
			name:    "role with path",
			value:   "arn:aws:iam::123456789012:role/veeam/backup/Imp",
			wantARN: "arn:aws:iam::123456789012:role/veeam/backup/Imp",
		},
		{
			name:    "role name with every allowed symbol",
			value:   "arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h",
			wantARN: "arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h",
		},
		{
			name:    "role name of 64 characters",
			value:   "arn:aws:iam::123456789012:role/" + long[:64],
			wantARN: "arn:aws:iam::123456789012:role/" + long[:64],
		},
		{name: "root", value: "arn:aws:iam::123456789012:root", wantARN: "arn:aws:iam::123456789012:root"},
		{name: "bare account", value: "123456789012", wantARN: "arn:aws:iam::123456789012:root"},
		{name: "bare account with leading zeros", value: "000000000001", wantARN: "arn:aws:iam::000000000001:root"},
		{
			name:      "bare account in china",
			value:     "123456789012",
			partition: "aws-cn",
			wantARN:   "arn:aws-cn:iam::123456789012:root",
		},
		{
			name:      "aws-cn role",
			value:     "arn:aws-cn:iam::123456789012:role/r",
			partition: "aws-cn",
			wantARN:   "arn:aws-cn:iam::123456789012:role/r",
		},
		{
			name:    "aws-us-gov role",
			value:   "arn:aws-us-gov:iam::123456789012:role/r",
			wantARN: "arn:aws-us-gov:iam::123456789012:role/r",
		},
		{
			name:    "aws-iso role",
			value:   "arn:aws-iso:iam::123456789012:role/r",
			wantARN: "arn:aws-iso:iam::123456789012:role/r",
		},
		{
			name:    "aws-iso-b root",
			value:   "arn:aws-iso-b:iam::123456789012:root",
			wantARN: "arn:aws-iso-b:iam::123456789012:root",
		},
		{
			name:    "aws-iso-e role",
			value:   "arn:aws-iso-e:iam::123456789012:role/r",
			wantARN: "arn:aws-iso-e:iam::123456789012:role/r",
		},
		{
			name:    "aws-iso-f role",
			value:   "arn:aws-iso-f:iam::123456789012:role/r",
			wantARN: "arn:aws-iso-f:iam::123456789012:role/r",
		},
		{
			name:    "aws-eusc role",
			value:   "arn:aws-eusc:iam::123456789012:role/r",
			wantARN: "arn:aws-eusc:iam::123456789012:role/r",
		},

		// Wildcards and whitespace.
		{name: "star", value: "*", wantSummary: "Wildcard principal not allowed", wantDetail: `lets anyone assume`},
		{
			name:        "star in role name",
			value:       "arn:aws:iam::123456789012:role/Veeam*",
			wantSummary: "Wildcard principal not allowed",
			wantDetail:  `refuses a wildcard inside a principal ARN.*ArnLike condition on aws:PrincipalArn`,
		},
		{name: "star account", value: "arn:aws:iam::*:root", wantSummary: "Wildcard principal not allowed"},
		{
			name:        "question mark",
			value:       "arn:aws:iam::123456789012:role/Veea?",
			wantSummary: "Wildcard principal not allowed",
		},
		{
			name:        "leading space",
			value:       " arn:aws:iam::123456789012:role/r",
			wantSummary: "Principal has leading or trailing whitespace",
			wantDetail:  `Remove it`,
		},
		{
			name:        "trailing newline",
			value:       "123456789012\n",
			wantSummary: "Principal has leading or trailing whitespace",
		},
		{name: "empty", value: "", wantSummary: "Empty principal"},

		// Sessions, other IAM resource types and other services.
		{
			name:        "assumed-role session",
			value:       "arn:aws:sts::123456789012:assumed-role/VeeamImp/session1",
			wantSummary: "Session ARN is not a role ARN",
			wantDetail:  `arn:aws:iam::123456789012:role/VeeamImp`,
		},
		{
			name:        "sts federated user",
			value:       "arn:aws:sts::123456789012:federated-user/bob",
			wantSummary: "Not an IAM principal",
		},
		{
			name:        "user",
			value:       "arn:aws:iam::123456789012:user/alice",
			wantSummary: "Not a role or account principal",
			wantDetail:  `IAM user`,
		},
		{
			name:        "group",
			value:       "arn:aws:iam::123456789012:group/admins",
			wantSummary: "Not a role or account principal",
			wantDetail:  `IAM group`,
		},
		{
			name:        "policy",
			value:       "arn:aws:iam::123456789012:policy/p",
			wantSummary: "Not a role or account principal",
			wantDetail:  `managed policy`,
		},
		{
			name:        "aws managed policy",
			value:       "arn:aws:iam::aws:policy/AdministratorAccess",
			wantSummary: "Invalid account ID",
		},
		{
			name:        "instance profile",
			value:       "arn:aws:iam::123456789012:instance-profile/ip",
			wantSummary: "Not a role or account principal",
			wantDetail:  `instance profile`,
		},
		{
			name:        "oidc provider",
			value:       "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
			wantSummary: "Not a role or account principal",
			wantDetail:  `AssumeRoleWithWebIdentity`,
		},
		{
			name:        "saml provider",
			value:       "arn:aws:iam::123456789012:saml-provider/okta",
			wantSummary: "Not a role or account principal",
			wantDetail:  `AssumeRoleWithSAML`,
		},
		{
			name:        "unknown iam type",
			value:       "arn:aws:iam::123456789012:thing/x",
			wantSummary: "Not a role or account principal",
		},
		{name: "s3 bucket", value: "arn:aws:s3:::bucket", wantSummary: "Not an IAM principal", wantDetail: `s3 ARN`},
		{
			name:        "ec2 instance",
			value:       "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
			wantSummary: "Not an IAM principal",
		},
		{
			name:        "region in iam arn",
			value:       "arn:aws:iam:us-east-1:123456789012:role/r",
			wantSummary: "Region in IAM ARN",
			wantDetail:  `arn:aws:iam::123456789012:role/r`,
		},

		// Service principals, names and IDs.
		{
			name:        "service principal",
			value:       "ec2.amazonaws.com",
			wantSummary: "Service principal in trusted principals",
			wantDetail:  `service_principals`,
		},
		{
			name:        "china service principal",
			value:       "ec2.amazonaws.com.cn",
			wantSummary: "Service principal in trusted principals",
		},
		{
			name:        "bare role name",
			value:       "VeeamImpersonationRole",
			wantSummary: "Bare role name is not a principal",
			wantDetail:  `role/VeeamImpersonationRole`,
		},
		{name: "role unique id", value: "AROAABCDEFGHIJKLMNOPQ", wantSummary: "Unique ID is not a principal"},
		{name: "user unique id", value: "AIDAABCDEFGHIJKLMNOPQ", wantSummary: "Unique ID is not a principal"},
		{name: "garbage", value: "not a principal!", wantSummary: "Unrecognised principal"},

		// Account IDs.
		{name: "11 digits", value: "12345678901", wantSummary: "Invalid account ID", wantDetail: `has 11 digits`},
		{name: "13 digits", value: "1234567890123", wantSummary: "Invalid account ID", wantDetail: `has 13 digits`},
		{
			name:        "short account in arn",
			value:       "arn:aws:iam::1234:root",
			wantSummary: "Invalid account ID",
			wantDetail:  `exactly 12 digits`,
		},
		{name: "letters in account", value: "arn:aws:iam::12345678901a:role/r", wantSummary: "Invalid account ID"},
		{name: "empty account", value: "arn:aws:iam:::role/r", wantSummary: "Invalid account ID"},

		// Names and paths.
		{
			name:        "role name too long",
			value:       "arn:aws:iam::123456789012:role/" + long,
			wantSummary: "Invalid role name",
			wantDetail:  `65 characters`,
		},
		{
			name:        "role name bad character",
			value:       "arn:aws:iam::123456789012:role/bad!name",
			wantSummary: "Invalid role name",
		},
		{
			name:        "role without name",
			value:       "arn:aws:iam::123456789012:role/",
			wantSummary: "Invalid role name",
			wantDetail:  `empty`,
		},
		{
			name:        "role without slash",
			value:       "arn:aws:iam::123456789012:role",
			wantSummary: "Invalid role name",
			wantDetail:  `empty`,
		},
		{name: "empty path segment", value: "arn:aws:iam::123456789012:role/a//b", wantSummary: "Invalid path"},
		{
			name:        "path too long",
			value:       "arn:aws:iam::123456789012:role/" + strings.Repeat("p/", 300) + "r",
			wantSummary: "Invalid path",
			wantDetail:  `at most 512`,
		},

		// Partitions.
		{
			name:        "unknown partition",
			value:       "arn:aws-mars:iam::123456789012:role/r",
			wantSummary: "Unknown AWS partition",
			wantDetail:  `aws-cn`,
		},
		{
			name:        "partition mismatch",
			value:       "arn:aws:iam::123456789012:role/r",
			partition:   "aws-cn",
			wantSummary: "Partition mismatch",
			wantDetail:  `arn:aws-cn:`,
		},
		{
			name:        "root partition mismatch",
			value:       "arn:aws-us-gov:iam::123456789012:root",
			partition:   "aws",
			wantSummary: "Partition mismatch",
		},
		{
			name:        "unknown provider partition",
			value:       "123456789012",
			partition:   "mars",
			wantSummary: "Unknown AWS partition",
		},
		{name: "too few parts", value: "arn:aws:iam::123456789012", wantSummary: "Malformed ARN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, problem := Parse(tc.value, tc.partition)
			if tc.wantSummary == "" {
				if problem != nil {
					t.Fatalf("Parse(%q) = %v, want accepted", tc.value, problem)
				}
				if p.ARN() != tc.wantARN {
					t.Fatalf("ARN() = %q, want %q", p.ARN(), tc.wantARN)
				}
				return
			}
			if problem == nil {
				t.Fatalf("Parse(%q) accepted %+v, want %q", tc.value, p, tc.wantSummary)
			}
			if problem.Summary != tc.wantSummary {
				t.Fatalf("summary = %q, want %q (detail: %s)", problem.Summary, tc.wantSummary, problem.Detail)
			}
			if tc.wantDetail != "" && !regexp.MustCompile(tc.wantDetail).MatchString(problem.Detail) {
				t.Fatalf("detail %q does not match %q", problem.Detail, tc.wantDetail)
			}
		})
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases; the issue asks for at least 40", len(cases))
	}
}

func TestPrincipalFields(t *testing.T) {
	p, problem := Parse("arn:aws-cn:iam::123456789012:role/veeam/Imp", "")
	if problem != nil {
		t.Fatal(problem)
	}
	want := Principal{Partition: "aws-cn", AccountID: "123456789012", Path: "/veeam/", Name: "Imp", Kind: KindRole}
	if p != want {
		t.Fatalf("got %+v, want %+v", p, want)
	}
}

func TestRootWarning(t *testing.T) {
	root, _ := Parse("123456789012", "")
	if w := RootWarning(root); w == nil || !strings.Contains(w.Detail, "all of account 123456789012") {
		t.Fatalf("root warning = %v", w)
	}
	role, _ := Parse("arn:aws:iam::123456789012:role/r", "")
	if w := RootWarning(role); w != nil {
		t.Fatalf("role got warning %v", w)
	}
}

func TestParseRoleARN(t *testing.T) {
	if _, problem := ParseRoleARN("arn:aws:iam::123456789012:role/r"); problem != nil {
		t.Fatal(problem)
	}
	for value, summary := range map[string]string{
		"arn:aws:iam::123456789012:root":   "Not a role ARN",
		"123456789012":                     "Not a role ARN",
		"arn:aws:iam::123456789012:user/u": "Not a role or account principal",
	} {
		if _, problem := ParseRoleARN(value); problem == nil || problem.Summary != summary {
			t.Errorf("ParseRoleARN(%q) = %v, want %q", value, problem, summary)
		}
	}
}

func TestParseList(t *testing.T) {
	values := []string{
		"123456789012",
		"arn:aws:iam::123456789012:role/r",
		"arn:aws:iam::123456789012:root",
		"*",
		"arn:aws:iam::123456789012:role/r",
	}
	result := ParseList(values, "aws")
	if len(result.Principals) != 2 {
		t.Fatalf("principals = %+v, want 2", result.Principals)
	}
	wantErrors := map[int]string{
		2: "Duplicate principal",
		3: "Wildcard principal not allowed",
		4: "Duplicate principal",
	}
	if len(result.Errors) != len(wantErrors) {
		t.Fatalf("errors = %v", result.Errors)
	}
	for i, summary := range wantErrors {
		if result.Errors[i] == nil || result.Errors[i].Summary != summary {
			t.Errorf("error %d = %v, want %q", i, result.Errors[i], summary)
		}
	}
	if !strings.Contains(result.Errors[2].Detail, `"123456789012"`) {
		t.Errorf("duplicate detail should name the first spelling: %s", result.Errors[2].Detail)
	}
	if len(result.Warnings) != 1 || result.Warnings[0] == nil {
		t.Fatalf("warnings = %v, want one for index 0", result.Warnings)
	}
}

func TestValidateRoleNamePathAndService(t *testing.T) {
	for name, ok := range map[string]bool{
		"a": true, strings.Repeat("x", 64): true,
		"": false, strings.Repeat("x", 65): false, "a b": false, "a/b": false,
	} {
		if got := ValidateRoleName(name) == nil; got != ok {
			t.Errorf("ValidateRoleName(%q) ok = %v, want %v", name, got, ok)
		}
	}
	for p, ok := range map[string]bool{
		"/": true, "/veeam/": true, "/a/b/": true,
		"": false, "veeam/": false, "/veeam": false, "/a//b/": false, "/é/": false,
		"/" + strings.Repeat("a", 511) + "/": false,
	} {
		if got := ValidatePath(p) == nil; got != ok {
			t.Errorf("ValidatePath(%q) ok = %v, want %v", p, got, ok)
		}
	}
	for s, ok := range map[string]bool{
		"backup.amazonaws.com": true, "ec2.amazonaws.com.cn": true,
		"ec2": false, "EC2.amazonaws.com": false, "arn:aws:iam::123456789012:root": false,
	} {
		if got := ValidateServicePrincipal(s) == nil; got != ok {
			t.Errorf("ValidateServicePrincipal(%q) ok = %v, want %v", s, got, ok)
		}
	}
}

func TestPartitionForRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1":      "aws",
		"cn-north-1":     "aws-cn",
		"us-gov-west-1":  "aws-us-gov",
		"us-iso-east-1":  "aws-iso",
		"us-isob-east-1": "aws-iso-b",
		"eusc-de-east-1": "aws-eusc",
		"":               "aws",
	} {
		if got := PartitionForRegion(region); got != want {
			t.Errorf("PartitionForRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

// FuzzParse checks that every accepted principal round-trips through its ARN to the same principal.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"123456789012",
		"arn:aws:iam::123456789012:role/a/b",
		"arn:aws-cn:iam::123456789012:root",
		"*",
		"arn:aws:sts::1:assumed-role/x/y",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		p, problem := Parse(value, "")
		if problem != nil {
			if problem.Summary == "" || problem.Detail == "" {
				t.Fatalf("problem without text for %q", value)
			}
			return
		}
		again, problem := Parse(p.ARN(), p.Partition)
		if problem != nil || again != p {
			t.Fatalf("%q → %q → %+v, %v", value, p.ARN(), again, problem)
		}
	})
}
