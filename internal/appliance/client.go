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
	firstBackoff          = 100 * time.Millisecond
	maxBackoff            = 2 * time.Second
	dialTimeout           = 10 * time.Second
	// connectAttempts is how often a call is tried when no connection can be set up at all.
	connectAttempts = 3
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
	// MaxAttempts and RequestTimeout default to DefaultMaxAttempts and DefaultRequestTimeout when zero.
	MaxAttempts    int
	RequestTimeout time.Duration
}

// Client talks to one appliance. It is safe for concurrent use; it logs in on first use, negotiates the
// revision once, and keeps its tokens fresh.
type Client struct {
	cfg  Config
	base string
	http *http.Client

	mu          sync.Mutex // serialises login, refresh, negotiation and logout
	pinned      bool
	revision    string
	revisionErr error // why no revision can be spoken, once known
	session     *session

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
	if c.cfg.RequestTimeout <= 0 {
		c.cfg.RequestTimeout = DefaultRequestTimeout
	}
	tc, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: dialTimeout,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
	c.http = &http.Client{Transport: transport, Timeout: c.cfg.RequestTimeout}
	return c, nil
}

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
}

// outcome is what one attempt calls for next.
type outcome int

const (
	succeeded  outcome = iota
	failed             // give up
	unsent             // nothing reached the appliance: sending again is safe
	uncertain          // the request may have taken effect
	reauthNeed         // 401 for a bearer token
)

// do runs c until it succeeds or fails for good, and decodes the answer into out.
func (c *Client) do(ctx context.Context, req call, out any) error {
	renewed := false
	delay := firstBackoff
	for attempt := 1; ; attempt++ {
		body, token, next, err := c.attempt(ctx, req, attempt)
		switch next {
		case succeeded:
			return decode(body, out)
		case reauthNeed:
			if renewed {
				return err
			}
			renewed = true
			if rerr := c.renewAfter401(ctx, token); rerr != nil {
				return rerr
			}
			attempt--
			continue
		case uncertain:
			if !req.safe {
				if req.lost == nil {
					return err
				}
				took, lerr := req.lost(ctx)
				if lerr != nil {
					return fmt.Errorf("%w (and checking whether it took effect failed: %w)", err, lerr)
				}
				if took {
					return nil
				}
			}
		case failed:
			return err
		}
		if attempt >= c.cfg.MaxAttempts || (isConnectError(err) && attempt >= connectAttempts) {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		if serr := sleep(ctx, jitter(delay)); serr != nil {
			return fmt.Errorf("%w (last error: %w)", serr, err)
		}
		delay = min(2*delay, maxBackoff)
	}
}

// attempt sends req once and says what to do next. It returns the answer's body and the bearer token it used.
func (c *Client) attempt(ctx context.Context, req call, n int) ([]byte, string, outcome, error) {
	token := req.token
	if req.auth && token == "" {
		var err error
		if token, err = c.bearer(ctx); err != nil {
			return nil, "", failed, err
		}
	}
	httpReq, err := c.newRequest(ctx, req, token)
	if err != nil {
		return nil, token, failed, err
	}
	start := time.Now()
	resp, err := c.http.Do(httpReq)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	c.logAttempt(ctx, req, httpReq, resp, err, n, time.Since(start))
	if err != nil {
		return nil, token, c.transportOutcome(ctx, err), c.transportError(req, err)
	}
	return body, token, classify(req, resp), c.statusError(req, resp, body)
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
		body, contentType = strings.NewReader(req.form.Encode()), "application/x-www-form-urlencoded"
	case req.body != nil:
		b, err := json.Marshal(req.body)
		if err != nil {
			return nil, err
		}
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
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return parseAPIError(req.method, apiPrefix+req.path, resp, body)
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
		return &TLSError{URL: c.base, Err: unwrapURLError(err)}
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

// isConnectError reports whether no connection could be set up (refused, unreachable, unknown host): the request
// was never sent.
func isConnectError(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return (errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr)
}

func decode(body []byte, out any) error {
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("reading the appliance's answer: %w", err)
	}
	return nil
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
