package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// withoutIdentity is the provider as it was before vbaws_iam_role had an identity: it declares none and returns
// none, so that Terraform writes states without one.
type withoutIdentity struct{ tfprotov6.ProviderServer }

func (s withoutIdentity) GetResourceIdentitySchemas(context.Context, *tfprotov6.GetResourceIdentitySchemasRequest,
) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov6.GetResourceIdentitySchemasResponse{
		IdentitySchemas: map[string]*tfprotov6.ResourceIdentitySchema{}}, nil
}

func (s withoutIdentity) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest,
) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		resp.PlannedIdentity = nil
	}
	return resp, err
}

func (s withoutIdentity) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest,
) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		resp.NewIdentity = nil
	}
	return resp, err
}

func (s withoutIdentity) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest,
) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		resp.NewIdentity = nil
	}
	return resp, err
}

// withoutIdentityProviders serve withoutIdentity; currentProviders serve the provider as it is.
var (
	withoutIdentityProviders = map[string]func() (tfprotov6.ProviderServer, error){
		"vbaws": func() (tfprotov6.ProviderServer, error) { return withoutIdentity{NewServer("test")()}, nil },
	}
	currentProviders = testAccProviders
)

// roleIdentityIs checks the identity of vbaws_iam_role.test.
func roleIdentityIs(name string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(testRole, map[string]knownvalue.Check{
		"name": knownvalue.StringExact(name), "account_id": knownvalue.StringExact(emulatorAccount),
	})
}

// identityCase is an acceptance case whose steps name their providers, skipped on CLIs without identities.
func identityCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	acctest.RequireCLI(t, acctest.Identity)
	return resource.TestCase{PreCheck: func() { acctest.PreCheck(t) }, Steps: steps}
}

// Create sets the identity, import blocks find the role by it and plan no change, and an identity naming
// another account is refused.
func TestAccIAMRole_identityOnCreateAndImport(t *testing.T) {
	name := acctest.RandomName("vbaws-ident")
	imp := impersonationFixture(t)
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf("name = %q\n  trusted_principal_arns = [%q]\n", name, imp))
	resource.ParallelTest(t, identityCase(t,
		resource.TestStep{ProtoV6ProviderFactories: currentProviders, Config: config,
			ConfigStateChecks: []statecheck.StateCheck{roleIdentityIs(name)}},
		resource.TestStep{ProtoV6ProviderFactories: currentProviders, Config: config, ResourceName: testRole,
			ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		resource.TestStep{ProtoV6ProviderFactories: currentProviders, Config: config + fmt.Sprintf(`
import {
  to       = vbaws_iam_role.elsewhere
  identity = { name = %q, account_id = "999999999999" }
}
resource "vbaws_iam_role" "elsewhere" {
  name                   = %q
  trusted_principal_arns = [%q]
}
`, name, name, imp), ExpectError: regexp.MustCompile(`Role of another account`)},
	))
}

// A state written before the identity existed gains it on the next refresh and plans no change.
func TestAccIAMRole_identityAddedToOldStateWithoutDiff(t *testing.T) {
	name := acctest.RandomName("vbaws-ident-old")
	config := roleConfig(acctest.ProviderConfig(),
		fmt.Sprintf("name = %q\n  trusted_principal_arns = [%q]\n", name, impersonationFixture(t)))
	resource.ParallelTest(t, identityCase(t,
		resource.TestStep{ProtoV6ProviderFactories: withoutIdentityProviders, Config: config},
		resource.TestStep{ProtoV6ProviderFactories: currentProviders, Config: config,
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{roleIdentityIs(name)}},
	))
}

// A role of an old state that vanished is removed from state with its identity set, as Terraform 1.12+ wants
// after every read ("Missing Resource Identity After Read" otherwise), and created again.
func TestAccIAMRole_identityWhenTheRoleVanished(t *testing.T) {
	name := acctest.RandomName("vbaws-ident-gone")
	config := roleConfig(acctest.ProviderConfig(),
		fmt.Sprintf("name = %q\n  trusted_principal_arns = [%q]\n", name, impersonationFixture(t)))
	client := acctest.IAMClient(t)
	resource.ParallelTest(t, identityCase(t,
		resource.TestStep{ProtoV6ProviderFactories: withoutIdentityProviders, Config: config},
		resource.TestStep{ProtoV6ProviderFactories: currentProviders, Config: config,
			PreConfig: func() { deleteFixtureRole(client, name, nil) },
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testRole, plancheck.ResourceActionCreate)}},
			ConfigStateChecks: []statecheck.StateCheck{roleIdentityIs(name)}},
	))
}
