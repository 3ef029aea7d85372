package appliance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// session is the pair of tokens of one login.
type session struct {
	access  string
	refresh string
	expires time.Time // when the access token expires, by this machine's clock
	life    time.Duration
}

// fresh reports whether the access token is far enough from its expiry: a fifth of its lifetime, at most 5
// minutes (the appliance's default lifetime is an hour, verified).
func (s *session) fresh(now time.Time) bool {
	margin := min(5*time.Minute, s.life/5)
	return now.Before(s.expires.Add(-margin))
}

// tokenAnswer is RESTLogin, the token endpoint's answer (verified: 1.0-rev0 spec).
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Expires      string `json:".expires"`
	MFAToken     string `json:"mfa_token"`
}

// defaultTokenLife is assumed when an answer gives neither expires_in nor .expires (inferred: never seen).
const defaultTokenLife = time.Hour

// bearer returns an access token that is not about to expire, logging in or refreshing first when needed.
func (c *Client) bearer(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session != nil && c.session.fresh(time.Now()) {
		return c.session.access, nil
	}
	if err := c.renewLocked(ctx); err != nil {
		return "", err
	}
	return c.session.access, nil
}

// renewAfter401 gets new tokens after the appliance refused stale, unless another call has done so already.
func (c *Client) renewAfter401(ctx context.Context, stale string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session != nil && c.session.access != stale {
		return nil
	}
	return c.renewLocked(ctx)
}

// renewLocked refreshes the session, or logs in when there is none or the refresh token is refused. A revision
// refusal is kept: the appliance's window does not change while the client runs.
func (c *Client) renewLocked(ctx context.Context) error {
	if c.revisionErr != nil {
		return c.revisionErr
	}
	if c.session != nil && c.session.refresh != "" {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.session.refresh}}
		err := c.grant(ctx, form, c.revision)
		var apiErr *APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.Status >= 500 {
			return err
		}
		c.session = nil // the refresh token expired or was revoked: log in again
	}
	var err error
	if c.revision != "" {
		err = c.passwordGrant(ctx, c.revision)
	} else {
		err = c.negotiate(ctx)
	}
	var revErr *RevisionError
	var apiErr *APIError
	if errors.As(err, &revErr) || (errors.As(err, &apiErr) && apiErr.isUnsupportedRevision()) {
		c.revisionErr = err
	}
	return err
}

// negotiate logs in with the newest known revision the appliance accepts: it tries KnownRevisions newest first
// and steps down whenever the appliance refuses the header. When the refusal lists the revisions the appliance
// supports (api-supported-versions, inferred), it jumps to the newest known one among them.
func (c *Client) negotiate(ctx context.Context) error {
	var tried []string
	var supported []string
	for i := 0; i < len(KnownRevisions); i++ {
		rev := KnownRevisions[i]
		err := c.passwordGrant(ctx, rev)
		var apiErr *APIError
		if err == nil {
			c.revision = rev
			c.log(ctx, "negotiated the appliance's REST revision", map[string]any{"api_version": rev, "tried": tried})
			return nil
		}
		if !errors.As(err, &apiErr) || !apiErr.isUnsupportedRevision() {
			return err
		}
		tried = append(tried, rev)
		if len(apiErr.SupportedRevisions) > 0 {
			supported = apiErr.SupportedRevisions
			i = nextSupported(i, supported) - 1
		}
	}
	return &RevisionError{URL: c.base, Tried: tried, Supported: supported}
}

// nextSupported is the index of the first revision after i in KnownRevisions that supported lists, or
// len(KnownRevisions) when there is none.
func nextSupported(i int, supported []string) int {
	for j := i + 1; j < len(KnownRevisions); j++ {
		if slices.Contains(supported, KnownRevisions[j]) {
			return j
		}
	}
	return len(KnownRevisions)
}

// passwordGrant logs in with the configured user (grant_type=password, form-encoded, verified).
func (c *Client) passwordGrant(ctx context.Context, rev string) error {
	form := url.Values{"grant_type": {"password"}, "username": {c.cfg.Username}, "password": {c.cfg.Password}}
	err := c.grant(ctx, form, rev)
	var apiErr *APIError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &apiErr) && apiErr.isUnsupportedRevision():
		if c.pinned {
			return fmt.Errorf("the appliance refuses api_version %s: %w", rev, err)
		}
		return err
	case errors.As(err, &apiErr) && apiErr.Status < 500:
		// Inferred: which of 400 and 401 a wrong password gets is not public, so every refusal of the password
		// grant that is not about the revision counts as refused credentials.
		return &AuthError{URL: c.base, Username: c.cfg.Username,
			Reason: fmt.Sprintf("%d %s: %s", apiErr.Status, http.StatusText(apiErr.Status), apiErr.Message()),
			Err:    err}
	}
	return err
}

// grant calls the token endpoint and keeps the tokens it answers with.
func (c *Client) grant(ctx context.Context, form url.Values, rev string) error {
	var answer tokenAnswer
	err := c.do(ctx, call{method: http.MethodPost, path: "/token", form: form, revision: rev, safe: true}, &answer)
	if err != nil {
		return err
	}
	if answer.AccessToken == "" {
		reason := "the answer holds no access token"
		if answer.MFAToken != "" {
			reason = "the user has multi-factor authentication turned on; use a Portal Administrator user without MFA"
		}
		return &AuthError{URL: c.base, Username: c.cfg.Username, Reason: reason}
	}
	c.session = &session{access: answer.AccessToken, refresh: answer.RefreshToken}
	c.session.life = tokenLife(answer)
	c.session.expires = time.Now().Add(c.session.life)
	return nil
}

// tokenLife reads the access token's lifetime from expires_in, else from .expires.
func tokenLife(a tokenAnswer) time.Duration {
	if a.ExpiresIn > 0 {
		return time.Duration(a.ExpiresIn) * time.Second
	}
	if t, err := time.Parse(time.RFC3339, a.Expires); err == nil && time.Until(t) > 0 {
		return time.Until(t)
	}
	return defaultTokenLife
}

// Revision logs in if needed and returns the revision the client speaks.
func (c *Client) Revision(ctx context.Context) (Revision, error) {
	if _, err := c.bearer(ctx); err != nil {
		return Revision{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return ParseRevision(c.revision)
}

// Close logs out (DELETE /api/v1/token, verified) when the client has logged in. It is safe to call more than
// once and from several goroutines.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	s := c.session
	c.session = nil
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	return c.do(ctx, call{method: http.MethodDelete, path: "/token", auth: true, token: s.access, safe: true}, nil)
}

func (c *Client) log(ctx context.Context, msg string, fields map[string]any) {
	if c.cfg.Log != nil {
		c.cfg.Log(ctx, msg, fields)
	}
}
