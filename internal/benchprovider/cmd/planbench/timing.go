package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// bench holds what every plan shares: the options, a scratch directory and the emulator's endpoint.
type bench struct {
	opts     options
	work     string
	endpoint string
	clirc    string // CLI configuration with dev_overrides for vbaws and the no-op provider
	before   string // the same with the -before binary of vbaws
}

// result is the timings of one variant at one size: wall-clock seconds and CPU seconds (user and system, of
// Terraform and every process it waited for, the provider included).
type result struct {
	name         string
	seconds, cpu []float64
}

func median(values []float64) float64 {
	s := slices.Clone(values)
	slices.Sort(s)
	return s[len(s)/2]
}

// installProviders writes CLI configurations with dev_overrides for both providers, so that no init is needed.
func (b *bench) installProviders() (err error) {
	if b.clirc, err = b.cliConfig("current", b.opts.vbaws); err != nil || b.opts.before == "" {
		return err
	}
	b.before, err = b.cliConfig("before", b.opts.before)
	return err
}

func (b *bench) cliConfig(label, vbaws string) (string, error) {
	dir := filepath.Join(b.work, "providers-"+label)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for name, src := range map[string]string{"vbaws": vbaws, "vbawsbench": b.opts.noop} {
		if err := os.Symlink(src, filepath.Join(dir, "terraform-provider-"+name)); err != nil {
			return "", err
		}
	}
	clirc := filepath.Join(b.work, "terraformrc-"+label)
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "vbaws/vbaws"      = %[1]q
    "vbaws/vbawsbench" = %[1]q
  }
  direct {}
}
`, dir)
	return clirc, os.WriteFile(clirc, []byte(rc), 0o600)
}

// timeVariants plans every variant opts.runs times, alternating between them, after one warm-up round.
func (b *bench) timeVariants(n int) ([]result, error) {
	variants := b.variants()
	dirs := make([]string, len(variants))
	results := make([]result, len(variants))
	for i, v := range variants {
		dir, err := b.writeConfig(v, n)
		if err != nil {
			return nil, err
		}
		dirs[i], results[i].name = dir, v.name
	}
	for round := -1; round < b.opts.runs; round++ {
		for i, v := range variants {
			seconds, cpu, err := b.timePlan(dirs[i], v)
			if err != nil {
				return nil, fmt.Errorf("%s, %d resources: %w", v.name, n, err)
			}
			if round >= 0 {
				results[i].seconds = append(results[i].seconds, seconds)
				results[i].cpu = append(results[i].cpu, cpu)
			}
		}
	}
	return results, nil
}

// timePlan runs one `terraform plan -refresh=false` and returns its wall-clock and CPU time in seconds.
func (b *bench) timePlan(dir string, v variant) (wall, cpu float64, err error) {
	cmd := b.terraform(dir, v.env, "plan", "-refresh=false", "-input=false", "-lock=false", "-no-color")
	if v.before {
		cmd.Env = append(cmd.Env, "TF_CLI_CONFIG_FILE="+b.before)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("terraform plan: %w\n%s", err, stderr.String())
	}
	wall = time.Since(start).Seconds()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu = seconds(usage.Utime) + seconds(usage.Stime)
	}
	return wall, cpu, nil
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// terraform prepares a Terraform command in dir with a clean environment plus logEnv.
func (b *bench) terraform(dir string, logEnv []string, args ...string) *exec.Cmd {
	cmd := exec.Command(b.opts.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "TF_CLI_CONFIG_FILE="+b.clirc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	cmd.Env = append(cmd.Env, logEnv...)
	return cmd
}

// cleanEnv is the environment without any Terraform log variable, as most users run plans.
func cleanEnv() []string {
	var env []string
	for _, entry := range os.Environ() {
		if !strings.HasPrefix(entry, "TF_") {
			env = append(env, entry)
		}
	}
	return env
}

func printTimes(n int, results []result) {
	fmt.Printf("\nterraform plan -refresh=false, %d new resources (median of %d runs, alternating)\n",
		n, len(results[0].seconds))
	printTable("wall clock", results, func(r result) []float64 { return r.seconds })
	printTable("CPU (user+sys, Terraform and provider)", results, func(r result) []float64 { return r.cpu })
}

// printTable prints one measure of every variant with its ratios to Terraform core (the first variant), to the
// framework's floor (the second) and to the framework's floor at vbaws_iam_role's width (the third).
func printTable(measure string, results []result, values func(result) []float64) {
	core, floor, wide := median(values(results[0])), median(values(results[1])), median(values(results[2]))
	fmt.Printf("  %s\n  %-40s %8s %8s %11s %13s   %s\n", measure, "variant", "median", "× core", "× fw floor",
		"× wide floor", "runs")
	for _, r := range results {
		m := median(values(r))
		fmt.Printf("  %-40s %8s %7.2f× %10.2f× %12.2f×   %s\n", r.name, fmtSeconds(m), m/core, m/floor, m/wide,
			runs(values(r)))
	}
}

func runs(seconds []float64) string {
	parts := make([]string, len(seconds))
	for i, s := range seconds {
		parts[i] = fmt.Sprintf("%.2f", s)
	}
	return strings.Join(parts, " ")
}
