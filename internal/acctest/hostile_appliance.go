package acctest

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// A hostile appliance: an HTTPS server on loopback that answers the few calls of Veeam's REST API the provider
// makes (login, list, logout) and misbehaves in one chosen way, as the appliance client must survive: it
// redirects, floods, pages without end, falls silent, echoes what it was sent, answers the login with HTML, or
// refuses revisions in one of the wordings ASP.NET and Veeam may use. Unlike the emulator (applianceemu) it holds
// no records beyond a default one; it exists to break the client, and records every request it receives so that a
// test can prove what was (not) sent.

// HostileMode is how a HostileAppliance misbehaves.
type HostileMode string

// The modes of a HostileAppliance. Without one it behaves.
const (
	// HostileRedirectLogin answers POST /api/v1/token with RedirectStatus to RedirectTo.
	HostileRedirectLogin HostileMode = "redirect-login"
	// HostileRedirectLater accepts the login and redirects every authenticated call to RedirectTo.
	HostileRedirectLater HostileMode = "redirect-later"
	// HostileEndlessBody answers an authenticated list with 200 and a JSON body that never ends.
	HostileEndlessBody HostileMode = "endless-body"
	// HostileEndlessLogin answers the login with 200 and a JSON body that never ends.
	HostileEndlessLogin HostileMode = "endless-login"
	// HostileEndlessPages reports a totalCount of 10^15 and fills every page with new records.
	HostileEndlessPages HostileMode = "endless-pages"
	// HostileRepeatingPages reports a totalCount of 10^15 and answers every offset with the first page.
	HostileRepeatingPages HostileMode = "repeating-pages"
	// HostileSilent accepts connections and never answers.
	HostileSilent HostileMode = "silent"
	// HostileSilentLogin answers everything but the login, which it never answers.
	HostileSilentLogin HostileMode = "silent-login"
	// HostileEcho refuses the login with 400 and a JSON error whose details echo the request's body and headers.
	HostileEcho HostileMode = "echo"
	// HostileEchoLater accepts the login and refuses every authenticated call with 400 and a plain-text body that
	// echoes the request's headers, bearer token included.
	HostileEchoLater HostileMode = "echo-later"
	// HostileHTMLLogin answers the login with 200 and an HTML page, as a web console or proxy would.
	HostileHTMLLogin HostileMode = "html-login"
)

// HostileOptions configure a HostileAppliance.
type HostileOptions struct {
	Mode HostileMode
	// RedirectStatus is the status of a redirect (307 when zero); RedirectTo its target.
	RedirectStatus int
	RedirectTo     string
	// Revisions is the window of accepted x-api-version values; all that the provider knows plus none when
	// empty, that is, every well-formed value except 0.x.
	Revisions []string
	// Refusal is how a revision outside the window is refused (applianceemu.RefusalProblemDetails when empty).
	Refusal applianceemu.RevisionRefusal
	// TokenIgnoresVersion makes POST /api/v1/token accept any x-api-version.
	TokenIgnoresVersion bool
	// AuthBeforeVersion answers 401 to an unauthenticated request before looking at its x-api-version.
	AuthBeforeVersion bool
}

// HostileRequest is one request a HostileAppliance received.
type HostileRequest struct {
	Method, Path, Query, APIVersion, Authorization, Body string
}

// HostileAppliance is a misbehaving appliance for one test.
type HostileAppliance struct {
	opts     HostileOptions
	server   *httptest.Server
	username string
	password string
	done     chan struct{}

	mu       sync.Mutex
	requests []HostileRequest
	tokens   []string
}

// NewHostileAppliance starts a hostile appliance on loopback; it stops when the test ends.
func NewHostileAppliance(t *testing.T, opts HostileOptions) *HostileAppliance {
	t.Helper()
	h := &HostileAppliance{opts: opts, username: "terraform", password: "hostile-" + randomHex(12),
		done: make(chan struct{})}
	h.server = httptest.NewTLSServer(h)
	t.Cleanup(func() {
		close(h.done)
		h.server.CloseClientConnections()
		h.server.Close()
	})
	return h
}

// URL is the appliance's address, https://127.0.0.1:port.
func (h *HostileAppliance) URL() string { return h.server.URL }

// Username and Password are the credentials the appliance accepts.
func (h *HostileAppliance) Username() string { return h.username }

// Password is the password the appliance accepts.
func (h *HostileAppliance) Password() string { return h.password }

// CertificatePEM is the server's certificate, valid for 127.0.0.1, ::1 and example.com (not localhost).
func (h *HostileAppliance) CertificatePEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.server.Certificate().Raw}))
}

// Requests are the requests received so far.
func (h *HostileAppliance) Requests() []HostileRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.requests)
}

// PasswordsReceived counts the requests that carried the password.
func (h *HostileAppliance) PasswordsReceived() int {
	n := 0
	for _, r := range h.Requests() {
		if strings.Contains(r.Body, url.QueryEscape(h.password)) {
			n++
		}
	}
	return n
}

// Tokens are the access and refresh tokens the appliance handed out.
func (h *HostileAppliance) Tokens() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.tokens)
}

// ServeHTTP records the request and answers it as the mode says.
func (h *HostileAppliance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	h.record(r, string(body))
	login := r.Method == http.MethodPost && r.URL.Path == "/api/v1/token"
	if h.opts.Mode == HostileSilent || (h.opts.Mode == HostileSilentLogin && login) {
		select {
		case <-r.Context().Done():
		case <-h.done:
		}
		return
	}
	authorized := h.authorized(r)
	if h.opts.AuthBeforeVersion && !login && !authorized {
		writeHostileJSON(w, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "status": 401})
		return
	}
	if (!login || !h.opts.TokenIgnoresVersion) && !h.accepts(r.Header.Get("x-api-version")) {
		h.refuse(w, r)
		return
	}
	switch {
	case login:
		h.login(w, r, string(body))
	case r.Method == http.MethodDelete && r.URL.Path == "/api/v1/token":
		w.WriteHeader(http.StatusNoContent)
	case !authorized:
		writeHostileJSON(w, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "status": 401,
			"errorCode": "AccessDenied", "details": "No access token."})
	case h.opts.Mode == HostileRedirectLater:
		h.redirect(w, r)
	case h.opts.Mode == HostileEchoLater:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "Cannot process request %s %s with headers %v", r.Method, r.URL, r.Header)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accounts/amazon":
		h.list(w, r)
	default:
		writeHostileJSON(w, http.StatusNotFound, map[string]any{"title": "Not Found", "status": 404})
	}
}

func (h *HostileAppliance) record(r *http.Request, body string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, HostileRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		APIVersion: r.Header.Get("x-api-version"), Authorization: r.Header.Get("Authorization"), Body: body})
}

func (h *HostileAppliance) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	h.mu.Lock()
	defer h.mu.Unlock()
	return ok && slices.Contains(h.tokens, token)
}

// SetRevisions changes the window of accepted revisions, as an appliance upgraded while Terraform runs.
func (h *HostileAppliance) SetRevisions(revisions ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.Revisions = revisions
}

// accepts reports whether rev is in the window.
func (h *HostileAppliance) accepts(rev string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.opts.Revisions) > 0 {
		return slices.Contains(h.opts.Revisions, rev)
	}
	return rev != "" && !strings.HasPrefix(rev, "0.")
}

func (h *HostileAppliance) refuse(w http.ResponseWriter, r *http.Request) {
	rev := r.Header.Get("x-api-version")
	how := cmp.Or(h.opts.Refusal, applianceemu.RefusalProblemDetails)
	applianceemu.WriteRevisionRefusal(w, how, "unsupportedApiVersion", rev, fmt.Sprintf(
		"The HTTP resource that matches the request URI '%s' does not support the API version '%s'.", r.URL, rev))
}

func (h *HostileAppliance) login(w http.ResponseWriter, r *http.Request, body string) {
	form, _ := url.ParseQuery(body)
	switch h.opts.Mode {
	case HostileRedirectLogin:
		h.redirect(w, r)
		return
	case HostileEndlessLogin:
		h.endless(w)
		return
	case HostileHTMLLogin:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Veeam Backup for AWS</title></head>"+
			"<body>Sign in</body></html>")
		return
	case HostileEcho:
		writeHostileJSON(w, http.StatusBadRequest, map[string]any{"title": "Bad Request", "status": 400,
			"errorCode": "BadRequest", "details": fmt.Sprintf("Cannot process the request body %q with headers "+
				"%v", body, r.Header)})
		return
	}
	refresh := form.Get("grant_type") == "refresh_token" && slices.Contains(h.Tokens(), form.Get("refresh_token"))
	password := form.Get("grant_type") == "password" && form.Get("username") == h.username &&
		form.Get("password") == h.password
	if !refresh && !password {
		writeHostileJSON(w, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "status": 401,
			"details": "The user name or password is incorrect."})
		return
	}
	access, renew := "access-"+randomHex(16), "refresh-"+randomHex(16)
	h.mu.Lock()
	h.tokens = append(h.tokens, access, renew)
	h.mu.Unlock()
	writeHostileJSON(w, http.StatusOK, map[string]any{"access_token": access, "refresh_token": renew,
		"token_type": "bearer", "expires_in": 3600})
}

func (h *HostileAppliance) redirect(w http.ResponseWriter, r *http.Request) {
	status := h.opts.RedirectStatus
	if status == 0 {
		status = http.StatusTemporaryRedirect
	}
	target := strings.TrimSuffix(h.opts.RedirectTo, "/") + r.URL.RequestURI()
	w.Header().Set("Location", target)
	w.WriteHeader(status)
}

// hostilePageSize is the page size of the endless and repeating listings, whatever Limit asks.
const hostilePageSize = 100

func (h *HostileAppliance) list(w http.ResponseWriter, r *http.Request) {
	switch h.opts.Mode {
	case HostileEndlessBody:
		h.endless(w)
		return
	case HostileEndlessPages, HostileRepeatingPages:
		offset, _ := strconv.Atoi(r.URL.Query().Get("Offset"))
		if h.opts.Mode == HostileRepeatingPages {
			offset = 0
		}
		results := make([]map[string]any, 0, hostilePageSize)
		for i := offset; i < offset+hostilePageSize; i++ {
			results = append(results, hostileRecord(fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1),
				fmt.Sprintf("record-%d", i), false))
		}
		writeHostileJSON(w, http.StatusOK, map[string]any{"results": results, "totalCount": int64(1e15)})
		return
	}
	writeHostileJSON(w, http.StatusOK, map[string]any{"totalCount": 1, "results": []map[string]any{
		hostileRecord("00000000-0000-4000-8000-000000000000", "Default Backup Restore", true)}})
}

// endless streams a JSON page whose results never end, until the client goes or the test ends.
func (h *HostileAppliance) endless(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"totalCount": 1, "results": [`)
	chunk := []byte(strings.Repeat(`{"id": "00000000-0000-4000-8000-000000000001", "name": "flood"}, `, 512))
	for {
		select {
		case <-h.done:
			return
		default:
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func hostileRecord(id, name string, isDefault bool) map[string]any {
	return map[string]any{"id": id, "name": name, "description": "", "awsAccountId": "123456789012",
		"regionType": "Global", "iamRole": map[string]any{"roleName": "veeam-" + name, "isDefault": isDefault}}
}

func writeHostileJSON(w http.ResponseWriter, status int, body any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RedirectSink is where a hostile appliance redirects to: a server, plain HTTP or HTTPS, that records every
// request it receives, so that a test can prove nothing reached it.
type RedirectSink struct {
	server *httptest.Server
	mu     sync.Mutex
	got    []HostileRequest
}

// NewRedirectSink starts a sink on loopback, over HTTPS when secure is true; it stops when the test ends. An HTTPS
// sink is addressed as localhost, another host name than the hostile appliance's 127.0.0.1.
func NewRedirectSink(t *testing.T, secure bool) *RedirectSink {
	t.Helper()
	s := &RedirectSink{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.got = append(s.got, HostileRequest{Method: r.Method, Path: r.URL.Path,
			Authorization: r.Header.Get("Authorization"), Body: string(body)})
		s.mu.Unlock()
		writeHostileJSON(w, http.StatusOK, map[string]any{"access_token": "stolen-token", "expires_in": 3600,
			"totalCount": 0, "results": []any{}})
	})
	if secure {
		s.server = httptest.NewTLSServer(handler)
	} else {
		s.server = httptest.NewServer(handler)
	}
	t.Cleanup(s.server.Close)
	return s
}

// URL is the sink's address: http://127.0.0.1:port, or https://localhost:port.
func (s *RedirectSink) URL() string {
	return strings.Replace(s.server.URL, "https://127.0.0.1", "https://localhost", 1)
}

// Received are the requests that reached the sink.
func (s *RedirectSink) Received() []HostileRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// ProviderConfigWithHostileAppliance returns a provider block for the shared emulator with an appliance block for
// h: its URL, credentials and certificate, followed by extra lines of the block (such as timeout).
func ProviderConfigWithHostileAppliance(h *HostileAppliance, extra string) string {
	return providerConfigWithApplianceAt(h.URL(), h.Username(), h.Password(), h.CertificatePEM(), extra)
}
