package main

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

// emulator is a moto_server planbench started on a free loopback port.
type emulator struct {
	cmd      *exec.Cmd
	endpoint string
}

func startMoto(path string) (*emulator, error) {
	if path == "" {
		var err error
		if path, err = findMoto(); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	e := &emulator{cmd: cmd, endpoint: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(e.endpoint + "/moto-api/"); err == nil {
			_ = resp.Body.Close()
			return e, nil
		}
	}
	e.stop()
	return nil, errors.New("moto_server did not answer within a minute")
}

func findMoto() (string, error) {
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	home, _ := os.UserHomeDir()
	for _, root := range []string{os.Getenv("PYENV_ROOT"), filepath.Join(home, ".pyenv")} {
		p := filepath.Join(root, "shims", "moto_server")
		if _, err := os.Stat(p); root != "" && err == nil {
			return p, nil
		}
	}
	return "", errors.New("moto_server is not on PATH or in pyenv's shims (pip install 'moto[server]')")
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

// stop ends moto_server and its process group.
func (e *emulator) stop() {
	if e.cmd.Process == nil || e.cmd.ProcessState != nil {
		return
	}
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
	_ = e.cmd.Wait()
}
