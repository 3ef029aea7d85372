package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// foreignAccountTrust is what someone outside Terraform might add to a role's trust policy: another account
// allowed to assume the role.
const foreignAccountTrust = `{%s"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},` +
	`"Action":"sts:AssumeRole"}`

// A trust statement added outside Terraform, with or without a Sid, shows in the next plan as an update of
// vbaws_iam_role (the docs call its trust policy authoritative), apply removes it, and the plan after is empty.
func TestAccIAMRole_foreignTrustStatementIsDrift(t *testing.T) {
	for name, sid := range map[string]string{"sidless": "", "with_sid": `"Sid":"Intruder",`} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client := acctest.IAMClient(t)
			role := acctest.RandomName("vbaws-trust-drift")
			config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["123456789012"]`, role))
			addForeign := func() {
				doc := remoteTrust(t, client, role)
				text := doc.Marshal()
				withForeign := strings.TrimSuffix(strings.TrimSuffix(text, "}"), "]") + "," +
					fmt.Sprintf(foreignAccountTrust, sid) + "]}"
				if _, err := client.UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
					RoleName: aws.String(role), PolicyDocument: aws.String(withForeign)}); err != nil {
					t.Fatalf("adding a foreign statement: %v", err)
				}
			}
			noForeign := expectRemote(func() error {
				if text := remoteTrust(t, client, role).Marshal(); strings.Contains(text, "999999999999") {
					return fmt.Errorf("the foreign account is still trusted: %s", text)
				}
				return nil
			})
			resource.Test(t, testAccCase(t,
				resource.TestStep{Config: config},
				resource.TestStep{PreConfig: addForeign, Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionUpdate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{noForeign},
				},
				resource.TestStep{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				}},
			))
		})
	}
}
