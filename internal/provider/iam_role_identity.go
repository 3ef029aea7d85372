package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

var _ resource.ResourceWithIdentity = (*iamRoleResource)(nil)

// IdentitySchema declares the identity of vbaws_iam_role: the role's name and account (namedIdentityModel). An
// import block may name the role by `identity = { name = ... }`; a new name replaces the role, so the identity of
// a role in state never changes.
func (r *iamRoleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = namedIdentitySchema("role")
}

// roleIdentity is the identity of the role a model holds: its name (id) and its account, from its ARN or, before
// the first read of an old state, the provider's.
func roleIdentity(m iamRoleModel, client *awsclient.Client) namedIdentityModel {
	return namedIdentityModel{AccountID: providerAccount(m.AccountID, client), Name: m.ID}
}

// setRoleIdentity stores the identity of the role m holds (see identity.go).
func setRoleIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m iamRoleModel,
	client *awsclient.Client) diag.Diagnostics {
	return setIdentity(ctx, identity, roleIdentity(m, client))
}

// importRole takes the role name as import ID or from an identity; Read then fills in everything else.
func importRole(ctx context.Context, client *awsclient.Client, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importNamed(ctx, client, req, resp, path.Root("id"))
}
