package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// Targets of the refresh part of `make bench` (issue 23).
const (
	benchRoles            = 1000
	benchRefreshCalls     = 10 // at most, for the whole refresh of benchRoles roles
	benchLatency          = 50 * time.Millisecond
	benchWallRatio        = 0.2 // at most, auto against per_resource with benchLatency per IAM call
	benchFewRoles         = 3
	benchOtherRoles       = 2000
	benchFewRolesCalls    = 6 // at most
	benchRefreshRoundsEnv = "VBAWS_BENCH_REFRESH_ROUNDS"
)

// The refresh part of `make bench`, skipped unless VBAWS_BENCH=1: a real `terraform plan -refresh-only` of
// benchRoles roles (half with a template part and an instance profile) in an account of their own, counted and
// timed through the recording proxy in both refresh modes, with and without benchLatency added to every IAM call,
// alternately in one run. Then benchFewRoles roles in an account holding benchOtherRoles others. It prints
// "bench:" lines and fails when a call target is missed; the wall-time ratio is printed against its target.
func TestAccBench_refreshAtScale(t *testing.T) {
	if os.Getenv("VBAWS_BENCH") != "1" {
		t.Skip("a benchmark of make bench; set VBAWS_BENCH=1")
	}
	t.Run("large state", benchLargeState)
	t.Run("small state in a large account", benchSmallStateInLargeAccount)
}

func benchLargeState(t *testing.T) {
	account := acctest.RandomAccountID()
	client := acctest.IAMClientIn(t, account)
	proxy := acctest.NewProxy(t)
	cli := installedCLI(t)
	prefix := acctest.RandomName("vbaws-bench")
	appliance := fixtureRole(t, client, prefix+"-appliance", "/", ec2TrustPolicy, nil)
	config := func(mode string) string {
		return acctest.WithRefreshMode(acctest.ProviderConfigInAccount(proxy.URL, account), mode) + fmt.Sprintf(`
resource "vbaws_role_template" "tpl" {
  name       = "%[1]s-tpl"
  operations = ["ec2_backup"]
}
resource "vbaws_iam_role" "r" {
  count                   = %[2]d
  name                    = "%[1]s-${count.index}"
  path                    = "/veeam/"
  trusted_principal_arns  = [%[3]q]
  managed_policy_arns     = count.index %% 2 == 1 ? vbaws_role_template.tpl.policy_arns : null
  create_instance_profile = count.index %% 2 == 1
}`, prefix, benchRoles, appliance)
	}
	writeMain(t, cli, config("per_resource"))
	start := time.Now()
	cli.MustRun("apply", "-auto-approve", "-parallelism=20", "-no-color")
	t.Logf("applied %d roles in %s", benchRoles, time.Since(start).Round(time.Second))
	// The account is this benchmark's own and ends with the emulator: destroying 1,000 roles would only add time.

	perResource := timedRefresh(t, cli, proxy, config("per_resource"))
	auto := timedRefresh(t, cli, proxy, config("auto"))
	t.Logf("bench: refresh of %d roles (half with a template part and an instance profile), IAM calls: "+
		"per_resource %d, auto %d (target <= %d) %v", benchRoles, total(perResource.calls), total(auto.calls),
		benchRefreshCalls, auto.calls)
	if total(auto.calls) > benchRefreshCalls {
		t.Errorf("the refresh made %d IAM calls, target %d", total(auto.calls), benchRefreshCalls)
	}

	var floor, slow, fast []float64
	for range rounds() {
		proxy.SetLatency(0)
		floor = append(floor, timedRefresh(t, cli, proxy, config("auto")).seconds)
		proxy.SetLatency(benchLatency)
		slow = append(slow, timedRefresh(t, cli, proxy, config("per_resource")).seconds)
		fast = append(fast, timedRefresh(t, cli, proxy, config("auto")).seconds)
	}
	proxy.SetLatency(0)
	base, ratio := median(floor), median(fast)/median(slow)
	t.Logf("bench: refresh of %d roles with %s per IAM call, wall time (median of %d): per_resource %.2f s, "+
		"auto %.2f s, %.2fx (target <= %.2fx: %s); auto without the added latency %.2f s, so the time spent "+
		"waiting for IAM is per_resource %.2f s, auto %.2f s (%.2fx)", benchRoles, benchLatency, len(fast),
		median(slow), median(fast), ratio, benchWallRatio, verdict(ratio <= benchWallRatio), base,
		median(slow)-base, max(0, median(fast)-base), max(0, median(fast)-base)/(median(slow)-base))
}

// verdict prints whether a timing target was met; timings are reported, never asserted.
func verdict(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

func benchSmallStateInLargeAccount(t *testing.T) {
	account := acctest.RandomAccountID()
	client := acctest.IAMClientIn(t, account)
	proxy := acctest.NewProxy(t)
	cli := installedCLI(t)
	createRoles(t, client, acctest.RandomName("vbaws-other"), benchOtherRoles)
	prefix := acctest.RandomName("vbaws-few")
	part := fixturePolicy(t, client, allowEverything)
	// Like the large state: every other role has a managed policy and an instance profile.
	writeMain(t, cli, acctest.ProviderConfigInAccount(proxy.URL, account)+fmt.Sprintf(`
resource "vbaws_iam_role" "few" {
  count                    = %[1]d
  name                     = "%[2]s-${count.index}"
  trusted_principal_arns   = ["arn:aws:iam::%[3]s:root"]
  acknowledge_account_root = true
  managed_policy_arns      = count.index %% 2 == 1 ? [%[4]q] : null
  create_instance_profile  = count.index %% 2 == 1
}`, benchFewRoles, prefix, account, part))
	cli.MustRun("apply", "-auto-approve", "-no-color")
	defer cli.MustRun("destroy", "-auto-approve", "-no-color")
	refresh := timedRefresh(t, cli, proxy, "")
	t.Logf("bench: refresh of %d roles in an account holding %d others, IAM calls: %d (target <= %d) %v",
		benchFewRoles, benchOtherRoles, total(refresh.calls), benchFewRolesCalls, refresh.calls)
	if total(refresh.calls) > benchFewRolesCalls {
		t.Errorf("the refresh made %d IAM calls, target %d", total(refresh.calls), benchFewRolesCalls)
	}
}

// refreshRun is one `terraform plan -refresh-only`: its wall time and the IAM calls it made.
type refreshRun struct {
	seconds float64
	calls   map[string]int
}

// installedCLI runs Terraform against the provider binary, one process per command with logging off, as users
// run it (see acctest.NewInstalledCLI), rather than against the provider served by the test binary.
func installedCLI(t *testing.T) *acctest.CLI {
	return acctest.NewInstalledCLI(t, t.TempDir())
}

// writeMain writes config, with the provider's registry address, as the working directory's configuration.
func writeMain(t *testing.T, cli *acctest.CLI, config string) {
	t.Helper()
	required := "terraform {\n  required_providers {\n    vbaws = { source = \"vbaws/vbaws\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(cli.Dir, "main.tf"), []byte(required+config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// timedRefresh writes config (unless empty) and times one `terraform plan -refresh-only` through the proxy.
func timedRefresh(t *testing.T, cli *acctest.CLI, proxy *acctest.Proxy, config string) refreshRun {
	t.Helper()
	if config != "" {
		writeMain(t, cli, config)
	}
	proxy.Reset()
	start := time.Now()
	cli.MustRun("plan", "-refresh-only", "-lock=false", "-no-color")
	return refreshRun{seconds: time.Since(start).Seconds(), calls: iamCalls(proxy.Calls())}
}

// rounds is how many timed plans of each kind the latency comparison makes, alternately
// (VBAWS_BENCH_REFRESH_ROUNDS, 3 unless set).
func rounds() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(benchRefreshRoundsEnv), &n); err != nil || n < 1 {
		return 3
	}
	return n
}

func median(values []float64) float64 {
	sorted := slices.Sorted(slices.Values(values))
	return sorted[len(sorted)/2]
}
