// Package acctest is the shared acceptance-test harness: it starts one moto_server per test binary on a free
// loopback port, finds the Terraform CLI without ever downloading it, and offers a recording, fault-injecting proxy
// in front of the emulator. With VBAWS_ACC_REAL_AWS=1 the same tests run against a real AWS account instead.
package acctest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

const (
	// Region is the region acceptance tests configure.
	Region = "us-east-1"
	// emulatorStartTimeout bounds how long moto_server may take to answer its first request.
	emulatorStartTimeout = 60 * time.Second
)

// harness is the state TestMain sets up once per test binary.
var harness struct {
	endpoint   string // moto's base URL; empty against real AWS
	skipReason string // why acceptance tests skip locally; empty when they can run
}

// Main wraps testing.M.Run for a package with acceptance tests: with TF_ACC set it locates Terraform, starts
// moto_server (unless VBAWS_ACC_REAL_AWS=1) and stops it after the tests. Use it as
// `func TestMain(m *testing.M) { os.Exit(acctest.Main(m)) }`.
func Main(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	stop, err := setUp()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "acceptance tests cannot run: %v\n", err)
			return 1
		}
		harness.skipReason = err.Error()
		fmt.Fprintf(os.Stderr, "acceptance tests will be skipped: %v\n", err)
	}
	defer stop()
	return m.Run()
}

func setUp() (stop func(), err error) {
	stop = func() {}
	if err := locateTerraform(); err != nil {
		return stop, err
	}
	if RealAWS() {
		return stop, nil
	}
	moto, err := findMoto()
	if err != nil {
		return stop, err
	}
	cmd, endpoint, err := startMoto(moto)
	if err != nil {
		return stop, err
	}
	harness.endpoint = endpoint
	return func() { stopProcess(cmd) }, nil
}

// RealAWS reports whether acceptance tests run against a real AWS account (VBAWS_ACC_REAL_AWS=1).
func RealAWS() bool { return os.Getenv("VBAWS_ACC_REAL_AWS") == "1" }

// PreCheck skips the test when TF_ACC is unset, as terraform-plugin-testing does, or when the harness could not
// start locally. With CI=true Main has already failed instead.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run only with TF_ACC=1")
	}
	if harness.skipReason != "" {
		t.Skip(harness.skipReason)
	}
}

// Endpoint is the base URL of the shared emulator, or "" against real AWS.
func Endpoint() string { return harness.endpoint }

// locateTerraform makes terraform-plugin-testing use a local Terraform: TF_ACC_TERRAFORM_PATH if set, else the one
// on PATH. It never lets the testing framework download one.
func locateTerraform() error {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s: %w", p, err)
		}
		return nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("the terraform CLI is not on PATH; install Terraform or set TF_ACC_TERRAFORM_PATH")
	}
	return os.Setenv("TF_ACC_TERRAFORM_PATH", p)
}

// findMoto looks for moto_server on PATH, then in pyenv's shims (shell rc files may not have run in CI).
func findMoto() (string, error) {
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	roots := []string{os.Getenv("PYENV_ROOT")}
	if home, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(home, ".pyenv"))
	}
	for _, root := range roots {
		if root == "" {
			continue
		}
		p := filepath.Join(root, "shims", "moto_server")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New(
		"moto_server was not found on PATH or in pyenv's shims; install it with `pip install 'moto[server]'`",
	)
}

func startMoto(path string) (*exec.Cmd, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if os.Getenv("VBAWS_ACC_MOTO_LOG") != "" {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting %s: %w", path, err)
	}
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitForHTTP(endpoint, emulatorStartTimeout); err != nil {
		stopProcess(cmd)
		return nil, "", fmt.Errorf("moto_server did not start: %w", err)
	}
	return cmd, endpoint, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", l.Addr())
	}
	return addr.Port, nil
}

func waitForHTTP(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s within %s: %w", url, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func stopProcess(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}
