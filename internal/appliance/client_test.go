package appliance_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/veeamrest"
)

// The client's tests run against the emulated appliance over HTTPS on loopback; nothing is mocked.

func startEmulator(t *testing.T, opts applianceemu.Options) *applianceemu.Server {
	t.Helper()
	emu, err := applianceemu.Start(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(emu.Close)
	return emu
}

// logLines collects what the client logs.
type logLines struct {
	mu     sync.Mutex
	fields []map[string]any
}

func (l *logLines) log(_ context.Context, _ string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fields = append(l.fields, fields)
}

func (l *logLines) all() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.fields)
}

func newClient(t *testing.T, emu *applianceemu.Server, change func(*appliance.Config)) *appliance.Client {
	t.Helper()
	cfg := appliance.Config{URL: emu.URL(), Username: emu.Username(), Password: emu.Password(),
		CAPEM: emu.CertificatePEM()}
	if change != nil {
		change(&cfg)
	}
	c, err := appliance.New(cfg)
	if err != nil {
		t.Fatalf("appliance.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// credentialFreeChecks are the list requests without credentials of a negotiation with an appliance that speaks
// the newest revision: one under a revision nobody speaks, one under the newest.
const credentialFreeChecks = 2

func sameAccount(name string) appliance.RoleSpec {
	return appliance.RoleSpec{Name: name, Description: "test", AccountID: applianceemu.DefaultAccountID,
		RoleName: "veeam-" + name}
}

func TestClient_lifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{})
	c := newClient(t, emu, nil)

	created, err := c.Create(ctx, appliance.RoleSpec{Name: "prod", AccountID: "210987654321",
		RoleName: "/veeam/backup", CrossAccount: true, ExternalID: "ext-1",
		Permissions: []string{"EC2Restore", "EC2BackupSnapshot"}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.ARN() != "arn:aws:iam::210987654321:role/veeam/backup" || !created.CrossAccount ||
		!slices.Equal(created.Permissions, []string{"EC2BackupSnapshot", "EC2Restore"}) {
		t.Errorf("created %+v", created)
	}
	rec, err := emu.Record(created.ID)
	if err != nil || rec.ExternalID != "ext-1" {
		t.Errorf("the emulator holds %+v (%v), want the external ID sent", rec, err)
	}

	got, err := c.Get(ctx, created.ID)
	if err != nil || got.Name != "prod" || got.AccountID != "210987654321" {
		t.Errorf("Get: %+v, %v", got, err)
	}
	updated, err := c.Update(ctx, created.ID, sameAccount("prod-renamed"))
	if err != nil || updated.Name != "prod-renamed" || updated.CrossAccount || updated.Description != "test" ||
		len(updated.Permissions) != len(appliance.AllPermissions()) {
		t.Errorf("Update: %+v, %v", updated, err)
	}

	messages, err := c.ValidateName(ctx, "PROD-renamed")
	if err != nil || len(appliance.Errors(messages)) != 1 {
		t.Errorf("ValidateName of a taken name: %v, %v", messages, err)
	}
	if messages, err = c.ValidateName(ctx, "free"); err != nil || len(messages) != 0 {
		t.Errorf("ValidateName of a free name: %v, %v", messages, err)
	}
	if _, err := c.Create(ctx, sameAccount("prod-renamed")); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("Create with a taken name: %v", err)
	}

	if err := emu.SetInUse(created.ID, "backup policy 'daily'"); err != nil {
		t.Fatal(err)
	}
	messages, err = c.ValidateDelete(ctx, created.ID)
	if errs := appliance.Errors(messages); err != nil || len(errs) != 1 || !strings.Contains(errs[0], "daily") {
		t.Errorf("ValidateDelete of a role in use: %v, %v", messages, err)
	}
	if err := c.Delete(ctx, created.ID); err == nil || !strings.Contains(err.Error(), "daily") {
		t.Errorf("Delete of a role in use: %v", err)
	}
	_ = emu.SetInUse(created.ID, "")
	if err := c.Delete(ctx, created.ID); err != nil {
		t.Errorf("Delete: %v", err)
	}
	if err := c.Delete(ctx, created.ID); err != nil {
		t.Errorf("Delete of a record already gone: %v", err)
	}
	if _, err := c.Get(ctx, created.ID); !appliance.IsNotFound(err) {
		t.Errorf("Get after delete: %v, want not found", err)
	}
}

func TestClient_listPagesAndFindsTheDefaultRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{})
	for i := range 230 {
		emu.Add(applianceemu.Record{Name: fmt.Sprintf("bulk-%03d", i), AccountID: "210987654321",
			RoleName: "r", CrossAccount: true})
	}
	c := newClient(t, emu, nil)
	all, err := c.List(ctx, "")
	if err != nil || len(all) != 231 {
		t.Fatalf("List: %d records, %v; want 231", len(all), err)
	}
	if n := emu.Counts()["list"]; n != 3+credentialFreeChecks {
		t.Errorf("List made %d requests, want 3 pages of 100 and %d revision checks", n, credentialFreeChecks)
	}
	some, err := c.List(ctx, "bulk-1*")
	if err != nil || len(some) != 100 {
		t.Errorf("List with a pattern: %d, %v", len(some), err)
	}
	found, err := c.FindByName(ctx, "bulk-042")
	if err != nil || found == nil || found.Name != "bulk-042" {
		t.Errorf("FindByName: %+v, %v", found, err)
	}
	if missing, err := c.FindByName(ctx, "bulk-04"); err != nil || missing != nil {
		t.Errorf("FindByName of a prefix: %+v, %v; want nil", missing, err)
	}
	account, err := c.ApplianceAccountID(ctx)
	if err != nil || account != applianceemu.DefaultAccountID {
		t.Errorf("ApplianceAccountID: %q, %v", account, err)
	}
}

func TestClient_negotiation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		opts      applianceemu.Options
		pinned    string
		want      string
		tokenCall int
		wantErr   string
	}{
		{name: "newest", opts: applianceemu.Options{}, want: veeamrest.Newest(), tokenCall: 1},
		{name: "only older", opts: applianceemu.Options{Revisions: []string{"1.6-rev0", "1.5-rev1", "1.5-rev0",
			"1.4-rev0"}}, want: "1.6-rev0", tokenCall: 1},
		{name: "announced", opts: applianceemu.Options{Revisions: []string{"1.3-rev0"}, AnnounceRevisions: true},
			want: "1.3-rev0", tokenCall: 1},
		{name: "only newer", opts: applianceemu.Options{Revisions: []string{"2.0-rev0", "2.1-rev0"}},
			wantErr: "accepts none of the REST revisions", tokenCall: 0},
		{name: "only newer, announced", opts: applianceemu.Options{Revisions: []string{"2.0-rev0"},
			AnnounceRevisions: true}, wantErr: "it announces 2.0-rev0", tokenCall: 0},
		{name: "pinned", opts: applianceemu.Options{Revisions: []string{"2.0-rev0"}}, pinned: "2.0-rev0",
			want: "2.0-rev0", tokenCall: 1},
		{name: "pinned, refused", opts: applianceemu.Options{}, pinned: "1.2-rev0",
			wantErr: "refuses api_version 1.2-rev0", tokenCall: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, tc.opts)
			c := newClient(t, emu, func(cfg *appliance.Config) { cfg.APIVersion = tc.pinned })
			rev, err := c.Revision(context.Background())
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			case tc.wantErr == "" && (err != nil || rev.String() != tc.want):
				t.Errorf("Revision = %v, %v; want %s", rev, err, tc.want)
			}
			if _, err := c.List(context.Background(), ""); (err == nil) != (tc.wantErr == "") {
				t.Errorf("List after negotiation: %v", err)
			}
			if n := emu.Counts()["token"]; n != tc.tokenCall {
				t.Errorf("%d token calls, want %d (revisions are checked without the password, once)", n,
					tc.tokenCall)
			}
		})
	}
}

func TestClient_oldRevisionHasNoPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{Revisions: []string{"1.4-rev0", "1.3-rev0"}})
	c := newClient(t, emu, nil)
	spec := sameAccount("old")
	spec.Permissions = []string{"EC2Restore"}
	var unsupported *appliance.PermissionsUnsupportedError
	if _, err := c.Create(ctx, spec); !errors.As(err, &unsupported) || unsupported.Revision != "1.4-rev0" {
		t.Errorf("Create with permissions on 1.4-rev0: %v", err)
	}
	spec.Permissions = nil
	created, err := c.Create(ctx, spec)
	if err != nil || created.AccountID != applianceemu.DefaultAccountID || created.Permissions != nil {
		t.Errorf("Create on 1.4-rev0: %+v, %v (the account comes from awsid)", created, err)
	}
}

func TestClient_tokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{AccessTokenLifetime: time.Second,
		RefreshTokenLifetime: 2 * time.Second})
	c := newClient(t, emu, nil)
	deadline := time.Now().Add(2500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if _, err := c.List(ctx, ""); err != nil {
			t.Fatalf("List while tokens expire: %v", err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	if counts := emu.Counts(); counts["token:refresh_token"] < 2 || counts["token:password"] != 1 {
		t.Errorf("token grants %v: want one login and refreshes before each expiry", counts)
	}
	time.Sleep(2100 * time.Millisecond) // both tokens expire
	if _, err := c.List(ctx, ""); err != nil {
		t.Fatalf("List after both tokens expired: %v", err)
	}
	if counts := emu.Counts(); counts["token:password"] != 2 {
		t.Errorf("token grants %v: want a new login once the refresh token expired", counts)
	}
}

func TestClient_tokenRevokedEarly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{})
	c := newClient(t, emu, nil)
	if _, err := c.List(ctx, ""); err != nil {
		t.Fatal(err)
	}
	emu.ExpireAccessTokens()
	if _, err := c.List(ctx, ""); err != nil {
		t.Fatalf("List after the appliance revoked the token: %v", err)
	}
	if counts := emu.Counts(); counts["list"] != 3+credentialFreeChecks || counts["token:refresh_token"] != 1 {
		t.Errorf("calls %v: want the list refused with 401, one refresh, and the list again", counts)
	}
}

func TestClient_closeLogsOut(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, applianceemu.Options{})
	c := newClient(t, emu, nil)
	if _, err := c.List(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if n := emu.ActiveSessions(); n != 1 {
		t.Fatalf("%d sessions, want 1", n)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if n, logouts := emu.ActiveSessions(), emu.Counts()["logout"]; n != 0 || logouts != 1 {
		t.Errorf("after Close: %d sessions, %d logouts; want 0 and 1", n, logouts)
	}
}

func TestClient_retriesWithoutDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{})
	c := newClient(t, emu, nil)
	emu.Inject(applianceemu.Fault{Op: "create", Times: 1, Lost: true})
	emu.Inject(applianceemu.Fault{Op: "get", Times: 3, Status: 503})
	created, err := c.Create(ctx, sameAccount("lost"))
	if err != nil {
		t.Fatalf("Create with a lost answer: %v", err)
	}
	if _, err := c.Get(ctx, created.ID); err != nil {
		t.Errorf("Get after three 503s: %v", err)
	}
	if n := len(emu.Records()); n != 2 {
		t.Errorf("%d records, want the default one and one created", n)
	}
	emu.Inject(applianceemu.Fault{Op: "get", Status: 500})
	if _, err := c.Get(ctx, created.ID); err == nil || !strings.Contains(err.Error(), "gave up after 12 attempts") {
		t.Errorf("Get against a failing appliance: %v", err)
	}
}

func TestClient_chaosMakesNoDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{})
	c := newClient(t, emu, nil)
	if _, err := c.Revision(ctx); err != nil {
		t.Fatal(err)
	}
	emu.SetChaos(applianceemu.Chaos{Seed: 7, Unavailable: 0.2, Lost: 0.1})
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := range 30 {
		wg.Go(func() {
			if _, err := c.Create(ctx, sameAccount(fmt.Sprintf("chaos-%02d", i))); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	emu.SetChaos(applianceemu.Chaos{})
	if n := len(emu.Records()); n != 31 {
		t.Errorf("%d records, want 31 (no duplicates)", n)
	}
	injected := emu.Injected()
	if injected["lost create"] == 0 || injected["503 create"] == 0 {
		t.Errorf("faults injected %v: the test proves nothing without lost and refused creates", injected)
	}
}

func TestClient_loginFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, status := range []int{401, 400} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, applianceemu.Options{BadCredentialsStatus: status})
			c := newClient(t, emu, func(cfg *appliance.Config) { cfg.Password = "wrong" })
			start := time.Now()
			_, err := c.List(ctx, "")
			var auth *appliance.AuthError
			if !errors.As(err, &auth) || !strings.Contains(err.Error(), "incorrect") {
				t.Errorf("List with a wrong password: %v", err)
			}
			if strings.HasSuffix(err.Error(), ".") {
				t.Errorf("%q ends with a period, so the provider's advice after it would make two", err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("failing took %s", took)
			}
			if n := emu.Counts()["token"]; n != 1 {
				t.Errorf("%d token calls: a refused login must not be retried or taken for a revision problem", n)
			}
		})
	}
}

func TestClient_operatorIsForbiddenToWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{OperatorUsername: "operator", OperatorPassword: "op"})
	c := newClient(t, emu, func(cfg *appliance.Config) { cfg.Username, cfg.Password = "operator", "op" })
	if _, err := c.List(ctx, ""); err != nil {
		t.Errorf("an operator may list: %v", err)
	}
	if _, err := c.Create(ctx, sameAccount("op")); !appliance.IsForbidden(err) {
		t.Errorf("Create as an operator: %v, want 403", err)
	}
}

func TestClient_validationProblem(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, applianceemu.Options{})
	c := newClient(t, emu, nil)
	_, err := c.Create(context.Background(), sameAccount(strings.Repeat("n", 300)))
	var apiErr *appliance.APIError
	if !errors.As(err, &apiErr) || len(apiErr.Validation) != 1 || apiErr.Validation[0].Field != "name" ||
		!strings.Contains(err.Error(), "maximum length of 255") {
		t.Errorf("Create with a long name: %v", err)
	}
}

func TestClient_tls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{})
	other := startEmulator(t, applianceemu.Options{})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, []byte(emu.CertificatePEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		change func(*appliance.Config)
		ok     bool
	}{
		{"ca_pem", nil, true},
		{"ca_file", func(cfg *appliance.Config) { cfg.CAPEM, cfg.CAFile = "", caFile }, true},
		{"wrong CA", func(cfg *appliance.Config) { cfg.CAPEM = other.CertificatePEM() }, false},
		{"system roots", func(cfg *appliance.Config) { cfg.CAPEM = "" }, false},
		{"insecure", func(cfg *appliance.Config) { cfg.CAPEM, cfg.InsecureSkipVerify = "", true }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := newClient(t, emu, tc.change).List(ctx, "")
			var tlsErr *appliance.TLSError
			switch {
			case tc.ok && err != nil:
				t.Errorf("List: %v", err)
			case !tc.ok && !errors.As(err, &tlsErr):
				t.Errorf("List: %v, want a TLS error", err)
			case !tc.ok && time.Since(start) > 2*time.Second:
				t.Errorf("a TLS failure took %s: it must not be retried", time.Since(start))
			}
		})
	}
}

func TestClient_logsCallsWithoutSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := startEmulator(t, applianceemu.Options{})
	var lines logLines
	c := newClient(t, emu, func(cfg *appliance.Config) { cfg.Log = lines.log })
	spec := sameAccount("logged")
	spec.CrossAccount, spec.AccountID, spec.ExternalID = true, "210987654321", "very-secret-external-id"
	if _, err := c.Create(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	logged := lines.all()
	text := fmt.Sprint(logged)
	for _, want := range []string{"POST", "/api/v1/token", "/api/v1/accounts/amazon", "status:201", "status:204",
		"duration_ms", "api_version:" + veeamrest.Newest()} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q: %s", want, text)
		}
	}
	secrets := append(emu.Tokens(), emu.Password(), "very-secret-external-id")
	for _, secret := range secrets {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds a secret: %s", text)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://backup.example.com":        "https://backup.example.com:11005",
		"https://backup.example.com:8443/":  "https://backup.example.com:8443",
		"https://[::1]":                     "https://[::1]:11005",
		"http://backup.example.com":         "HTTPS only",
		"https://u:p@backup.example.com":    "not in the URL",
		"https://backup.example.com/api/v1": "only the scheme",
		"backup.example.com":                "not an absolute URL",
	}
	for in, want := range cases {
		got, err := appliance.NormalizeURL(in)
		if (err == nil && got != want) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("NormalizeURL(%q) repeats the password: %v", in, err)
		}
	}
}

func TestPermissionsCoverEveryOperation(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	mapped := 0
	for _, op := range catalog.AllOperations() {
		if documented, err := catalog.Get(catalog.DefaultVersion, op); err == nil && documented.AppliancePermission == "" {
			continue // the catalog knows no appliance permission for it (flr_worker)
		}
		mapped++
		p, ok := appliance.PermissionOf(op)
		if !ok {
			t.Errorf("operation %s has no appliance permission", op)
			continue
		}
		if back, _ := appliance.OperationOf(p); back != op || seen[p] {
			t.Errorf("permission %s does not map back to %s alone", p, op)
		}
		seen[p] = true
	}
	if len(appliance.AllPermissions()) != mapped {
		t.Errorf("%d permissions for %d operations", len(appliance.AllPermissions()), mapped)
	}
}
