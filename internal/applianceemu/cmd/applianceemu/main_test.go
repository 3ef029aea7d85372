package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildCommand builds applianceemu into a temporary folder, as the guide tells users to.
func buildCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "applianceemu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestCommand_refusesToCheckRolesWithoutAWSCredentials(t *testing.T) {
	t.Parallel()
	bin := buildCommand(t)
	for name, env := range map[string][]string{
		"empty environment": {},
		"secret key only":   {"AWS_SECRET_ACCESS_KEY=testing", "AWS_REGION=us-east-1"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-moto", "http://127.0.0.1:5000")
			cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil || cmd.ProcessState.ExitCode() == 0 {
					t.Errorf("exit status 0, want a refusal; output:\n%s", out.String())
				}
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running after 20s: it started without AWS credentials; output:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "AWS_ACCESS_KEY_ID") || strings.Contains(out.String(), "emulated Veeam") {
				t.Errorf("the refusal does not name AWS_ACCESS_KEY_ID, or the appliance started:\n%s", out.String())
			}
		})
	}
}

func TestCommand_startsWithAWSCredentials(t *testing.T) {
	t.Parallel()
	bin := buildCommand(t)
	urlFile := filepath.Join(t.TempDir(), "url")
	var out bytes.Buffer
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-moto", "http://127.0.0.1:5000", "-url-file", urlFile)
	cmd.Env = []string{"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing"}
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if url, err := os.ReadFile(urlFile); err == nil && strings.HasPrefix(string(url), "https://127.0.0.1:") {
			return
		}
	}
	t.Fatalf("no URL written within 20s with AWS credentials set; output:\n%s", out.String())
}

func TestRequireAWSSettings_onlyWhenCheckingRolesInMoto(t *testing.T) {
	t.Parallel()
	none := func(string) string { return "" }
	if err := requireAWSSettings("", none); err != nil {
		t.Errorf("without -moto the emulator needs no AWS settings, got %v", err)
	}
	err := requireAWSSettings("http://127.0.0.1:5000", none)
	if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") {
		t.Errorf("with -moto and no keys: %v, want both variables named", err)
	}
}
