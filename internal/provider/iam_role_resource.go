package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

const (
	nameSuffixLength  = 26 // UTC timestamp (14) + 12 random hex digits
	maxRoleNameLength = 64
)

var (
	_ resource.ResourceWithConfigure      = (*iamRoleResource)(nil)
	_ resource.ResourceWithImportState    = (*iamRoleResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*iamRoleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*iamRoleResource)(nil)
)

func newIAMRoleResource() resource.Resource { return &iamRoleResource{} }

// iamRoleResource is a role the Veeam appliance can assume. It owns the role's trust policy and, when
// managed_policy_arns is set, its managed policy attachments authoritatively: anything added outside Terraform
// shows as drift and is removed on apply.
type iamRoleResource struct {
	resourceClients
}

// iamRoleModel is the state of vbaws_iam_role. The naming and trust attributes are declared once, in the
// structs ModifyPlan reads on their own, and embedded here.
type iamRoleModel struct {
	ID types.String `tfsdk:"id"`
	roleNaming
	roleTrustInputs
	roleSettingsModel
	NamePrefix         types.String   `tfsdk:"name_prefix"`
	ManagedPolicyARNs  types.Set      `tfsdk:"managed_policy_arns"`
	ARN                types.String   `tfsdk:"arn"`
	UniqueID           types.String   `tfsdk:"unique_id"`
	CreateDate         types.String   `tfsdk:"create_date"`
	InstanceProfileARN types.String   `tfsdk:"instance_profile_arn"`
	AssumeRolePolicy   PolicyValue    `tfsdk:"assume_role_policy"`
	InlinePolicies     types.Map      `tfsdk:"inline_policies"`
	AccountID          types.String   `tfsdk:"account_id"`
	AcknowledgeRoot    types.Bool     `tfsdk:"acknowledge_account_root"`
	AllowPublicTrust   types.Bool     `tfsdk:"allow_public_trust"`
	TrustPolicyQuota   types.Int64    `tfsdk:"trust_policy_quota"`
	ManagedPolicyQuota types.Int64    `tfsdk:"managed_policies_quota"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// roleSettingsModel are the attributes that awsclient.RoleSettings carries to IAM, apart from the path, which
// roleNaming holds.
type roleSettingsModel struct {
	Description         types.String `tfsdk:"description"`
	MaxSessionDuration  types.Int64  `tfsdk:"max_session_duration"`
	PermissionsBoundary types.String `tfsdk:"permissions_boundary"`
	Tags                types.Map    `tfsdk:"tags"`
	TagsAll             types.Map    `tfsdk:"tags_all"`
}

// roleSettings returns the settings the model holds, with tags_all as the tags IAM gets.
func (m iamRoleModel) roleSettings(ctx context.Context) awsclient.RoleSettings {
	tags := map[string]string{}
	_ = m.TagsAll.ElementsAs(ctx, &tags, false) // a null or unknown map has no elements
	return awsclient.RoleSettings{
		Path:                m.Path.ValueString(),
		Description:         m.Description.ValueString(),
		MaxSessionDuration:  int32(m.MaxSessionDuration.ValueInt64()),
		PermissionsBoundary: m.PermissionsBoundary.ValueString(),
		Tags:                tags,
	}
}

// setRoleSettings fills the settings attributes from what IAM holds; the path is setRole's, and tags, which the
// provider's tag rules split, are readRole's. tags_all takes the tags IAM holds.
func (m *roleSettingsModel) setRoleSettings(s awsclient.RoleSettings) {
	m.Description = stringOrNull(&s.Description)
	m.MaxSessionDuration = types.Int64Value(int64(s.MaxSessionDuration))
	m.PermissionsBoundary = stringOrNull(&s.PermissionsBoundary)
	m.TagsAll = tagsMap(awsclient.IAMTags(s.Tags), m.TagsAll)
}

// roleNaming are the attributes the role's and its instance profile's ARNs are built from.
type roleNaming struct {
	Name                  types.String `tfsdk:"name"`
	Path                  types.String `tfsdk:"path"`
	CreateInstanceProfile types.Bool   `tfsdk:"create_instance_profile"`
}

// roleTrustInputs are the attributes a role's trust policy is rendered from.
type roleTrustInputs struct {
	TrustedPrincipalARNs  types.Set    `tfsdk:"trusted_principal_arns"`
	ExternalID            types.String `tfsdk:"external_id"`
	ServicePrincipals     types.Set    `tfsdk:"service_principals"`
	AdditionalTrustPolicy PolicyValue  `tfsdk:"additional_trust_policy"`
}

// Paths of the attributes vbaws_iam_role's ModifyPlan reads or derives.
var (
	pathRoleName              = path.Root("name")
	pathNamePrefix            = path.Root("name_prefix")
	pathRolePath              = path.Root("path")
	pathExternalID            = path.Root("external_id")
	pathServicePrincipals     = path.Root("service_principals")
	pathCreateInstanceProfile = path.Root("create_instance_profile")
	pathRoleARN               = path.Root("arn")
	pathInstanceProfileARN    = path.Root("instance_profile_arn")
	pathAssumeRolePolicy      = path.Root("assume_role_policy")
	pathRoleID                = path.Root("id")
	pathRoleAccountID         = path.Root("account_id")
	pathTrustedPrincipals     = path.Root("trusted_principal_arns")
	pathAdditionalTrust       = path.Root("additional_trust_policy")
	pathAllowPublicTrust      = path.Root("allow_public_trust")
	pathTrustPolicyQuota      = path.Root("trust_policy_quota")
	pathManagedPoliciesQuota  = path.Root("managed_policies_quota")
)

func (r *iamRoleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_iam_role"
}

func (r *iamRoleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An IAM role the Veeam Backup for AWS appliance can assume: a trust policy generated " +
			"from `trusted_principal_arns` (the Impersonation role, or the appliance's account), optional " +
			"`external_id` and `service_principals`, the managed policies in `managed_policy_arns` and, for worker " +
			"roles, an instance profile of the same name and path. The resource is authoritative for the role's " +
			"trust policy and, when `managed_policy_arns` is set, for its managed policy attachments: statements or " +
			"attachments added outside Terraform show as drift and are removed on apply. Use " +
			"`vbaws_trust_relationship` for roles someone else owns.\n\n" +
			"Any existing role imports, also one whose trust names no principal the appliance can use (the " +
			"Impersonation role itself, Lambda or DLM execution roles) or names the appliance in a form such as " +
			"`arn:aws:sts::<account>:role/<name>`, which import keeps unchanged in `additional_trust_policy`: the " +
			"configuration `terraform plan -generate-config-out` writes passes `validate`, applies without a write " +
			"to IAM and plans no changes afterwards.",
		Attributes: withAdoptionAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				PlanModifiers:       keep,
				MarkdownDescription: "The role name; known at plan time when `name` is.",
			},
			"name": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Role name, 1 to 64 characters. Exactly one of `name` and `name_prefix`.",
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplace(),
					stringplanmodifier.UseStateForUnknown(),
				},
				Validators: []validator.String{roleNameValidator()},
			},
			"name_prefix": schema.StringAttribute{
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
				MarkdownDescription: fmt.Sprintf(
					"Creates a unique name beginning with this prefix (at most %d characters). "+
						"Read back from a name made this way, so that such a role imports without a replacement.",
					maxRoleNameLength-nameSuffixLength,
				),
				Validators: []validator.String{
					stringvalidator.LengthAtMost(maxRoleNameLength - nameSuffixLength),
					namePrefixValidator{},
					ruleValidator{
						description: "characters allowed in role names",
						rule:        func(s string) *principal.Problem { return principal.ValidateRoleName(s) },
					},
				},
			},
			"path": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("/"),
				PlanModifiers:       replace,
				MarkdownDescription: "Role path, such as `/veeam/`. Defaults to `/`.",
				Validators: []validator.String{
					ruleValidator{description: "an IAM path", rule: principal.ValidatePath},
				},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Role description, at most 1000 characters.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1000)},
			},
			"trusted_principal_arns": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Who may assume the role: the Impersonation role ARN (recommended), or the " +
					"appliance's account as a 12-digit ID or root ARN. Checked during plan: wildcards, session ARNs, " +
					"users, groups, service names and malformed ARNs are errors; an account root is a warning. " +
					"Left out (or `[]`), the trust policy is only `service_principals` and `additional_trust_policy`, " +
					"as for the Impersonation role itself or a Lambda or DLM execution role: the plan then warns, " +
					"on this attribute, that the appliance cannot assume the role and what to add. With none of the " +
					"three, or with `external_id` alone, the plan fails: IAM rejects a trust policy without statements.",
				Validators: []validator.Set{principalSetValidator{}},
			},
			"external_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Adds `Condition.StringEquals.\"sts:ExternalId\"` to the statement of " +
					"`trusted_principal_arns`." + externalIDRule,
				Validators: externalIDValidators(),
			},
			"service_principals": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "AWS services that may also assume the role, such as `backup.amazonaws.com`. " +
					"They get their own statement without the external-ID condition, because services do not send " +
					"one.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(servicePrincipalValidator())},
			},
			"managed_policy_arns": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Managed policies to attach, for example `vbaws_role_template.x.policy_arns`. " +
					"When set (also to `[]`), it is authoritative: other attachments are detached on apply. Left out, " +
					"attachments are not managed.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(policyARNValidator()),
					managedPoliciesQuotaValidator{quota: pathManagedPoliciesQuota}},
			},
			"create_instance_profile": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Create an instance profile of the same name and path containing the role. " +
					"Veeam's worker roles need one. The profile gets the role's `tags` and the tag " +
					"`vbaws:created-by = vbaws_iam_role`, which marks it as made by this provider. An existing profile " +
					"of that name and path is used only when it carries that tag (such as the empty profile left " +
					"behind when the role was deleted out of band) or state already holds it; any other is refused " +
					"at apply, quoted in the error and left untouched, tags included, and destroy never deletes it. " +
					"To manage such a profile with the role, add the role to it and import the role: import takes " +
					"the profile of the role's name and path that holds the role.",
			},
			"max_session_duration": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(3600),
				MarkdownDescription: "Maximum session duration in seconds, 3600 to 43200. Defaults to 3600.",
				Validators:          []validator.Int64{int64validator.Between(3600, 43200)},
			},
			"permissions_boundary": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "ARN of the managed policy used as permissions boundary.",
				Validators:          []validator.String{policyARNValidator()},
			},
			"tags":     tagsAttribute("Tags of the role (and of its instance profile)."),
			"tags_all": tagsAllAttribute(),
			"arn": schema.StringAttribute{
				Computed:            true,
				PlanModifiers:       keep,
				MarkdownDescription: "Role ARN; known at plan time when the name and the account are.",
			},
			"unique_id": schema.StringAttribute{
				Computed:            true,
				PlanModifiers:       keep,
				MarkdownDescription: "Stable role ID (`AROA…`).",
			},
			"create_date": schema.StringAttribute{
				Computed:            true,
				PlanModifiers:       keep,
				MarkdownDescription: "When the role was created (RFC 3339).",
			},
			"instance_profile_arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the instance profile, when `create_instance_profile` is true.",
			},
			"assume_role_policy": schema.StringAttribute{
				Computed:            true,
				CustomType:          PolicyType{},
				MarkdownDescription: "The effective trust policy JSON, known at plan time when its inputs are.",
			},
			"timeouts": timeoutsAttribute(ctx),
		}),
	}
}

// withAdoptionAttributes adds to the role's schema the attributes that let it adopt what others made: further
// trust statements, inline policies, the account, and the acknowledgement of an account-root principal.
func withAdoptionAttributes(attributes map[string]schema.Attribute) map[string]schema.Attribute {
	attributes["additional_trust_policy"] = schema.StringAttribute{
		Optional:   true,
		CustomType: PolicyType{},
		Validators: []validator.String{additionalTrustValidator{},
			publicTrustValidator{acknowledgement: pathAllowPublicTrust}},
		MarkdownDescription: "Trust statements beyond Veeam's, as a policy document (for example a break-glass " +
			"principal or an OIDC federation), compared by meaning. The trust policy is the statements generated " +
			"from `trusted_principal_arns`, `external_id` and `service_principals`, followed by these. Import fills " +
			"it with the statements that are not Veeam's. Checked during plan: every statement needs a " +
			"`Principal`, and a statement that lets anyone assume the role fails the plan unless " +
			"`allow_public_trust` is `true`. Open means an Allow for `sts:AssumeRole`, " +
			"`sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML` with `NotPrincipal`; or with a principal " +
			"that is `\"*\"` or has a wildcard (`{\"AWS\": \"*\"}`, `arn:aws:iam::*:root`) and no condition " +
			"naming the caller (`StringEquals`, `StringLike`, `ArnEquals` or `ArnLike` on `aws:PrincipalArn`, " +
			"`aws:PrincipalAccount`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:SourceAccount`, " +
			"`aws:SourceArn`, `aws:SourceOrgID`, `aws:SourceOrgPaths` or `aws:userid`, with a value other than " +
			"`*`; `sts:ExternalId` alone does not count); or with a web identity provider (`Federated`, other " +
			"than a SAML provider) and no condition at all.",
	}
	attributes["trust_policy_quota"] = schema.Int64Attribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("The account's IAM quota *Role trust policy length*, in characters not "+
			"counting whitespace: %d unless set. The plan fails when the trust policy is longer. Set it only "+
			"after raising the quota in Service Quotas (at most %d).", defaultTrustPolicyQuota, maxTrustPolicyQuota),
		Validators: []validator.Int64{int64validator.Between(defaultTrustPolicyQuota, maxTrustPolicyQuota)},
	}
	attributes["managed_policies_quota"] = schema.Int64Attribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("The account's IAM quota *Managed policies per role*: %d unless set. The "+
			"plan fails when `managed_policy_arns` has more. Set it only after raising the quota in Service "+
			"Quotas (at most %d).", defaultManagedPoliciesQuota, maxManagedPoliciesQuota),
		Validators: []validator.Int64{int64validator.Between(defaultManagedPoliciesQuota, maxManagedPoliciesQuota)},
	}
	attributes["allow_public_trust"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Set to `true` to acknowledge that `additional_trust_policy` lets anyone assume the " +
			"role (see there); without it such a statement fails the plan. `trusted_principal_arns` and " +
			"`service_principals` never accept wildcards.",
	}
	attributes["inline_policies"] = schema.MapAttribute{
		Optional:    true,
		ElementType: PolicyType{},
		Validators:  inlinePoliciesValidators(),
		MarkdownDescription: "Inline policies by name, as policy documents compared by meaning. When set (also to " +
			"`{}`), it is authoritative: an inline policy added outside Terraform shows as drift and apply removes " +
			"it. Left out, inline policies are not managed. Import fills it.",
	}
	attributes["account_id"] = schema.StringAttribute{
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		MarkdownDescription: "The role's account; known at plan time when the provider knows its account.",
	}
	attributes["acknowledge_account_root"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Set to `true` to acknowledge that an account root in `trusted_principal_arns` " +
			"trusts the whole account, as in Veeam's \"IAM role from another account\" mode; the warning is then " +
			"silent.",
	}
	return attributes
}

func (r *iamRoleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan iamRoleModel
	if !readConfigured(ctx, req.Plan, &plan, r.client, &resp.Diagnostics) {
		return
	}
	trust, diags := plan.trustPolicy(ctx, r.client.Partition)
	resp.Diagnostics.Append(diags...)
	plan.TagsAll = appliedTagsAll(ctx, r.tags, plan.TagsAll, plan.Tags)
	ctx, cancel, ok := startWriting(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	role, err := r.createRole(ctx, plan, trust)
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot create IAM role", err)
		return
	}
	plan.setRole(role)
	// From here on the role exists: every later failure still saves it in state, so nothing is orphaned.
	wanted := stringsOf(ctx, plan.ManagedPolicyARNs)
	attached, err := r.syncAttachments(ctx, plan.Name.ValueString(), nil, wanted)
	plan.ManagedPolicyARNs = setOrNull(plan.ManagedPolicyARNs, attached)
	inline := plan.InlinePolicies
	plan.InlinePolicies = inlineMap(inline, nil)
	if err == nil {
		err = r.syncInlinePolicies(ctx, inline, &plan)
	}
	if plan.CreateInstanceProfile.ValueBool() {
		plan.CreateInstanceProfile, plan.InstanceProfileARN = types.BoolValue(false), types.StringNull()
		if err == nil {
			err = r.createInstanceProfile(ctx, &plan, false)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setRoleIdentity(ctx, resp.Identity, plan, r.client)...)
	if err != nil {
		addAWSError(&resp.Diagnostics, "IAM role created, but setting it up failed", fmt.Errorf(
			"role %s exists and is saved in state with what was done; the next plan shows the rest: %w",
			plan.Name.ValueString(), err))
	}
}

// Read costs one GetRole, plus ListAttachedRolePolicies when managed_policy_arns is set, plus GetInstanceProfile
// when create_instance_profile is true, or nothing when the account snapshot answers (awsclient.ReadRole).
func (r *iamRoleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state iamRoleModel
	if !readConfigured(ctx, req.State, &state, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := readContext(ctx, state.Timeouts, &resp.Diagnostics)
	defer cancel()
	// The ARN is set from the first save on, so it is null only right after import: then read everything once.
	importing := state.ARN.IsNull()
	readAttachments := importing || !state.ManagedPolicyARNs.IsNull()
	readInline := importing || !state.InlinePolicies.IsNull()
	readProfile := importing || state.CreateInstanceProfile.ValueBool() || !state.InstanceProfileARN.IsNull()
	role, err := r.client.ReadRole(ctx, state.ID.ValueString(), awsclient.RoleHint{Path: state.Path.ValueString(),
		Boundary: state.PermissionsBoundary.ValueString(), PartCalls: partCalls(readAttachments, readInline, readProfile)})
	if awsclient.IsNoSuchEntity(err) {
		resp.Diagnostics.AddWarning(
			"IAM role deleted outside Terraform",
			fmt.Sprintf(
				"Role %s no longer exists; it is removed from state and the next apply creates it.",
				state.ID.ValueString(),
			),
		)
		// Terraform 1.12+ wants an identity after every read, also one that removes the resource.
		resp.Diagnostics.Append(setRoleIdentity(ctx, resp.Identity, state, r.client)...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot read IAM role", err)
		return
	}
	resp.Diagnostics.Append(state.readRole(role, importing, r.tagRules())...)
	if readAttachments {
		resp.Diagnostics.Append(r.readAttachments(ctx, &state)...)
	}
	if readInline {
		resp.Diagnostics.Append(r.readInlinePolicies(ctx, &state)...)
	}
	if readProfile {
		resp.Diagnostics.Append(r.readInstanceProfile(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setRoleIdentity(ctx, resp.Identity, state, r.client)...)
}

// Update applies the changes step by step. State starts from the prior state and takes the planned values of
// each step only once IAM has them, so that after a failed step it holds what IAM holds, and the next plan (also
// with -refresh=false) shows what is still to do.
func (r *iamRoleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state iamRoleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if !readConfigured(ctx, req.Plan, &plan, r.client, &resp.Diagnostics) {
		return
	}
	trust, diags := plan.trustPolicy(ctx, r.client.Partition)
	resp.Diagnostics.Append(diags...)
	plan.TagsAll = appliedTagsAll(ctx, r.tags, plan.TagsAll, plan.Tags)
	ctx, cancel, ok := startWriting(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	result := state
	result.Timeouts, result.AcknowledgeRoot, result.AllowPublicTrust = plan.Timeouts, plan.AcknowledgeRoot,
		plan.AllowPublicTrust
	result.TrustPolicyQuota, result.ManagedPolicyQuota = plan.TrustPolicyQuota, plan.ManagedPolicyQuota
	for _, step := range r.updateSteps(ctx, plan, &result, trust) {
		if err := step(); err != nil {
			addAWSError(&resp.Diagnostics, "Cannot update IAM role", fmt.Errorf(
				"%w. State keeps what IAM holds; the next plan shows what is still to do", err))
			break
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &result)...)
	resp.Diagnostics.Append(setRoleIdentity(ctx, resp.Identity, result, r.client)...)
}

func (r *iamRoleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state iamRoleModel
	if !readConfigured(ctx, req.State, &state, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel, ok := startWriting(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	if err := r.deleteRole(ctx, state); err != nil {
		addAWSError(&resp.Diagnostics, "Cannot delete IAM role", err)
	}
}

// ImportState takes the role name, as import ID or identity (see importRole).
func (r *iamRoleResource) ImportState(
	ctx context.Context,
	req resource.ImportStateRequest,
	resp *resource.ImportStateResponse,
) {
	importRole(ctx, r.client, req, resp)
}

// generatedName matches a name made from name_prefix by uniqueSuffix: the prefix, a UTC timestamp and 12 hex
// digits.
var generatedName = regexp.MustCompile(`^(.*)\d{14}[0-9a-f]{12}$`)

// readNamePrefix derives name_prefix from a name made from one, so that such a role imports without a
// replacement; other names have none.
func (m *iamRoleModel) readNamePrefix() {
	match := generatedName.FindStringSubmatch(m.Name.ValueString())
	if match == nil || match[1] == "" {
		m.NamePrefix = types.StringNull()
		return
	}
	m.NamePrefix = types.StringValue(match[1])
}

// accountOf returns the account ID of an IAM ARN, or null.
func accountOf(arn types.String) types.String {
	parts := strings.Split(arn.ValueString(), ":")
	if len(parts) < 6 || parts[4] == "" {
		return types.StringNull()
	}
	return types.StringValue(parts[4])
}

// deleteRole deletes the role with as few calls as IAM allows. It first undoes what state says the resource made:
// the instance profile of the role's name and path, the attachments of managed_policy_arns and the policies of
// inline_policies. Then it deletes
// the role; only when IAM answers DeleteConflict (something was added outside Terraform, or state is stale) does
// it list the role's instance profiles, attachments and inline policies, take the role out of them and delete
// again. A plain role costs one call. It never deletes a policy or profile it did not create, except a retired
// template part left with no users.
func (r *iamRoleResource) deleteRole(ctx context.Context, state iamRoleModel) error {
	name, rolePath := state.ID.ValueString(), state.Path.ValueString()
	if state.CreateInstanceProfile.ValueBool() || !state.InstanceProfileARN.IsNull() {
		if err := r.deleteOwnInstanceProfile(ctx, name, rolePath); err != nil {
			return err
		}
	}
	if _, err := r.syncAttachments(ctx, name, stringsOf(ctx, state.ManagedPolicyARNs), nil); err != nil {
		return err
	}
	for policyName := range state.InlinePolicies.Elements() {
		if err := r.client.DeleteInlinePolicy(ctx, name, policyName); err != nil {
			return err
		}
	}
	err := r.deleteRoleOnly(ctx, name)
	if !awsclient.IsDeleteConflict(err) {
		return err
	}
	if err := r.emptyRole(ctx, name); err != nil {
		return err
	}
	return r.deleteRoleOnly(ctx, name)
}

// deleteRoleOnly sends DeleteRole; a role that is already gone counts as deleted.
func (r *iamRoleResource) deleteRoleOnly(ctx context.Context, name string) error {
	err := r.client.DeleteRole(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting role %s: %w", name, err)
	}
	return nil
}

// emptyRole takes the role out of every instance profile that holds it, detaches every managed policy and
// deletes every inline policy, as IAM requires before it deletes a role.
func (r *iamRoleResource) emptyRole(ctx context.Context, name string) error {
	if err := r.leaveInstanceProfiles(ctx, name); err != nil {
		return err
	}
	attached, err := r.client.AttachedPolicyARNs(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return err
	}
	if _, err := r.syncAttachments(ctx, name, attached, nil); err != nil {
		return err
	}
	return r.deleteInlinePolicies(ctx, name)
}

func (r *iamRoleResource) createRole(ctx context.Context, plan iamRoleModel, trust string) (*iamtypes.Role, error) {
	name := plan.Name.ValueString()
	if name == "" {
		name = plan.NamePrefix.ValueString() + uniqueSuffix()
	}
	input := awsclient.NewRole{Name: name, TrustPolicy: trust, RoleSettings: plan.roleSettings(ctx)}
	role, err := r.client.CreateRole(ctx, input)
	if err != nil {
		return nil, fmt.Errorf("creating role %s: %w", name, err)
	}
	return role, nil
}

// uniqueSuffix is a UTC timestamp followed by random hex digits, for names made from name_prefix.
func uniqueSuffix() string {
	random := make([]byte, 6)
	_, _ = rand.Read(random)
	return time.Now().UTC().Format("20060102150405") + hex.EncodeToString(random)
}

func (m *iamRoleModel) setRole(role *iamtypes.Role) {
	m.ID = types.StringValue(aws.ToString(role.RoleName))
	m.Name = m.ID
	m.Path = types.StringValue(aws.ToString(role.Path))
	m.ARN = types.StringValue(aws.ToString(role.Arn))
	m.UniqueID = types.StringValue(aws.ToString(role.RoleId))
	m.CreateDate = rfc3339(role.CreateDate)
	m.AccountID = accountOf(m.ARN)
	if m.NamePrefix.IsNull() || m.NamePrefix.IsUnknown() {
		m.readNamePrefix()
	}
}

// partCalls is how many IAM calls reading the role's attachments, inline policies and instance profile makes
// role by role (the inline policies take one list and, usually, one read).
func partCalls(attachments, inline, profile bool) int {
	calls := 0
	if attachments {
		calls++
	}
	if inline {
		calls += 2
	}
	if profile {
		calls++
	}
	return calls
}

// readRole fills the model from the role, its tags as rules split them; importing also reads the trust inputs
// back from its trust policy.
func (m *iamRoleModel) readRole(role *iamtypes.Role, importing bool, rules tagRules) diag.Diagnostics {
	m.setRole(role)
	m.setRoleSettings(awsclient.SettingsOf(role))
	m.Tags, m.TagsAll = rules.read(role.Tags, m.Tags)
	trust, err := policy.Decode(aws.ToString(role.AssumeRolePolicyDocument))
	var diags diag.Diagnostics
	if err != nil {
		diags.AddError("Cannot read the role's trust policy", err.Error())
		return diags
	}
	m.AssumeRolePolicy = NewPolicyValue(trust)
	if importing {
		diags.Append(m.importTrust(trust)...)
	}
	return diags
}

// updateSteps lists the in-place changes in the order they are applied. Each step copies its planned values into
// result once IAM has them.
func (r *iamRoleResource) updateSteps(
	ctx context.Context,
	plan iamRoleModel,
	result *iamRoleModel,
	trust string,
) []func() error {
	name := result.ID.ValueString()
	return []func() error{
		func() error {
			if err := r.updateTrust(ctx, name, result.AssumeRolePolicy.ValueString(), trust); err != nil {
				return err
			}
			result.TrustedPrincipalARNs, result.ExternalID = plan.TrustedPrincipalARNs, plan.ExternalID
			result.ServicePrincipals, result.AdditionalTrustPolicy = plan.ServicePrincipals, plan.AdditionalTrustPolicy
			result.AssumeRolePolicy = plan.AssumeRolePolicy
			if plan.AssumeRolePolicy.IsUnknown() {
				result.AssumeRolePolicy = NewPolicyValue(trust)
			}
			return nil
		},
		func() error {
			now, err := r.client.UpdateRoleSettings(ctx, name, result.roleSettings(ctx), plan.roleSettings(ctx))
			if err != nil {
				result.setRoleSettings(now)
				return err
			}
			result.roleSettingsModel = plan.roleSettingsModel
			return nil
		},
		func() error {
			have, want := stringsOf(ctx, result.ManagedPolicyARNs), stringsOf(ctx, plan.ManagedPolicyARNs)
			attached, err := r.syncAttachments(ctx, name, have, want)
			result.ManagedPolicyARNs = setOrNull(plan.ManagedPolicyARNs, attached)
			return err
		},
		func() error { return r.syncInlinePolicies(ctx, plan.InlinePolicies, result) },
		func() error { return r.updateInstanceProfile(ctx, plan, result) },
	}
}
