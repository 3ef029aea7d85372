package acctest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one AWS API call seen by a Proxy.
type Call struct {
	Service string // signing name, e.g. "iam" or "sts"
	Action  string // query-protocol action, e.g. "CreateRole"
}

// Fault makes a Proxy answer matching calls with an AWS error instead of forwarding them.
type Fault struct {
	Action  string        // the action to fail
	Times   int           // how many matching calls fail; 0 means every one
	Code    string        // AWS error code, e.g. "Throttling", "NoSuchEntity", "ConcurrentModification"
	Message string        // error message
	Status  int           // HTTP status; 400 when zero
	Delay   time.Duration // wait before answering
}

// Proxy is an HTTP proxy in front of the emulator that records which API actions were called and can inject
// faults or run a hook before a call is forwarded. Each test gets its own Proxy, so counts are per test even
// though every test shares one emulator.
type Proxy struct {
	URL string

	mu     sync.Mutex
	calls  []Call
	faults []*Fault
	hooks  map[string][]func()
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// NewProxy starts a Proxy in front of the shared emulator and stops it when the test ends. It skips the test
// against real AWS, where requests signed for the proxy's host would be rejected.
func NewProxy(t *testing.T) *Proxy {
	t.Helper()
	PreCheck(t)
	if RealAWS() {
		t.Skip("the recording proxy needs the emulator; skipped with VBAWS_ACC_REAL_AWS=1")
	}
	PreCheck(t)
	target, err := url.Parse(Endpoint())
	if err != nil {
		t.Fatalf("emulator endpoint %q: %v", Endpoint(), err)
	}
	p := &Proxy{hooks: map[string][]func(){}}
	forward := httputil.NewSingleHostReverseProxy(target)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, forward) }))
	t.Cleanup(server.Close)
	p.URL = server.URL
	return p
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request, forward http.Handler) {
	call, err := readCall(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.record(call)
	p.runHooks(call.Action)
	if fault := p.takeFault(call.Action); fault != nil {
		writeFault(w, *fault)
		return
	}
	forward.ServeHTTP(w, r)
}

// readCall reads the action from a query-protocol request and puts the body back for forwarding.
func readCall(r *http.Request) (Call, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return Call{}, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Call{}, err
	}
	call := Call{Action: form.Get("Action")}
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		call.Service = m[1]
	}
	return call, nil
}

func (p *Proxy) record(c Call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
}

func (p *Proxy) runHooks(action string) {
	p.mu.Lock()
	hooks := append([]func(){}, p.hooks[action]...)
	p.mu.Unlock()
	for _, hook := range hooks {
		hook()
	}
}

func (p *Proxy) takeFault(action string) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, f := range p.faults {
		if f.Action != action {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				p.faults = append(p.faults[:i], p.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

func writeFault(w http.ResponseWriter, f Fault) {
	time.Sleep(f.Delay)
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>vbaws-fault</RequestId></ErrorResponse>`,
		f.Code, xmlEscape(f.Message))
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Inject adds a fault. Faults for the same action are used in the order they were added.
func (p *Proxy) Inject(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &f)
}

// Before runs hook every time action is called, before the call is forwarded (for example to simulate another
// writer racing in).
func (p *Proxy) Before(action string, hook func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hooks[action] = append(p.hooks[action], hook)
}

// Calls returns every call seen so far, in order.
func (p *Proxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// Count returns how many times action was called.
func (p *Proxy) Count(action string) int {
	n := 0
	for _, c := range p.Calls() {
		if c.Action == action {
			n++
		}
	}
	return n
}

// Counts returns the number of calls per action.
func (p *Proxy) Counts() map[string]int {
	counts := map[string]int{}
	for _, c := range p.Calls() {
		counts[c.Action]++
	}
	return counts
}

// IAMWrites returns the sorted, distinct IAM actions seen that are not reads (Get*, List*).
func (p *Proxy) IAMWrites() []string {
	seen := map[string]bool{}
	for _, c := range p.Calls() {
		if c.Service == "iam" && !isRead(c.Action) {
			seen[c.Action] = true
		}
	}
	writes := make([]string, 0, len(seen))
	for a := range seen {
		writes = append(writes, a)
	}
	sort.Strings(writes)
	return writes
}

func isRead(action string) bool {
	return strings.HasPrefix(action, "Get") || strings.HasPrefix(action, "List")
}

// Reset forgets the calls recorded so far (faults and hooks stay).
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = nil
}
