package acctest

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Capability is a feature of the CLI under test that some tests need. It is found out by asking the CLI, never
// from its version number alone: OpenTofu 1.12 compares as newer than Terraform 1.11, yet has neither query nor
// actions.
type Capability struct {
	// Name is what the capability is called in VBAWS_ACC_CLI_CAPABILITIES and in skip messages.
	Name string
	// needs names the CLIs that have it, for skip messages.
	needs string
	// args run the probe in an empty directory; has reads its output and exit code.
	args []string
	has  func(out string, code int) bool
}

var (
	// Query is `terraform query` with list blocks (Terraform 1.14 and later).
	Query = Capability{Name: "query", needs: "Terraform 1.14 or later", args: []string{"query", "-help"},
		has: func(_ string, code int) bool { return code == 0 }}
	// Actions are action blocks, action_trigger and `-invoke` (Terraform 1.14 and later).
	Actions = Capability{Name: "actions", needs: "Terraform 1.14 or later",
		args: []string{"plan", "-no-color", "-invoke=action.vbaws_probe.probe"},
		has:  func(out string, _ int) bool { return !strings.Contains(out, "flag provided but not defined: -invoke") }}
	// ActionOnFailure is on_failure (halt, taint or continue) in action_trigger (Terraform 1.16 and later). Only a
	// configuration shows it, so it is told from the CLI's name and version, like Identity.
	ActionOnFailure = Capability{Name: "action_on_failure", needs: "Terraform 1.16 or later",
		args: []string{"version"}, has: terraformFrom(1, 16)}
	// Identity is resource identity in state and in import blocks (Terraform 1.12 and OpenTofu 1.12 and later, not
	// OpenTofu 1.10). No command shows it, so it is told from the CLI's name and version.
	Identity = Capability{Name: "identity", needs: "Terraform or OpenTofu 1.12 or later", args: []string{"version"},
		has: either(terraformFrom(1, 12), openTofuFrom(1, 12))}
	// ProviderForEach is for_each in provider blocks (OpenTofu 1.9 and later; no Terraform has it). It is told
	// from the CLI's name and version, like Identity.
	ProviderForEach = Capability{Name: "provider_for_each", needs: "OpenTofu 1.9 or later",
		args: []string{"version"}, has: openTofuFrom(1, 9)}
)

// openTofuVersion finds OpenTofu's version line.
var openTofuVersion = regexp.MustCompile(`(?m)^OpenTofu v(\d+)\.(\d+)\.`)

// openTofuFrom reports whether `version` printed OpenTofu of at least major.minor.
func openTofuFrom(major, minor int) func(string, int) bool {
	return versionFrom(openTofuVersion, major, minor)
}

// terraformVersion finds Terraform's version line; OpenTofu's starts with "OpenTofu v".
var terraformVersion = regexp.MustCompile(`(?m)^Terraform v(\d+)\.(\d+)\.`)

// terraformFrom reports whether `version` printed Terraform (not OpenTofu) of at least major.minor.
func terraformFrom(major, minor int) func(string, int) bool {
	return versionFrom(terraformVersion, major, minor)
}

// versionFrom reports whether `version` printed a version line that line matches, of at least major.minor.
func versionFrom(line *regexp.Regexp, major, minor int) func(string, int) bool {
	return func(out string, code int) bool {
		match := line.FindStringSubmatch(out)
		if match == nil || code != 0 {
			return false
		}
		gotMajor, _ := strconv.Atoi(match[1])
		gotMinor, _ := strconv.Atoi(match[2])
		return gotMajor > major || gotMajor == major && gotMinor >= minor
	}
}

// either reports whether any of the probes' readings says yes.
func either(probes ...func(string, int) bool) func(string, int) bool {
	return func(out string, code int) bool {
		for _, has := range probes {
			if has(out, code) {
				return true
			}
		}
		return false
	}
}

// probes caches what each CLI was found to have, by CLI path and capability name.
var probes sync.Map

// RequireCLI skips the test unless the CLI under test (TF_ACC_TERRAFORM_PATH) has every capability (see CLIHas).
func RequireCLI(t *testing.T, capabilities ...Capability) {
	t.Helper()
	for _, c := range capabilities {
		if !CLIHas(t, c) {
			t.Skipf("the CLI %s has no %s (%s has; make terraform-latest and make tofu build the newest)",
				os.Getenv("TF_ACC_TERRAFORM_PATH"), c.Name, c.needs)
		}
	}
}

// CLIHas reports whether the CLI under test (TF_ACC_TERRAFORM_PATH) has the capability. With CI=true a capability
// that VBAWS_ACC_CLI_CAPABILITIES (a comma-separated list) says the CLI has fails the test instead, so that the CI
// leg meant for the tests that need it cannot pass by leaving them out.
func CLIHas(t *testing.T, c Capability) bool {
	t.Helper()
	PreCheck(t)
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cliHas(t, cli, c) {
		return true
	}
	promised := strings.Split(os.Getenv("VBAWS_ACC_CLI_CAPABILITIES"), ",")
	if os.Getenv("CI") == "true" && slices.Contains(promised, c.Name) {
		t.Fatalf("the CLI %s lacks %s, which VBAWS_ACC_CLI_CAPABILITIES promises", cli, c.Name)
	}
	return false
}

// cliHas runs the capability's probe once per CLI.
func cliHas(t *testing.T, cli string, c Capability) bool {
	t.Helper()
	key := cli + "\x00" + c.Name
	if known, ok := probes.Load(key); ok {
		has, _ := known.(bool)
		return has
	}
	var out bytes.Buffer
	cmd := exec.Command(cli, c.args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = t.TempDir(), &out, &out
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	code := 0
	if err := cmd.Run(); err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("probing %s for %s: %v", cli, c.Name, err)
		}
		code = exit.ExitCode()
	}
	has := c.has(out.String(), code)
	probes.Store(key, has)
	return has
}
