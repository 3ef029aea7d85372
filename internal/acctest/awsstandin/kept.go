package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// keptResource is a resource type of hashicorp/aws that a migration keeps under hashicorp/aws (aws_iam_policy,
// aws_iam_instance_profile) or forgets with a removed block (aws_iam_role_policy_attachment, aws_iam_role_policy).
// Its schema has the attributes of the state hashicorp/aws writes for it, with hashicorp/aws's names and types;
// attributes that hashicorp/aws fills with a default when the configuration leaves them out are optional and
// computed here, so that an unchanged configuration plans no change against that state.
type keptResource struct {
	typeName   string
	attributes map[string]schema.Attribute
}

func (k keptResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = k.typeName
}

func (k keptResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: k.attributes}
}

// Read returns the state as it is.
func (keptResource) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw.Copy()
}

// Create fails: the stand-in only holds states written the way hashicorp/aws writes them.
func (k keptResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("Stand-in for hashicorp/aws", "The test stand-in cannot create "+k.typeName+".")
}

// Update fails, as Create does.
func (k keptResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Stand-in for hashicorp/aws", "The test stand-in cannot update "+k.typeName+".")
}

// Delete fails, as Create does, so that a test that would destroy it fails.
func (k keptResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddError("Stand-in for hashicorp/aws", "The test stand-in cannot delete "+k.typeName+".")
}

// keptResources are aws_iam_policy, aws_iam_instance_profile, aws_iam_role_policy_attachment and
// aws_iam_role_policy.
func keptResources() []func() resource.Resource {
	required := schema.StringAttribute{Required: true}
	computed := schema.StringAttribute{Computed: true}
	defaulted := schema.StringAttribute{Optional: true, Computed: true}
	tags := schema.MapAttribute{Optional: true, ElementType: types.StringType}
	tagsAll := schema.MapAttribute{Optional: true, Computed: true, ElementType: types.StringType}
	kinds := []keptResource{
		{"aws_iam_policy", map[string]schema.Attribute{"arn": computed,
			"attachment_count": schema.Int64Attribute{Computed: true}, "description": defaulted, "id": computed,
			"name": defaulted, "name_prefix": defaulted, "path": defaulted, "policy": required, "policy_id": computed,
			"tags": tags, "tags_all": tagsAll}},
		{"aws_iam_instance_profile", map[string]schema.Attribute{"arn": computed, "create_date": computed,
			"id": computed, "name": defaulted, "name_prefix": defaulted, "path": defaulted,
			"role": schema.StringAttribute{Optional: true}, "tags": tags, "tags_all": tagsAll, "unique_id": computed}},
		{"aws_iam_role_policy_attachment", map[string]schema.Attribute{"id": computed, "policy_arn": required,
			"role": required}},
		{"aws_iam_role_policy", map[string]schema.Attribute{"id": computed, "name": defaulted,
			"name_prefix": defaulted, "policy": required, "role": required}},
	}
	factories := make([]func() resource.Resource, 0, len(kinds))
	for _, kind := range kinds {
		factories = append(factories, func() resource.Resource { return kind })
	}
	return factories
}
