package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

var _ resource.ResourceWithIdentity = (*trustRelationshipResource)(nil)

// trustRelationshipIdentityModel is the resource identity of vbaws_trust_relationship (Terraform 1.12 and
// later): the role, the Sid of the Veeam statement and the role's account.
type trustRelationshipIdentityModel struct {
	AccountID types.String `tfsdk:"account_id"`
	RoleName  types.String `tfsdk:"role_name"`
	Sid       types.String `tfsdk:"sid"`
}

// IdentitySchema declares the identity: an import block may name the statement by
// `identity = { role_name = ..., sid = ... }`.
func (r *trustRelationshipResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"account_id": accountIdentityAttribute(),
			"role_name":  identityschema.StringAttribute{RequiredForImport: true, Description: "Name of the role."},
			"sid":        identityschema.StringAttribute{RequiredForImport: true, Description: "Sid of the statement."},
		},
	}
}

// setTrustIdentity stores the identity of the statement m holds, on every create, read (also one that removes
// the statement from state) and update, as setRoleIdentity does for roles.
func setTrustIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m trustRelationshipModel,
	client *awsclient.Client) diag.Diagnostics {
	return setIdentity(ctx, identity, trustRelationshipIdentityModel{
		AccountID: providerAccount(accountOf(m.RoleARN), client), RoleName: m.RoleName, Sid: m.Sid})
}

// trustImportID is the import ID <role_name>/<sid> of the statement an identity names, checked as that ID is.
func trustImportID(ctx context.Context, client *awsclient.Client, req resource.ImportStateRequest,
	diags *diag.Diagnostics) (string, bool) {
	var id trustRelationshipIdentityModel
	diags.Append(req.Identity.Get(ctx, &id)...)
	if diags.HasError() || !identityInAccount(id.AccountID, client, diags) {
		return "", false
	}
	return id.RoleName.ValueString() + "/" + id.Sid.ValueString(), true
}
