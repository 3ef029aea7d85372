package provider

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// interruptAfterCreates is how many CreateRole calls an apply sends before it is interrupted.
const interruptAfterCreates = 8

// An apply interrupted by SIGINT while roles, instance profiles and trust statements are being written leaves
// nothing that state does not know, and a plain re-apply then converges with no error, no orphan, no duplicate
// and a clean plan; destroy leaves nothing behind. Terraform stops the provider and waits for the operations in
// flight, as after Ctrl-C; slow IAM answers keep several of them in flight when the signal arrives.
func TestAccFaults_interruptedApplyThenReapply(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	prefix := acctest.RandomName("vbaws-sigint")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	foreign := foreignRoles(t, client, 3)
	cli.WriteConfig(estateConfig(acctest.ProviderConfigFor(proxy.URL), prefix, appliance, 30, foreign))
	cli.MustRun("init", "-no-color")

	var out bytes.Buffer
	apply := cli.Command(&out, "apply", "-auto-approve", "-no-color", "-parallelism=10")
	interruptWhenBusy(t, proxy, apply)
	if err := apply.Run(); err == nil {
		t.Fatalf("the apply finished before it was interrupted; interrupt it earlier:\n%s", out.String())
	} else if !strings.Contains(out.String(), "Interrupt received") {
		t.Fatalf("the apply failed without being interrupted: %v\n%s", err, out.String())
	}
	expectInventoryInState(t, client, cli, prefix, "after the interrupted apply")

	cli.MustRun("apply", "-auto-approve", "-no-color")
	expectInventoryInState(t, client, cli, prefix, "after the re-apply")
	if code, plan := cli.Run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
		t.Errorf("the plan after the re-apply is not clean (exit code %d):\n%s", code, plan)
	}
	if err := foreignStatementsAre(t, client, foreign); err != nil {
		t.Error(err)
	}
	cli.MustRun("destroy", "-auto-approve", "-no-color")
	if err := acctest.CheckNothingLeft(client, prefix)(nil); err != nil {
		t.Error(err)
	}
}

// interruptWhenBusy slows the emulator's answers to the writes of an apply, and sends SIGINT to the apply once it
// has sent interruptAfterCreates CreateRole calls.
func interruptWhenBusy(t *testing.T, proxy *acctest.Proxy, apply *exec.Cmd) {
	var creates atomic.Int32
	var once sync.Once
	proxy.Before("CreateRole", func() {
		if creates.Add(1) == interruptAfterCreates {
			once.Do(func() {
				if err := apply.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
					t.Errorf("interrupting the apply: %v", err)
				}
			})
		}
		time.Sleep(300 * time.Millisecond)
	})
	for _, action := range []string{"AddRoleToInstanceProfile", "AttachRolePolicy", "UpdateAssumeRolePolicy"} {
		proxy.Before(action, func() { time.Sleep(200 * time.Millisecond) })
	}
}

// expectInventoryInState fails the test when IAM holds anything under prefix that the CLI's state does not know,
// or anything twice.
func expectInventoryInState(t *testing.T, client *iam.Client, cli *acctest.CLI, prefix, when string) {
	t.Helper()
	ctx := context.Background()
	inventory, err := acctest.TakeInventory(ctx, client, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if orphans := acctest.Orphans(inventory, cli.State()); len(orphans) > 0 {
		t.Errorf("%s: %d orphans (in IAM, in no state): %v", when, len(orphans), orphans)
	}
	duplicates, err := acctest.Duplicates(ctx, client, inventory)
	if err != nil || len(duplicates) > 0 {
		t.Errorf("%s: duplicates %v (%v)", when, duplicates, err)
	}
	t.Logf("%s: IAM holds %d objects under %s", when, len(inventory.All()), prefix)
}
