package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// CLI runs the Terraform CLI in a working directory of its own against the provider served from this test
// process, as a user would. It is for what terraform-plugin-testing cannot do, such as interrupting an apply with
// SIGINT, which makes Terraform stop the provider and wait for the operations in flight, as Ctrl-C does.
type CLI struct {
	t   *testing.T
	Dir string
	env []string
}

// NewCLI serves the provider until the test ends and prepares an empty working directory.
func NewCLI(t *testing.T, provider func() tfprotov6.ProviderServer) *CLI {
	t.Helper()
	PreCheck(t)
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	go func() {
		err := tf6server.Serve(ProviderSource(), provider, tf6server.WithDebug(ctx, reattach, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()), tf6server.WithoutLogStderrOverride())
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	var config *plugin.ReattachConfig
	select {
	case config = <-reattach:
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() { cancel(); <-closed })
	return &CLI{t: t, Dir: t.TempDir(), env: cliEnv(t, config)}
}

// cliEnv is the environment of the Terraform CLI: reattach to the provider, never prompt, never phone home.
func cliEnv(t *testing.T, config *plugin.ReattachConfig) []string {
	type addr struct{ Network, String string }
	type reattachConfig struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	reattach, err := json.Marshal(map[string]reattachConfig{ProviderSource(): {
		Protocol: string(config.Protocol), ProtocolVersion: config.ProtocolVersion, Pid: config.Pid, Test: true,
		Addr: addr{config.Addr.Network(), config.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattach), "TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1", "TF_INPUT=0", "TF_LOG=")
}

// WriteConfig replaces the working directory's configuration, which requires the provider from ProviderSource,
// the address it is served under, as terraform-plugin-testing does (under OpenTofu the default host differs).
func (c *CLI) WriteConfig(config string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, "main.tf"), []byte(RequiredProviders()+config), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// Command prepares `terraform <args>` in the working directory with output collected into out.
func (c *CLI) Command(out *bytes.Buffer, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = c.Dir, c.env, out, out
	return cmd
}

// Run runs `terraform <args>` and returns its exit code and output.
func (c *CLI) Run(args ...string) (int, string) {
	c.t.Helper()
	var out bytes.Buffer
	err := c.Command(&out, args...).Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String()
	case err != nil:
		c.t.Fatalf("running terraform %v: %v", args, err)
	}
	return 0, out.String()
}

// MustRun runs `terraform <args>` and fails the test unless it exits with code 0.
func (c *CLI) MustRun(args ...string) string {
	c.t.Helper()
	code, out := c.Run(args...)
	if code != 0 {
		c.t.Fatalf("terraform %v exited with %d:\n%s", args, code, out)
	}
	return out
}

// State returns the working directory's state as `terraform show -json` reports it.
func (c *CLI) State() *tfjson.State {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := c.Command(&stdout, "show", "-json")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("terraform show -json: %v\n%s", err, stderr.String())
	}
	var state tfjson.State
	if err := json.Unmarshal(stdout.Bytes(), &state); err != nil {
		c.t.Fatalf("reading state: %v", err)
	}
	return &state
}
