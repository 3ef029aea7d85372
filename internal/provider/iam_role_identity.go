package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

var _ resource.ResourceWithIdentity = (*iamRoleResource)(nil)

// iamRoleIdentityModel is the resource identity of vbaws_iam_role (Terraform 1.12 and later): the role's name
// and its account, as terraform-provider-aws identifies aws_iam_role. The framework checks that it never
// changes for a role in state; a new name replaces the role.
type iamRoleIdentityModel struct {
	AccountID types.String `tfsdk:"account_id"`
	Name      types.String `tfsdk:"name"`
}

// IdentitySchema declares the identity: an import block may name the role by `identity = { name = ... }`.
func (r *iamRoleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"account_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description: "Account of the role. Defaults to the provider's account on import, and must be " +
					"that account when given.",
			},
			"name": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Name of the role.",
			},
		},
	}
}

// roleIdentity is the identity of the role a model holds: its name (id) and its account, from its ARN or, before
// the first read of an old state, the provider's.
func roleIdentity(m iamRoleModel, client *awsclient.Client) iamRoleIdentityModel {
	return iamRoleIdentityModel{AccountID: providerAccount(m.AccountID, client), Name: m.ID}
}

// setRoleIdentity stores the identity of the role m holds; every create, read (also one that removes a vanished
// role from state) and update sets it, so that states written before identities existed gain one on the next
// refresh without a plan difference.
func setRoleIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m iamRoleModel,
	client *awsclient.Client) diag.Diagnostics {
	return setIdentity(ctx, identity, roleIdentity(m, client))
}

// importRole takes the role name as import ID or from an identity; Read then fills in everything else.
func importRole(ctx context.Context, client *awsclient.Client, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		var id iamRoleIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		if resp.Diagnostics.HasError() || !identityInAccount(id.AccountID, client, &resp.Diagnostics) {
			return
		}
	}
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("name"), req, resp)
}

// identityInAccount reports whether an identity's account_id, when given, is the provider's account, because the
// provider manages IAM only there; it adds an error when not.
func identityInAccount(account types.String, client *awsclient.Client, diags *diag.Diagnostics) bool {
	given := account.ValueString()
	if given == "" || client == nil || client.AccountID == "" || given == client.AccountID {
		return true
	}
	diags.AddAttributeError(path.Root("account_id"), "Resource of another account",
		fmt.Sprintf("The identity names account %s, but the provider manages account %s; import it through a "+
			"provider configured for account %s.", given, client.AccountID, given))
	return false
}

// providerAccount is account, or the provider's account when account is not known.
func providerAccount(account types.String, client *awsclient.Client) types.String {
	if (account.IsNull() || account.IsUnknown()) && client != nil && client.AccountID != "" {
		return types.StringValue(client.AccountID)
	}
	if account.IsUnknown() {
		return types.StringNull()
	}
	return account
}

// setIdentity stores an identity model; identity is nil where the framework passes none.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, model any) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, model)
}
