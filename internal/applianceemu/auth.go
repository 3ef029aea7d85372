package applianceemu

import (
	"net/http"
	"strings"
	"time"
)

// handleToken is POST /api/v1/token: form-encoded, grant_type password or refresh_token (verified; the
// authorization_code and mfa grants are not emulated).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.ParseForm() != nil {
		writeProblem(w, http.StatusBadRequest, "validationError", "Bad Request", "UnexpectedContent",
			"The token request must be form-encoded.")
		return
	}
	grantType := r.PostForm.Get("grant_type")
	s.count(opToken + ":" + grantType)
	switch grantType {
	case "password":
		s.passwordGrant(w, r)
	case "refresh_token":
		s.refreshGrant(w, r)
	default:
		writeProblem(w, http.StatusBadRequest, "validationError", "Bad Request", "UnexpectedContent",
			"Unsupported grant_type "+grantType+".")
	}
}

func (s *Server) passwordGrant(w http.ResponseWriter, r *http.Request) {
	user, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	switch {
	case user == s.opts.Username && password == s.opts.Password:
		s.issue(w, grant{user: user})
	case s.opts.OperatorUsername != "" && user == s.opts.OperatorUsername && password == s.opts.OperatorPassword:
		s.issue(w, grant{user: user, operator: true})
	default:
		// inferred: status (400 or 401) and text of a refused login are not public.
		writeProblem(w, s.opts.BadCredentialsStatus, "accessDenied", "Unauthorized", "AccessDenied",
			"The user name or password is incorrect.")
	}
}

// refreshGrant issues a new pair for a valid refresh token (verified) and revokes the old refresh token
// (inferred: not stated).
func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request) {
	token := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	g, ok := s.refresh[token]
	delete(s.refresh, token)
	s.mu.Unlock()
	if tokenRefused(w, "refresh", ok, g) {
		return
	}
	s.issue(w, grant{user: g.user, operator: g.operator})
}

// tokenRefused answers 401 and returns true when a token of that kind (access or refresh) is unknown or its
// grant g has expired.
func tokenRefused(w http.ResponseWriter, kind string, known bool, g grant) bool {
	switch {
	case !known:
		writeProblem(w, http.StatusUnauthorized, "invalidAccessToken", "Unauthorized", "InvalidToken",
			"The "+kind+" token is invalid.")
	case time.Now().After(g.expires):
		writeProblem(w, http.StatusUnauthorized, "expiredAccessToken", "Unauthorized", "ExpiredToken",
			"The "+kind+" token has expired.")
	default:
		return false
	}
	return true
}

// issue answers with RESTLogin (verified fields). Tokens are opaque random strings here; the appliance's are
// RS512-signed JWTs (verified), which a client must not rely on either way.
func (s *Server) issue(w http.ResponseWriter, g grant) {
	now := time.Now()
	access, refresh := "emu-access-"+randomHex(24), "emu-refresh-"+randomHex(24)
	s.mu.Lock()
	s.access[access] = grant{user: g.user, operator: g.operator, expires: now.Add(s.opts.AccessTokenLifetime)}
	s.refresh[refresh] = grant{user: g.user, operator: g.operator, expires: now.Add(s.opts.RefreshTokenLifetime)}
	s.issued = append(s.issued, access, refresh)
	s.mu.Unlock()
	role := "PortalAdministrator"
	if g.operator {
		role = "PortalOperator"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  access,
		"token_type":    "bearer",
		"refresh_token": refresh,
		"expires_in":    int(s.opts.AccessTokenLifetime / time.Second),
		".issued":       now.UTC().Format(time.RFC3339),
		".expires":      now.Add(s.opts.AccessTokenLifetime).UTC().Format(time.RFC3339),
		"username":      g.user,
		"roleName":      role,
		"mfa_enabled":   false,
	})
}

// authorize checks the bearer token: none, unknown or expired get 401 with noAccessToken, InvalidToken or
// ExpiredToken (verified names; which errorCode goes with a missing token is inferred).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, op string) (grant, bool) {
	token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	g, known := s.access[token]
	s.mu.Unlock()
	if !found || token == "" {
		writeProblem(w, http.StatusUnauthorized, "noAccessToken", "Unauthorized", "AccessDenied",
			"No access token was provided.")
		return grant{}, false
	}
	if tokenRefused(w, "access", known, g) {
		return grant{}, false
	}
	if op == opLogout {
		s.mu.Lock()
		delete(s.access, token)
		s.mu.Unlock()
	}
	return g, true
}

// handleLogout is DELETE /api/v1/token: 204 (verified); authorize has revoked the access token.
func (s *Server) handleLogout(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

// ExpireAccessTokens makes every access token issued so far expire now, as a restart of the appliance's
// service would; refresh tokens stay valid.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for token, g := range s.access {
		g.expires = time.Now().Add(-time.Second)
		s.access[token] = g
	}
}

// ActiveSessions returns how many access tokens are neither expired nor revoked by a logout.
func (s *Server) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.access {
		if time.Now().Before(g.expires) {
			n++
		}
	}
	return n
}
