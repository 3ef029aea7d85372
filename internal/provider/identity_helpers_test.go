package provider

// Helpers of the resource identity tests of several resources.

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
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

// identityCase is an acceptance case whose steps name their providers, skipped on CLIs without identities.
func identityCase(t *testing.T, steps []resource.TestStep) resource.TestCase {
	acctest.RequireCLI(t, acctest.Identity)
	return resource.TestCase{PreCheck: func() { acctest.PreCheck(t) }, Steps: steps}
}

// createdAndImportedByIdentity are the steps that create a resource, check its identity, import it by that
// identity with no change, and leave a configuration for the post-test destroy (the import step leaves none). The
// configuration requires the provider by its source: terraform-plugin-testing runs the import step's
// configuration as written, and OpenTofu's leg serves the provider under a namespace other than the implied one.
func createdAndImportedByIdentity(config, address string, identity statecheck.StateCheck) []resource.TestStep {
	config = acctest.RequiredProviders() + config
	return []resource.TestStep{
		{ProtoV6ProviderFactories: currentProviders, Config: config,
			ConfigStateChecks: []statecheck.StateCheck{identity}},
		{ProtoV6ProviderFactories: currentProviders, Config: config, ResourceName: address, ImportState: true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity},
		{ProtoV6ProviderFactories: currentProviders, Config: config},
	}
}

// fromOldState are the steps that write a state without identity, then, after change (nil for none), refresh and
// plan it with the current provider, expecting plan and the identity.
func fromOldState(config string, change func(), plan plancheck.PlanCheck, identity statecheck.StateCheck,
) []resource.TestStep {
	return []resource.TestStep{
		{ProtoV6ProviderFactories: withoutIdentityProviders, Config: config},
		{ProtoV6ProviderFactories: currentProviders, Config: config, PreConfig: change,
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plan}},
			ConfigStateChecks: []statecheck.StateCheck{identity}},
	}
}
