// Package applianceemu emulates the REST API of a Veeam Backup for AWS appliance, for the acceptance tests and
// `make demo`: HTTPS with a generated self-signed certificate, the x-api-version window, the token flow, the IAM
// role records under /api/v1/accounts/amazon with validateName and validateDelete, the default record, paging,
// a "not yet assumable" window after a trust change, and fault injection. With a RoleChecker it checks, as the
// appliance does by assuming it, that a role exists in the right account and trusts the appliance.
//
// Every shape and status Veeam documents is marked "verified"; every one guessed (from other clients, the
// ASP.NET Core stack the appliance runs on, or nothing at all) is marked "inferred", so that a check against a
// real appliance knows what to confirm. It has no Terraform imports.
package applianceemu

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/vbaws/terraform-provider-vbaws/internal/veeamrest"
)

// DefaultRevisions is the emulator's window of accepted revisions unless Options say otherwise: the newest
// four this project knows (veeamrest's list). Inferred: the window of 10.x and 11 is not public; 7.0 and 8.0
// accepted four (verified).
var DefaultRevisions = veeamrest.Revisions()[:4]

// Default credentials and account of an emulated appliance.
const (
	DefaultUsername  = "administrator"
	DefaultPassword  = "emulated-appliance-password"
	DefaultAccountID = "123456789012"
	// DefaultServerVersion is the product version an emulated appliance reports unless Options say otherwise.
	DefaultServerVersion = "11.0.0.0"
	// DefaultRecordName is the name of the record the appliance makes at installation (verified).
	DefaultRecordName = "Default Backup Restore"
)

// Options configure an emulated appliance. The zero value is a 10.x/11-like appliance with default credentials,
// an hour-long access token, no role checks and no faults.
type Options struct {
	// Revisions is the window of accepted x-api-version values; DefaultRevisions when empty.
	Revisions []string
	// AnnounceRevisions adds the api-supported-versions header to version refusals (inferred: ASP.NET API
	// Versioning can report it; whether the appliance does is not known).
	AnnounceRevisions bool
	// Username and Password of a Portal Administrator; DefaultUsername and DefaultPassword when empty.
	Username, Password string
	// OperatorUsername and OperatorPassword, when set, add a Portal Operator, who may read but gets 403 on
	// every write (verified roles).
	OperatorUsername, OperatorPassword string
	// AccessTokenLifetime and RefreshTokenLifetime default to 3600 s and 2 h (verified defaults).
	AccessTokenLifetime, RefreshTokenLifetime time.Duration
	// BadCredentialsStatus is the status of a refused login: 401 by default, or 400 (inferred: which one the
	// appliance uses is not public).
	BadCredentialsStatus int
	// AccountID is the appliance's own AWS account; DefaultAccountID when empty.
	AccountID string
	// NoDefaultRecord leaves out the "Default Backup Restore" record.
	NoDefaultRecord bool
	// Roles checks registered roles in AWS; nil accepts any role.
	Roles RoleChecker
	// ImpersonationRoleARN is the role the appliance assumes registered roles as (verified: the Impersonation
	// role, made at deployment); its trust and own policies are evaluated as AWS would. Without it the appliance
	// assumes them as a principal of its account that has the Impersonation role's documented policy, so only a
	// trust policy that names the account lets it in.
	ImpersonationRoleARN string
	// AssumeDelay is how long after the emulator first sees a role's trust policy, or sees it change, the role
	// still cannot be assumed (verified: a trust change may take up to 5 minutes; the window is a test device).
	AssumeDelay time.Duration
	// PageSize is the page size of a list without Limit (inferred: the default is not documented); 50 when 0.
	PageSize int
	// Hosts are further names or addresses the certificate is valid for, besides loopback and localhost.
	Hosts []string
	// ServerVersion is what GET /system/version answers as version (verified: ProductVersion {about,
	// version}); DefaultServerVersion when empty.
	ServerVersion string
	// Unknowns switch what Veeam does not publish; the zero value is the emulator's best guess.
	Unknowns Unknowns
}

// Server is a running emulated appliance.
type Server struct {
	opts    Options
	http    *httptest.Server
	certPEM []byte

	mu        sync.Mutex
	records   map[string]*Record
	defaultID string
	access    map[string]grant
	refresh   map[string]grant
	issued    []string
	counts    map[string]int
	trust     map[string]trustSeen
	hooks     map[string][]func()
	faults    []*Fault
	chaos     *chaos
	injected  map[string]int
}

// grant is what a token stands for.
type grant struct {
	user     string
	operator bool
	expires  time.Time
}

// Start starts an emulated appliance on a free loopback port.
func Start(opts Options) (*Server, error) { return StartAt("127.0.0.1:0", opts) }

// StartAt starts an emulated appliance listening on addr, such as 127.0.0.1:11005.
func StartAt(addr string, opts Options) (*Server, error) {
	if err := opts.Unknowns.validate(); err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer(opts)
	cert, certPEM, err := selfSigned(opts.Hosts)
	if err != nil {
		_ = listener.Close()
		return nil, fmt.Errorf("generating the certificate: %w", err)
	}
	s.certPEM = certPEM
	s.http = httptest.NewUnstartedServer(s)
	_ = s.http.Listener.Close()
	s.http.Listener = listener
	s.http.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests are about
	s.http.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.http.StartTLS()
	return s, nil
}

func newServer(opts Options) *Server {
	if len(opts.Revisions) == 0 {
		opts.Revisions = DefaultRevisions
	}
	if opts.Username == "" {
		opts.Username, opts.Password = DefaultUsername, DefaultPassword
	}
	if opts.AccessTokenLifetime == 0 {
		opts.AccessTokenLifetime = time.Hour
	}
	if opts.RefreshTokenLifetime == 0 {
		opts.RefreshTokenLifetime = 2 * time.Hour
	}
	if opts.BadCredentialsStatus == 0 {
		opts.BadCredentialsStatus = http.StatusUnauthorized
	}
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	if opts.PageSize == 0 {
		opts.PageSize = 50
	}
	if opts.ServerVersion == "" {
		opts.ServerVersion = DefaultServerVersion
	}
	s := &Server{opts: opts, records: map[string]*Record{}, access: map[string]grant{}, refresh: map[string]grant{},
		counts: map[string]int{}, trust: map[string]trustSeen{}, hooks: map[string][]func(){},
		injected: map[string]int{}}
	if !opts.NoDefaultRecord {
		s.defaultID = newUUID()
		description := "Created by Veeam Backup for AWS during installation"
		s.records[s.defaultID] = &Record{ID: s.defaultID, Name: DefaultRecordName, Description: &description,
			AccountID: opts.AccountID, RoleName: "VeeamBackup-DefaultBackupRestoreRole-" + randomHex(6)[:12],
			IsDefault: true}
	}
	return s
}

// URL is the appliance's base URL, https://127.0.0.1:<port>.
func (s *Server) URL() string { return s.http.URL }

// CertificatePEM is the appliance's self-signed certificate, for ca_pem or ca_file.
func (s *Server) CertificatePEM() string { return string(s.certPEM) }

// AccountID is the appliance's own AWS account.
func (s *Server) AccountID() string { return s.opts.AccountID }

// Username and Password are the Portal Administrator's credentials.
func (s *Server) Username() string { return s.opts.Username }

// Password is the Portal Administrator's password.
func (s *Server) Password() string { return s.opts.Password }

// Close stops the appliance and closes every connection.
func (s *Server) Close() {
	s.http.CloseClientConnections()
	s.http.Close()
}

// ServeHTTP handles one request: it counts it, runs hooks, applies faults, checks the revision and the token,
// and dispatches it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, id := route(r.Method, r.URL.Path)
	s.count(op)
	s.runHooks(op)
	fault := s.takeFault(op)
	if fault != nil {
		if !sleepFor(r, fault.Delay) {
			return
		}
		if fault.Status != 0 && !fault.Lost {
			s.note(fmt.Sprintf("%d %s", fault.Status, op))
			writeFault(w, fault.Status)
			return
		}
	}
	if fault != nil && fault.Lost {
		recorder := httptest.NewRecorder()
		s.serve(recorder, r, op, id)
		s.note("lost " + op)
		loseAnswer(w, fault.Status)
		return
	}
	s.serve(w, r, op, id)
}

// serve checks the revision and the caller and runs the operation.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, op, id string) {
	rev, ok := s.checkRevision(w, r, op)
	if !ok {
		return
	}
	if op == opToken {
		s.handleToken(w, r)
		return
	}
	if op == opUnknown {
		writeProblem(w, http.StatusNotFound, "resourceNotFound", "Not Found", "NotFound",
			"No operation at "+r.Method+" "+r.URL.Path+".")
		return
	}
	caller, ok := s.authorize(w, r, op)
	if !ok {
		return
	}
	s.dispatch(w, r, request{op: op, id: id, rev: rev, caller: caller})
}

// Operations, as counted by Counts and named in Fault.Op and Before.
const (
	opToken          = "token"
	opLogout         = "logout"
	opList           = "list"
	opCreate         = "create"
	opGet            = "get"
	opUpdate         = "update"
	opDelete         = "delete"
	opValidateName   = "validateName"
	opValidateDelete = "validateDelete"
	opSystemVersion  = "systemVersion"
	opUnknown        = "unknown"
)

const accountsPrefix = "/api/v1/accounts/amazon"

// route names the operation of a request and the record ID in its path.
func route(method, path string) (op, id string) {
	if path == "/api/v1/token" {
		switch method {
		case http.MethodPost:
			return opToken, ""
		case http.MethodDelete:
			return opLogout, ""
		}
		return opUnknown, ""
	}
	if path == "/api/v1/system/version" && method == http.MethodGet {
		return opSystemVersion, ""
	}
	rest, ok := strings.CutPrefix(path, accountsPrefix)
	if !ok {
		return opUnknown, ""
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case rest == "" && method == http.MethodGet:
		return opList, ""
	case rest == "" && method == http.MethodPost:
		return opCreate, ""
	case len(parts) == 1 && parts[0] == "validateName" && method == http.MethodPost:
		return opValidateName, ""
	case len(parts) == 2 && parts[1] == "validateDelete" && method == http.MethodPost:
		return opValidateDelete, parts[0]
	case len(parts) == 1 && parts[0] != "":
		switch method {
		case http.MethodGet:
			return opGet, parts[0]
		case http.MethodPut:
			return opUpdate, parts[0]
		case http.MethodDelete:
			return opDelete, parts[0]
		}
	}
	return opUnknown, ""
}

// request is an authorised call to an operation.
type request struct {
	op     string
	id     string
	rev    revision
	caller grant
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, req request) {
	writes := map[string]bool{opCreate: true, opUpdate: true, opDelete: true, opValidateName: true,
		opValidateDelete: true}
	if writes[req.op] && req.caller.operator {
		// verified: these operations are for the Portal Administrator only; 403 is their documented refusal.
		writeProblem(w, http.StatusForbidden, "accessDenied", "Forbidden", "AccessDenied",
			"The user "+req.caller.user+" is not allowed to perform this operation.")
		return
	}
	switch req.op {
	case opLogout:
		s.handleLogout(w, r)
	case opList:
		s.handleList(w, r, req)
	case opCreate:
		s.handleCreate(w, r, req)
	case opGet:
		s.handleGet(w, req)
	case opUpdate:
		s.handleUpdate(w, r, req)
	case opDelete:
		s.handleDelete(w, req)
	case opValidateName:
		s.handleValidateName(w, r)
	case opValidateDelete:
		s.handleValidateDelete(w, req)
	case opSystemVersion:
		writeJSON(w, http.StatusOK, map[string]string{"about": "Veeam Backup for AWS (emulated)",
			"version": s.opts.ServerVersion})
	}
}

func (s *Server) count(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[op]++
}

// Counts returns how many requests each operation got, faults included, and per grant type for the token
// endpoint ("token:password", "token:refresh_token").
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// Before runs hook each time op is requested, before anything else happens to the request.
func (s *Server) Before(op string, hook func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[op] = append(s.hooks[op], hook)
}

func (s *Server) runHooks(op string) {
	s.mu.Lock()
	hooks := append([]func(){}, s.hooks[op]...)
	s.mu.Unlock()
	for _, h := range hooks {
		h()
	}
}

// Tokens returns every access and refresh token the appliance has issued, for checks that none leaks.
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sleepFor waits d unless the request is cancelled first; it reports whether the wait ran to its end.
func sleepFor(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

var errNoRecord = errors.New("no such record")
