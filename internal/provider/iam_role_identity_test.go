package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// roleIdentityIs checks the identity of vbaws_iam_role.test.
func roleIdentityIs(name string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(testRole, map[string]knownvalue.Check{
		"name": knownvalue.StringExact(name), "account_id": knownvalue.StringExact(emulatorAccount),
	})
}

// Create sets the identity, import blocks find the role by it and plan no change, and an identity naming
// another account is refused.
func TestAccIAMRole_identityOnCreateAndImport(t *testing.T) {
	name := acctest.RandomName("vbaws-ident")
	imp := impersonationFixture(t)
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf("name = %q\n  trusted_principal_arns = [%q]\n", name, imp))
	resource.ParallelTest(t, identityCase(t, append(createdAndImportedByIdentity(config, testRole, roleIdentityIs(name)),
		resource.TestStep{ProtoV6ProviderFactories: currentProviders, Config: config + fmt.Sprintf(`
import {
  to       = vbaws_iam_role.elsewhere
  identity = { name = %q, account_id = "999999999999" }
}
resource "vbaws_iam_role" "elsewhere" {
  name                   = %q
  trusted_principal_arns = [%q]
}
`, name, name, imp), ExpectError: regexp.MustCompile(`Resource of another account`)}),
	))
}

// A state written before the identity existed gains it on the next refresh and plans no change.
func TestAccIAMRole_identityAddedToOldStateWithoutDiff(t *testing.T) {
	name := acctest.RandomName("vbaws-ident-old")
	config := roleConfig(acctest.ProviderConfig(),
		fmt.Sprintf("name = %q\n  trusted_principal_arns = [%q]\n", name, impersonationFixture(t)))
	resource.ParallelTest(t, identityCase(t,
		fromOldState(config, nil, plancheck.ExpectEmptyPlan(), roleIdentityIs(name))))
}

// A role of an old state that vanished is removed from state with its identity set, as Terraform 1.12+ wants
// after every read ("Missing Resource Identity After Read" otherwise), and created again.
func TestAccIAMRole_identityWhenTheRoleVanished(t *testing.T) {
	name := acctest.RandomName("vbaws-ident-gone")
	config := roleConfig(acctest.ProviderConfig(),
		fmt.Sprintf("name = %q\n  trusted_principal_arns = [%q]\n", name, impersonationFixture(t)))
	client := acctest.IAMClient(t)
	resource.ParallelTest(t, identityCase(t, fromOldState(config, func() { deleteFixtureRole(client, name, nil) },
		plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionCreate), roleIdentityIs(name))))
}
