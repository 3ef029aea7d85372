//go:build releasetest

package releasetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

// The environment scripts/release-test.sh gives the test.
const (
	envDist      = "VBAWS_RELEASE_DIST"       // goreleaser's dist folder
	envPublicKey = "VBAWS_RELEASE_PUBLIC_KEY" // the signing key, ASCII-armored
	envKeyID     = "VBAWS_RELEASE_KEY_ID"     // its long key ID (16 hex digits)
	envCLIs      = "VBAWS_RELEASE_CLIS"       // CLIs to init with: name=path,name=path
)

const (
	namespace = "vbaws"
	typeName  = "vbaws"
	platform  = "linux_amd64"
)

// hostnames are the registries the quickstart's `source = "vbaws/vbaws"` means under Terraform and OpenTofu.
var hostnames = []string{"registry.terraform.io", "registry.opentofu.org"}

// release is what goreleaser built for this platform.
type release struct {
	version, zipName, sumsName string
	zip, sums, signature       []byte
	publicKey, keyID           string
}

func loadRelease(t *testing.T) release {
	t.Helper()
	dist := mustEnv(t, envDist)
	zips, _ := filepath.Glob(filepath.Join(dist, "terraform-provider-vbaws_*_"+platform+".zip"))
	if len(zips) != 1 {
		t.Fatalf("want one terraform-provider-vbaws_<version>_%s.zip in %s, found %v", platform, dist, zips)
	}
	r := release{zipName: filepath.Base(zips[0])}
	r.version = strings.TrimSuffix(strings.TrimPrefix(r.zipName, "terraform-provider-vbaws_"), "_"+platform+".zip")
	r.sumsName = "terraform-provider-vbaws_" + r.version + "_SHA256SUMS"
	r.zip = mustRead(t, zips[0])
	r.sums = mustRead(t, filepath.Join(dist, r.sumsName))
	r.signature = mustRead(t, filepath.Join(dist, r.sumsName+".sig"))
	r.publicKey = string(mustRead(t, mustEnv(t, envPublicKey)))
	r.keyID = strings.ToUpper(mustEnv(t, envKeyID))
	if !bytes.Contains(r.sums, []byte(r.zipName)) || !bytes.Contains(r.sums, []byte(r.version+"_manifest.json")) {
		t.Fatalf("%s lists neither %s nor the registry manifest:\n%s", r.sumsName, r.zipName, r.sums)
	}
	return r
}

// server is a registry and a network mirror on loopback, serving one release; tampered makes it serve an altered
// archive with a SHA256SUMS rewritten to match, so that only the signature can refuse it.
type server struct {
	*httptest.Server
	release  release
	tampered atomic.Bool
}

func startServer(t *testing.T, r release) *server {
	s := &server{release: r}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/providers/vbaws/vbaws/versions", s.versions)
	mux.HandleFunc("GET /v1/providers/vbaws/vbaws/{version}/download/linux/amd64", s.download)
	mux.HandleFunc("GET /mirror/{host}/vbaws/vbaws/{file}", s.mirror)
	mux.HandleFunc("GET /files/{name}", s.file)
	s.Server = httptest.NewTLSServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *server) zip() []byte {
	if !s.tampered.Load() {
		return s.release.zip
	}
	altered := bytes.Clone(s.release.zip)
	altered[len(altered)/2] ^= 0xff
	return altered
}

func (s *server) sums() []byte {
	if !s.tampered.Load() {
		return s.release.sums
	}
	good, bad := sha256Hex(s.release.zip), sha256Hex(s.zip())
	return bytes.ReplaceAll(s.release.sums, []byte(good), []byte(bad))
}

func (s *server) versions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{"versions": []any{map[string]any{
		"version": s.release.version, "protocols": []string{"6.0"},
		"platforms": []any{map[string]string{"os": "linux", "arch": "amd64"}},
	}}})
}

func (s *server) download(w http.ResponseWriter, req *http.Request) {
	if req.PathValue("version") != s.release.version {
		http.NotFound(w, req)
		return
	}
	writeJSON(w, map[string]any{
		"protocols": []string{"6.0"}, "os": "linux", "arch": "amd64",
		"filename":              s.release.zipName,
		"download_url":          s.URL + "/files/" + s.release.zipName,
		"shasums_url":           s.URL + "/files/" + s.release.sumsName,
		"shasums_signature_url": s.URL + "/files/" + s.release.sumsName + ".sig",
		"shasum":                sha256Hex(s.zip()),
		"signing_keys": map[string]any{"gpg_public_keys": []any{map[string]string{
			"key_id": s.release.keyID, "ascii_armor": s.release.publicKey,
		}}},
	})
}

func (s *server) mirror(w http.ResponseWriter, req *http.Request) {
	switch req.PathValue("file") {
	case "index.json":
		writeJSON(w, map[string]any{"versions": map[string]any{s.release.version: map[string]any{}}})
	case s.release.version + ".json":
		writeJSON(w, map[string]any{"archives": map[string]any{
			platform: map[string]any{"url": s.URL + "/files/" + s.release.zipName},
		}})
	default:
		http.NotFound(w, req)
	}
}

func (s *server) file(w http.ResponseWriter, req *http.Request) {
	switch req.PathValue("name") {
	case s.release.zipName:
		_, _ = w.Write(s.zip())
	case s.release.sumsName:
		_, _ = w.Write(s.sums())
	case s.release.sumsName + ".sig":
		_, _ = w.Write(s.release.signature)
	default:
		http.NotFound(w, req)
	}
}

// installation is one way of installing the provider: a CLI configuration file and what it is called.
type installation struct {
	name, cliConfig string
}

func installations(t *testing.T, s *server, r release) []installation {
	dir := t.TempDir()
	mirrorDir := filepath.Join(dir, "filesystem-mirror")
	for _, host := range hostnames {
		packed := filepath.Join(mirrorDir, host, namespace, typeName, r.zipName)
		if err := os.MkdirAll(filepath.Dir(packed), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(packed, r.zip, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	only := fmt.Sprintf("%q", providerAddresses())
	only = strings.ReplaceAll(only, "\" \"", "\", \"")
	configs := map[string]string{
		"filesystem mirror": fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = %s
  }
  direct { exclude = %s }
}
`, mirrorDir, only, only),
		"network mirror": fmt.Sprintf(`provider_installation {
  network_mirror {
    url     = "%s/mirror/"
    include = %s
  }
  direct { exclude = %s }
}
`, s.URL, only, only),
		"registry": registryHosts(s.URL),
	}
	var out []installation
	for _, name := range []string{"filesystem mirror", "network mirror", "registry"} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".tfrc")
		if err := os.WriteFile(path, []byte(configs[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, installation{name: name, cliConfig: path})
	}
	return out
}

func registryHosts(url string) string {
	var b strings.Builder
	for _, host := range hostnames {
		fmt.Fprintf(&b, "host %q {\n  services = {\n    \"providers.v1\" = \"%s/v1/providers/\"\n  }\n}\n", host, url)
	}
	return b.String()
}

func providerAddresses() []string {
	var out []string
	for _, host := range hostnames {
		out = append(out, host+"/"+namespace+"/"+typeName)
	}
	return out
}

// TestRelease_installsFromMirrorsAndRegistry installs the snapshot with every CLI from every source, checks the
// lock file, applies the quickstart against the emulators once per CLI, and refuses a tampered archive.
func TestRelease_installsFromMirrorsAndRegistry(t *testing.T) {
	r := loadRelease(t)
	s := startServer(t, r)
	caFile := writeCA(t, s)
	for name, cli := range clis(t) {
		t.Run(name, func(t *testing.T) {
			h1s := map[string]string{}
			var registry installation
			for _, inst := range installations(t, s, r) {
				out, lock := initQuickstart(t, cli, inst, caFile, r.version)
				h1s[inst.name] = checkLockFile(t, lock, r, inst)
				t.Logf("%s init from the %s:\n%s", name, inst.name, lastLines(out, 8))
				if inst.name == "registry" {
					registry = inst
					checkSignatureReported(t, out, r)
				}
			}
			checkSameHashes(t, h1s)
			applyQuickstart(t, cli, registry, caFile, r.version)
			refuseTamperedArchive(t, s, cli, registry, caFile)
		})
	}
}

// initQuickstart runs `init` of the quickstart in a new folder and returns its output and the lock file it wrote.
func initQuickstart(t *testing.T, cli string, inst installation, caFile, version string) (string, string) {
	t.Helper()
	out, lock, err := runInit(t, cli, inst, caFile, version)
	if err != nil {
		t.Fatalf("init from the %s failed: %v\n%s", inst.name, err, out)
	}
	return out, lock
}

// quickstartSource is how the quickstart names the provider in required_providers.
const quickstartSource = `source = "vbaws/vbaws"`

// pinVersion adds version to the provider's requirement, as a user must to install a prerelease: init never picks
// one as the newest version.
func pinVersion(t *testing.T, mainTF []byte, version string) []byte {
	t.Helper()
	if !bytes.Contains(mainTF, []byte(quickstartSource)) {
		t.Fatalf("the quickstart's main.tf has no %s to pin", quickstartSource)
	}
	pinned := fmt.Sprintf("%s\n      version = %q", quickstartSource, "="+version)
	return bytes.Replace(mainTF, []byte(quickstartSource), []byte(pinned), 1)
}

// runInit runs `init` of the quickstart, with version pinned, in a new folder.
func runInit(t *testing.T, cli string, inst installation, caFile, version string) (out, lock string, err error) {
	t.Helper()
	dir := t.TempDir()
	src := pinVersion(t, mustRead(t, filepath.Join(repoRoot(t), "examples", "quickstart", "main.tf")), version)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cli, "-chdir="+dir, "init", "-input=false", "-no-color")
	cmd.Env = cliEnv(t, inst, caFile)
	combined, err := cmd.CombinedOutput()
	if err != nil {
		return string(combined), "", err
	}
	written, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
	if err != nil {
		return string(combined), "", fmt.Errorf("init wrote no lock file: %w", err)
	}
	return string(combined), string(written), nil
}

// cliEnv is the environment of a CLI run: no plugin cache, no dev_overrides, the loopback server's certificate.
func cliEnv(t *testing.T, inst installation, caFile string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || name == "SSL_CERT_FILE" || name == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+inst.cliConfig, "SSL_CERT_FILE="+caFile, "HOME="+t.TempDir(),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
}

var lockHashes = regexp.MustCompile(`"((?:h1|zh):[^"]+)"`)

// checkLockFile checks that the lock file pins the release's version with an h1: hash and, from the registry,
// the zh: hash of the archive that SHA256SUMS lists; it returns the h1: hashes.
func checkLockFile(t *testing.T, lock string, r release, inst installation) string {
	t.Helper()
	if !strings.Contains(lock, fmt.Sprintf("version     = %q", r.version)) &&
		!strings.Contains(lock, fmt.Sprintf("version = %q", r.version)) {
		t.Fatalf("lock file from the %s does not pin %s:\n%s", inst.name, r.version, lock)
	}
	var h1, zh []string
	for _, m := range lockHashes.FindAllStringSubmatch(lock, -1) {
		if strings.HasPrefix(m[1], "h1:") {
			h1 = append(h1, m[1])
		} else {
			zh = append(zh, m[1])
		}
	}
	if len(h1) == 0 {
		t.Fatalf("lock file from the %s has no h1: hash:\n%s", inst.name, lock)
	}
	if inst.name == "registry" {
		want := "zh:" + sha256Hex(r.zip)
		if len(zh) == 0 || !contains(zh, want) {
			t.Fatalf("lock file from the registry lacks %s (the archive's SHA256SUMS line):\n%s", want, lock)
		}
	}
	sort.Strings(h1)
	return strings.Join(h1, " ")
}

// checkSameHashes checks that every source yields the same h1: hashes for this platform's package.
func checkSameHashes(t *testing.T, h1s map[string]string) {
	t.Helper()
	want := h1s["registry"]
	for name, got := range h1s {
		if got != want {
			t.Fatalf("the sources disagree on the package's h1: hashes: the %s recorded %s, the registry %s",
				name, got, want)
		}
	}
}

func checkSignatureReported(t *testing.T, out string, r release) {
	t.Helper()
	shortID := r.keyID[len(r.keyID)-16:]
	if !strings.Contains(strings.ToUpper(out), shortID) {
		t.Fatalf("init from the registry does not report the signing key %s:\n%s", shortID, out)
	}
}

// applyQuickstart walks the quickstart through plan, apply, an empty plan and destroy against moto and the
// appliance emulator (scripts/demo.sh), installing the provider from the registry.
func applyQuickstart(t *testing.T, cli string, inst installation, caFile, version string) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "demo.sh"))
	cmd.Env = append(cliEnv(t, inst, caFile), "TERRAFORM="+cli, "VBAWS_DEMO_CLI_CONFIG="+inst.cliConfig,
		"VBAWS_DEMO_PROVIDER_VERSION="+version, "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the quickstart did not apply with the installed release: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "A second plan must show no changes") {
		t.Fatalf("the demo did not reach its second plan:\n%s", out)
	}
	t.Logf("quickstart applied, planned empty and destroyed with the installed release:\n%s", lastLines(string(out), 6))
}

// refuseTamperedArchive serves an altered archive whose SHA256SUMS matches it but whose signature does not, from
// the registry.
func refuseTamperedArchive(t *testing.T, s *server, cli string, inst installation, caFile string) {
	t.Helper()
	s.tampered.Store(true)
	defer s.tampered.Store(false)
	out, _, err := runInit(t, cli, inst, caFile, s.release.version)
	if err == nil {
		t.Fatalf("init installed a tampered archive from the registry:\n%s", out)
	}
	if !regexp.MustCompile(`(?i)signature|checksum|authentication`).MatchString(out) {
		t.Fatalf("init refused the tampered archive without naming the signature or checksum:\n%s", out)
	}
	t.Logf("tampered archive refused: %s", lastLines(out, 4))
}

func writeCA(t *testing.T, s *server) string {
	path := filepath.Join(t.TempDir(), "loopback-ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(path, block, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func clis(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(mustEnv(t, envCLIs), ",") {
		name, path, ok := strings.Cut(pair, "=")
		if !ok {
			t.Fatalf("%s: want name=path pairs, got %q", envCLIs, pair)
		}
		out[name] = path
	}
	return out
}

func repoRoot(t *testing.T) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func mustEnv(t *testing.T, name string) string {
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the release test with make release-test", name)
	}
	return v
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func contains(list []string, want string) bool {
	for _, v := range list {
		if v == want {
			return true
		}
	}
	return false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
