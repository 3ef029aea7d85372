package acctest

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"time"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// trustVersion is a trust policy a Proxy saw, as plain JSON, and since when.
type trustVersion struct {
	since time.Time
	doc   string
}

var trustElement = regexp.MustCompile(`(?s)<AssumeRolePolicyDocument>(.*?)</AssumeRolePolicyDocument>`)

// SetStaleReads makes the Proxy answer GetRole with the role's trust policy as it was lag ago, as IAM's eventually
// consistent reads may; 0 stops it. Injected counts the answers that differ from the current policy as
// "stale GetRole". The Proxy learns each trust policy from the UpdateAssumeRolePolicy calls it
// forwards and from the GetRole answers it sees, so one written around the Proxy counts from when the Proxy first
// saw it, and a role the Proxy has known for less than lag is answered as the Proxy first saw it.
func (p *Proxy) SetStaleReads(lag time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.staleLag = lag
	if p.trustVersions == nil {
		p.trustVersions = map[string][]trustVersion{}
	}
}

func (p *Proxy) staleReadLag() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.staleLag
}

// forwardTrustCall forwards GetRole and UpdateAssumeRolePolicy in stale-read mode and reports whether it did:
// GetRole is answered with the trust policy as it was, and a successful UpdateAssumeRolePolicy is remembered.
func (p *Proxy) forwardTrustCall(w http.ResponseWriter, r *http.Request, call Call, forward http.Handler) bool {
	if p.staleReadLag() == 0 || (call.Action != "GetRole" && call.Action != "UpdateAssumeRolePolicy") {
		return false
	}
	started := time.Now()
	answer := httptest.NewRecorder()
	forward.ServeHTTP(answer, r)
	body := answer.Body.Bytes()
	if answer.Code == http.StatusOK {
		role := call.Params.Get("RoleName")
		if call.Action == "UpdateAssumeRolePolicy" {
			p.rememberTrust(role, call.Params.Get("PolicyDocument"), started, true)
		} else {
			body = p.staleTrustAnswer(role, body, started)
		}
	}
	for key, values := range answer.Header() {
		if key != "Content-Length" {
			w.Header()[key] = values
		}
	}
	w.WriteHeader(answer.Code)
	_, _ = w.Write(body)
	return true
}

// staleTrustAnswer remembers the trust policy in a GetRole answer and puts in its place the one the role had lag
// ago.
func (p *Proxy) staleTrustAnswer(role string, body []byte, started time.Time) []byte {
	m := trustElement.FindSubmatch(body)
	if m == nil {
		return body
	}
	current, err := policy.Decode(html.UnescapeString(string(m[1])))
	if err != nil {
		return body
	}
	old := p.rememberTrust(role, current, started, false)
	if old != current {
		p.count("stale GetRole")
	}
	return trustElement.ReplaceAll(body, []byte("<AssumeRolePolicyDocument>"+xmlEscape(old)+
		"</AssumeRolePolicyDocument>"))
}

// rememberTrust records doc as the role's trust policy from now on, unless it is the latest already or, for what a
// read saw (written false), the Proxy saw a write after the read started. It returns the policy as it was lag ago.
func (p *Proxy) rememberTrust(role, doc string, started time.Time, written bool) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	versions := p.trustVersions[role]
	now := time.Now()
	latest := len(versions) - 1
	switch {
	case latest < 0:
		versions = append(versions, trustVersion{since: now, doc: doc})
	case versions[latest].doc == doc:
	case written || versions[latest].since.Before(started):
		versions = append(versions, trustVersion{since: now, doc: doc})
	}
	p.trustVersions[role] = versions
	old := versions[0].doc
	for _, v := range versions {
		if v.since.After(now.Add(-p.staleLag)) {
			break
		}
		old = v.doc
	}
	return old
}
