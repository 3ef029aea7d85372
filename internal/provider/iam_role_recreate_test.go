package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// deleteRoleAsTheCLIDoes deletes a role out of band the way the AWS CLI requires: out of its instance profile
// first, which leaves the empty profile behind.
func deleteRoleAsTheCLIDoes(t *testing.T, client *iam.Client, name string) {
	ctx := context.Background()
	if _, err := client.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
		InstanceProfileName: aws.String(name), RoleName: aws.String(name)}); err != nil {
		t.Fatalf("removing %s from its profile: %v", name, err)
	}
	if _, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
		t.Fatalf("deleting %s: %v", name, err)
	}
}

// A role deleted out of band, its empty instance profile left behind, is planned for creation and the apply
// adopts the profile of its own name and path.
func TestAccIAMRole_recreateAfterOutOfBandDeleteAdoptsEmptyProfile(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-oob")
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  path                    = "/workers/"
  trusted_principal_arns  = ["arn:aws:iam::%s:role/appliance"]
  create_instance_profile = true`, name, emulatorAccount))
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{PreConfig: func() { deleteRoleAsTheCLIDoes(t, client, name) }, Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionCreate)}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(func() error { return profileHasRole(client, name) }),
			}},
		resource.TestStep{Config: config, PlanOnly: true},
	))
}

// A profile of the role's name that holds another role is not adopted: the error names that role.
func TestAccIAMRole_recreateRefusesProfileHoldingAnotherRole(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-oob")
	intruder := acctest.RandomName("vbaws-intruder")
	fixtureRole(t, client, intruder, "/", ec2TrustPolicy, nil)
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  trusted_principal_arns  = ["arn:aws:iam::%s:role/appliance"]
  create_instance_profile = true`, name, emulatorAccount))
	takeOver := func() {
		deleteRoleAsTheCLIDoes(t, client, name)
		if _, err := client.AddRoleToInstanceProfile(context.Background(), &iam.AddRoleToInstanceProfileInput{
			InstanceProfileName: aws.String(name), RoleName: aws.String(intruder)}); err != nil {
			t.Fatalf("adding %s to profile %s: %v", intruder, name, err)
		}
	}
	t.Cleanup(func() { deleteInstanceProfile(client, name, intruder) })
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{PreConfig: takeOver, Config: config,
			ExpectError: regexp.MustCompile(`(?s)instance profile\s+` + name + `.*holds\s+role\s+` + intruder)},
	))
}
