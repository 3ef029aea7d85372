package benchprovider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	vbaws "github.com/vbaws/terraform-provider-vbaws/internal/provider"
)

// wideResource is vbawsbench_wide: a no-op resource with the attributes of vbaws_iam_role (same names, types and
// required, optional or computed), but no validator, plan modifier, default or ModifyPlan. It is the framework's
// floor for a resource of that width, because the framework and Terraform core both spend time per attribute. It has
// vbaws_iam_role's identity too, and its Read does what the framework demands of any Read and nothing else: it
// reads the state and the identity into values and sets them again, so that a refresh of N of them is the floor
// of a refresh of N roles.
type wideResource struct{ noopResource }

var _ resource.ResourceWithIdentity = wideResource{}

// wideAccount is the account of every vbawsbench_wide identity.
const wideAccount = "123456789012"

// pathName is the name attribute, which the identity holds.
var pathName = path.Root("name")

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

// IdentitySchema is vbaws_iam_role's identity schema.
func (wideResource) IdentitySchema(ctx context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	role, ok := iamRole(ctx).(resource.ResourceWithIdentity)
	if !ok {
		resp.Diagnostics.AddError("No vbaws_iam_role identity", "vbaws_iam_role has no identity schema")
		return
	}
	var identity resource.IdentitySchemaResponse
	role.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &identity)
	resp.IdentitySchema = identityschema.Schema{Attributes: identity.IdentitySchema.Attributes}
}

// wideIdentity is the identity of a vbawsbench_wide: the name it was given, in wideAccount.
type wideIdentity struct {
	AccountID types.String `tfsdk:"account_id"`
	Name      types.String `tfsdk:"name"`
}

// Create stores the plan, its unknown values as null, and sets the identity.
func (wideResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	raw, err := tftypes.Transform(req.Plan.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot store the plan", err.Error())
		return
	}
	resp.State.Raw = raw
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathName, &name)...)
	identity := wideIdentity{AccountID: types.StringValue(wideAccount), Name: name}
	resp.Diagnostics.Append(resp.Identity.Set(ctx, identity)...)
}

// Read copies the state: it reads it into a value and sets it again, and sets the identity from it, as
// vbaws_iam_role does after every read.
func (wideResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state types.Object
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	var name types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, pathName, &name)...)
	identity := wideIdentity{AccountID: types.StringValue(wideAccount), Name: name}
	resp.Diagnostics.Append(resp.Identity.Set(ctx, identity)...)
}

// Update leaves the state as planned.
func (wideResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func iamRoleSchema(ctx context.Context) (schema.Schema, error) {
	r := iamRole(ctx)
	if r == nil {
		return schema.Schema{}, fmt.Errorf("the vbaws provider has no vbaws_iam_role")
	}
	var s resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &s)
	return s.Schema, nil
}

// iamRole is vbaws's vbaws_iam_role resource, or nil.
func iamRole(ctx context.Context) resource.Resource {
	for _, newResource := range vbaws.New("bench")().Resources(ctx) {
		r := newResource()
		var metadata resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "vbaws"}, &metadata)
		if metadata.TypeName == "vbaws_iam_role" {
			return r
		}
	}
	return nil
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
