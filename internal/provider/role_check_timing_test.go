package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// roleCheckTimingConfig is a template, its role and a check block on the role for var.operations, as the README
// writes them; dependsOn is what the data source's depends_on lists ("" for none).
func roleCheckTimingConfig(name, impersonationARN, dependsOn string) string {
	if dependsOn != "" {
		dependsOn = "\n  depends_on = [" + dependsOn + "]"
	}
	return fmt.Sprintf(`
variable "operations" {
  type = set(string)
}

resource "vbaws_role_template" "worker" {
  name       = %[1]q
  operations = var.operations
}

resource "vbaws_iam_role" "worker" {
  name                   = %[1]q
  trusted_principal_arns = [%[2]q]
  managed_policy_arns    = vbaws_role_template.worker.policy_arns
  service_principals     = vbaws_role_template.worker.service_principals
}

data "vbaws_role_check" "worker" {
  role_name             = vbaws_iam_role.worker.name
  operations            = var.operations
  trusted_principal_arn = %[2]q%[3]s
}

check "veeam_worker_role" {
  assert {
    condition     = data.vbaws_role_check.worker.ok
    error_message = join("\n", data.vbaws_role_check.worker.problems)
  }
}
`, name, impersonationARN, dependsOn)
}

// checkWarned reports whether a plan or apply printed a failed check block.
func checkWarned(out string) bool { return strings.Contains(out, "Check block assertion failed") }

// The README's promise: a check block's data source is read during plan, before apply changes the role, so an
// operation added to the template warns at plan and again at apply (the apply uses what the plan read); with
// depends_on on the template, the read waits for the apply and the check tells the truth after it. Both halves
// run, so the test fails if Terraform stops reading early (then the README would describe a problem that is gone)
// as well as if the pattern stops helping.
func TestAccRoleCheck_checkBlockAfterApply(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	impersonation := acctest.RandomName("vbaws-imp")
	impersonationARN := fixtureRole(t, acctest.IAMClient(t), impersonation, "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	for label, dependsOn := range map[string]string{"read at plan": "", "depends_on": "vbaws_role_template.worker"} {
		t.Run(label, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cli := acctest.NewInstalledCLI(t, dir)
			cli.Setenv("AWS_ENDPOINT_URL=" + acctest.Endpoint())
			writeGuideConfig(t, dir, roleCheckTimingConfig(acctest.RandomName("vbaws-timing"), impersonationARN,
				dependsOn))
			before, after := "-var=operations=[\"ec2_backup\"]", "-var=operations=[\"ec2_backup\",\"ec2_restore\"]"
			if out := cli.MustRun("apply", "-auto-approve", before); checkWarned(out) {
				t.Fatalf("the first apply warned:\n%s", out)
			}
			t.Cleanup(func() { cli.MustRun("destroy", "-auto-approve", after) })
			plan, apply := cli.MustRun("plan", after), cli.MustRun("apply", "-auto-approve", after)
			stale := dependsOn == ""
			if checkWarned(plan) != stale || checkWarned(apply) != stale {
				t.Errorf("adding an operation: plan warned %v, apply warned %v, want %v:\n%s\n%s", checkWarned(plan),
					checkWarned(apply), stale, plan, apply)
			}
			if out := cli.MustRun("plan", after); checkWarned(out) {
				t.Errorf("the plan after the apply warned:\n%s", out)
			}
		})
	}
}
