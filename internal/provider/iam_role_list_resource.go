package provider

import (
	"context"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

var _ list.ListResourceWithConfigure = (*iamRoleListResource)(nil)

func newIAMRoleListResource() list.ListResource { return &iamRoleListResource{} }

// iamRoleListResource lists the roles of the provider's account for `terraform query` (Terraform 1.14 and
// later), so that `terraform query -generate-config-out` writes a vbaws_iam_role and an import block for each.
// Each listed role is read as an import reads it, so the generated configuration plans no changes. Its Configure
// is the shared withClients'.
type iamRoleListResource struct {
	resourceClients
}

type iamRoleListModel struct {
	PathPrefix          types.String `tfsdk:"path_prefix"`
	TrustedPrincipalARN types.String `tfsdk:"trusted_principal_arn"`
	ExternalID          types.String `tfsdk:"external_id"`
}

func (l *iamRoleListResource) Metadata(ctx context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	(&iamRoleResource{}).Metadata(ctx, req, resp)
}

func (l *iamRoleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest,
	resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the IAM roles of the provider's account, for `terraform query` and bulk " +
			"adoption with `terraform query -generate-config-out`. Both filters are optional; without them every " +
			"role is listed. It needs `iam:ListRoles` and, when the configuration is generated, what reading a " +
			"`vbaws_iam_role` needs.",
		Attributes: map[string]schema.Attribute{
			"path_prefix": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only roles whose path starts with this prefix, such as `/veeam/`. Defaults to `/`.",
				Validators: []validator.String{
					ruleValidator{description: "an IAM path", rule: principal.ValidatePath},
				},
			},
			"trusted_principal_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only roles whose trust policy lets this principal (usually the Impersonation " +
					"role ARN, or an account) call `sts:AssumeRole`, decided as `vbaws_role_check` decides " +
					"`trusts_principal`: by what the statements mean, Deny statements and conditions included, not " +
					"by matching text.",
				Validators: []validator.String{
					ruleValidator{description: "a principal ARN or account ID", rule: parsePrincipalProblem},
				},
			},
			"external_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The external ID `trusted_principal_arn` sends. A trust policy that requires " +
					"an external ID lets the principal in only with it, so without this such roles are not listed.",
				Validators: externalIDValidators(),
			},
		},
	}
}

// parsePrincipalProblem is the provider's plan-time problem with a principal, or nil.
func parsePrincipalProblem(value string) *principal.Problem {
	_, problem := principal.Parse(value, "")
	return problem
}

// List pages through ListRoles, keeps the roles the filters select and reads each as an import would when
// Terraform wants the resources too.
func (l *iamRoleListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config iamRoleListModel
	var diags diag.Diagnostics
	if !readConfigured(ctx, req.Config, &config, l.client, &diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	trusts, diags := l.trustFilter(config)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = l.results(ctx, req, config, trusts)
}

// trustFilter returns whether a role's trust policy lets the configured principal in; every role passes
// without one.
func (l *iamRoleListResource) trustFilter(config iamRoleListModel) (func(iamtypes.Role) bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	if config.TrustedPrincipalARN.IsNull() {
		return func(iamtypes.Role) bool { return true }, diags
	}
	p, problem := principal.Parse(config.TrustedPrincipalARN.ValueString(), l.client.Partition)
	if problem != nil {
		diags.AddAttributeError(path.Root("trusted_principal_arn"), problem.Summary, problem.Detail)
		return nil, diags
	}
	caller := policy.Caller{ARN: p.ARN(), ExternalID: config.ExternalID.ValueString()}
	return func(role iamtypes.Role) bool {
		text, err := policy.Decode(aws.ToString(role.AssumeRolePolicyDocument))
		if err != nil {
			return false
		}
		doc, err := policy.Parse(text)
		return err == nil && policy.CheckTrust(doc, caller).Trusted()
	}, diags
}

// results streams one result per selected role, at most req.Limit of them.
func (l *iamRoleListResource) results(ctx context.Context, req list.ListRequest, config iamRoleListModel,
	trusts func(iamtypes.Role) bool) iter.Seq[list.ListResult] {
	prefix := config.PathPrefix.ValueString()
	if prefix == "" {
		prefix = "/"
	}
	return func(push func(list.ListResult) bool) {
		var listed int64
		err := l.client.EachRole(ctx, prefix, func(role iamtypes.Role) bool {
			if !trusts(role) {
				return true
			}
			listed++
			return push(l.result(ctx, req, role)) && (req.Limit <= 0 || listed < req.Limit)
		})
		if err != nil {
			var diags diag.Diagnostics
			addAWSError(&diags, "Cannot list IAM roles", err)
			push(list.ListResult{Diagnostics: diags})
		}
	}
}

// result is the listed role: its identity and, when Terraform asks for it, its state as Read after an import
// gives it.
func (l *iamRoleListResource) result(ctx context.Context, req list.ListRequest, role iamtypes.Role) list.ListResult {
	result := req.NewListResult(ctx)
	name := aws.ToString(role.RoleName)
	result.DisplayName = name
	m := iamRoleModel{ID: types.StringValue(name), AccountID: accountOf(types.StringValue(aws.ToString(role.Arn)))}
	result.Diagnostics.Append(result.Identity.Set(ctx, roleIdentity(m, l.client))...)
	if !req.IncludeResource || result.Diagnostics.HasError() {
		return result
	}
	read := resource.ReadResponse{State: tfsdk.State{Schema: result.Resource.Schema, Raw: result.Resource.Raw},
		Identity: result.Identity}
	read.Diagnostics.Append(read.State.SetAttribute(ctx, path.Root("id"), name)...)
	if !read.Diagnostics.HasError() {
		roles := iamRoleResource{resourceClients: l.resourceClients}
		roles.Read(ctx, resource.ReadRequest{State: read.State}, &read)
	}
	result.Diagnostics.Append(read.Diagnostics...)
	result.Resource = &tfsdk.Resource{Schema: read.State.Schema, Raw: read.State.Raw}
	return result
}
