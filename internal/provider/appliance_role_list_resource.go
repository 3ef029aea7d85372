package provider

import (
	"context"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
)

var _ list.ListResourceWithConfigure = (*applianceRoleListResource)(nil)

func newApplianceRoleListResource() list.ListResource { return &applianceRoleListResource{} }

// applianceRoleListResource lists the IAM role records of the appliance for `terraform query` (Terraform 1.14
// and later), so that `terraform query -generate-config-out` writes a vbaws_appliance_role and an import block
// for each record, the default one left out. Each record is read as an import reads it, so the generated
// configuration plans no changes.
type applianceRoleListResource struct {
	records applianceRoleResource
}

type applianceRoleListModel struct {
	NamePattern types.String `tfsdk:"name_pattern"`
}

func (l *applianceRoleListResource) Metadata(ctx context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	l.records.Metadata(ctx, req, resp)
}

func (l *applianceRoleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest,
	resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the IAM role records of the appliance of the provider's `appliance` block, for " +
			"`terraform query` and adoption with `terraform query -generate-config-out`. The appliance's default " +
			"record (*Default Backup Restore*) is never listed: it belongs to the appliance. The appliance never " +
			"returns an external ID, so a generated block of a role from another account has none; add " +
			"`external_id` before the next apply sends the record again.",
		Attributes: map[string]schema.Attribute{
			"name_pattern": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only records whose name matches, as the appliance's `SearchPattern` matches " +
					"(see the `vbaws_appliance_roles` data source). All records without it.",
			},
		},
	}
}

func (l *applianceRoleListResource) Configure(ctx context.Context, req resource.ConfigureRequest,
	resp *resource.ConfigureResponse) {
	l.records.Configure(ctx, req, resp)
}

// List reads the records page by page and streams every one but the default record.
func (l *applianceRoleListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config applianceRoleListModel
	var diags diag.Diagnostics
	diags.Append(req.Config.Get(ctx, &config)...)
	if diags.HasError() || !requireAppliance(l.records.appliance, l.records.configured, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	roles, err := l.records.appliance.List(ctx, config.NamePattern.ValueString())
	if err != nil {
		addApplianceError(&diags, "Cannot list the appliance's IAM role records", err)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = l.results(ctx, req, roles)
}

// results streams one result per record but the default one, at most req.Limit of them.
func (l *applianceRoleListResource) results(ctx context.Context, req list.ListRequest,
	roles []appliance.Role) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		var listed int64
		for _, role := range roles {
			if role.IsDefault {
				continue
			}
			listed++
			if !push(l.result(ctx, req, role)) || (req.Limit > 0 && listed >= req.Limit) {
				return
			}
		}
	}
}

// result is the listed record: its identity and, when Terraform asks for it, its state as Read after an import
// gives it.
func (l *applianceRoleListResource) result(ctx context.Context, req list.ListRequest,
	role appliance.Role) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = role.Name
	result.Diagnostics.Append(result.Identity.Set(ctx, applianceRoleIdentityModel{ID: types.StringValue(role.ID)})...)
	if !req.IncludeResource || result.Diagnostics.HasError() {
		return result
	}
	read := resource.ReadResponse{State: tfsdk.State{Schema: result.Resource.Schema, Raw: result.Resource.Raw},
		Identity: result.Identity}
	read.Diagnostics.Append(read.State.SetAttribute(ctx, path.Root("id"), role.ID)...)
	read.Diagnostics.Append(read.State.SetAttribute(ctx, path.Root("assume_wait"), defaultAssumeWait)...)
	if !read.Diagnostics.HasError() {
		l.records.Read(ctx, resource.ReadRequest{State: read.State}, &read)
	}
	result.Diagnostics.Append(read.Diagnostics...)
	result.Resource = &tfsdk.Resource{Schema: read.State.Schema, Raw: read.State.Raw}
	return result
}
