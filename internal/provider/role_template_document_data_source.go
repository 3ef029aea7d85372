package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

func newRoleTemplateDocumentDataSource() datasource.DataSource {
	return &roleTemplateDocumentDataSource{}
}

// roleTemplateDocumentDataSource renders Veeam's permissions for a selection of operations without any API call.
type roleTemplateDocumentDataSource struct{}

type roleTemplateDocumentModel struct {
	templateSelection
	templateOutputs
}

func (d *roleTemplateDocumentDataSource) Metadata(
	_ context.Context,
	req datasource.MetadataRequest,
	resp *datasource.MetadataResponse,
) {
	resp.TypeName = req.ProviderTypeName + "_role_template_document"
}

func (d *roleTemplateDocumentDataSource) Schema(
	_ context.Context,
	_ datasource.SchemaRequest,
	resp *datasource.SchemaResponse,
) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Veeam's IAM permissions for a selection of operations, as policy documents split to " +
			"fit IAM's size limit, with the trust principals and instance profile the operations need. It is " +
			"computed locally from data embedded in the provider and makes no AWS call. Use `vbaws_role_template` to " +
			"create the managed policies.",
		Attributes: withAttributes(templateSelectionDataSourceAttributes(), templateOutputDataSourceAttributes()),
	}
}

func (d *roleTemplateDocumentDataSource) Read(
	ctx context.Context,
	req datasource.ReadRequest,
	resp *datasource.ReadResponse,
) {
	var m roleTemplateDocumentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tpl, diags := m.render(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.setOutputs(ctx, tpl)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
