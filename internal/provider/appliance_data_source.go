package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
)

var _ datasource.DataSourceWithConfigure = (*applianceDataSource)(nil)

func newApplianceDataSource() datasource.DataSource { return &applianceDataSource{} }

// applianceDataSource shows what the provider learns about the appliance of its appliance block, so that a user
// can check the connection before registering roles.
type applianceDataSource struct {
	dataSourceClients
}

type applianceDataModel struct {
	URL           types.String `tfsdk:"url"`
	ServerVersion types.String `tfsdk:"server_version"`
	APIVersion    types.String `tfsdk:"api_version"`
	AccountID     types.String `tfsdk:"account_id"`
	RegionType    types.String `tfsdk:"region_type"`
	Permissions   types.Set    `tfsdk:"permissions"`
	Operations    types.Set    `tfsdk:"operations"`
}

func (d *applianceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest,
	resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_appliance"
}

func (d *applianceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	strings := func(description string) schema.SetAttribute {
		return schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What the provider learns about the Veeam appliance of its `appliance` block: it logs " +
			"in, negotiates the REST revision and reads the appliance's version and its default record. Read it " +
			"before registering roles to check the connection, the credentials and what the appliance offers; " +
			"it fails with the same diagnostics as `vbaws_appliance_role` would. " + revisionsChecked,
		Attributes: map[string]schema.Attribute{
			"url": computed("The appliance's REST address as the provider uses it, with its port."),
			"server_version": computed("The appliance's product version, such as `10.0.1.45` (`GET /system/version`, " +
				"documented by Veeam)."),
			"api_version": computed("The REST revision spoken: `api_version` of the appliance block, or the one " +
				"`auto` negotiated."),
			"account_id": computed("The appliance's own AWS account, read from its default record " +
				"(*Default Backup Restore*); `\"\"` when it has none, in which case every role is registered as a " +
				"role from another account."),
			"region_type": computed("The default record's region type (`Global`, `Government`, `China`), which " +
				"decides the partition of the ARNs the provider builds; `\"\"` without a default record."),
			"permissions": strings("The permission names the appliance offers, as its default record (registered " +
				"with all of them) reports them; null for revisions before 1.5-rev0. The names and where they are " +
				"read from are inferred, not documented by Veeam."),
			"operations": strings("The operations of `permissions` of `vbaws_appliance_role` that the appliance " +
				"offers: `permissions` mapped to the provider's operation names (see the " +
				"[operations guide](../guides/operations.md)), leaving out names the provider does not know; null " +
				"when `permissions` is."),
		},
	}
}

func (d *applianceDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !requireAppliance(d.appliance, d.configured, &resp.Diagnostics) {
		return
	}
	m, err := readAppliance(ctx, d.appliance)
	if err != nil {
		addApplianceError(&resp.Diagnostics, "Cannot read the Veeam appliance", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readAppliance asks the appliance what the data source shows.
func readAppliance(ctx context.Context, c *appliance.Client) (applianceDataModel, error) {
	m := applianceDataModel{URL: types.StringValue(c.URL())}
	version, err := c.ServerVersion(ctx)
	if err != nil {
		return m, err
	}
	rev, err := c.Revision(ctx)
	if err != nil {
		return m, err
	}
	account, err := c.ApplianceAccountID(ctx)
	if err != nil {
		return m, err
	}
	regionType, offered, err := c.DefaultRecordFacts(ctx)
	if err != nil {
		return m, err
	}
	m.ServerVersion, m.APIVersion = types.StringValue(version), types.StringValue(rev.String())
	m.AccountID, m.RegionType = types.StringValue(account), types.StringValue(regionType)
	m.Permissions, m.Operations = types.SetNull(types.StringType), types.SetNull(types.StringType)
	if offered != nil {
		m.Permissions = stringSet(offered)
		m.Operations = stringSet(knownOperations(offered))
	}
	return m, nil
}

// knownOperations maps appliance permission names to operation names, leaving out names no operation has.
func knownOperations(permissions []string) []string {
	ops := []string{}
	for _, p := range permissions {
		if op, ok := appliance.OperationOf(p); ok {
			ops = append(ops, op)
		}
	}
	return ops
}
