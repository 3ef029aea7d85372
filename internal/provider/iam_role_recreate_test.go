package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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
// adopts the profile of its own name and path: it carries the owner tag this provider gives the profiles it
// creates.
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

// Issue 30, item 2: an empty instance profile another team made, with the role's name and path, is not adopted.
// The apply creates the role and refuses the profile, quoting it and naming import; the profile keeps its tags
// and stays empty, the next apply refuses it again, turning create_instance_profile off leaves it, and destroy
// deletes the role but never the profile.
func TestAccIAMRole_foreignEmptyProfileIsNeverAdopted(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-foreign")
	if _, err := client.CreateInstanceProfile(context.Background(), &iam.CreateInstanceProfileInput{
		InstanceProfileName: aws.String(name), Path: aws.String("/workers/"),
		Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("other-team")}}}); err != nil {
		t.Fatalf("creating the foreign profile: %v", err)
	}
	t.Cleanup(func() { deleteInstanceProfile(client, name, name) })
	untouched := func() error { return foreignProfileUntouched(client, name) }
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  path                    = "/workers/"
  trusted_principal_arns  = ["arn:aws:iam::%s:role/appliance"]
  create_instance_profile = true
  tags                    = { owner = "backup-team" }`, name, emulatorAccount))
	refused := regexp.MustCompile(`(?s)instance\s+profile\s+` + name + `\s+already\s+exists.*did\s+not\s+create\s+it.*` +
		`vbaws:created-by.*instance-profile/workers/` + name + `.*owner:other-team.*import`)
	tc := testAccCase(t,
		resource.TestStep{Config: config, ExpectError: refused},
		resource.TestStep{PreConfig: func() {
			if err := untouched(); err != nil {
				t.Fatal(err)
			}
		}, Config: config, ExpectError: refused},
		resource.TestStep{
			Config: strings.Replace(config, "create_instance_profile = true", "create_instance_profile = false", 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("create_instance_profile"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(testRole, tfjsonpath.New("instance_profile_arn"), knownvalue.Null()),
				expectRemote(untouched),
			},
		},
	)
	tc.CheckDestroy = func(s *terraform.State) error {
		if _, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)}); err == nil {
			return fmt.Errorf("role %s still exists after destroy", name)
		}
		return untouched()
	}
	resource.ParallelTest(t, tc)
}

// foreignProfileUntouched checks that the profile still exists, holds no role and has only its owner's tag.
func foreignProfileUntouched(client *iam.Client, name string) error {
	out, err := client.GetInstanceProfile(context.Background(), &iam.GetInstanceProfileInput{
		InstanceProfileName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("the foreign profile %s is gone: %w", name, err)
	}
	tags := map[string]string{}
	for _, tag := range out.InstanceProfile.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if len(out.InstanceProfile.Roles) != 0 || fmt.Sprint(tags) != "map[owner:other-team]" {
		return fmt.Errorf("the foreign profile %s was changed: roles %v, tags %v", name, out.InstanceProfile.Roles, tags)
	}
	return nil
}
