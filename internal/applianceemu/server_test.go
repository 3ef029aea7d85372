package applianceemu

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vbaws/terraform-provider-vbaws/internal/veeamrest"
)

// These tests speak raw HTTP to the emulator, so that its answers are checked apart from the client that
// tolerates them.

func startForTest(t *testing.T, opts Options) (*Server, *http.Client) {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(s.CertificatePEM()))
	return s, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func send(t *testing.T, c *http.Client, req *http.Request) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m, resp.Header
}

func tokenRequest(t *testing.T, s *Server, version, password string) *http.Request {
	form := url.Values{"grant_type": {"password"}, "username": {s.Username()}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/api/v1/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if version != "" {
		req.Header.Set("x-api-version", version)
	}
	return req
}

func TestRevisionWindow(t *testing.T) {
	s, c := startForTest(t, Options{Revisions: []string{"1.6-rev0", "1.5-rev1"}, AnnounceRevisions: true})
	cases := []struct {
		version, problem string
		status           int
	}{
		{"", "apiVersionUnspecified", 400},
		{"1.6", "invalidApiVersion", 400},
		{"1.8-rev0", "unsupportedApiVersion", 400},
		{"1.5-rev1", "", 200},
	}
	for _, tc := range cases {
		status, body, header := send(t, c, tokenRequest(t, s, tc.version, s.Password()))
		if status != tc.status || (tc.problem != "" && (body["type"] != "/api/v1/problems/"+tc.problem ||
			body["errorCode"] != "UnexpectedContent")) {
			t.Errorf("x-api-version %q: %d %v", tc.version, status, body)
		}
		if tc.problem != "" && header.Get("api-supported-versions") != "1.6-rev0, 1.5-rev1" {
			t.Errorf("x-api-version %q: api-supported-versions %q", tc.version, header.Get("api-supported-versions"))
		}
	}
}

func TestTokensAndBearerChecks(t *testing.T) {
	s, c := startForTest(t, Options{AccessTokenLifetime: time.Second})
	status, body, _ := send(t, c, tokenRequest(t, s, veeamrest.Newest(), "wrong"))
	if status != 401 || body["errorCode"] != "AccessDenied" {
		t.Errorf("wrong password: %d %v", status, body)
	}
	status, body, _ = send(t, c, tokenRequest(t, s, veeamrest.Newest(), s.Password()))
	if status != 200 || body["expires_in"] != float64(1) || body["refresh_token"] == nil {
		t.Fatalf("login: %d %v", status, body)
	}
	access, _ := body["access_token"].(string)
	list := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/v1/accounts/amazon", nil)
		req.Header.Set("x-api-version", veeamrest.Newest())
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		status, body, _ := send(t, c, req)
		code, _ := body["errorCode"].(string)
		return status, code
	}
	for token, want := range map[string]string{"": "AccessDenied", "forged": "InvalidToken", access: ""} {
		if status, code := list(token); code != want || (want == "" && status != 200) {
			t.Errorf("list with token %q: %d %s, want %q", token, status, code, want)
		}
	}
	time.Sleep(1100 * time.Millisecond)
	if status, code := list(access); status != 401 || code != "ExpiredToken" {
		t.Errorf("list with an expired token: %d %s", status, code)
	}
}

func TestMatchesPattern(t *testing.T) {
	cases := map[[2]string]bool{
		{"Backup-prod", "backup*"}: true,
		{"Backup-prod", "*prod"}:   true,
		{"Backup-prod", "prod"}:    true,
		{"Backup-prod", "x*"}:      false,
		{"a[1]", "a[1]*"}:          true,
	}
	for in, want := range cases {
		if got := matchesPattern(in[0], in[1]); got != want {
			t.Errorf("matchesPattern(%q, %q) = %v", in[0], in[1], got)
		}
	}
}
