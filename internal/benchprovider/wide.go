package benchprovider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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

func (wideResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: wideAttributes()}
}

// IdentitySchema is vbaws_iam_role's identity schema.
func (wideResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: wideIdentityAttributes()}
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
