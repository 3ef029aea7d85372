package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

var _ resource.ResourceWithIdentity = (*roleTemplateResource)(nil)

// IdentitySchema declares the identity of vbaws_role_template: the template's name and the account of its
// policies (namedIdentityModel). An import block may name the template by `identity = { name = ... }`.
func (r *roleTemplateResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = namedIdentitySchema("template")
}

// setTemplateIdentity stores the identity of the template m holds (see identity.go).
func setTemplateIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m roleTemplateModel,
	client *awsclient.Client) diag.Diagnostics {
	account := types.StringNull()
	if arns := listStrings(ctx, m.PolicyARNs); len(arns) > 0 {
		account = accountOf(types.StringValue(arns[0]))
	}
	return setIdentity(ctx, identity, namedIdentityModel{AccountID: providerAccount(account, client), Name: m.ID})
}

// importTemplate takes the template name as import ID or from an identity; Read then finds the parts by their
// tags.
func importTemplate(ctx context.Context, client *awsclient.Client, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importNamed(ctx, client, req, resp, path.Root("name"), path.Root("id"))
}
