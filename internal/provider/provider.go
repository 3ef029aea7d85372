// Package provider is the Terraform glue of the vbaws provider: one file per resource, data source, function or
// action, named for it, with its schema, model and CRUD beside it. A resource with more to do spans several files
// that share its name as a prefix, one per concern: vbaws_iam_role is iam_role_resource.go (schema, model, CRUD),
// iam_role_plan.go (ModifyPlan), iam_role_trust.go, iam_role_attachments.go, iam_role_inline_policies.go,
// iam_role_instance_profile.go, iam_role_identity.go and iam_role_list_resource.go. Glue several resources share
// lives in files named for what they hold (provider_clients.go, plan_derivation.go, conversions.go). The IAM rules
// live in the domain packages (policy, principal, catalog, template) and every AWS call goes through awsclient;
// DESIGN.md at the repository root maps the layers and where each kind of change goes.
package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

var (
	_ provider.ProviderWithFunctions     = (*vbawsProvider)(nil)
	_ provider.ProviderWithListResources = (*vbawsProvider)(nil)
	_ provider.ProviderWithActions       = (*vbawsProvider)(nil)
)

// New returns a constructor for the provider, as providerserver and the acceptance tests expect.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &vbawsProvider{version: version} }
}

type vbawsProvider struct {
	version string
}

type providerModel struct {
	Region                    types.String      `tfsdk:"region"`
	Profile                   types.String      `tfsdk:"profile"`
	SharedConfigFiles         types.List        `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List        `tfsdk:"shared_credentials_files"`
	AccessKey                 types.String      `tfsdk:"access_key"`
	SecretKey                 types.String      `tfsdk:"secret_key"`
	Token                     types.String      `tfsdk:"token"`
	AssumeRole                *assumeRoleModel  `tfsdk:"assume_role"`
	Endpoints                 *endpointsModel   `tfsdk:"endpoints"`
	MaxRetries                types.Int64       `tfsdk:"max_retries"`
	RetryMode                 types.String      `tfsdk:"retry_mode"`
	SkipCredentialsValidation types.Bool        `tfsdk:"skip_credentials_validation"`
	SkipRequestingAccountID   types.Bool        `tfsdk:"skip_requesting_account_id"`
	RefreshMode               types.String      `tfsdk:"refresh_mode"`
	Appliance                 *applianceModel   `tfsdk:"appliance"`
	DefaultTags               *defaultTagsModel `tfsdk:"default_tags"`
	IgnoreTags                *ignoreTagsModel  `tfsdk:"ignore_tags"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type endpointsModel struct {
	IAM types.String `tfsdk:"iam"`
	STS types.String `tfsdk:"sts"`
}

func (p *vbawsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "vbaws"
	resp.Version = p.version
}

func (p *vbawsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Prepares AWS IAM roles for Veeam Backup for AWS: roles the backup appliance can " +
			"assume, the Veeam trust statement on roles owned by others, and Veeam's permission sets as managed " +
			"policies. Every argument is optional; credentials and region come from the same chain as the AWS CLI.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "AWS region used to sign requests (IAM itself is global). " +
					"Defaults to `AWS_REGION` or the profile's region.",
				Validators: []validator.String{regionValidator()},
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile from the shared configuration files. Defaults to `AWS_PROFILE`.",
			},
			"shared_config_files": schema.ListAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Paths of shared configuration files. Defaults to `~/.aws/config`.",
			},
			"shared_credentials_files": schema.ListAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Paths of shared credentials files. Defaults to `~/.aws/credentials`.",
			},
			"access_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Access key ID; requires `secret_key`. " +
					"Prefer the environment or a profile over writing keys in configuration.",
				Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("secret_key"))},
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Secret access key; requires `access_key`.",
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("access_key"))},
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Session token for temporary credentials.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times in all an AWS call is attempted when it is throttled, answered " +
					"with a 5xx error or `ConcurrentModification`, times out or loses its connection; the SDK waits " +
					"with exponential back-off and jitter (at most 20 s) between attempts. Defaults to `25`; `0` " +
					"means the default. An endpoint that refuses connections fails after 2 attempts whatever this " +
					"says, and IAM's eventual consistency after a create is waited out separately, for up to 2 " +
					"minutes.",
			},
			"retry_mode": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "SDK retry mode: `standard` or `adaptive`. Defaults to `AWS_RETRY_MODE` or `standard`.",
				Validators:          []validator.String{stringvalidator.OneOf("standard", "adaptive")},
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Do not fail configuration when `sts:GetCallerIdentity` fails. With " +
					"`assume_role`, the role is then assumed at the first IAM call instead of while configuring.",
			},
			"skip_requesting_account_id": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Do not learn the account ID. ARNs that need it are then known only after apply. " +
					"With `assume_role` the account comes from `role_arn`; otherwise from `sts:GetCallerIdentity`.",
			},
			"refresh_mode": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: refreshModeDescription,
				Validators: []validator.String{stringvalidator.OneOf(string(awsclient.RefreshAuto),
					string(awsclient.RefreshSnapshot), string(awsclient.RefreshPerResource))},
			},
		},
		Blocks: map[string]schema.Block{
			"appliance":    applianceBlock(),
			"default_tags": defaultTagsBlock(),
			"ignore_tags":  ignoreTagsBlock(),
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Role to assume before any IAM call, for example to manage roles in another account through " +
					"a provider alias.",
				// A single nested block cannot hold a required attribute (it would be required without the block),
				// so role_arn is optional and the block requires it when present.
				Validators: []validator.Object{objectvalidator.AlsoRequires(path.MatchRelative().AtName("role_arn"))},
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "ARN of the role to assume. Required in this block.",
						Validators:          []validator.String{roleARNValidator()},
					},
					"session_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Session name; defaults to one chosen by the SDK.",
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "External ID the role's trust policy requires.",
					},
					"duration": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Session duration such as `1h` or `45m`. Defaults to `1h`.",
						Validators:          []validator.String{durationValidator()},
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Custom endpoints for LocalStack, moto or VPC endpoints. `AWS_ENDPOINT_URL`, " +
					"`AWS_ENDPOINT_URL_IAM` and `AWS_ENDPOINT_URL_STS` are honoured when these are not set.",
				Attributes: map[string]schema.Attribute{
					"iam": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "IAM endpoint URL.",
						Validators:          []validator.String{urlValidator()},
					},
					"sts": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "STS endpoint URL.",
						Validators:          []validator.String{urlValidator()},
					},
				},
			},
		},
	}
}

const refreshModeDescription = "How a refresh reads roles, their policies and instance profiles: `auto` (the " +
	"default) from one snapshot of the account (`iam:ListRoles`, `iam:GetAccountAuthorizationDetails`) when the " +
	"state holds enough roles to pay for it, as counted with `iam:GetAccountSummary`; `snapshot` always from the " +
	"snapshot; `per_resource` role by role, for credentials that may not call those actions or for a very large " +
	"account whose state holds a small share of its roles. Every mode gives the same results; see Refresh above."

func (p *vbawsProvider) Configure(
	ctx context.Context,
	req provider.ConfigureRequest,
	resp *provider.ConfigureResponse,
) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.Config.Raw.IsFullyKnown() {
		deferUnknownConfiguration(ctx, req, resp)
		return
	}
	settings, diags := cfg.settings(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, err := awsclient.New(ctx, settings)
	if err != nil {
		addConfigError(&resp.Diagnostics, err)
		return
	}
	tflog.Debug(
		ctx,
		"configured AWS clients",
		map[string]any{"account_id": client.AccountID, "partition": client.Partition, "caller_arn": client.CallerARN},
	)
	data := newProviderClients(client, cfg.Appliance, &resp.Diagnostics)
	rules, diags := newTagRules(ctx, cfg.DefaultTags, cfg.IgnoreTags)
	resp.Diagnostics.Append(diags...)
	data.tags = &rules
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// deferUnknownConfiguration handles a configuration with values from other resources, unknown during the first
// plan (an account created in the same run, say). A CLI that allows deferrals is asked to defer everything this
// provider plans until those values are known; any other CLI plans without AWS clients and the provider
// configures itself in the apply that follows.
func deferUnknownConfiguration(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	if req.ClientCapabilities.DeferralAllowed {
		tflog.Debug(ctx, "provider configuration is not known yet; deferring its resources and data sources")
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		return
	}
	tflog.Debug(ctx, "provider configuration is not known yet; AWS clients are configured during apply")
}

func addConfigError(diags *diag.Diagnostics, err error) {
	if cfgErr, ok := err.(*awsclient.ConfigError); ok {
		diags.AddError(cfgErr.Summary, cfgErr.Detail)
		return
	}
	diags.AddError("Cannot configure the vbaws provider", err.Error())
}

func (m providerModel) settings(ctx context.Context) (awsclient.Settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := awsclient.Settings{
		Region:                    m.Region.ValueString(),
		Profile:                   m.Profile.ValueString(),
		AccessKey:                 m.AccessKey.ValueString(),
		SecretKey:                 m.SecretKey.ValueString(),
		Token:                     m.Token.ValueString(),
		MaxRetries:                int(m.MaxRetries.ValueInt64()),
		RetryMode:                 m.RetryMode.ValueString(),
		SkipCredentialsValidation: m.SkipCredentialsValidation.ValueBool(),
		SkipRequestingAccountID:   m.SkipRequestingAccountID.ValueBool(),
		RefreshMode:               awsclient.RefreshMode(m.RefreshMode.ValueString()),
	}
	diags.Append(m.SharedConfigFiles.ElementsAs(ctx, &s.SharedConfigFiles, false)...)
	diags.Append(m.SharedCredentialsFiles.ElementsAs(ctx, &s.SharedCredentialsFiles, false)...)
	if m.Endpoints != nil {
		s.IAMEndpoint, s.STSEndpoint = m.Endpoints.IAM.ValueString(), m.Endpoints.STS.ValueString()
	}
	if m.AssumeRole != nil {
		s.AssumeRole = m.AssumeRole.settings()
	}
	return s, diags
}

func (m assumeRoleModel) settings() *awsclient.AssumeRoleSettings {
	duration := time.Hour
	if d := m.Duration.ValueString(); d != "" {
		duration, _ = time.ParseDuration(d) // validated at plan time by durationValidator
	}
	return &awsclient.AssumeRoleSettings{
		RoleARN:     m.RoleARN.ValueString(),
		SessionName: m.SessionName.ValueString(),
		ExternalID:  m.ExternalID.ValueString(),
		Duration:    duration,
	}
}

func (p *vbawsProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newIAMRoleResource,
		newTrustRelationshipResource,
		newRoleTemplateResource,
		newApplianceRoleResource,
	}
}

func (p *vbawsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newImpersonationRoleDataSource,
		newRoleTemplateDocumentDataSource,
		newRoleCheckDataSource,
		newApplianceRolesDataSource,
		newApplianceDataSource,
	}
}

// Functions are the provider functions: computed locally, without credentials, so that they work before anything
// exists and under `terraform test` with mock_provider.
func (p *vbawsProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		newTrustPolicyFunction,
		newPermissionDocumentsFunction,
		newOperationRequirementsFunction,
		newParsePrincipalFunction,
		newPrincipalProblemFunction,
	}
}

// ListResources are the list resources of `terraform query` (Terraform 1.14 and later).
func (p *vbawsProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{newIAMRoleListResource, newApplianceRoleListResource}
}

// Actions are the actions of `action_trigger` and `terraform apply -invoke` (Terraform 1.14 and later).
func (p *vbawsProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{newCheckRoleAction}
}
