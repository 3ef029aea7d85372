package applianceemu

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// publishedErrorCodes is Veeam's Error.errorCode enum (verified: 1.0-rev0 specification).
var publishedErrorCodes = []string{"AccessDenied", "ExpiredToken", "InvalidToken", "InvalidURI", "MethodNotAllowed",
	"NotFound", "NotImplemented", "ServiceUnavailable", "UnexpectedContent", "UnknownError"}

// Every Veeam Error body the emulator answers with carries a published errorCode.
func TestErrorCodesArePublished(t *testing.T) {
	s, c := startForTest(t, Options{})
	requests := []*http.Request{
		tokenRequest(t, s, "", s.Password()),
		tokenRequest(t, s, "1.6", s.Password()),
		tokenRequest(t, s, "0.1-rev0", s.Password()),
		tokenRequest(t, s, "1.9-rev0", "wrong"),
	}
	for _, token := range []string{"", "forged"} {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/v1/accounts/amazon/x", nil)
		req.Header.Set("x-api-version", "1.9-rev0")
		req.Header.Set("Authorization", "Bearer "+token)
		requests = append(requests, req)
	}
	for _, req := range requests {
		status, body, _ := send(t, c, req)
		if code, _ := body["errorCode"].(string); status < 400 || !slices.Contains(publishedErrorCodes, code) {
			t.Errorf("%s %s (x-api-version %q): %d with errorCode %q, not one Veeam publishes", req.Method,
				req.URL.Path, req.Header.Get("x-api-version"), status, code)
		}
	}
}

// Each refusal wording answers with its own status and body, and a version-blind /token accepts any revision
// while the rest of the API still refuses it.
func TestRevisionRefusals(t *testing.T) {
	want := map[RevisionRefusal]struct {
		status int
		body   string
	}{
		RefusalVeeamError:           {400, `"type":"/api/v1/problems/unsupportedApiVersion"`},
		RefusalProblemDetails:       {400, `"type":"https://docs.api-versioning.org/problems#unsupported"`},
		RefusalErrorObject:          {400, `"code":"UnsupportedApiVersion"`},
		RefusalPlainText:            {400, "API version 1.9-rev0 is not supported"},
		RefusalEmpty400:             {400, ""},
		RefusalNotFound:             {404, `"errorCode":"NotFound"`},
		RefusalNotAcceptable:        {406, ""},
		RefusalUnsupportedMediaType: {415, ""},
	}
	for _, refusal := range RevisionRefusals {
		s, c := startForTest(t, Options{Revisions: []string{"1.8-rev0"}, Unknowns: Unknowns{RevisionRefusal: refusal}})
		resp, err := c.Do(tokenRequest(t, s, "1.9-rev0", s.Password()))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		w := want[refusal]
		if resp.StatusCode != w.status || (w.body == "" && len(body) > 0) || !strings.Contains(string(body), w.body) {
			t.Errorf("%s: %d %s, want %d with %q", refusal, resp.StatusCode, body, w.status, w.body)
		}
	}
	s, c := startForTest(t, Options{Revisions: []string{"1.8-rev0"}, Unknowns: Unknowns{TokenIgnoresRevision: true}})
	status, body, _ := send(t, c, tokenRequest(t, s, "1.9-rev0", s.Password()))
	access, _ := body["access_token"].(string)
	if status != 200 || access == "" {
		t.Fatalf("version-blind token: %d %v", status, body)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/v1/accounts/amazon", nil)
	req.Header.Set("x-api-version", "1.9-rev0")
	req.Header.Set("Authorization", "Bearer "+access)
	if status, _, _ := send(t, c, req); status != 400 {
		t.Errorf("a list in a revision outside the window after a version-blind login: %d, want 400", status)
	}
}

// createRecord logs in and registers a role with body, returning the answer.
func createRecord(t *testing.T, s *Server, c *http.Client, body string) (int, map[string]any) {
	t.Helper()
	_, login, _ := send(t, c, tokenRequest(t, s, "1.9-rev0", s.Password()))
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/v1/accounts/amazon", strings.NewReader(body))
	req.Header.Set("x-api-version", "1.9-rev0")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+login["access_token"].(string))
	status, answer, _ := send(t, c, req)
	return status, answer
}

// A permission property under another name is ignored without a word, so the record gets every permission;
// answers carry the account and the permissions under the switched names; "all" is 21, 22 or 23 names.
func TestPropertyNamesAndAllPermissions(t *testing.T) {
	cases := []struct {
		unknowns          Unknowns
		body              string
		accountKey, perms string
		want              int
	}{
		{Unknowns{}, `{"name":"a","IAMRole":{"roleName":"r"},"requestedPermissions":["EC2Restore"]}`,
			"awsAccountId", "accountPermissions", 1},
		{Unknowns{}, `{"name":"a","IAMRole":{"roleName":"r"},"RequestedPermissions":["EC2Restore"]}`,
			"awsAccountId", "accountPermissions", 1},
		{Unknowns{PermissionsRequestProperty: "permissions"},
			`{"name":"a","IAMRole":{"roleName":"r"},"requestedPermissions":["EC2Restore"]}`,
			"awsAccountId", "accountPermissions", 22},
		{Unknowns{PermissionsAnswerProperty: "permissions", AccountProperty: "accountId"},
			`{"name":"a","IAMRole":{"roleName":"r"}}`, "accountId", "permissions", 22},
		{Unknowns{AllPermissions: 21}, `{"name":"a","IAMRole":{"roleName":"r"}}`, "awsAccountId",
			"accountPermissions", 21},
		{Unknowns{AllPermissions: 23}, `{"name":"a","IAMRole":{"roleName":"r"}}`, "awsAccountId",
			"accountPermissions", 23},
	}
	for _, tc := range cases {
		s, c := startForTest(t, Options{Unknowns: tc.unknowns})
		status, answer := createRecord(t, s, c, tc.body)
		perms, _ := answer[tc.perms].([]any)
		if status != 201 || answer[tc.accountKey] != DefaultAccountID || len(perms) != tc.want {
			t.Errorf("%+v: %d %v, want %s and %d names in %s", tc.unknowns, status, answer, tc.accountKey, tc.want,
				tc.perms)
		}
	}
	if _, err := Start(Options{Unknowns: Unknowns{AllPermissions: 20}}); err == nil {
		t.Error("AllPermissions 20 was accepted")
	}
}

// fakeRoles is a RoleChecker over roles held in memory, keyed by account/name.
type fakeRoles struct {
	roles    map[string]RoleInfo
	policies map[string]policy.Policies
}

func (f fakeRoles) Role(_ context.Context, accountID, name string) (*RoleInfo, error) {
	r, ok := f.roles[accountID+"/"+name]
	if !ok {
		return nil, nil
	}
	return &r, nil
}

func (f fakeRoles) Policies(_ context.Context, accountID, name string) (policy.Policies, error) {
	return f.policies[accountID+"/"+name], nil
}

// The trust check is the provider's evaluator: Deny statements and conditions count, and the Impersonation
// role's own policies must allow sts:AssumeRole unless a trust policy of its account names it.
func TestStrictTrust(t *testing.T) {
	const imp, other = "arn:aws:iam::123456789012:role/Impersonation", "210987654321"
	trust := func(statements ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	}
	allow := func(principal, condition string) string {
		return `{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"` + condition + `}`
	}
	deny := `{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`
	withID := `,"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}`
	mayAssume := policy.Policies{Identity: []policy.NamedDocument{{Name: "assume", Text: impersonationPolicy}}}
	cases := []struct {
		name, account, trust, externalID string
		impersonation                    policy.Policies
		want                             string
	}{
		{"names the role", DefaultAccountID, trust(allow(imp, "")), "", policy.Policies{}, ""},
		{"names the account, no permission", DefaultAccountID, trust(allow(DefaultAccountID, "")), "",
			policy.Policies{}, "do not allow sts:AssumeRole"},
		{"names the account", DefaultAccountID, trust(allow(DefaultAccountID, "")), "", mayAssume, ""},
		{"denied", DefaultAccountID, trust(allow(imp, ""), deny), "", mayAssume, "Deny statement applies"},
		{"external ID", other, trust(allow(imp, withID)), "abc", mayAssume, ""},
		{"other external ID", other, trust(allow(imp, withID)), "xyz", mayAssume, "condition does not hold"},
		{"another account without permission", other, trust(allow(imp, "")), "", policy.Policies{},
			"do not allow sts:AssumeRole"},
		{"other principal", DefaultAccountID, trust(allow("arn:aws:iam::123456789012:role/Else", "")), "",
			mayAssume, "is not named"},
	}
	for _, tc := range cases {
		roles := fakeRoles{
			roles:    map[string]RoleInfo{tc.account + "/target": {Path: "/", TrustPolicy: tc.trust}},
			policies: map[string]policy.Policies{DefaultAccountID + "/Impersonation": tc.impersonation},
		}
		s := newServer(Options{Roles: roles, ImpersonationRoleARN: imp})
		got, err := s.assumeProblem(context.Background(),
			Record{AccountID: tc.account, RoleName: "target", ExternalID: tc.externalID})
		if err != nil || (tc.want == "" && got != "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	s := newServer(Options{Roles: fakeRoles{roles: map[string]RoleInfo{DefaultAccountID + "/target": {Path: "/",
		TrustPolicy: trust(allow(imp, ""))}}}})
	got, _ := s.assumeProblem(context.Background(), Record{AccountID: DefaultAccountID, RoleName: "target"})
	if got == "" {
		t.Error("without an Impersonation role, a trust policy that names a role of the account let the appliance in")
	}
}
