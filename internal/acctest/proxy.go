package acctest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
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
	Service string     // signing name, e.g. "iam" or "sts"
	Action  string     // query-protocol action, e.g. "CreateRole"
	Params  url.Values // the request's parameters, e.g. RoleName
}

// Fault makes a Proxy answer matching calls with an AWS error instead of forwarding them.
type Fault struct {
	Action  string        // the action to fail
	Times   int           // how many matching calls fail; 0 means every one
	Code    string        // AWS error code, e.g. "Throttling", "NoSuchEntity", "ConcurrentModification"
	Message string        // error message
	Status  int           // HTTP status; 400 when zero (500 for a lost answer)
	Delay   time.Duration // wait before answering
	// Lost forwards the call to the emulator, so that it takes effect, and then answers with the error instead
	// of the emulator's answer, as when a response is lost on the way back. Code defaults to InternalFailure.
	Lost bool
	// Where limits the fault to calls with these parameters, such as {"RoleName": "x"}.
	Where map[string]string
}

func (f *Fault) matches(call Call) bool {
	if f.Action != call.Action {
		return false
	}
	for key, value := range f.Where {
		if call.Params.Get(key) != value {
			return false
		}
	}
	return true
}

// Proxy is an HTTP proxy in front of the emulator that records which API actions were called and can inject
// faults or run a hook before a call is forwarded. Each test gets its own Proxy, so counts are per test even
// though every test shares one emulator.
type Proxy struct {
	URL string

	mu       sync.Mutex
	calls    []Call
	faults   []*Fault
	hooks    map[string][]func()
	chaos    *chaos
	injected map[string]int
	latency  time.Duration
	// staleLag and trustVersions serve the stale-read mode (SetStaleReads).
	staleLag      time.Duration
	trustVersions map[string][]trustVersion
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
	p := &Proxy{hooks: map[string][]func(){}, injected: map[string]int{}}
	forward := httputil.NewSingleHostReverseProxy(target)
	server := httptest.NewServer(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, forward) }),
	)
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
	p.delay(call)
	p.runHooks(call.Action)
	fault := p.takeFault(call)
	if fault == nil {
		fault = p.chaosFault(call)
	}
	switch {
	case fault == nil:
		if !p.forwardTrustCall(w, r, call, forward) {
			forward.ServeHTTP(w, r)
		}
		return
	case fault.Lost:
		if !p.forwardTrustCall(httptest.NewRecorder(), r, call, forward) {
			forward.ServeHTTP(httptest.NewRecorder(), r)
		}
		p.count("lost " + call.Action)
	default:
		p.count(fault.Code + " " + call.Action)
	}
	writeFault(w, *fault)
}

func (p *Proxy) count(what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.injected[what]++
}

// Injected returns how many faults were injected, per kind and action, such as "lost CreateRole" or
// "Throttling GetRole".
func (p *Proxy) Injected() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.injected)
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
	call := Call{Action: form.Get("Action"), Params: form}
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

func (p *Proxy) takeFault(call Call) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, f := range p.faults {
		if !f.matches(call) {
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
	switch {
	case status == 0 && f.Lost:
		status = http.StatusInternalServerError
	case status == 0:
		status = http.StatusBadRequest
	}
	if f.Code == "" {
		f.Code, f.Message = "InternalFailure", "the answer to this request was lost"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(
		w,
		`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>`+
			`<RequestId>vbaws-fault</RequestId></ErrorResponse>`,
		f.Code,
		xmlEscape(f.Message),
	)
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// SetLatency makes the Proxy wait d before it handles each IAM call, as a distant endpoint would; 0 stops it.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

func (p *Proxy) delay(call Call) {
	p.mu.Lock()
	latency := p.latency
	p.mu.Unlock()
	if call.Service == "iam" {
		time.Sleep(latency)
	}
}

// Inject adds a fault. Faults for the same action are used in the order they were added.
func (p *Proxy) Inject(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &f)
}

// ClearFaults removes every fault added with Inject that has not been used up.
func (p *Proxy) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
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
