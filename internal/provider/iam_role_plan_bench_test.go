package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// BenchmarkIAMRolePlanResourceChange drives PlanResourceChange for a new vbaws_iam_role through the provider
// server, as Terraform does once per role in a plan: the framework's transforms, the schema's plan modifiers and
// ModifyPlan. With TF_ACC=1 the provider is configured against the emulator, so that the ARNs are planned too.
func BenchmarkIAMRolePlanResourceChange(b *testing.B) {
	ctx := context.Background()
	server := configuredServer(b)
	roleType := resourceType(b, server, "vbaws_iam_role")
	config := benchRoleConfig(roleType)
	req := createRequest(b, roleType, config)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := server.PlanResourceChange(ctx, req)
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatalf("PlanResourceChange: %v %v", err, resp.Diagnostics)
		}
	}
}

// BenchmarkIAMRolePlanResourceChange_unchanged plans a role whose configuration matches its state, as every
// later plan of a landing zone does: ModifyPlan only renders the trust policy, finds it in state and returns.
func BenchmarkIAMRolePlanResourceChange_unchanged(b *testing.B) {
	ctx := context.Background()
	server := configuredServer(b)
	roleType := resourceType(b, server, "vbaws_iam_role")
	config := benchRoleConfig(roleType)
	planned, err := server.PlanResourceChange(ctx, createRequest(b, roleType, config))
	if err != nil || hasError(planned.Diagnostics) {
		b.Fatalf("PlanResourceChange: %v %v", err, planned.Diagnostics)
	}
	state := dynamicValue(b, roleType, appliedState(b, roleType, planned.PlannedState))
	req := &tfprotov6.PlanResourceChangeRequest{
		TypeName:         "vbaws_iam_role",
		PriorState:       state,
		ProposedNewState: state,
		Config:           dynamicValue(b, roleType, config),
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := server.PlanResourceChange(ctx, req)
		if err != nil || hasError(resp.Diagnostics) || len(resp.RequiresReplace) > 0 {
			b.Fatalf("PlanResourceChange: %v %v", err, resp.Diagnostics)
		}
	}
}

// benchRoleConfig is the configuration of the benchmark's role: a name and the appliance's Impersonation role.
func benchRoleConfig(roleType tftypes.Object) tftypes.Value {
	return objectWith(roleType, map[string]tftypes.Value{
		"name": tftypes.NewValue(tftypes.String, "bench-role"),
		"trusted_principal_arns": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{
			tftypes.NewValue(tftypes.String, "arn:aws:iam::123456789012:role/VeeamImpersonationRole")}),
	})
}

// createRequest plans config for a role that does not exist yet.
func createRequest(b *testing.B, roleType tftypes.Object, config tftypes.Value) *tfprotov6.PlanResourceChangeRequest {
	return &tfprotov6.PlanResourceChangeRequest{
		TypeName:         "vbaws_iam_role",
		PriorState:       dynamicValue(b, roleType, tftypes.NewValue(roleType, nil)),
		ProposedNewState: dynamicValue(b, roleType, config),
		Config:           dynamicValue(b, roleType, config),
	}
}

// appliedState turns a planned state into the state an apply would leave: every unknown value becomes known.
func appliedState(b *testing.B, typ tftypes.Object, planned *tfprotov6.DynamicValue) tftypes.Value {
	b.Helper()
	value, err := planned.Unmarshal(typ)
	if err != nil {
		b.Fatal(err)
	}
	applied, err := tftypes.Transform(value, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		return tftypes.NewValue(v.Type(), "applied"), nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return applied
}

// configuredServer returns the provider's protocol server, configured for the emulator when the acceptance
// harness runs one, else without any AWS call.
func configuredServer(b *testing.B) tfprotov6.ProviderServer {
	b.Helper()
	ctx := context.Background()
	server := NewServer("bench")()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasError(schemas.Diagnostics) {
		b.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	providerType, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		b.Fatal("the provider schema is not an object")
	}
	settings := map[string]tftypes.Value{
		"region":     tftypes.NewValue(tftypes.String, acctest.Region),
		"access_key": tftypes.NewValue(tftypes.String, "AKIAVBAWSBENCH000001"),
		"secret_key": tftypes.NewValue(tftypes.String, "vbaws-bench-secret"),
	}
	if endpoint := acctest.Endpoint(); endpoint != "" {
		endpointsType, _ := providerType.AttributeTypes["endpoints"].(tftypes.Object)
		settings["endpoints"] = objectWith(endpointsType, map[string]tftypes.Value{
			"iam": tftypes.NewValue(tftypes.String, endpoint), "sts": tftypes.NewValue(tftypes.String, endpoint)})
	} else {
		settings["skip_credentials_validation"] = tftypes.NewValue(tftypes.Bool, true)
		settings["skip_requesting_account_id"] = tftypes.NewValue(tftypes.Bool, true)
	}
	configure, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: dynamicValue(b, providerType, objectWith(providerType, settings))})
	if err != nil || hasError(configure.Diagnostics) {
		b.Fatalf("ConfigureProvider: %v %v", err, configure.Diagnostics)
	}
	return server
}

func resourceType(b *testing.B, server tfprotov6.ProviderServer, typeName string) tftypes.Object {
	b.Helper()
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	typ, ok := schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
	if !ok {
		b.Fatalf("no object schema for %s", typeName)
	}
	return typ
}

// objectWith builds a value of typ with the given attributes and every other attribute null.
func objectWith(typ tftypes.Object, values map[string]tftypes.Value) tftypes.Value {
	attributes := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, attrType := range typ.AttributeTypes {
		attributes[name] = tftypes.NewValue(attrType, nil)
		if v, ok := values[name]; ok {
			attributes[name] = v
		}
	}
	return tftypes.NewValue(typ, attributes)
}

func dynamicValue(tb testing.TB, typ tftypes.Type, value tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, value)
	if err != nil {
		tb.Fatal(fmt.Errorf("encoding %s: %w", typ, err))
	}
	return &dv
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}
