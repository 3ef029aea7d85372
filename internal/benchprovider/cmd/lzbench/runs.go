package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// bench holds what every run shares: the options, a scratch directory and the counting proxy in front of moto.
type bench struct {
	opts  options
	work  string
	calls *callCounter
}

// scenario is a number of provider configurations with a number of resources each.
type scenario struct{ configurations, resources int }

// variant is one provider, installed through its own CLI configuration, and how it writes a configuration.
type variant struct {
	name   string
	clirc  string
	pids   string
	config func(s scenario, accounts []string) string
}

// phase is one Terraform command of a run: plan of new resources, apply, refresh plan.
type phase struct {
	name string
	args []string
	// want is the exit code that says the command did what it should (2: -detailed-exitcode found changes).
	want int
}

var phases = []phase{
	{"plan (new)", []string{"plan", "-out=tfplan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode"}, 2},
	{"apply", []string{"apply", "-input=false", "-lock=false", "-no-color", "tfplan"}, 0},
	{"refresh plan", []string{"plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode"}, 0},
}

// measurement is what one phase of one run shows.
type measurement struct {
	seconds, cpu float64
	processes    int
	// peak is the peak of the provider processes' summed resident memory, and of its anonymous part.
	peak  residence
	calls int
	// awsSeconds is how long moto took to answer the calls, summed (calls in parallel count each).
	awsSeconds float64
}

// The names of the floor and of vbaws under test in the printed tables.
const (
	floorName = "no-op floor (vbawsbench_wide)"
	vbawsName = "vbaws_iam_role"
)

func (b *bench) variants() []variant {
	vs := []variant{{name: floorName, config: floorConfig}}
	vs = append(vs, variant{name: vbawsName, config: b.vbawsConfig})
	if b.opts.before != "" {
		vs = append(vs, variant{name: vbawsName + ", -before", config: b.vbawsConfig})
	}
	return vs
}

// install writes, for a variant, a directory of wrapped providers and a CLI configuration that installs them
// through dev_overrides, so that no init is needed.
func (b *bench) install(v *variant, label, vbaws string) error {
	dir := filepath.Join(b.work, "providers-"+label)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	v.pids = filepath.Join(b.work, "pids-"+label)
	for name, binary := range map[string]string{"vbaws": vbaws, "vbawsbench": b.opts.noop} {
		if err := wrap(dir, name, binary, v.pids); err != nil {
			return err
		}
	}
	v.clirc = filepath.Join(b.work, "terraformrc-"+label)
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/vbaws/vbaws"      = %[1]q
    "registry.terraform.io/vbaws/vbawsbench" = %[1]q
    "registry.opentofu.org/vbaws/vbaws"      = %[1]q
    "registry.opentofu.org/vbaws/vbawsbench" = %[1]q
  }
  direct {}
}
`, dir)
	return os.WriteFile(v.clirc, []byte(rc), 0o600)
}

// measure runs every variant opts.runs times, alternating, each run in a directory and accounts of its own.
func (b *bench) measure(s scenario) (map[string][][]measurement, error) {
	variants := b.variants()
	for i := range variants {
		binary := b.opts.vbaws
		if strings.HasSuffix(variants[i].name, "-before") {
			binary = b.opts.before
		}
		if err := b.install(&variants[i], fmt.Sprint(i), binary); err != nil {
			return nil, err
		}
	}
	results := map[string][][]measurement{}
	for run := range b.opts.runs {
		for i := range variants {
			v := variants[(i+run)%len(variants)]
			m, err := b.runOnce(v, s, fmt.Sprintf("%d-%d-%d", s.configurations, run, i))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.name, err)
			}
			results[v.name] = append(results[v.name], m)
		}
	}
	return results, nil
}

// runOnce writes the variant's configuration for fresh accounts and runs the phases in order.
func (b *bench) runOnce(v variant, s scenario, label string) ([]measurement, error) {
	dir := filepath.Join(b.work, "run-"+label)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	accounts := freshAccounts(s.configurations)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(v.config(s, accounts)), 0o600); err != nil {
		return nil, err
	}
	var ms []measurement
	for _, p := range phases {
		m, err := b.timed(b.opts.terraform, dir, v, p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// timed runs one phase and measures it.
func (b *bench) timed(cli, dir string, v variant, p phase) (measurement, error) {
	cmd := exec.Command(cli, p.args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "TF_CLI_CONFIG_FILE="+v.clirc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"AWS_ACCESS_KEY_ID=AKIAVBAWSBENCH000001", "AWS_SECRET_ACCESS_KEY=vbaws-bench-secret",
		"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL="+b.calls.url)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	b.calls.take()
	s, err := startSampler(v.pids)
	if err != nil {
		return measurement{}, err
	}
	start := time.Now()
	err = cmd.Run()
	calls, waiting := b.calls.take()
	m := measurement{seconds: time.Since(start).Seconds(), calls: calls, awsSeconds: waiting.Seconds()}
	m.processes, m.peak = s.finish()
	if code := cmd.ProcessState.ExitCode(); code != p.want {
		return m, fmt.Errorf("%s exited %d (%v), want %d:\n%s", p.name, code, err, p.want, out.String())
	}
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.cpu = seconds(usage.Utime) + seconds(usage.Stime)
	}
	return m, nil
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// cleanEnv is the environment without Terraform's or AWS's own variables.
func cleanEnv() []string {
	var env []string
	for _, entry := range os.Environ() {
		if !strings.HasPrefix(entry, "TF_") && !strings.HasPrefix(entry, "AWS_") {
			env = append(env, entry)
		}
	}
	return env
}

// freshAccounts are n emulator accounts no earlier run used: moto makes the caller act in the account of any role
// ARN it assumes.
func freshAccounts(n int) []string {
	base := 100_000_000_000 + rand.Int64N(800_000_000_000)
	accounts := make([]string, n)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("%012d", base+int64(i))
	}
	return accounts
}

const memberRole = "OrganizationAccountAccessRole"

const requiredProviders = `terraform {
  required_providers {
    vbaws      = { source = "vbaws/vbaws" }
    vbawsbench = { source = "vbaws/vbawsbench" }
  }
}
`

// vbawsConfig is one provider configuration per account, each assuming a role there, with its roles.
func (b *bench) vbawsConfig(s scenario, accounts []string) string {
	var c strings.Builder
	c.WriteString(requiredProviders)
	for i, account := range accounts {
		fmt.Fprintf(&c, `
provider "vbaws" {
  alias = "m%[1]d"
  assume_role {
    role_arn = "arn:aws:iam::%[2]s:role/%[3]s"
  }
}

resource "vbaws_iam_role" "m%[1]d" {
  provider               = vbaws.m%[1]d
  count                  = %[4]d
  name                   = "lz-bench-${count.index}"
  trusted_principal_arns = ["arn:aws:iam::123456789012:role/VeeamImpersonationRole"]
}
`, i, account, memberRole, s.resources)
	}
	return c.String()
}

// floorConfig is the same number of configurations of the no-op provider, with as many vbawsbench_wide.
func floorConfig(s scenario, accounts []string) string {
	var c strings.Builder
	c.WriteString(requiredProviders)
	for i := range accounts {
		fmt.Fprintf(&c, `
provider "vbawsbench" {
  alias = "m%[1]d"
}

resource "vbawsbench_wide" "m%[1]d" {
  provider               = vbawsbench.m%[1]d
  count                  = %[2]d
  name                   = "lz-bench-${count.index}"
  trusted_principal_arns = ["arn:aws:iam::123456789012:role/VeeamImpersonationRole"]
}
`, i, s.resources)
	}
	return c.String()
}
