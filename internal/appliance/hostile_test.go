package appliance_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// The client against an appliance that misbehaves on purpose (acctest.HostileAppliance): it redirects, floods,
// pages without end, falls silent, echoes what it was sent, or refuses revisions in any wording.

func hostileClient(t *testing.T, h *acctest.HostileAppliance, change func(*appliance.Config)) (*appliance.Client,
	*logLines) {
	t.Helper()
	lines := &logLines{}
	cfg := appliance.Config{URL: h.URL(), Username: h.Username(), Password: h.Password(),
		CAPEM: h.CertificatePEM(), Log: lines.log}
	if change != nil {
		change(&cfg)
	}
	c, err := appliance.New(cfg)
	if err != nil {
		t.Fatalf("appliance.New: %v", err)
	}
	return c, lines
}

// assertNoSecrets fails when the error or the log holds the password or a token the appliance handed out.
func assertNoSecrets(t *testing.T, h *acctest.HostileAppliance, err error, lines *logLines) {
	t.Helper()
	text := fmt.Sprint(err) + fmt.Sprint(lines.all())
	for _, secret := range append(h.Tokens(), h.Password()) {
		if strings.Contains(text, secret) {
			t.Errorf("a secret appears in what the client reports: %s", text)
		}
	}
}

func TestClient_followsNoRedirect(t *testing.T) {
	t.Parallel()
	for _, mode := range []acctest.HostileMode{acctest.HostileRedirectLogin, acctest.HostileRedirectLater} {
		for _, status := range []int{307, 308} {
			for _, secure := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s %d https=%v", mode, status, secure), func(t *testing.T) {
					t.Parallel()
					sink := acctest.NewRedirectSink(t, secure)
					h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Mode: mode, RedirectStatus: status,
						RedirectTo: sink.URL()})
					c, lines := hostileClient(t, h, nil)
					_, err := c.List(context.Background(), "")
					var redirect *appliance.RedirectError
					if !errors.As(err, &redirect) || redirect.Status != status ||
						!strings.Contains(err.Error(), "follows no redirect") ||
						!strings.Contains(err.Error(), sink.URL()) {
						t.Errorf("List: %v, want a redirect error that names %s", err, sink.URL())
					}
					if got := sink.Received(); len(got) > 0 {
						t.Errorf("the redirect's target received %+v", got)
					}
					if n := h.PasswordsReceived(); n != 1 {
						t.Errorf("the appliance received the password %d times, want once", n)
					}
					assertNoSecrets(t, h, err, lines)
				})
			}
		}
	}
}

func TestClient_capsEndlessBody(t *testing.T) {
	t.Parallel()
	cases := map[acctest.HostileMode]string{
		acctest.HostileEndlessLogin: "the login to %s failed: the answer is larger than 4 MiB",
		acctest.HostileEndlessBody:  "GET /api/v1/accounts/amazon to %s failed: the answer is larger than 32 MiB",
	}
	for mode, want := range cases {
		t.Run(string(mode), func(t *testing.T) {
			h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Mode: mode})
			c, _ := hostileClient(t, h, nil)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := c.List(context.Background(), "")
			runtime.ReadMemStats(&after)
			var answerErr *appliance.AnswerError
			if !errors.As(err, &answerErr) || !strings.Contains(err.Error(), fmt.Sprintf(want, h.URL())) {
				t.Errorf("List: %v; want %q", err, fmt.Sprintf(want, h.URL()))
			}
			allocated := (after.TotalAlloc - before.TotalAlloc) >> 20
			t.Logf("an endless body cost %s and %d MiB allocated", time.Since(start).Round(time.Millisecond),
				allocated)
			if allocated > 256 {
				t.Errorf("reading an endless body allocated %d MiB", allocated)
			}
		})
	}
}

func TestClient_stopsEndlessPaging(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mode      acctest.HostileMode
		want      string
		maxListed int
	}{
		{acctest.HostileEndlessPages, "stopped after 10100 records", 101},
		{acctest.HostileRepeatingPages, "repeats records already listed", 2},
	}
	for _, tc := range cases {
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel()
			h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Mode: tc.mode})
			c, _ := hostileClient(t, h, nil)
			roles, err := c.List(context.Background(), "")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), h.URL()) {
				t.Errorf("List: %d records, %v; want %q", len(roles), err, tc.want)
			}
			pages := 0
			for _, r := range h.Requests() {
				if r.Path == "/api/v1/accounts/amazon" && r.Authorization != "" {
					pages++
				}
			}
			if pages > tc.maxListed {
				t.Errorf("%d pages requested, want at most %d", pages, tc.maxListed)
			}
		})
	}
}

// An appliance that never answers fails a call within the call timeout, with a message naming the address,
// and receives the password at most three times when only the login is silent.
func TestClient_silenceIsBounded(t *testing.T) {
	t.Parallel()
	const limit = 1500 * time.Millisecond
	for _, mode := range []acctest.HostileMode{acctest.HostileSilent, acctest.HostileSilentLogin} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Mode: mode})
			c, lines := hostileClient(t, h, func(cfg *appliance.Config) { cfg.CallTimeout = limit })
			start := time.Now()
			_, err := c.List(context.Background(), "")
			took := time.Since(start)
			var timeout *appliance.TimeoutError
			if !errors.As(err, &timeout) || !strings.Contains(err.Error(), h.URL()) ||
				!strings.Contains(err.Error(), "no complete answer within") {
				t.Errorf("List: %v", err)
			}
			if took > limit+time.Second {
				t.Errorf("List took %s, want within %s", took, limit)
			}
			t.Logf("gave up after %s; the password was sent %d times", took.Round(time.Millisecond), h.PasswordsReceived())
			if n := h.PasswordsReceived(); n > 3 || (mode == acctest.HostileSilentLogin && n == 0) {
				t.Errorf("the appliance received the password %d times", n)
			}
			again := time.Now()
			if _, err2 := c.List(context.Background(), ""); err2 == nil || time.Since(again) > 100*time.Millisecond {
				t.Errorf("a second call after a failed login: %v after %s, want the same failure at once", err2,
					time.Since(again))
			}
			assertNoSecrets(t, h, err, lines)
		})
	}
}

func TestClient_echoedSecretsAreRemoved(t *testing.T) {
	t.Parallel()
	for _, mode := range []acctest.HostileMode{acctest.HostileEcho, acctest.HostileEchoLater} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Mode: mode})
			c, lines := hostileClient(t, h, nil)
			_, err := c.List(context.Background(), "")
			if err == nil || !strings.Contains(err.Error(), "(removed)") {
				t.Errorf("List: %v, want the echo with its secrets removed", err)
			}
			assertNoSecrets(t, h, err, lines)
		})
	}
}

func TestClient_htmlLoginNamesTheLogin(t *testing.T) {
	t.Parallel()
	h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Mode: acctest.HostileHTMLLogin})
	c, _ := hostileClient(t, h, nil)
	_, err := c.List(context.Background(), "")
	want := "the login to " + h.URL() + " failed: the appliance answered with HTML, not JSON"
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "invalid character") {
		t.Errorf("List: %v, want %q", err, want)
	}
}

func TestClient_certificateAdvice(t *testing.T) {
	t.Parallel()
	h := acctest.NewHostileAppliance(t, acctest.HostileOptions{})
	other := startEmulator(t, applianceemu.Options{}) // httptest servers share one certificate; it has its own
	caFile := filepath.Join(t.TempDir(), "appliance.pem")
	if err := os.WriteFile(caFile, []byte(h.CertificatePEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	byName := strings.Replace(h.URL(), "127.0.0.1", "localhost", 1)
	cases := []struct {
		name         string
		change       func(*appliance.Config)
		want, unwant string
	}{
		{"name mismatch with ca_file", func(cfg *appliance.Config) { cfg.URL, cfg.CAPEM, cfg.CAFile = byName, "", caFile },
			"does not match its address", "ca_file"},
		{"wrong ca_pem", func(cfg *appliance.Config) { cfg.CAPEM = other.CertificatePEM() },
			"with the certificate(s) in ca_file or ca_pem", "Give the appliance's certificate"},
		{"no CA", func(cfg *appliance.Config) { cfg.CAPEM = "" }, "Give the appliance's certificate", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := hostileClient(t, h, tc.change)
			_, err := c.List(context.Background(), "")
			var tlsErr *appliance.TLSError
			if !errors.As(err, &tlsErr) || !strings.Contains(err.Error(), tc.want) ||
				(tc.unwant != "" && strings.Contains(err.Error(), tc.unwant)) {
				t.Errorf("List: %v; want %q without %q", err, tc.want, tc.unwant)
			}
		})
	}
}

func TestClient_connectionRefusedSaysCheckTheAddress(t *testing.T) {
	t.Parallel()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	_ = listener.Close() // nothing listens there now
	c, err := appliance.New(appliance.Config{URL: "https://" + address, Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.List(context.Background(), "")
	var connectErr *appliance.ConnectError
	if !errors.As(err, &connectErr) || !strings.Contains(err.Error(), "Check the host and port of url") ||
		!strings.Contains(err.Error(), "connection refused") || strings.Count(err.Error(), address) != 1 {
		t.Errorf("List: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("failing took %s", took)
	}
}

// The negotiation table: each way of refusing a revision makes the client step down to the newest one the
// appliance accepts, with the password sent as rarely as the appliance lets the client.
func TestClient_negotiationCannotBeFooledByWording(t *testing.T) {
	t.Parallel()
	window := []string{"1.8-rev0", "1.7-rev1"}
	type row struct {
		name      string
		opts      acctest.HostileOptions
		passwords int
	}
	var rows []row
	for _, refusal := range applianceemu.RevisionRefusals {
		rows = append(rows,
			row{string(refusal), acctest.HostileOptions{Refusal: refusal}, 1},
			row{string(refusal) + ", version-blind token", acctest.HostileOptions{Refusal: refusal,
				TokenIgnoresVersion: true}, 1},
			// Without a credential-free check the login itself finds the revision: 1.9-rev0 refused, 1.8-rev0 taken.
			row{string(refusal) + ", credentials checked first", acctest.HostileOptions{Refusal: refusal,
				AuthBeforeVersion: true}, 2},
			row{string(refusal) + ", credentials checked first, version-blind token", acctest.HostileOptions{
				Refusal: refusal, AuthBeforeVersion: true, TokenIgnoresVersion: true}, 1},
		)
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Revisions = window
			h := acctest.NewHostileAppliance(t, tc.opts)
			c, _ := hostileClient(t, h, nil)
			roles, err := c.List(context.Background(), "")
			if err != nil || len(roles) != 1 {
				t.Fatalf("List: %v", err)
			}
			rev, err := c.Revision(context.Background())
			if err != nil || rev.String() != "1.8-rev0" {
				t.Errorf("Revision: %v, %v; want 1.8-rev0", rev, err)
			}
			if n := h.PasswordsReceived(); n != tc.passwords {
				t.Errorf("the password was sent %d times, want %d", n, tc.passwords)
			}
		})
	}
}

// When only logging in can find the revision, the password budget ends the search with advice to pin it.
func TestClient_negotiationRespectsThePasswordBudget(t *testing.T) {
	t.Parallel()
	h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Refusal: applianceemu.RefusalEmpty400,
		AuthBeforeVersion: true, Revisions: []string{"1.5-rev0"}})
	c, _ := hostileClient(t, h, nil)
	_, err := c.List(context.Background(), "")
	var revErr *appliance.RevisionError
	if !errors.As(err, &revErr) || !strings.Contains(err.Error(), "at most 3 times per login") {
		t.Errorf("List: %v", err)
	}
	if n := h.PasswordsReceived(); n != 3 {
		t.Errorf("the password was sent %d times, want 3", n)
	}
	pinned, _ := hostileClient(t, h, func(cfg *appliance.Config) { cfg.APIVersion = "1.5-rev0" })
	if _, err := pinned.List(context.Background(), ""); err != nil {
		t.Errorf("List with api_version pinned: %v", err)
	}
}

// A refusal of the revision after it worked (the appliance was upgraded while Terraform ran) re-negotiates once,
// with the token, and the call succeeds.
func TestClient_laterRefusalRenegotiatesOnce(t *testing.T) {
	t.Parallel()
	h := acctest.NewHostileAppliance(t, acctest.HostileOptions{Revisions: []string{"1.9-rev0", "1.8-rev0"}})
	c, _ := hostileClient(t, h, nil)
	if _, err := c.List(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	h.SetRevisions("1.8-rev0")
	if _, err := c.List(context.Background(), ""); err != nil {
		t.Fatalf("List after the appliance stopped accepting 1.9-rev0: %v", err)
	}
	if rev, err := c.Revision(context.Background()); err != nil || rev.String() != "1.8-rev0" {
		t.Errorf("Revision: %v, %v", rev, err)
	}
	if n := h.PasswordsReceived(); n != 1 {
		t.Errorf("the password was sent %d times, want once", n)
	}
	h.SetRevisions("2.0-rev0")
	_, err := c.List(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "no other revision did better") ||
		!strings.Contains(err.Error(), "accepts none of the REST revisions") {
		t.Errorf("List when the appliance accepts no known revision any more: %v", err)
	}
}
