package benchprovider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	vbaws "github.com/vbaws/terraform-provider-vbaws/internal/provider"
)

// wideResource is vbawsbench_wide: a no-op resource with the attributes of vbaws_iam_role (same names, types and
// required, optional or computed), but no validator, plan modifier, default or ModifyPlan. It is the framework's
// floor for a resource of that width, because the framework and Terraform core both spend time per attribute.
type wideResource struct{ noopResource }

func (wideResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_wide"
}

func (wideResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	role, err := iamRoleSchema(ctx)
	if err != nil {
		resp.Diagnostics.AddError("No vbaws_iam_role schema", err.Error())
		return
	}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{}}
	for name, attribute := range role.Attributes {
		resp.Schema.Attributes[name] = plain(attribute)
	}
	if len(role.Blocks) > 0 {
		resp.Schema.Blocks = role.Blocks
	}
}

// Create leaves the state as planned; the benchmark only plans.
func (wideResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
}

// Update leaves the state as planned.
func (wideResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func iamRoleSchema(ctx context.Context) (schema.Schema, error) {
	for _, newResource := range vbaws.New("bench")().Resources(ctx) {
		r := newResource()
		var metadata resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "vbaws"}, &metadata)
		if metadata.TypeName != "vbaws_iam_role" {
			continue
		}
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		return s.Schema, nil
	}
	return schema.Schema{}, fmt.Errorf("the vbaws provider has no vbaws_iam_role")
}

// plain is an attribute of the same type and kind without validators, plan modifiers, defaults or custom types.
func plain(a schema.Attribute) schema.Attribute {
	required, optional, computed := a.IsRequired(), a.IsOptional(), a.IsComputed()
	switch a := a.(type) {
	case schema.StringAttribute:
		return schema.StringAttribute{Required: required, Optional: optional, Computed: computed}
	case schema.BoolAttribute:
		return schema.BoolAttribute{Required: required, Optional: optional, Computed: computed}
	case schema.Int64Attribute:
		return schema.Int64Attribute{Required: required, Optional: optional, Computed: computed}
	case schema.SetAttribute:
		return schema.SetAttribute{ElementType: a.ElementType, Required: required, Optional: optional,
			Computed: computed}
	case schema.MapAttribute:
		return schema.MapAttribute{ElementType: a.ElementType, Required: required, Optional: optional,
			Computed: computed}
	case schema.ListAttribute:
		return schema.ListAttribute{ElementType: a.ElementType, Required: required, Optional: optional,
			Computed: computed}
	default:
		return a
	}
}
