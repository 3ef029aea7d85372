package appliance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// renewLocked refreshes the session, or logs in when there is none or the refresh token is refused. A login that
// failed for good (refused, unreachable, silent, no revision in common) is kept: the appliance will not change
// its mind while the client runs, and every later call fails with the same error at once instead of sending the
// password again.
func (c *Client) renewLocked(ctx context.Context) error {
	if c.loginErr != nil {
		return c.loginErr
	}
	if c.session != nil && c.session.refresh != "" {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.session.refresh}}
		err := c.grant(ctx, form, c.revision, false)
		var apiErr *APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.Status >= 500 {
			return c.keepIfFinal(ctx, err)
		}
		c.session = nil // the refresh token expired or was revoked: log in again
	}
	c.passwordsLeft = passwordBudget
	var err error
	if c.revision != "" {
		err = c.passwordGrant(ctx, c.revision)
	} else {
		err = c.negotiate(ctx)
	}
	return c.keepIfFinal(ctx, err)
}

// keepIfFinal keeps err as the client's login error unless the caller, not the appliance, ended the attempt.
func (c *Client) keepIfFinal(ctx context.Context, err error) error {
	if err != nil && (ctx.Err() == nil || c.callTimedOut(ctx)) {
		c.loginErr = err
	}
	return err
}

// passwordGrant logs in with the configured user (grant_type=password, form-encoded, verified).
func (c *Client) passwordGrant(ctx context.Context, rev string) error {
	form := url.Values{"grant_type": {"password"}, "username": {c.cfg.Username}, "password": {c.cfg.Password}}
	err := c.grant(ctx, form, rev, true)
	var apiErr *APIError
	switch {
	case err == nil:
		return nil
	case c.pinned && refusesRevision(err, false):
		return fmt.Errorf("the appliance refuses api_version %s: %w", rev, err)
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
func (c *Client) grant(ctx context.Context, form url.Values, rev string, password bool) error {
	var answer tokenAnswer
	err := c.do(ctx, call{method: http.MethodPost, path: "/token", form: form, revision: rev, safe: true,
		password: password}, &answer)
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
	c.secrets.add(answer.AccessToken, answer.RefreshToken)
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

// Revision logs in if needed and returns the revision the client speaks. A negotiated revision that no call has
// used yet is checked first, so that a token endpoint that ignores the header cannot have chosen it.
func (c *Client) Revision(ctx context.Context) (Revision, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.CallTimeout, errCallTimeout)
	defer cancel()
	token, err := c.bearer(ctx)
	if err != nil {
		return Revision{}, err
	}
	c.mu.Lock()
	rev, unconfirmed := c.revision, !c.pinned && !c.confirmed
	c.mu.Unlock()
	if unconfirmed {
		if _, err := c.renegotiate(ctx, rev, token); err != nil {
			return Revision{}, err
		}
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
