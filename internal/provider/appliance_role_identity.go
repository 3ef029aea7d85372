package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = (*applianceRoleResource)(nil)

// applianceRoleIdentityModel is the identity of vbaws_appliance_role: the record's UUID in the appliance of the
// provider's appliance block.
type applianceRoleIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

// IdentitySchema declares the identity of vbaws_appliance_role, so that an import block may name a record by
// `identity = { id = ... }` and `terraform query` can list records.
func (r *applianceRoleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{RequiredForImport: true,
				Description: "The record's UUID in the appliance."},
		},
	}
}

// setApplianceRoleIdentity stores the identity of the record m holds (see identity.go).
func setApplianceRoleIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity,
	m applianceRoleModel) diag.Diagnostics {
	return setIdentity(ctx, identity, applianceRoleIdentityModel{ID: m.ID})
}

// importedID is the import ID, or the id of the identity an import block gives.
func importedID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	var id applianceRoleIdentityModel
	diags.Append(req.Identity.Get(ctx, &id)...)
	return id.ID.ValueString()
}
