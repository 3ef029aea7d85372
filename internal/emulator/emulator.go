// Package emulator starts and stops moto_server, the IAM and STS emulator the acceptance tests and the plan
// benchmark run against. It has no test or Terraform imports.
package emulator

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
	"time"
)

// startTimeout bounds how long moto_server may take to answer its first request.
const startTimeout = 60 * time.Second

// Start starts moto_server (path, or found on PATH or in pyenv's shims when path is "") on a free
// loopback port and returns its endpoint and the function that stops it. The acceptance
// harness and the plan benchmark use it.
func Start(path string) (endpoint string, stop func(), err error) {
	if path == "" {
		if path, err = findMoto(); err != nil {
			return "", nil, err
		}
	}
	cmd, endpoint, err := startMoto(path)
	if err != nil {
		return "", nil, err
	}
	return endpoint, func() { stopProcess(cmd) }, nil
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
	if err := waitForHTTP(endpoint, startTimeout); err != nil {
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
