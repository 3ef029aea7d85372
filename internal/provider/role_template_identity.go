package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

var _ resource.ResourceWithIdentity = (*roleTemplateResource)(nil)

// roleTemplateIdentityModel is the resource identity of vbaws_role_template (Terraform 1.12 and later): the
// template's name and the account of its policies.
type roleTemplateIdentityModel struct {
	AccountID types.String `tfsdk:"account_id"`
	Name      types.String `tfsdk:"name"`
}

// IdentitySchema declares the identity: an import block may name the template by `identity = { name = ... }`.
func (r *roleTemplateResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"account_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description: "Account of the template's policies. Defaults to the provider's account on import, " +
					"and must be that account when given.",
			},
			"name": identityschema.StringAttribute{RequiredForImport: true, Description: "Name of the template."},
		},
	}
}

// setTemplateIdentity stores the identity of the template m holds, on every create, read (also one that removes
// the template from state) and update, as setRoleIdentity does for roles.
func setTemplateIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m roleTemplateModel,
	client *awsclient.Client) diag.Diagnostics {
	account := types.StringNull()
	if arns := listStrings(ctx, m.PolicyARNs); len(arns) > 0 {
		account = accountOf(types.StringValue(arns[0]))
	}
	return setIdentity(ctx, identity, roleTemplateIdentityModel{AccountID: providerAccount(account, client),
		Name: m.ID})
}

// importTemplate takes the template name as import ID or from an identity; Read then finds the parts by their
// tags.
func importTemplate(ctx context.Context, client *awsclient.Client, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		var id roleTemplateIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		if resp.Diagnostics.HasError() || !identityInAccount(id.AccountID, client, &resp.Diagnostics) {
			return
		}
		req.ID = id.Name.ValueString()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
