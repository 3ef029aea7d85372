package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*applianceRolesDataSource)(nil)

func newApplianceRolesDataSource() datasource.DataSource { return &applianceRolesDataSource{} }

// applianceRolesDataSource lists the IAM role records of the appliance.
type applianceRolesDataSource struct {
	dataSourceClients
}

type applianceRolesModel struct {
	NamePattern types.String               `tfsdk:"name_pattern"`
	Roles       []applianceRoleRecordModel `tfsdk:"roles"`
}

type applianceRoleRecordModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Description  types.String `tfsdk:"description"`
	RoleARN      types.String `tfsdk:"role_arn"`
	AWSAccountID types.String `tfsdk:"aws_account_id"`
	CrossAccount types.Bool   `tfsdk:"cross_account"`
	IsDefault    types.Bool   `tfsdk:"is_default"`
	Permissions  types.Set    `tfsdk:"permissions"`
}

func (d *applianceRolesDataSource) Metadata(
	_ context.Context,
	req datasource.MetadataRequest,
	resp *datasource.MetadataResponse,
) {
	resp.TypeName = req.ProviderTypeName + "_appliance_roles"
}

func (d *applianceRolesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest,
	resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The IAM role records of the Veeam appliance of the provider's `appliance` block, " +
			"the default record included, read page by page. " + revisionsChecked,
		Attributes: map[string]schema.Attribute{
			"name_pattern": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only records whose name matches, as the appliance's `SearchPattern` matches " +
					"(such as `Backup*`). Veeam does not document its semantics: the emulator in this " +
					"repository matches regardless of case, with `*` as a wildcard and a pattern without one " +
					"matching anywhere in the name.",
			},
			"roles": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The records, in name order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             computed("The record's UUID, for `terraform import`."),
					"name":           computed("The role's name in the appliance."),
					"description":    computed("Description; `\"\"` when it has none."),
					"role_arn":       computed("ARN of the IAM role, built from the record's account and role name."),
					"aws_account_id": computed("The role's AWS account."),
					"cross_account": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether the record is an *IAM role from another account*."},
					"is_default": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether it is the appliance's default record, which is never managed."},
					"permissions": schema.SetAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Operations the role is offered for, as `permissions` of " +
							"`vbaws_appliance_role` names them (a name this provider does not know as the " +
							"appliance spells it); null for revisions before 1.5-rev0."},
				}},
			},
		},
	}
}

func (d *applianceRolesDataSource) Read(ctx context.Context, req datasource.ReadRequest,
	resp *datasource.ReadResponse) {
	var m applianceRolesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !requireAppliance(d.appliance, d.configured, &resp.Diagnostics) {
		return
	}
	roles, err := d.appliance.List(ctx, m.NamePattern.ValueString())
	if err != nil {
		addApplianceError(&resp.Diagnostics, "Cannot list the appliance's IAM role records", err)
		return
	}
	m.Roles = make([]applianceRoleRecordModel, 0, len(roles))
	for _, role := range roles {
		permissions := types.SetNull(types.StringType)
		if role.Permissions != nil {
			var diags diag.Diagnostics
			permissions, diags = types.SetValueFrom(ctx, types.StringType, operationsOf(role.Permissions))
			resp.Diagnostics.Append(diags...)
		}
		m.Roles = append(m.Roles, applianceRoleRecordModel{
			ID:           types.StringValue(role.ID),
			Name:         types.StringValue(role.Name),
			Description:  types.StringValue(role.Description),
			RoleARN:      types.StringValue(role.ARN()),
			AWSAccountID: types.StringValue(role.AccountID),
			CrossAccount: types.BoolValue(role.CrossAccount),
			IsDefault:    types.BoolValue(role.IsDefault),
			Permissions:  permissions,
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
