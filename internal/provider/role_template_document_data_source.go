package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
)

// documentsDescription is shared by the data source and the resource, which export the same documents.
const documentsDescription = "The permission policy documents, each within IAM's limit of 6,144 characters for a " +
	"managed policy (whitespace excluded). Actions are deduplicated regardless of case and sorted; the same " +
	"selection always gives the same documents."

func newRoleTemplateDocumentDataSource() datasource.DataSource {
	return &roleTemplateDocumentDataSource{}
}

// roleTemplateDocumentDataSource renders Veeam's permissions for a selection of operations without any API call.
type roleTemplateDocumentDataSource struct{}

type roleTemplateDocumentModel struct {
	Operations              types.Set    `tfsdk:"operations"`
	ProductVersion          types.String `tfsdk:"product_version"`
	WorkersInProduction     types.Bool   `tfsdk:"workers_in_production_accounts"`
	Documents               types.List   `tfsdk:"documents"`
	Actions                 types.Set    `tfsdk:"actions"`
	ServicePrincipals       types.Set    `tfsdk:"service_principals"`
	RequiresInstanceProfile types.Bool   `tfsdk:"requires_instance_profile"`
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
		Attributes: map[string]schema.Attribute{
			"operations": schema.SetAttribute{
				Required:            true,
				ElementType:         types.StringType,
				MarkdownDescription: operationsDescription,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(operationValidator{}),
				},
			},
			"product_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: productVersionDescription,
				Validators:          []validator.String{stringvalidator.OneOf(catalog.Versions()...)},
			},
			"workers_in_production_accounts": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: workersDescription,
			},
			"documents": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: documentsDescription,
			},
			"actions": schema.SetAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Every action in the documents.",
			},
			"service_principals": schema.SetAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "AWS services the role's trust policy must also allow, for `service_principals` of " +
					"`vbaws_iam_role`.",
			},
			"requires_instance_profile": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the role needs an instance profile, for `create_instance_profile` of " +
					"`vbaws_iam_role`.",
			},
		},
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
	tpl, diags := renderTemplate(ctx, m.Operations, m.ProductVersion, m.WorkersInProduction)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	out, diags := outputsOf(ctx, tpl)
	resp.Diagnostics.Append(diags...)
	m.Documents, m.Actions = out.Documents, out.Actions
	m.ServicePrincipals, m.RequiresInstanceProfile = out.ServicePrincipals, out.RequiresInstanceProfile
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
