package appliance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Negotiation of the REST revision (api_version = "auto"). The appliance's refusal of an x-api-version value is
// not documented beyond ASP.NET API Versioning's problem names, so no wording is trusted: any answer that may
// mean "I do not know this revision" (400 with any body, 404, 405, 406, 415) steps down.
//
// The password is not spent on that: revisions are first tried with a request that carries no credentials, GET
// /api/v1/accounts/amazon, which an appliance that knows the revision answers 401 (the version is checked while
// the request is routed, before authorization, in ASP.NET Core; inferred) and one that does not answers with a
// refusal. A request under a revision no appliance speaks (controlRevision) tells whether this works: when it is
// answered 401 too, the appliance checks credentials first, and revisions are tried by logging in, within the
// login's password budget.
//
// A token endpoint that ignores the header could still make the client settle on a revision the rest of the API
// refuses. So the revision counts as unconfirmed until an authenticated call succeeds under it; a refusal before
// that, or one that speaks of the API version later, checks the revision again with the token (no password) and
// steps down once.

// controlRevision is a well-formed revision no appliance speaks.
const controlRevision = "0.1-rev0"

// probeResult is what a revision check found.
type probeResult int

const (
	revisionKnown probeResult = iota
	revisionRefused
)

// probe checks whether the appliance knows rev, with token when one is given and without credentials otherwise.
// It fails only when the appliance cannot be asked (unreachable, silent, 5xx); a refusal is a result, returned
// with the error that carried it.
func (c *Client) probe(ctx context.Context, rev, token string) (probeResult, *APIError, error) {
	err := c.do(ctx, call{method: http.MethodGet, path: accountsPath, query: url.Values{"Limit": {"1"}},
		token: token, revision: rev, safe: true, probe: true}, nil)
	var apiErr *APIError
	switch {
	case err == nil:
		return revisionKnown, nil, nil
	case !errors.As(err, &apiErr):
		return 0, nil, err
	case apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden:
		return revisionKnown, apiErr, nil
	case refusesRevision(apiErr, true):
		return revisionRefused, apiErr, nil
	}
	return 0, nil, err
}

// walk checks KnownRevisions from index from on and returns the first one the appliance knows; when an answer
// lists the revisions the appliance supports (api-supported-versions, inferred), it jumps to the newest known one
// among them.
func (c *Client) walk(ctx context.Context, from int, token string) (string, error) {
	refusal := &RevisionError{URL: c.base}
	for i := from; i < len(KnownRevisions); i++ {
		rev := KnownRevisions[i]
		result, apiErr, err := c.probe(ctx, rev, token)
		if err != nil {
			return "", err
		}
		if result == revisionKnown {
			return rev, nil
		}
		refusal.note(rev, apiErr)
		if len(apiErr.SupportedRevisions) > 0 {
			i = nextSupported(i, apiErr.SupportedRevisions) - 1
		}
	}
	return "", refusal
}

// note records a refused revision and how the appliance refused it.
func (e *RevisionError) note(rev string, apiErr *APIError) {
	e.Tried = append(e.Tried, rev)
	if apiErr == nil {
		return
	}
	if len(apiErr.SupportedRevisions) > 0 {
		e.Supported = apiErr.SupportedRevisions
	}
	answer := fmt.Sprintf("%d %s", apiErr.Status, http.StatusText(apiErr.Status))
	if !slices.Contains(e.Answers, answer) {
		e.Answers = append(e.Answers, answer)
	}
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

// negotiate logs in under the newest known revision the appliance accepts. It holds c.mu.
func (c *Client) negotiate(ctx context.Context) error {
	control, _, err := c.probe(ctx, controlRevision, "")
	if err != nil {
		return err
	}
	informative := control == revisionRefused
	refused := &RevisionError{URL: c.base}
	for from := 0; from < len(KnownRevisions); {
		rev := KnownRevisions[from]
		if informative {
			if rev, err = c.walk(ctx, from, ""); err != nil {
				return mergeRefusals(refused, err)
			}
		}
		if len(refused.Tried) > 0 && c.passwordsLeft == 0 {
			return fmt.Errorf("%w; the password is sent at most %d times per login", refused, passwordBudget)
		}
		err = c.passwordGrant(ctx, rev)
		if err == nil {
			c.revision, c.confirmed = rev, false
			c.log(ctx, "negotiated the appliance's REST revision", map[string]any{"api_version": rev,
				"tried": refused.Tried, "credential_free_checks": informative})
			return nil
		}
		// Under a revision the credential-free check found known, only an explicit refusal of the header is one;
		// without that check, any 4xx of the login may be.
		if !refusesRevision(err, !informative) {
			return err
		}
		var apiErr *APIError
		errors.As(err, &apiErr)
		refused.note(rev, apiErr)
		from = slices.Index(KnownRevisions, rev) + 1
	}
	return refused
}

// mergeRefusals adds the revisions refused at login to a RevisionError of the credential-free checks.
func mergeRefusals(atLogin *RevisionError, err error) error {
	var walked *RevisionError
	if !errors.As(err, &walked) || len(atLogin.Tried) == 0 {
		return err
	}
	walked.Tried = append(slices.Clone(atLogin.Tried), walked.Tried...)
	for _, a := range atLogin.Answers {
		if !slices.Contains(walked.Answers, a) {
			walked.Answers = append(walked.Answers, a)
		}
	}
	return walked
}

// mayRenegotiate says whether err, the refusal of an authenticated call under rev, may be the revision's fault:
// any refusal while rev is unconfirmed; once confirmed, only one that speaks of the API version or refuses the
// media type (406, 415).
func (c *Client) mayRenegotiate(rev string, err error) bool {
	c.mu.Lock()
	pinned, confirmed := c.pinned, c.confirmed && c.revision == rev
	c.mu.Unlock()
	if pinned {
		return false
	}
	if !confirmed {
		return refusesRevision(err, true)
	}
	var e *APIError
	return errors.As(err, &e) && (e.Status == http.StatusNotAcceptable ||
		e.Status == http.StatusUnsupportedMediaType || e.speaksOfRevision())
}

// renegotiate checks rev again with token and, when the appliance refuses it, steps down to the newest older
// revision it accepts. It reports whether the client now speaks another revision, so that the refused call is
// worth sending again. Another caller may have done so already.
func (c *Client) renegotiate(ctx context.Context, rev, token string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.revision != rev {
		return true, nil
	}
	result, _, err := c.probe(ctx, rev, token)
	if err != nil {
		return false, err
	}
	if result == revisionKnown {
		c.confirmed = true
		return false, nil
	}
	next, err := c.walk(ctx, slices.Index(KnownRevisions, rev)+1, token)
	if err != nil {
		var refused *RevisionError
		if errors.As(err, &refused) {
			refused.Tried = append([]string{rev}, refused.Tried...)
		}
		return false, err
	}
	c.log(ctx, "the appliance refused the negotiated REST revision after login; stepped down",
		map[string]any{"refused": rev, "api_version": next})
	c.revision, c.confirmed = next, true
	return true, nil
}
