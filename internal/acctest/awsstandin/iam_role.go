package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// iamRole is aws_iam_role with hashicorp/aws's schema and no behaviour beyond keeping its state.
type iamRole struct{}

func (iamRole) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_iam_role"
}

// Schema has the attributes and types of aws_iam_role as hashicorp/aws publishes it (schema version 0;
// inline_policy is a set block).
func (iamRole) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	optional := schema.StringAttribute{Optional: true}
	computed := schema.StringAttribute{Computed: true}
	optionalComputed := schema.StringAttribute{Optional: true, Computed: true}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"arn":                   computed,
			"assume_role_policy":    schema.StringAttribute{Required: true},
			"create_date":           computed,
			"description":           optional,
			"force_detach_policies": schema.BoolAttribute{Optional: true},
			"id":                    computed,
			"managed_policy_arns": schema.SetAttribute{Optional: true, Computed: true,
				ElementType: types.StringType},
			"max_session_duration": schema.Int64Attribute{Optional: true},
			"name":                 optionalComputed,
			"name_prefix":          optionalComputed,
			"path":                 optional,
			"permissions_boundary": optional,
			"tags":                 schema.MapAttribute{Optional: true, ElementType: types.StringType},
			"tags_all":             schema.MapAttribute{Optional: true, Computed: true, ElementType: types.StringType},
			"unique_id":            computed,
		},
		Blocks: map[string]schema.Block{
			"inline_policy": schema.SetNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"name": optional, "policy": optional},
			}},
		},
	}
}

// Read returns the state as it is.
func (iamRole) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw.Copy()
}

// Create fails: the stand-in only holds states written the way hashicorp/aws writes them.
func (iamRole) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("Stand-in for hashicorp/aws", "The test stand-in cannot create aws_iam_role.")
}

// Update fails, as Create does.
func (iamRole) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Stand-in for hashicorp/aws", "The test stand-in cannot update aws_iam_role.")
}

// Delete fails, as Create does, so that a test that would destroy the role fails.
func (iamRole) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddError("Stand-in for hashicorp/aws", "The test stand-in cannot delete aws_iam_role.")
}
