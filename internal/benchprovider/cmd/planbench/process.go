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
	"syscall"
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

// cpuSeconds reads the user and system time the process has used so far from /proc (in clock ticks of 1/100 s).
func (s *served) cpuSeconds() (float64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces; the fields after it are space-separated.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", s.cmd.Process.Pid)
	}
	var user, system float64
	if _, err := fmt.Sscan(fields[11], &user); err != nil {
		return 0, err
	}
	if _, err := fmt.Sscan(fields[12], &system); err != nil {
		return 0, err
	}
	return (user + system) / 100, nil
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
	label                   string
	seconds                 float64
	terraformCPU, serverCPU float64
	rssKiB                  int
	logs                    logCounts
}

// servedPlan is one configuration planned against a provider served by planbench.
type servedPlan struct {
	label, binary string
	variant       variant
	env           []string
}

// reportProcess plans n resources against providers served by planbench, so that Terraform's CPU and the
// provider's are measured apart: vbaws with default settings and with TF_LOG=TRACE, and the two no-op floors. It
// prints the provider's peak RSS and its log output.
func (b *bench) reportProcess(n int) error {
	plans := []servedPlan{
		{"vbaws, default (no TF_LOG*)", b.opts.vbaws, b.vbawsVariant(), nil},
		{"vbaws, TF_LOG=TRACE", b.opts.vbaws, b.vbawsVariant(), []string{"TF_LOG=TRACE"}},
		{"noop, framework logging off", b.opts.noop, variant{name: "noop served", resource: noop}, quietFramework},
		{"wide noop, logging off", b.opts.noop, variant{name: "wide served", resource: wide}, quietFramework},
	}
	fmt.Printf("\nProviders served by planbench during one plan of %d new resources (Terraform reattached)\n", n)
	fmt.Printf("  %-30s %7s %9s %9s %11s %9s %11s %7s %5s\n", "provider, settings", "plan", "TF CPU", "prov CPU",
		"peak RSS", "log lines", "log bytes", "sdk.*", "AWS")
	for _, plan := range plans {
		dir, err := b.writeConfig(plan.variant, n)
		if err != nil {
			return err
		}
		report, err := b.planServed(dir, plan)
		if err != nil {
			return err
		}
		fmt.Printf("  %-30s %7s %9s %9s %7.1f MiB %9d %11d %7d %5d\n", report.label, fmtSeconds(report.seconds),
			fmtSeconds(report.terraformCPU), fmtSeconds(report.serverCPU), float64(report.rssKiB)/1024,
			report.logs.lines, report.logs.bytes, report.logs.framework, report.logs.awsCall)
	}
	return nil
}

func (b *bench) vbawsVariant() variant {
	return variant{name: "vbaws served", resource: iamRole, provider: b.vbawsProvider()}
}

func (b *bench) planServed(dir string, plan servedPlan) (processReport, error) {
	provider, err := serve(plan.binary, plan.env)
	if err != nil {
		return processReport{}, err
	}
	defer provider.stop()
	startCPU, err := provider.cpuSeconds()
	if err != nil {
		return processReport{}, err
	}
	env := append([]string{"TF_REATTACH_PROVIDERS=" + provider.reattach}, plan.env...)
	cmd := b.terraform(dir, env, "plan", "-refresh=false", "-input=false", "-lock=false", "-no-color")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return processReport{}, fmt.Errorf("terraform plan against the served provider: %w\n%s", err, stderr.String())
	}
	report := processReport{label: plan.label, seconds: time.Since(start).Seconds()}
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		report.terraformCPU = seconds(usage.Utime) + seconds(usage.Stime)
	}
	endCPU, err := provider.cpuSeconds()
	if err != nil {
		return report, err
	}
	report.serverCPU = endCPU - startCPU
	if report.rssKiB, err = provider.peakRSS(); err != nil {
		return report, err
	}
	provider.stop()
	report.logs = provider.logs.snapshot()
	return report, nil
}
