package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// awsRoleJSON is an aws_iam_role state of hashicorp/aws, reduced to what names the role.
const awsRoleJSON = `{"id":"veeam-aws-default-role","name":"veeam-aws-default-role","name_prefix":"",` +
	`"path":"/veeam/","arn":"arn:aws:iam::111122223333:role/veeam/veeam-aws-default-role",` +
	`"assume_role_policy":"{}","managed_policy_arns":[],"inline_policy":[]}`

// moveRole runs the state mover on a source state and returns its response.
func moveRole(t *testing.T, provider, typeName, state string) resource.MoveStateResponse {
	t.Helper()
	ctx := context.Background()
	var schemaResp resource.SchemaResponse
	(&iamRoleResource{}).Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	resp := resource.MoveStateResponse{TargetState: tfsdk.State{Schema: schemaResp.Schema,
		Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}}
	movers := (&iamRoleResource{}).MoveState(ctx)
	if len(movers) != 1 {
		t.Fatalf("%d state movers, want 1", len(movers))
	}
	movers[0].StateMover(ctx, resource.MoveStateRequest{SourceProviderAddress: provider, SourceTypeName: typeName,
		SourceRawState: &tfprotov6.RawState{JSON: []byte(state)}}, &resp)
	return resp
}

// The move keeps which role it is and leaves arn null, so that the next read takes the whole role as after import.
func TestMoveStateFromAWSIAMRole(t *testing.T) {
	for _, provider := range awsProviderAddresses {
		resp := moveRole(t, provider, "aws_iam_role", awsRoleJSON)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", provider, resp.Diagnostics)
		}
		want := map[string]types.String{"id": types.StringValue("veeam-aws-default-role"),
			"name": types.StringValue("veeam-aws-default-role"), "path": types.StringValue("/veeam/"),
			"account_id": types.StringValue("111122223333"), "name_prefix": types.StringNull(),
			"arn": types.StringNull(), "assume_role_policy": types.StringNull()}
		for attribute, value := range want {
			var have types.String
			resp.TargetState.GetAttribute(context.Background(), path.Root(attribute), &have)
			if !have.Equal(value) {
				t.Errorf("%s: %s = %s, want %s", provider, attribute, have, value)
			}
		}
	}
}

// Other types and providers are left to the framework, which reports them as not supported; a state that names
// no role is an error.
func TestMoveStateRefusesOtherSources(t *testing.T) {
	for name, c := range map[string]struct{ provider, typeName string }{
		"another type":     {"registry.terraform.io/hashicorp/aws", "aws_iam_policy"},
		"another provider": {"registry.terraform.io/example/aws", "aws_iam_role"},
	} {
		resp := moveRole(t, c.provider, c.typeName, awsRoleJSON)
		if resp.Diagnostics.HasError() || !resp.TargetState.Raw.IsNull() {
			t.Errorf("%s: moved (%v), want it left to the framework", name, resp.Diagnostics)
		}
	}
	resp := moveRole(t, awsProviderAddresses[0], "aws_iam_role", `{"id":"","name":""}`)
	if !resp.Diagnostics.HasError() {
		t.Error("a state without a role name moved")
	}
}
