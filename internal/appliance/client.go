// Package appliance is the client of the REST API of a Veeam Backup for AWS appliance, the sibling of awsclient
// for the appliance's own records. It owns every cross-cutting concern of that API: the x-api-version header and
// the negotiation of a revision, password login and token refresh, TLS, retries with back-off, the lookup that
// keeps a lost answer to a create from making a duplicate record, error bodies, and call logging. It has no
// Terraform imports; the caller gives it a LogFunc.
//
// Shapes that rest on Veeam's published documentation say "verified"; shapes inferred from other clients or from
// the ASP.NET Core stack the appliance runs on say "inferred" (see veeam-rest.md in the project's references).
package appliance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultPort is the appliance's REST port when a URL names none (verified: 11005 in every revision's docs).
const DefaultPort = "11005"

// apiPrefix is the path every REST call lives under; the revision travels only in the x-api-version header
// (verified).
const apiPrefix = "/api/v1"

// Defaults of the call policy.
const (
	// DefaultMaxAttempts bounds the attempts of one call that fails with a 5xx answer, a lost connection or
	// throttling.
	DefaultMaxAttempts = 12
	// DefaultRequestTimeout bounds one attempt, from sending the request to reading the whole answer.
	DefaultRequestTimeout = 60 * time.Second
	// DefaultCallTimeout bounds one operation: every attempt, the pauses between them, and the login or
	// negotiation it needs.
	DefaultCallTimeout = 3 * time.Minute
	// attemptsPerCall is how many attempts at least fit into the call timeout: the request timeout is at most a
	// third of it.
	attemptsPerCall = 3
	firstBackoff    = 100 * time.Millisecond
	maxBackoff      = 2 * time.Second
	dialTimeout     = 10 * time.Second
	// connectAttempts is how often a call is tried when no connection can be set up at all.
	connectAttempts = 3
	// passwordBudget is how often one login sends the password, negotiation and retries included.
	passwordBudget = 3
)

// Caps on what the client reads of one answer: no answer of this API comes near them, and an appliance that
// sends more must not exhaust the memory of Terraform's machine.
const (
	maxBodyBytes     = 4 << 20
	maxListPageBytes = 32 << 20
)

// LogFunc receives one DEBUG line per HTTP attempt (method, path, status, duration) and per negotiation. The
// fields never hold a password, a token, an external ID or a request or response body.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// Config is what the client needs to reach one appliance.
type Config struct {
	// URL is the appliance's REST address, https://host[:port]; the port defaults to 11005.
	URL      string
	Username string
	Password string
	// CAFile and CAPEM are certificates to trust instead of the system's roots, such as the appliance's own
	// self-signed certificate. InsecureSkipVerify turns verification off.
	CAFile             string
	CAPEM              string
	InsecureSkipVerify bool
	// APIVersion is "auto" (or empty) to negotiate, or a revision such as 1.8-rev0 that is sent as is.
	APIVersion string
	// Log receives the call log; nil logs nothing.
	Log LogFunc
	// MaxAttempts and CallTimeout default to DefaultMaxAttempts and DefaultCallTimeout when zero;
	// RequestTimeout to DefaultRequestTimeout or a third of CallTimeout, whichever is shorter.
	MaxAttempts    int
	CallTimeout    time.Duration
	RequestTimeout time.Duration
}

// Client talks to one appliance. It is safe for concurrent use; it logs in on first use, negotiates the
// revision once, and keeps its tokens fresh.
type Client struct {
	cfg  Config
	base string
	http *http.Client

	mu       sync.Mutex // serialises login, refresh, negotiation and logout
	pinned   bool
	revision string
	// confirmed says that an authenticated call succeeded under revision: a token endpoint that ignores the
	// header cannot have chosen it.
	confirmed bool
	// loginErr is why logging in failed for good (refused, unreachable, silent): later calls fail with it at
	// once instead of sending the password again.
	loginErr      error
	passwordsLeft int // of the current login
	session       *session
	secrets       secrets

	accountMu sync.Mutex
	account   *string // the appliance's own AWS account once learned; "" when it has no default record
}

// NormalizeURL checks an appliance URL and returns it as https://host:port, with port 11005 when it has none.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an absolute URL; write it like https://backup.example.com:%s", raw, DefaultPort)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("%q: the appliance serves its REST API over HTTPS only; write https://%s", raw, u.Host)
	}
	if u.User != nil {
		return "", fmt.Errorf("%q: give the user name and password as username and password, not in the URL",
			u.Redacted())
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: give only the scheme, host and port; the client adds %s", raw, apiPrefix)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), DefaultPort)
	}
	return "https://" + host, nil
}

// New checks cfg and prepares a client. It does not contact the appliance.
func New(cfg Config) (*Client, error) {
	base, err := NormalizeURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, base: base}
	if v := cfg.APIVersion; v != "" && v != AutoRevision {
		if _, err := ParseRevision(v); err != nil {
			return nil, fmt.Errorf("api_version: %w", err)
		}
		c.pinned, c.revision = true, v
	}
	if c.cfg.MaxAttempts <= 0 {
		c.cfg.MaxAttempts = DefaultMaxAttempts
	}
	if c.cfg.CallTimeout <= 0 {
		c.cfg.CallTimeout = DefaultCallTimeout
	}
	if c.cfg.RequestTimeout <= 0 {
		c.cfg.RequestTimeout = min(DefaultRequestTimeout, c.cfg.CallTimeout/attemptsPerCall)
	}
	c.secrets.add(cfg.Password)
	tc, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	dial := min(dialTimeout, c.cfg.RequestTimeout)
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: dial,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
	c.http = &http.Client{Transport: transport, Timeout: c.cfg.RequestTimeout, CheckRedirect: refuseRedirects}
	return c, nil
}

// refuseRedirects keeps net/http from following any redirect: the 3xx answer itself comes back, and the client
// fails with a RedirectError. A redirect could carry the password or a bearer token to another host, or to plain
// HTTP.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// CallTimeout is how long one operation may take, every attempt and the login included.
func (c *Client) CallTimeout() time.Duration { return c.cfg.CallTimeout }

// URL is the appliance's normalised address.
func (c *Client) URL() string { return c.base }

// call is one REST operation.
type call struct {
	method string
	path   string // under /api/v1, such as /accounts/amazon
	query  url.Values
	body   any        // sent as JSON
	form   url.Values // sent form-encoded (the token endpoint)
	// auth sends the session's bearer token; token sends this one instead (logout).
	auth  bool
	token string
	// revision overrides the negotiated revision (negotiation itself).
	revision string
	// safe says that sending the request again after an answer was lost cannot do harm.
	safe bool
	// lost is asked, after an unsafe request's answer was lost, whether the request took effect; when it did,
	// the call succeeds without sending it again (lost fills the result itself).
	lost func(ctx context.Context) (bool, error)
	// maxBody caps the answer read; maxBodyBytes when zero.
	maxBody int64
	// password says that the request carries the password, which one login sends at most passwordBudget times.
	password bool
	// probe marks a revision check, named so in messages.
	probe bool
}

// what names the call in messages: "the login", or its method and path.
func (r call) what() string {
	switch {
	case r.path == "/token" && r.method == http.MethodPost && r.password:
		return "the login"
	case r.path == "/token" && r.method == http.MethodPost:
		return "the token refresh"
	case r.path == "/token" && r.method == http.MethodDelete:
		return "the logout"
	case r.probe:
		return "the check of REST revision " + r.revision
	}
	return r.method + " " + apiPrefix + r.path
}

// negotiates says that a refusal of this call may mean the revision is wrong: an ordinary authenticated call
// under the negotiated revision.
func (r call) negotiates() bool { return r.auth && r.token == "" && r.revision == "" }

// outcome is what one attempt calls for next.
type outcome int

const (
	succeeded  outcome = iota
	failed             // give up
	unsent             // nothing reached the appliance: sending again is safe
	uncertain          // the request may have taken effect
	reauthNeed         // 401 for a bearer token
)

// answer is what one attempt brought back.
type answer struct {
	body        []byte
	contentType string
	status      int
	token       string // the bearer token the request carried
	revision    string // the x-api-version it carried
	next        outcome
	err         error
}

// errCallTimeout is the cause of a call's context when the call's own time limit ends it.
var errCallTimeout = errors.New("the call's time limit ended")

// do runs c until it succeeds or fails for good, within the call timeout, and decodes the answer into out.
func (c *Client) do(ctx context.Context, req call, out any) error {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.CallTimeout, errCallTimeout)
	defer cancel()
	renewed, renegotiated := false, false
	delay := firstBackoff
	var last error
	for attempt := 1; ; attempt++ {
		if req.password && !c.spendPassword() {
			return c.budgetSpent(last)
		}
		a := c.attempt(ctx, req, attempt)
		if a.err != nil && c.callTimedOut(ctx) {
			return c.timeoutError(req, attempt, last, a.err)
		}
		last = a.err
		switch a.next {
		case succeeded:
			c.confirm(req, a.revision)
			return c.decode(req, a, out)
		case reauthNeed:
			if renewed {
				return a.err
			}
			renewed = true
			if rerr := c.renewAfter401(ctx, a.token); rerr != nil {
				return rerr
			}
			attempt--
			continue
		case uncertain:
			if !req.safe {
				if req.lost == nil {
					return a.err
				}
				took, lerr := req.lost(ctx)
				if lerr != nil {
					return fmt.Errorf("%w (and checking whether it took effect failed: %w)", a.err, lerr)
				}
				if took {
					return nil
				}
			}
		case failed:
			if renegotiated || !req.negotiates() || a.status == 0 || !c.mayRenegotiate(a.revision, a.err) {
				return a.err
			}
			renegotiated = true
			switched, rerr := c.renegotiate(ctx, a.revision, a.token)
			var refused *RevisionError
			switch {
			case errors.As(rerr, &refused):
				// Every revision refused: the refusal may not be about the revision at all, so it stays the
				// error, with what the check found.
				return fmt.Errorf("%w (no other revision did better: %s)", a.err, rerr.Error())
			case rerr != nil:
				return rerr
			}
			if !switched {
				return a.err
			}
			attempt--
			continue
		}
		if isConnectError(a.err) && attempt >= connectAttempts {
			return &ConnectError{URL: c.base, Attempts: attempt, Err: rootCause(a.err)}
		}
		if attempt >= c.cfg.MaxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, a.err)
		}
		if serr := sleep(ctx, jitter(delay)); serr != nil {
			if c.callTimedOut(ctx) {
				return c.timeoutError(req, attempt, last, serr)
			}
			return fmt.Errorf("%w (last error: %w)", serr, a.err)
		}
		delay = min(2*delay, maxBackoff)
	}
}

// spendPassword takes one sending of the password from the current login's budget; false when none is left.
// Only logins, which hold c.mu, send the password.
func (c *Client) spendPassword() bool {
	if c.passwordsLeft <= 0 {
		return false
	}
	c.passwordsLeft--
	return true
}

// budgetSpent is the error of a login that would send the password once more than passwordBudget allows.
func (c *Client) budgetSpent(last error) error {
	msg := fmt.Sprintf("the login to %s stopped after sending the password %d times, the most one login may",
		c.base, passwordBudget)
	if last == nil {
		return errors.New(msg)
	}
	return fmt.Errorf("%s: %w", msg, last)
}

// callTimedOut reports whether the call's own time limit, rather than its caller, ended ctx.
func (c *Client) callTimedOut(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), errCallTimeout)
}

// timeoutError is the error of a call whose time limit ended: it names the call and the address, with the last
// failure before the limit when there was one.
func (c *Client) timeoutError(req call, attempt int, last, current error) error {
	var inner *TimeoutError
	if errors.As(current, &inner) {
		return inner // a login inside the call ran out of time first: it says so itself
	}
	return &TimeoutError{URL: c.base, What: req.what(), Within: c.cfg.CallTimeout, Attempts: attempt, Err: last}
}

// attempt sends req once and says what to do next.
func (c *Client) attempt(ctx context.Context, req call, n int) answer {
	a := answer{token: req.token}
	if req.auth && a.token == "" {
		var err error
		if a.token, err = c.bearer(ctx); err != nil {
			return answer{next: failed, err: err}
		}
	}
	httpReq, err := c.newRequest(ctx, req, a.token)
	if err != nil {
		return answer{next: failed, err: err}
	}
	a.revision = httpReq.Header.Get("x-api-version")
	start := time.Now()
	resp, err := c.http.Do(httpReq)
	if err == nil {
		a.status, a.contentType = resp.StatusCode, resp.Header.Get("Content-Type")
		a.body, err = readCapped(resp.Body, req.bodyLimit())
		_ = resp.Body.Close()
	}
	c.logAttempt(ctx, req, httpReq, resp, err, n, time.Since(start))
	switch {
	case errors.Is(err, errTooLarge):
		a.next, a.err = failed, &AnswerError{URL: c.base, What: req.what(), Reason: fmt.Sprintf(
			"the answer is larger than %d MiB, more than any answer of this API holds; the provider stopped "+
				"reading it", req.bodyLimit()>>20)}
	case err != nil:
		a.next, a.err = c.transportOutcome(ctx, err), c.transportError(req, err)
	default:
		a.next, a.err = classify(req, resp), c.statusError(req, resp, a.body)
	}
	return a
}

func (r call) bodyLimit() int64 {
	if r.maxBody > 0 {
		return r.maxBody
	}
	return maxBodyBytes
}

// errTooLarge says that an answer's body is longer than its cap.
var errTooLarge = errors.New("answer too large")

// readCapped reads body up to limit bytes, and fails with errTooLarge when there is more.
func readCapped(body io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, err
}

// confirm records that an authenticated call succeeded under rev.
func (c *Client) confirm(req call, rev string) {
	if !req.negotiates() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.revision == rev {
		c.confirmed = true
	}
}

func (c *Client) newRequest(ctx context.Context, req call, token string) (*http.Request, error) {
	u := c.base + apiPrefix + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var body io.Reader
	contentType := ""
	switch {
	case req.form != nil:
		c.secrets.addFrom(req.form, nil)
		body, contentType = strings.NewReader(req.form.Encode()), "application/x-www-form-urlencoded"
	case req.body != nil:
		b, err := json.Marshal(req.body)
		if err != nil {
			return nil, err
		}
		c.secrets.addFrom(nil, b)
		body, contentType = bytes.NewReader(b), "application/json"
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return nil, err
	}
	httpReq.Header.Set("Accept", "application/json")
	httpReq.Header.Set("x-api-version", c.revisionFor(req))
	if contentType != "" {
		httpReq.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		c.secrets.add(token)
		httpReq.Header.Set("Authorization", "Bearer "+token)
	}
	return httpReq, nil
}

// revisionFor is the x-api-version a request carries.
func (c *Client) revisionFor(req call) string {
	if req.revision != "" {
		return req.revision
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.revision
}

func (c *Client) logAttempt(ctx context.Context, req call, httpReq *http.Request, resp *http.Response, err error,
	attempt int, took time.Duration) {
	if c.cfg.Log == nil {
		return
	}
	fields := map[string]any{
		"method":      req.method,
		"path":        apiPrefix + req.path,
		"duration_ms": took.Milliseconds(),
		"attempt":     attempt,
		"api_version": httpReq.Header.Get("x-api-version"),
	}
	if resp != nil {
		fields["status"] = resp.StatusCode
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	c.cfg.Log(ctx, "appliance call", fields)
}

// classify says what an answer calls for.
func classify(req call, resp *http.Response) outcome {
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return succeeded
	case s >= 300 && s < 400:
		return failed // never followed
	case s == http.StatusUnauthorized && req.auth && req.token == "":
		return reauthNeed
	case s == http.StatusTooManyRequests:
		return unsent
	case s >= 500:
		// 503 and 504 come from the appliance's nginx front end (inferred) and may follow a request the backend
		// finished; so may a 500.
		return uncertain
	}
	return failed
}

func (c *Client) statusError(req call, resp *http.Response, body []byte) error {
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return nil
	case s >= 300 && s < 400:
		return &RedirectError{URL: c.base, What: req.what(), Status: s,
			Location: c.secrets.redact(safeLocation(resp.Header.Get("Location")))}
	}
	return parseAPIError(req.method, apiPrefix+req.path, resp, body, c.secrets.redact)
}

// safeLocation is a redirect's target as scheme, host and path, without a query or user information that may
// hold anything.
func safeLocation(location string) string {
	u, err := url.Parse(location)
	if err != nil || location == "" {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

func (c *Client) transportOutcome(ctx context.Context, err error) outcome {
	switch {
	case ctx.Err() != nil || isTLSFailure(err):
		return failed
	case isConnectError(err):
		return unsent
	}
	return uncertain
}

func (c *Client) transportError(req call, err error) error {
	if isTLSFailure(err) {
		return &TLSError{URL: c.base, Err: unwrapURLError(err), CAGiven: c.cfg.CAFile != "" || c.cfg.CAPEM != ""}
	}
	return fmt.Errorf("%s %s: %w", req.method, apiPrefix+req.path, unwrapURLError(err))
}

// unwrapURLError drops net/http's "Post \"https://...\"" prefix, which repeats the URL with its query.
func unwrapURLError(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}

// rootCause is the innermost error of a failed connection, such as "connection refused".
func rootCause(err error) error {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return dnsErr
	case errors.As(err, &opErr) && opErr.Err != nil:
		if inner := errors.Unwrap(opErr.Err); inner != nil {
			return inner
		}
		return opErr.Err
	}
	return unwrapURLError(err)
}

// isConnectError reports whether no connection could be set up (refused, unreachable, unknown host): the request
// was never sent.
func isConnectError(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return (errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr)
}

// decode reads a successful answer into out, and says in words what failed when it is not the JSON expected.
func (c *Client) decode(req call, a answer, out any) error {
	if out == nil || len(bytes.TrimSpace(a.body)) == 0 {
		return nil
	}
	err := json.Unmarshal(a.body, out)
	if err == nil {
		return nil
	}
	kind := bodyKind(a.contentType, a.body)
	reason := fmt.Sprintf("the appliance answered with %s (%d %s", kind, a.status, http.StatusText(a.status))
	if a.contentType != "" {
		reason += ", " + a.contentType
	}
	reason += ")"
	var syntax *json.SyntaxError
	switch {
	case kind == "HTML, not JSON":
		reason += fmt.Sprintf("; check that url is the appliance's REST API (port %s), not its web console or "+
			"a proxy's page", DefaultPort)
	case !errors.As(err, &syntax):
		reason = "the appliance's JSON answer does not have the expected shape: " + c.secrets.redact(err.Error())
	}
	return &AnswerError{URL: c.base, What: req.what(), Reason: reason}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jitter spreads d over [d/2, d) so that concurrent callers do not retry in step.
func jitter(d time.Duration) time.Duration {
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1)) //nolint:gosec // not for security
}
