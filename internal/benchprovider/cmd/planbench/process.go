package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// served is a provider process started by planbench in debug mode, which Terraform reattaches to and never stops.
type served struct {
	cmd      *exec.Cmd
	reattach string
	logs     *logCounter
	done     chan struct{}
}

// logCounter counts the lines and bytes a provider writes to stderr, and the lines of its own AWS call log.
type logCounter struct {
	mu     sync.Mutex
	counts logCounts
}

// logCounts are the totals: every line, every byte, the AWS call lines and the framework's (sdk.*) lines.
type logCounts struct {
	lines, bytes, awsCall, framework int
}

func (c *logCounter) snapshot() logCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts
}

func (c *logCounter) consume(r io.Reader) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		line := scanner.Bytes()
		c.mu.Lock()
		c.counts.lines++
		c.counts.bytes += len(line) + 1
		if bytes.Contains(line, []byte(`"@message":"AWS call"`)) {
			c.counts.awsCall++
		}
		if bytes.Contains(line, []byte(`"@module":"sdk.`)) {
			c.counts.framework++
		}
		c.mu.Unlock()
	}
}

// serve starts the provider binary in debug mode with logEnv and waits for its reattach configuration.
func serve(binary string, logEnv []string) (*served, error) {
	cmd := exec.Command(binary, "-debug")
	cmd.Env = append(cleanEnv(), logEnv...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &served{cmd: cmd, logs: &logCounter{}, done: make(chan struct{})}
	go func() { s.logs.consume(stderr); close(s.done) }()
	found := make(chan string, 1)
	go func() { found <- reattachLine(stdout); _, _ = io.Copy(io.Discard, stdout) }()
	select {
	case s.reattach = <-found:
	case <-time.After(30 * time.Second):
	}
	if s.reattach == "" {
		s.stop()
		return nil, fmt.Errorf("%s -debug printed no TF_REATTACH_PROVIDERS", binary)
	}
	return s, nil
}

// reattachLine reads the provider's debug banner up to the TF_REATTACH_PROVIDERS='...' line.
func reattachLine(r io.Reader) string {
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if value, ok := strings.CutPrefix(line, "TF_REATTACH_PROVIDERS='"); ok {
			return strings.ReplaceAll(strings.TrimSuffix(value, "'"), `'"'"'`, `'`)
		}
	}
	return ""
}

// peakRSS reads the process's high-water mark of resident memory, in KiB, from /proc.
func (s *served) peakRSS() (int, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kib int
			_, err := fmt.Sscanf(strings.TrimSpace(value), "%d kB", &kib)
			return kib, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", s.cmd.Process.Pid)
}

func (s *served) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	_ = s.cmd.Wait()
}

// processReport is what one plan against a served provider shows.
type processReport struct {
	label   string
	seconds float64
	rssKiB  int
	logs    logCounts
}

// reportProcess plans n roles against vbaws served by planbench, with default settings and with TF_LOG=TRACE, and
// prints the provider's peak RSS and its log output.
func (b *bench) reportProcess(n int) error {
	dir, err := b.writeConfig(variant{name: "vbaws served", resource: iamRole, provider: b.vbawsProvider()}, n)
	if err != nil {
		return err
	}
	fmt.Printf("\nvbaws provider process during one plan of %d new roles (served by planbench, reattached)\n", n)
	fmt.Printf("  %-22s %8s %12s %10s %12s %10s %10s\n", "settings", "plan", "peak RSS", "log lines", "log bytes",
		"sdk.*", "AWS call")
	settings := []struct {
		label string
		env   []string
	}{{"default (no TF_LOG*)", nil}, {"TF_LOG=TRACE", []string{"TF_LOG=TRACE"}}}
	for _, s := range settings {
		report, err := b.planServed(dir, s.label, s.env)
		if err != nil {
			return err
		}
		fmt.Printf("  %-22s %8s %8.1f MiB %10d %12d %10d %10d\n", report.label, fmtSeconds(report.seconds),
			float64(report.rssKiB)/1024, report.logs.lines, report.logs.bytes, report.logs.framework,
			report.logs.awsCall)
	}
	return nil
}

func (b *bench) planServed(dir, label string, logEnv []string) (processReport, error) {
	provider, err := serve(b.opts.vbaws, logEnv)
	if err != nil {
		return processReport{}, err
	}
	defer provider.stop()
	env := append([]string{"TF_REATTACH_PROVIDERS=" + provider.reattach}, logEnv...)
	cmd := b.terraform(dir, env, "plan", "-refresh=false", "-input=false", "-lock=false", "-no-color")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return processReport{}, fmt.Errorf("terraform plan against the served provider: %w\n%s", err, stderr.String())
	}
	report := processReport{label: label, seconds: time.Since(start).Seconds()}
	if report.rssKiB, err = provider.peakRSS(); err != nil {
		return report, err
	}
	provider.stop()
	report.logs = provider.logs.snapshot()
	return report, nil
}
