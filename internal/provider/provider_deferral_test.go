package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Released Terraform allows deferrals only with experiments, so these tests call the provider as a CLI that allows
// them (or not) would: Configure itself, and the provider's real protocol server, whose ConfigureProvider answer
// carries no deferral (the framework keeps it and defers every later plan and read).

// unknownProviderConfigs are provider configurations with a value from another resource: the role of a member
// account created in the same run, and an appliance whose address comes from an instance being created.
var unknownProviderConfigs = map[string]map[string]map[string]tftypes.Value{
	"assume_role.role_arn": {"assume_role": {"role_arn": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}},
	"appliance.url": {"appliance": {
		"url":      tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"username": tftypes.NewValue(tftypes.String, "admin"),
		"password": tftypes.NewValue(tftypes.String, "secret"),
	}},
}

// Configure defers with reason "provider config unknown" when the CLI allows deferrals, and otherwise returns
// as before: no deferral, no diagnostics, no clients.
func TestProvider_unknownConfigurationDefersOnlyWhereAllowed(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	objectType, _ := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	for name, blocks := range unknownProviderConfigs {
		for _, allowed := range []bool{true, false} {
			req := provider.ConfigureRequest{
				Config:             tfsdk.Config{Schema: schemaResp.Schema, Raw: providerValue(objectType, blocks)},
				ClientCapabilities: provider.ConfigureProviderClientCapabilities{DeferralAllowed: allowed},
			}
			var resp provider.ConfigureResponse
			p.Configure(ctx, req, &resp)
			if resp.Diagnostics.HasError() || resp.ResourceData != nil || resp.DataSourceData != nil {
				t.Errorf("%s, deferral allowed %v: diagnostics %v, resource data %v; want none", name, allowed,
					resp.Diagnostics, resp.ResourceData)
			}
			deferred := resp.Deferred != nil && resp.Deferred.Reason == provider.DeferredReasonProviderConfigUnknown
			if deferred != allowed || !allowed && resp.Deferred != nil {
				t.Errorf("%s, deferral allowed %v: deferred %+v", name, allowed, resp.Deferred)
			}
		}
	}
}

// Through the provider's protocol server, a CLI that allows deferrals gets a role's plan and a data source's read
// deferred for the unknown provider configuration, without diagnostics.
func TestServer_unknownConfigurationDefersPlansAndReads(t *testing.T) {
	ctx := context.Background()
	for name, blocks := range unknownProviderConfigs {
		t.Run(name, func(t *testing.T) {
			server := serverConfiguredWith(t, blocks, true)
			if got := planRole(ctx, t, server, true); got.Deferred == nil ||
				got.Deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown || len(got.Diagnostics) > 0 {
				t.Errorf("PlanResourceChange: deferred %+v, diagnostics %v; want deferred, none",
					got.Deferred, diagnosticSummaries(got.Diagnostics))
			}
			if got := readImpersonationRole(ctx, t, server, true); got.Deferred == nil ||
				got.Deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown || len(got.Diagnostics) > 0 {
				t.Errorf("ReadDataSource: deferred %+v, diagnostics %v; want deferred, none",
					got.Deferred, diagnosticSummaries(got.Diagnostics))
			}
		})
	}
}

// A CLI that does not allow deferrals gets today's behaviour through the server: nothing is deferred, a role
// plans without AWS (its unknowns stay unknown), and a data source read, which needs AWS, fails with
// "Provider not configured".
func TestServer_unknownConfigurationWithoutDeferrals(t *testing.T) {
	ctx := context.Background()
	for name, blocks := range unknownProviderConfigs {
		t.Run(name, func(t *testing.T) {
			server := serverConfiguredWith(t, blocks, false)
			if got := planRole(ctx, t, server, false); got.Deferred != nil || hasError(got.Diagnostics) {
				t.Errorf("PlanResourceChange: deferred %+v, diagnostics %v; want a plan", got.Deferred,
					diagnosticSummaries(got.Diagnostics))
			}
			got := readImpersonationRole(ctx, t, server, false)
			if got.Deferred != nil || !strings.Contains(strings.Join(diagnosticSummaries(got.Diagnostics), "\n"),
				"Provider not configured") {
				t.Errorf("ReadDataSource: deferred %+v, diagnostics %v; want no deferral and Provider not configured",
					got.Deferred, diagnosticSummaries(got.Diagnostics))
			}
		})
	}
}

// serverConfiguredWith is the provider's server after ConfigureProvider with the given blocks, from a CLI that allows
// deferrals or not. The framework refuses a deferral the CLI did not allow with an error, so none is expected.
func serverConfiguredWith(t *testing.T, blocks map[string]map[string]tftypes.Value,
	deferralAllowed bool) tfprotov6.ProviderServer {
	t.Helper()
	server := NewServer("test")()
	objectType, _ := providerSchemas(t, server).Provider.ValueType().(tftypes.Object)
	resp, err := server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		Config:             dynamicValue(t, objectType, providerValue(objectType, blocks)),
		ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: deferralAllowed},
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider: %v %v", err, diagnosticSummaries(resp.Diagnostics))
	}
	return server
}

// providerValue is a provider configuration with a region and the given blocks, everything else null.
func providerValue(objectType tftypes.Object, blocks map[string]map[string]tftypes.Value) tftypes.Value {
	values := map[string]tftypes.Value{"region": tftypes.NewValue(tftypes.String, "us-east-1")}
	for name, attributes := range blocks {
		blockType, _ := objectType.AttributeTypes[name].(tftypes.Object)
		values[name] = objectWith(blockType, attributes)
	}
	return objectWith(objectType, values)
}

// planRole plans a new vbaws_iam_role with only its name and principal set.
func planRole(ctx context.Context, t *testing.T, server tfprotov6.ProviderServer,
	deferralAllowed bool) *tfprotov6.PlanResourceChangeResponse {
	t.Helper()
	roleType, _ := providerSchemas(t, server).ResourceSchemas["vbaws_iam_role"].ValueType().(tftypes.Object)
	config := dynamicValue(t, roleType, objectWith(roleType, map[string]tftypes.Value{
		"name": tftypes.NewValue(tftypes.String, "veeam-member"),
		"trusted_principal_arns": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String},
			[]tftypes.Value{tftypes.NewValue(tftypes.String, "arn:aws:iam::123456789012:role/Veeam")}),
	}))
	resp, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "vbaws_iam_role", PriorState: dynamicValue(t, roleType, tftypes.NewValue(roleType, nil)),
		ProposedNewState: config, Config: config,
		ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{DeferralAllowed: deferralAllowed},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// readImpersonationRole reads data.vbaws_impersonation_role by name.
func readImpersonationRole(ctx context.Context, t *testing.T, server tfprotov6.ProviderServer,
	deferralAllowed bool) *tfprotov6.ReadDataSourceResponse {
	t.Helper()
	dataType, _ := providerSchemas(t, server).DataSourceSchemas["vbaws_impersonation_role"].ValueType().(tftypes.Object)
	resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
		TypeName: "vbaws_impersonation_role",
		Config: dynamicValue(t, dataType, objectWith(dataType, map[string]tftypes.Value{
			"name": tftypes.NewValue(tftypes.String, "VeeamImpersonationRole")})),
		ClientCapabilities: &tfprotov6.ReadDataSourceClientCapabilities{DeferralAllowed: deferralAllowed},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func providerSchemas(t *testing.T, server tfprotov6.ProviderServer) *tfprotov6.GetProviderSchemaResponse {
	t.Helper()
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, diagnosticSummaries(resp.Diagnostics))
	}
	return resp
}

func diagnosticSummaries(diags []*tfprotov6.Diagnostic) []string {
	summaries := make([]string, 0, len(diags))
	for _, d := range diags {
		summaries = append(summaries, d.Summary+": "+d.Detail)
	}
	return summaries
}
