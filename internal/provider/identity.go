package provider

// Resource identities (Terraform 1.12 and later), shared by the resources that have one: every create, read (also
// one that removes a vanished resource from state) and update sets the identity, so that a state written before
// identities existed gains one on the next refresh without a plan difference, and Terraform never finds a read
// without one ("Missing Resource Identity After Read").

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

// namedIdentityModel is the identity of a resource known by its name in its account, as terraform-provider-aws
// identifies IAM roles and policies.
type namedIdentityModel struct {
	AccountID types.String `tfsdk:"account_id"`
	Name      types.String `tfsdk:"name"`
}

// namedIdentitySchema is the identity schema of namedIdentityModel; what is the kind of thing named.
func namedIdentitySchema(what string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"account_id": accountIdentityAttribute(),
			"name":       identityschema.StringAttribute{RequiredForImport: true, Description: "Name of the " + what + "."},
		},
	}
}

// accountIdentityAttribute is the account_id of an identity.
func accountIdentityAttribute() identityschema.StringAttribute {
	return identityschema.StringAttribute{
		OptionalForImport: true,
		Description:       "Account ID. Defaults to the provider's account on import, and must be that account when given.",
	}
}

// importNamed imports the resource an import ID or a namedIdentityModel names, setting the attributes at paths
// to the name; Read then fills in everything else.
func importNamed(ctx context.Context, client *awsclient.Client, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse, paths ...path.Path) {
	name := req.ID
	if name == "" && req.Identity != nil {
		var id namedIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		if resp.Diagnostics.HasError() || !identityInAccount(id.AccountID, client, &resp.Diagnostics) {
			return
		}
		name = id.Name.ValueString()
	}
	for _, p := range paths {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, p, name)...)
	}
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
