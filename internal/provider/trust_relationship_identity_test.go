package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// trustIdentityIs checks the identity of vbaws_trust_relationship.test.
func trustIdentityIs(roleName string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(testTrust, map[string]knownvalue.Check{
		"role_name":  knownvalue.StringExact(roleName),
		"sid":        knownvalue.StringExact(veeamTrustSid),
		"account_id": knownvalue.StringExact(emulatorAccount),
	})
}

// teamRoleTrust is a role another team owns and a vbaws_trust_relationship that adds the appliance to it.
func teamRoleTrust(t *testing.T) (team, config string) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team = acctest.RandomName("vbaws-team-ident")
	fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
	return team, trustConfig(acctest.ProviderConfig(),
		fmt.Sprintf("  role_name = %q\n  principal_arn = %q\n", team, appliance))
}

// Create sets the identity and import blocks find the statement by it, planning no change.
func TestAccTrustRelationship_identityOnCreateAndImport(t *testing.T) {
	team, config := teamRoleTrust(t)
	resource.ParallelTest(t, identityCase(t, createdAndImportedByIdentity(config, testTrust, trustIdentityIs(team))))
}

// A state written before the identity existed gains it on the next refresh and plans no change.
func TestAccTrustRelationship_identityAddedToOldStateWithoutDiff(t *testing.T) {
	team, config := teamRoleTrust(t)
	resource.ParallelTest(t, identityCase(t,
		fromOldState(config, nil, plancheck.ExpectEmptyPlan(), trustIdentityIs(team))))
}

// A statement of an old state that someone removed from the role leaves state with its identity set, as
// Terraform 1.12+ wants after every read, and is written again.
func TestAccTrustRelationship_identityWhenTheStatementVanished(t *testing.T) {
	team, config := teamRoleTrust(t)
	client := acctest.IAMClient(t)
	removeStatement := func() {
		if _, err := client.UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(team), PolicyDocument: aws.String(teamTrustPolicy)}); err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, identityCase(t, fromOldState(config, removeStatement,
		plancheck.ExpectResourceAction(testTrust, plancheck.ResourceActionCreate), trustIdentityIs(team))))
}
