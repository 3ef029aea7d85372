package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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
	_                resource.ResourceWithConfigure      = (*iamRoleResource)(nil)
	_                resource.ResourceWithImportState    = (*iamRoleResource)(nil)
	_                resource.ResourceWithModifyPlan     = (*iamRoleResource)(nil)
	_                resource.ResourceWithValidateConfig = (*iamRoleResource)(nil)
	policyARNPattern                                     = regexp.MustCompile(
		`^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/([\x21-\x7E]*/)?[\w+=,.@-]{1,128}$`,
	)
	pathTrustedPrincipals = path.Root("trusted_principal_arns")
)

func newIAMRoleResource() resource.Resource { return &iamRoleResource{} }

// iamRoleResource is a role the Veeam appliance can assume. It owns the role's trust policy and, when
// managed_policy_arns is set, its managed policy attachments authoritatively: anything added outside Terraform
// shows as drift and is removed on apply.
type iamRoleResource struct {
	client *awsclient.Client
}

type iamRoleModel struct {
	ID                    types.String   `tfsdk:"id"`
	Name                  types.String   `tfsdk:"name"`
	NamePrefix            types.String   `tfsdk:"name_prefix"`
	Path                  types.String   `tfsdk:"path"`
	Description           types.String   `tfsdk:"description"`
	TrustedPrincipalARNs  types.Set      `tfsdk:"trusted_principal_arns"`
	ExternalID            types.String   `tfsdk:"external_id"`
	ServicePrincipals     types.Set      `tfsdk:"service_principals"`
	ManagedPolicyARNs     types.Set      `tfsdk:"managed_policy_arns"`
	CreateInstanceProfile types.Bool     `tfsdk:"create_instance_profile"`
	MaxSessionDuration    types.Int64    `tfsdk:"max_session_duration"`
	PermissionsBoundary   types.String   `tfsdk:"permissions_boundary"`
	Tags                  types.Map      `tfsdk:"tags"`
	ARN                   types.String   `tfsdk:"arn"`
	UniqueID              types.String   `tfsdk:"unique_id"`
	CreateDate            types.String   `tfsdk:"create_date"`
	InstanceProfileARN    types.String   `tfsdk:"instance_profile_arn"`
	AssumeRolePolicy      PolicyValue    `tfsdk:"assume_role_policy"`
	AdditionalTrustPolicy PolicyValue    `tfsdk:"additional_trust_policy"`
	InlinePolicies        types.Map      `tfsdk:"inline_policies"`
	AccountID             types.String   `tfsdk:"account_id"`
	AcknowledgeRoot       types.Bool     `tfsdk:"acknowledge_account_root"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

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
			"to IAM and plans no changes afterwards.\n\n" +
			"`timeouts` is an attribute, as on every resource of this provider: write `timeouts = { create = " +
			"\"10m\" }`. Configurations written for the earlier `timeouts { ... }` block need the `=`; state " +
			"saved with the block reads unchanged.",
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
					"`trusted_principal_arns`.",
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
				Validators: []validator.Set{setvalidator.ValueStringsAre(policyARNValidator())},
			},
			"create_instance_profile": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Create an instance profile of the same name and path containing the role. " +
					"Veeam's worker roles need one.",
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
			"tags": tagsAttribute("Tags of the role (and of its instance profile)."),
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

func policyARNValidator() validator.String {
	return stringvalidator.RegexMatches(
		policyARNPattern,
		"must be a managed policy ARN such as arn:aws:iam::123456789012:policy/name",
	)
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
)

// ValidateConfig requires `name` or `name_prefix`. It reads just those two attributes: the library's
// resourcevalidator.AtLeastOneOf matches path expressions against the whole configuration, which cost about a tenth
// of the provider's CPU in a plan of new roles.
func (r *iamRoleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse,
) {
	var name, prefix types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathRoleName, &name)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathNamePrefix, &prefix)...)
	if !resp.Diagnostics.HasError() && name.IsNull() && prefix.IsNull() {
		resp.Diagnostics.AddAttributeError(pathRoleName, "Missing role name",
			"Set `name`, or `name_prefix` to have a unique name generated from it.")
	}
	resp.Diagnostics.Append(validateTrustWithoutPrincipals(ctx, req.Config)...)
}

// cannotAssumeSummary is the summary of the warning for a role whose trust names no principal of the appliance.
const cannotAssumeSummary = "The Veeam appliance cannot assume this role"

// validateTrustWithoutPrincipals checks a configuration whose trusted_principal_arns is left out or empty: it warns
// on the attribute that the appliance cannot assume the role, and fails when nothing else would be in the trust
// policy (IAM rejects a trust policy without statements) or when external_id has no statement to go in. It reads
// the other inputs only then, so that a role with trusted principals costs one attribute read.
func validateTrustWithoutPrincipals(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	var trusted, services types.Set
	diags := config.GetAttribute(ctx, pathTrustedPrincipals, &trusted)
	if diags.HasError() || trusted.IsUnknown() || len(trusted.Elements()) > 0 {
		return diags
	}
	var externalID types.String
	var additional PolicyValue
	diags.Append(config.GetAttribute(ctx, pathServicePrincipals, &services)...)
	diags.Append(config.GetAttribute(ctx, pathExternalID, &externalID)...)
	diags.Append(config.GetAttribute(ctx, pathAdditionalTrust, &additional)...)
	if diags.HasError() || services.IsUnknown() || additional.IsUnknown() {
		return diags
	}
	if !externalID.IsNull() {
		diags.AddAttributeError(pathExternalID, "External ID without trusted principals",
			"external_id goes into the statement of trusted_principal_arns, which is empty, so it would be "+
				"ignored. Add the Impersonation role ARN to trusted_principal_arns, or remove external_id.")
		return diags
	}
	if len(services.Elements()) == 0 && !hasStatements(additional) {
		diags.AddAttributeError(pathTrustedPrincipals, "Nobody may assume the role",
			"trusted_principal_arns, service_principals and additional_trust_policy are all empty, so the trust "+
				"policy would have no statement, which IAM rejects. Add the Veeam Impersonation role ARN, such as "+
				"arn:aws:iam::123456789012:role/VeeamImpersonationRole, to trusted_principal_arns.")
		return diags
	}
	diags.AddAttributeWarning(pathTrustedPrincipals, cannotAssumeSummary,
		"trusted_principal_arns names no principal, so only service_principals and the statements of "+
			"additional_trust_policy may assume the role, and Veeam Backup for AWS cannot use it as a backup, "+
			"restore or worker role. That is right for the Impersonation role itself (the appliance's instance "+
			"role) and for service roles such as Lambda or DLM execution roles. For the appliance to assume the "+
			"role, add the Impersonation role ARN, such as arn:aws:iam::123456789012:role/VeeamImpersonationRole "+
			"(not an arn:aws:sts:: form), to trusted_principal_arns, with external_id if the appliance sends one.")
	return diags
}

// hasStatements reports whether an additional_trust_policy value holds a statement. A document that does not parse
// counts as having one: its validator reports it.
func hasStatements(additional PolicyValue) bool {
	if additional.IsNull() {
		return false
	}
	doc, err := policy.Parse(additional.ValueString())
	return err != nil || len(doc.Statements) > 0
}

// roleTrustInputs are the arguments a role's trust policy is rendered from.
type roleTrustInputs struct {
	TrustedPrincipalARNs  types.Set
	ExternalID            types.String
	ServicePrincipals     types.Set
	AdditionalTrustPolicy PolicyValue
}

// roleNaming are the arguments the role's and its instance profile's ARNs are built from.
type roleNaming struct {
	Name                  types.String
	Path                  types.String
	CreateInstanceProfile types.Bool
}

// ModifyPlan makes everything derivable from configuration known at plan time: the trust policy always, the ARNs
// when the name and the account are known. It also checks the principals against the provider's partition. It
// returns early for a role whose plan is its state once the trust policy IAM holds means what the configuration
// renders (see trustHeld); it reads only the attributes it derives from and writes only the derived values that
// differ from the plan, because reading or writing the whole model by reflection costs more than everything else
// the resource does per plan.
func (r *iamRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse,
) {
	if nothingToDerive(req, func() bool { return r.trustHeld(ctx, req) }) {
		return
	}
	trust, diags := readTrustInputs(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	naming, diags := readRoleNaming(ctx, req.Plan)
	resp.Diagnostics.Append(diags...)
	prior, diags := readRolePrior(ctx, req.State)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	partition := partitionOf(r.client)
	if partition != "" {
		resp.Diagnostics.Append(
			checkPrincipalSet(pathTrustedPrincipals, trust.TrustedPrincipalARNs, partition).Errors()...)
	}
	roleARN, profileARN := r.plannedARNs(naming, prior.ARN)
	id, accountID := r.plannedIdentity(iamRoleModel{Name: naming.Name}, prior)
	plannedTrust := plannedTrustPolicy(ctx, trust, prior.AssumeRolePolicy, partition)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathAssumeRolePolicy, plannedTrust)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleARN, roleARN)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathInstanceProfileARN, profileARN)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleID, id)...)
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathRoleAccountID, accountID)...)
}

// trustHeld reports whether the trust policy in the refreshed state, which is what IAM holds, means what the
// planned inputs render. It is the one derived value of a role that changes outside Terraform: the ARNs, id and
// account follow the name and path, which force a replacement, and instance_profile_arn follows
// create_instance_profile, which refresh reads back. The text in state is usually the rendered text itself, so a
// string comparison mostly decides without parsing either document.
func (r *iamRoleResource) trustHeld(ctx context.Context, req resource.ModifyPlanRequest) bool {
	trust, diags := readTrustInputs(ctx, req.Plan)
	var held PolicyValue
	diags.Append(req.State.GetAttribute(ctx, pathAssumeRolePolicy, &held)...)
	return !diags.HasError() && plannedTrustPolicy(ctx, trust, held, partitionOf(r.client)).Equal(held)
}

func readTrustInputs(ctx context.Context, plan tfsdk.Plan) (roleTrustInputs, diag.Diagnostics) {
	var in roleTrustInputs
	diags := plan.GetAttribute(ctx, pathTrustedPrincipals, &in.TrustedPrincipalARNs)
	diags.Append(plan.GetAttribute(ctx, pathExternalID, &in.ExternalID)...)
	diags.Append(plan.GetAttribute(ctx, pathServicePrincipals, &in.ServicePrincipals)...)
	diags.Append(plan.GetAttribute(ctx, pathAdditionalTrust, &in.AdditionalTrustPolicy)...)
	return in, diags
}

// readRolePrior reads from state the values ModifyPlan keeps: trust policy, ARN, id and account; all null when the
// role is being created.
func readRolePrior(ctx context.Context, state tfsdk.State) (iamRoleModel, diag.Diagnostics) {
	prior := iamRoleModel{ARN: types.StringNull(), ID: types.StringNull(), AccountID: types.StringNull(),
		AssumeRolePolicy: PolicyValue{StringValue: types.StringNull()}}
	var diags diag.Diagnostics
	if state.Raw.IsNull() {
		return prior, diags
	}
	diags.Append(state.GetAttribute(ctx, pathAssumeRolePolicy, &prior.AssumeRolePolicy)...)
	diags.Append(state.GetAttribute(ctx, pathRoleARN, &prior.ARN)...)
	diags.Append(state.GetAttribute(ctx, pathRoleID, &prior.ID)...)
	diags.Append(state.GetAttribute(ctx, pathRoleAccountID, &prior.AccountID)...)
	return prior, diags
}

func readRoleNaming(ctx context.Context, plan tfsdk.Plan) (roleNaming, diag.Diagnostics) {
	var n roleNaming
	diags := plan.GetAttribute(ctx, pathRoleName, &n.Name)
	diags.Append(plan.GetAttribute(ctx, pathRolePath, &n.Path)...)
	diags.Append(plan.GetAttribute(ctx, pathCreateInstanceProfile, &n.CreateInstanceProfile)...)
	return n, diags
}

// setIfChanged writes value at the path of the plan unless the plan already holds it.
func setIfChanged[T attr.Value](ctx context.Context, plan *tfsdk.Plan, at path.Path, value T) diag.Diagnostics {
	var current T
	diags := plan.GetAttribute(ctx, at, &current)
	if diags.HasError() || current.Equal(value) {
		return diags
	}
	return plan.SetAttribute(ctx, at, value)
}

// plannedTrustPolicy renders the trust policy from the planned inputs, keeping the prior text when it means the
// same so that an equivalent document never shows as a change.
func plannedTrustPolicy(ctx context.Context, in roleTrustInputs, prior PolicyValue, partition string) PolicyValue {
	if !in.known() {
		return NewPolicyUnknown()
	}
	doc, diags := in.render(ctx, partition)
	if diags.HasError() {
		return NewPolicyUnknown()
	}
	if prior.IsNull() || prior.IsUnknown() {
		return NewPolicyValue(doc)
	}
	if prior.ValueString() == doc || sameTrust(prior.ValueString(), doc) {
		return prior
	}
	return NewPolicyValue(doc)
}

// plannedARNs keeps the role ARN of state, or builds it; the profile ARN follows create_instance_profile.
func (r *iamRoleResource) plannedARNs(n roleNaming, priorARN types.String) (roleARN, profileARN types.String) {
	if !priorARN.IsNull() && !priorARN.IsUnknown() {
		roleARN = priorARN
	} else {
		roleARN = r.entityARN("role", n.Path, n.Name)
	}
	switch {
	case n.CreateInstanceProfile.IsUnknown():
		profileARN = types.StringUnknown()
	case !n.CreateInstanceProfile.ValueBool():
		profileARN = types.StringNull()
	default:
		profileARN = r.entityARN("instance-profile", n.Path, n.Name)
	}
	return roleARN, profileARN
}

// entityARN builds an IAM ARN, or returns unknown when the account, path or name is not known yet.
func (r *iamRoleResource) entityARN(kind string, entityPath, name types.String) types.String {
	if r.client == nil || r.client.AccountID == "" || entityPath.IsUnknown() || name.IsUnknown() || name.IsNull() {
		return types.StringUnknown()
	}
	return types.StringValue(fmt.Sprintf("arn:%s:iam::%s:%s%s%s", r.client.Partition, r.client.AccountID, kind,
		entityPath.ValueString(), name.ValueString()))
}

func (in roleTrustInputs) known() bool {
	return !in.TrustedPrincipalARNs.IsUnknown() && !in.ExternalID.IsUnknown() && !in.ServicePrincipals.IsUnknown() &&
		allElementsKnown(in.TrustedPrincipalARNs) && allElementsKnown(in.ServicePrincipals) &&
		!in.AdditionalTrustPolicy.IsUnknown()
}

// render builds the role's trust policy from known inputs, reporting principal problems on the attribute.
func (in roleTrustInputs) render(ctx context.Context, partition string) (string, diag.Diagnostics) {
	var principals, services []string
	diags := in.TrustedPrincipalARNs.ElementsAs(ctx, &principals, false)
	diags.Append(in.ServicePrincipals.ElementsAs(ctx, &services, false)...)
	arns, more := principalARNs(pathTrustedPrincipals, principals, partition)
	diags.Append(more...)
	extra, more := iamRoleModel{AdditionalTrustPolicy: in.AdditionalTrustPolicy}.additionalTrustStatements()
	diags.Append(more...)
	if diags.HasError() {
		return "", diags
	}
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: arns, ExternalID: in.ExternalID.ValueString(),
		ServicePrincipals: services}
	return policy.MergeTrust(spec, extra).Marshal(), diags
}

// trustPolicy renders the role's trust policy from the model's inputs (see roleTrustInputs.render).
func (m iamRoleModel) trustPolicy(ctx context.Context, partition string) (string, diag.Diagnostics) {
	in := roleTrustInputs{m.TrustedPrincipalARNs, m.ExternalID, m.ServicePrincipals, m.AdditionalTrustPolicy}
	return in.render(ctx, partition)
}

func (r *iamRoleResource) Configure(
	_ context.Context,
	req resource.ConfigureRequest,
	resp *resource.ConfigureResponse,
) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *iamRoleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan iamRoleModel
	if !readConfigured(ctx, req.Plan, &plan, r.client, &resp.Diagnostics) {
		return
	}
	trust, diags := plan.trustPolicy(ctx, r.client.Partition)
	resp.Diagnostics.Append(diags...)
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
			err = r.createInstanceProfile(ctx, &plan)
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

func (r *iamRoleResource) createRole(ctx context.Context, plan iamRoleModel, trust string) (*iamtypes.Role, error) {
	name := plan.Name.ValueString()
	if name == "" {
		name = plan.NamePrefix.ValueString() + uniqueSuffix()
	}
	input := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		Path:                     aws.String(plan.Path.ValueString()),
		AssumeRolePolicyDocument: aws.String(trust),
		Description:              plan.Description.ValueStringPointer(),
		MaxSessionDuration:       aws.Int32(int32(plan.MaxSessionDuration.ValueInt64())),
		PermissionsBoundary:      plan.PermissionsBoundary.ValueStringPointer(),
		Tags:                     iamTags(ctx, plan.Tags),
	}
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

// syncAttachments attaches the wanted policies missing from have and detaches the others. It returns what is
// attached afterwards, also when it fails part of the way. A detached policy that vbaws_role_template retired is
// deleted once nothing uses it.
func (r *iamRoleResource) syncAttachments(ctx context.Context, roleName string, have, want []string) ([]string, error) {
	attached := slices.Clone(have)
	for _, arn := range want {
		if slices.Contains(attached, arn) {
			continue
		}
		// AttachRolePolicy is idempotent, so the SDK may resend it after a lost answer.
		err := awsclient.RetryPropagation(ctx, func(ctx context.Context) error {
			_, err := r.client.IAM.AttachRolePolicy(
				ctx,
				&iam.AttachRolePolicyInput{RoleName: aws.String(roleName), PolicyArn: aws.String(arn)},
			)
			return err
		})
		if err != nil {
			return attached, fmt.Errorf("attaching policy %s to role %s: %w", arn, roleName, err)
		}
		attached = append(attached, arn)
	}
	for _, arn := range have {
		if slices.Contains(want, arn) {
			continue
		}
		if err := r.detach(ctx, roleName, arn); err != nil {
			return attached, err
		}
		attached = slices.DeleteFunc(attached, func(a string) bool { return a == arn })
	}
	return attached, nil
}

func (r *iamRoleResource) detach(ctx context.Context, roleName, policyARN string) error {
	_, err := r.client.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{
		RoleName: aws.String(roleName), PolicyArn: aws.String(policyARN)})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("detaching policy %s from role %s: %w", policyARN, roleName, err)
	}
	if _, err := r.client.DeleteIfRetiredAndUnused(ctx, policyARN); err != nil {
		return fmt.Errorf("deleting retired policy %s after detaching it: %w", policyARN, err)
	}
	return nil
}

// createInstanceProfile makes sure the profile of the role's name and path exists and holds the role, adopting an
// empty one left behind by an earlier role of that name (see awsclient.CreateRoleInstanceProfile). The model then
// says what IAM holds: create_instance_profile is whether the role is in it, instance_profile_arn is set while
// the profile exists, so that destroy and the next apply find it.
func (r *iamRoleResource) createInstanceProfile(ctx context.Context, m *iamRoleModel) error {
	arn, member, err := r.client.CreateRoleInstanceProfile(
		ctx,
		m.ID.ValueString(),
		m.Path.ValueString(),
		iamTags(ctx, m.Tags),
	)
	m.CreateInstanceProfile = types.BoolValue(member)
	m.InstanceProfileARN = stringOrNull(&arn)
	return err
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
	resp.Diagnostics.Append(state.readRole(role, importing)...)
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

// readRole fills the model from the role; importing also reads the trust inputs back from its trust policy.
func (m *iamRoleModel) readRole(role *iamtypes.Role, importing bool) diag.Diagnostics {
	m.setRole(role)
	m.Description = stringOrNull(role.Description)
	m.MaxSessionDuration = types.Int64Value(int64(aws.ToInt32(role.MaxSessionDuration)))
	m.PermissionsBoundary = types.StringNull()
	if role.PermissionsBoundary != nil {
		m.PermissionsBoundary = stringOrNull(role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	m.Tags = tagsMap(role.Tags, m.Tags)
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

func (r *iamRoleResource) readAttachments(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	arns, err := r.client.ReadAttachedPolicyARNs(ctx, m.ID.ValueString())
	if err != nil {
		addAWSError(&diags, "Cannot read the role's managed policies", err)
		return diags
	}
	m.ManagedPolicyARNs = setOrNull(m.ManagedPolicyARNs, arns)
	return diags
}

// readInstanceProfile checks that the profile of the role's name and path still exists and contains the role; if
// not, create_instance_profile reads as false so that the plan creates it again. An empty profile this resource
// made keeps its ARN in state, so that the next apply adopts it and destroy deletes it.
func (r *iamRoleResource) readInstanceProfile(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	name := m.ID.ValueString()
	profile, err := r.client.ReadOwnInstanceProfile(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		addAWSError(&diags, "Cannot read the role's instance profile", err)
		return diags
	}
	ours := err == nil && aws.ToString(profile.Path) == m.Path.ValueString()
	switch {
	case ours && awsclient.ProfileContains(profile, name):
		m.CreateInstanceProfile = types.BoolValue(true)
		m.InstanceProfileARN = types.StringValue(aws.ToString(profile.Arn))
	case ours && len(profile.Roles) == 0 && !m.InstanceProfileARN.IsNull():
		m.CreateInstanceProfile = types.BoolValue(false)
	default:
		m.CreateInstanceProfile, m.InstanceProfileARN = types.BoolValue(false), types.StringNull()
	}
	return diags
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
	ctx, cancel, ok := startWriting(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	result := state
	result.Timeouts, result.AcknowledgeRoot = plan.Timeouts, plan.AcknowledgeRoot
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
			if err := r.updateSettings(ctx, name, plan, *result); err != nil {
				return err
			}
			result.Description, result.MaxSessionDuration = plan.Description, plan.MaxSessionDuration
			return nil
		},
		func() error {
			if err := r.updateBoundary(ctx, name, plan.PermissionsBoundary, result.PermissionsBoundary); err != nil {
				return err
			}
			result.PermissionsBoundary = plan.PermissionsBoundary
			return nil
		},
		func() error { return r.updateTags(ctx, name, plan.Tags, result) },
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

// updateTrust replaces the role's own trust policy. The write is idempotent, so the SDK may resend it.
func (r *iamRoleResource) updateTrust(ctx context.Context, name, current, trust string) error {
	if sameTrust(current, trust) {
		return nil
	}
	err := awsclient.RetryPropagation(ctx, func(ctx context.Context) error {
		_, err := r.client.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(name), PolicyDocument: aws.String(trust)})
		return err
	})
	if err != nil {
		return fmt.Errorf("updating the trust policy of role %s: %w", name, err)
	}
	return nil
}

func (r *iamRoleResource) updateSettings(ctx context.Context, name string, plan, state iamRoleModel) error {
	if plan.Description.Equal(state.Description) && plan.MaxSessionDuration.Equal(state.MaxSessionDuration) {
		return nil
	}
	_, err := r.client.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{
		RoleName:           aws.String(name),
		Description:        aws.String(plan.Description.ValueString()),
		MaxSessionDuration: aws.Int32(int32(plan.MaxSessionDuration.ValueInt64())),
	})
	if err != nil {
		return fmt.Errorf("updating description and session duration of role %s: %w", name, err)
	}
	return nil
}

func (r *iamRoleResource) updateBoundary(ctx context.Context, name string, plan, state types.String) error {
	var err error
	switch {
	case plan.Equal(state):
		return nil
	case plan.IsNull():
		_, err = r.client.IAM.DeleteRolePermissionsBoundary(
			ctx,
			&iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)},
		)
	default:
		_, err = r.client.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
			RoleName: aws.String(name), PermissionsBoundary: plan.ValueStringPointer()})
	}
	if err != nil {
		return fmt.Errorf("updating the permissions boundary of role %s: %w", name, err)
	}
	return nil
}

// updateTags removes and sets tags, leaving in result.Tags the tags the role has when a call fails.
func (r *iamRoleResource) updateTags(ctx context.Context, name string, plan types.Map, result *iamRoleModel) error {
	set, remove := tagChanges(ctx, plan, result.Tags)
	if len(remove) > 0 {
		input := &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: remove}
		if _, err := r.client.IAM.UntagRole(ctx, input); err != nil {
			return fmt.Errorf("removing tags from role %s: %w", name, err)
		}
		kept := slices.DeleteFunc(iamTags(ctx, result.Tags), func(t iamtypes.Tag) bool {
			return slices.Contains(remove, aws.ToString(t.Key))
		})
		result.Tags = tagsMap(kept, result.Tags)
	}
	if len(set) > 0 {
		if _, err := r.client.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: set}); err != nil {
			return fmt.Errorf("tagging role %s: %w", name, err)
		}
	}
	result.Tags = plan
	return nil
}

// updateInstanceProfile creates or adopts the role's profile, or deletes it (also an empty one left in state by
// a failed create).
func (r *iamRoleResource) updateInstanceProfile(ctx context.Context, plan iamRoleModel, result *iamRoleModel) error {
	want, have := plan.CreateInstanceProfile.ValueBool(), result.CreateInstanceProfile.ValueBool()
	switch {
	case want && !have:
		return r.createInstanceProfile(ctx, result)
	case !want && (have || !result.InstanceProfileARN.IsNull()):
		if err := r.deleteOwnInstanceProfile(ctx, result.ID.ValueString(), result.Path.ValueString()); err != nil {
			return err
		}
		result.CreateInstanceProfile, result.InstanceProfileARN = types.BoolValue(false), types.StringNull()
	}
	return nil
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

// Adopting roles made elsewhere (Veeam's CloudFormation, the console, another team): vbaws_iam_role reads its
// inputs back from what the trust policy means, never from our Sids, and compares trust policies the same way,
// so that an imported role plans no changes.

var pathAdditionalTrust = path.Root("additional_trust_policy")

// generatedName matches a name made from name_prefix by uniqueSuffix: the prefix, a UTC timestamp and 12 hex
// digits.
var generatedName = regexp.MustCompile(`^(.*)\d{14}[0-9a-f]{12}$`)

// sameTrust reports whether two trust policies grant the same, whatever their Sids and however Veeam's part is
// split into statements. Unparsable documents are never the same.
func sameTrust(a, b string) bool {
	same, err := policy.SameTrustMeaning(a, b, trustFilter())
	return err == nil && same
}

// importTrust fills trusted_principal_arns, external_id, service_principals and additional_trust_policy from the
// trust policy of an imported role by what its statements mean, so that a role made by Veeam's CloudFormation
// (Sid-less statements) imports as well as one this resource made. A trust naming no principal the appliance can
// use (the Impersonation role itself, a service role) leaves trusted_principal_arns null, which plans with a
// warning; every statement that is not Veeam's goes, unchanged, into additional_trust_policy.
func (m *iamRoleModel) importTrust(trust string) diag.Diagnostics {
	var diags diag.Diagnostics
	doc, err := policy.Parse(trust)
	if err != nil {
		diags.AddError("Cannot parse the role's trust policy", err.Error())
		return diags
	}
	spec, others := policy.ReadTrust(doc, veeamTrustSid, trustFilter())
	m.TrustedPrincipalARNs = setOrNull(types.SetNull(types.StringType), spec.AWSPrincipals)
	m.ExternalID = stringOrNull(aws.String(spec.ExternalID))
	m.ServicePrincipals = setOrNull(types.SetNull(types.StringType), spec.ServicePrincipals)
	m.AdditionalTrustPolicy = PolicyValue{StringValue: types.StringNull()}
	if len(others) > 0 {
		m.AdditionalTrustPolicy = NewPolicyValue(jsonencodeForm(policy.NewDocument(others...).Marshal()))
	}
	return diags
}

// jsonencodeForm rewrites a JSON document the way Terraform's jsonencode writes it: compact, object keys sorted.
// Values read on import get this form, so that a configuration written with jsonencode, as Terraform generates
// it, matches them exactly: Terraform compares configuration and state by text while planning.
func jsonencodeForm(text string) string {
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return text
	}
	out, err := json.Marshal(value)
	if err != nil {
		return text
	}
	return string(out)
}

// additionalTrustStatements returns the statements of additional_trust_policy; none when it is null.
func (m iamRoleModel) additionalTrustStatements() ([]policy.Statement, diag.Diagnostics) {
	var diags diag.Diagnostics
	if m.AdditionalTrustPolicy.IsNull() {
		return nil, diags
	}
	doc, err := policy.Parse(m.AdditionalTrustPolicy.ValueString())
	if err != nil {
		diags.AddAttributeError(pathAdditionalTrust, "Invalid additional trust policy", err.Error())
		return nil, diags
	}
	return doc.Statements, diags
}

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

// plannedIdentity makes id (the name) and account_id known at plan time whenever the name and the provider's
// account are.
func (r *iamRoleResource) plannedIdentity(plan, state iamRoleModel) (id, accountID types.String) {
	id, accountID = state.ID, state.AccountID
	if id.IsNull() || id.IsUnknown() {
		id = types.StringUnknown()
		if !plan.Name.IsUnknown() && !plan.Name.IsNull() {
			id = plan.Name
		}
	}
	if accountID.IsNull() || accountID.IsUnknown() {
		accountID = types.StringUnknown()
		if r.client != nil && r.client.AccountID != "" {
			accountID = types.StringValue(r.client.AccountID)
		}
	}
	return id, accountID
}

// additionalTrustValidator checks that additional_trust_policy is a policy document whose Sids do not collide
// with the statements this resource writes.
type additionalTrustValidator struct{}

func (additionalTrustValidator) Description(context.Context) string {
	return "a trust policy document whose statements do not use the Sids " + veeamTrustSid + " or " +
		policy.ServicesSid(veeamTrustSid)
}

func (v additionalTrustValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (additionalTrustValidator) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	doc, err := policy.Parse(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid additional trust policy", err.Error())
		return
	}
	for _, sid := range []string{veeamTrustSid, policy.ServicesSid(veeamTrustSid)} {
		if _, taken := doc.Find(sid); taken {
			resp.Diagnostics.AddAttributeError(req.Path, "Statement ID taken", fmt.Sprintf(
				"Sid %s names a statement generated from trusted_principal_arns or service_principals; "+
					"use another Sid or none.", sid))
		}
	}
}

// namePrefixValidator lets name and name_prefix appear together only when name is made from name_prefix, as in a
// configuration Terraform generates on import.
type namePrefixValidator struct{}

func (namePrefixValidator) Description(context.Context) string {
	return "name_prefix may accompany name only when name begins with it and ends with the generated suffix"
}

func (v namePrefixValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (namePrefixValidator) ValidateString(ctx context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if name.IsNull() || name.IsUnknown() {
		return
	}
	match := generatedName.FindStringSubmatch(name.ValueString())
	if match == nil || match[1] != req.ConfigValue.ValueString() {
		resp.Diagnostics.AddAttributeError(req.Path, "Conflicting name and name_prefix", fmt.Sprintf(
			"Set one of them. Both may be set only when name was made from name_prefix (%q followed by a "+
				"timestamp and 12 hex digits), as Terraform writes them for an imported role; got name %q.",
			req.ConfigValue.ValueString(), name.ValueString()))
	}
}

// withAdoptionAttributes adds to the role's schema the attributes that let it adopt what others made: further
// trust statements, inline policies, the account, and the acknowledgement of an account-root principal.
func withAdoptionAttributes(attributes map[string]schema.Attribute) map[string]schema.Attribute {
	attributes["additional_trust_policy"] = schema.StringAttribute{
		Optional:   true,
		CustomType: PolicyType{},
		Validators: []validator.String{additionalTrustValidator{}},
		MarkdownDescription: "Trust statements beyond Veeam's, as a policy document (for example a break-glass " +
			"principal or an OIDC federation), compared by meaning. The trust policy is the statements generated " +
			"from `trusted_principal_arns`, `external_id` and `service_principals`, followed by these. Import fills " +
			"it with the statements that are not Veeam's.",
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
		if err := r.deleteInlinePolicy(ctx, name, policyName); err != nil {
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
	_, err := r.client.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
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

// leaveInstanceProfiles takes the role out of every profile that still holds it.
func (r *iamRoleResource) leaveInstanceProfiles(ctx context.Context, name string) error {
	profiles, err := r.client.InstanceProfilesForRole(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return err
	}
	for _, p := range profiles {
		if err := r.client.RemoveRoleFromInstanceProfile(ctx, aws.ToString(p.InstanceProfileName), name); err != nil {
			return err
		}
	}
	return nil
}

// deleteOwnInstanceProfile deletes the profile of the role's name and path when it is empty or holds only the
// role, taking the role out first. A profile that is gone, lies on another path or holds another role is left.
// It finds the profile by name, so it also deletes a profile the role was taken out of by hand or by an
// interrupted destroy.
func (r *iamRoleResource) deleteOwnInstanceProfile(ctx context.Context, name, rolePath string) error {
	out, err := r.client.IAM.GetInstanceProfile(
		ctx,
		&iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)},
	)
	if awsclient.IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading instance profile %s: %w", name, err)
	}
	profile := out.InstanceProfile
	for _, role := range profile.Roles {
		if aws.ToString(role.RoleName) != name {
			return nil
		}
	}
	if aws.ToString(profile.Path) != rolePath {
		return nil
	}
	if awsclient.ProfileContains(profile, name) {
		if err := r.client.RemoveRoleFromInstanceProfile(ctx, name, name); err != nil {
			return err
		}
	}
	_, err = r.client.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{
		InstanceProfileName: aws.String(name)})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting instance profile %s: %w", name, err)
	}
	return nil
}

func (r *iamRoleResource) deleteInlinePolicies(ctx context.Context, name string) error {
	out, err := r.client.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if awsclient.IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing inline policies of role %s: %w", name, err)
	}
	for _, policyName := range out.PolicyNames {
		if err := r.deleteInlinePolicy(ctx, name, policyName); err != nil {
			return err
		}
	}
	return nil
}

// deleteInlinePolicy deletes one inline policy of the role; one that is already gone counts as deleted.
func (r *iamRoleResource) deleteInlinePolicy(ctx context.Context, roleName, policyName string) error {
	_, err := r.client.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
		RoleName: aws.String(roleName), PolicyName: aws.String(policyName)})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting inline policy %s of role %s: %w", policyName, roleName, err)
	}
	return nil
}

// inlinePoliciesMaxSize is IAM's quota for the inline policies of one role together, in characters excluding
// whitespace.
const inlinePoliciesMaxSize = 10240

var inlinePolicyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// inlinePoliciesValidators check the names and the combined size of inline_policies at plan time.
func inlinePoliciesValidators() []validator.Map {
	return []validator.Map{
		mapvalidator.KeysAre(stringvalidator.RegexMatches(inlinePolicyNamePattern,
			"must be 1 to 128 letters, digits or +=,.@_-")),
		inlineSizeValidator{},
	}
}

// inlineSizeValidator enforces IAM's quota on the combined size of a role's inline policies.
type inlineSizeValidator struct{}

func (inlineSizeValidator) Description(context.Context) string {
	return fmt.Sprintf("inline policies together at most %d characters, not counting whitespace",
		inlinePoliciesMaxSize)
}

func (v inlineSizeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (inlineSizeValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	total := 0
	for _, value := range req.ConfigValue.Elements() {
		if doc, ok := value.(PolicyValue); ok && !doc.IsUnknown() && !doc.IsNull() {
			total += policy.Size(doc.ValueString())
		}
	}
	if total > inlinePoliciesMaxSize {
		resp.Diagnostics.AddAttributeError(req.Path, "Inline policies too large", fmt.Sprintf(
			"IAM allows %d characters (not counting whitespace) for all inline policies of a role together; "+
				"these have %d. Move permissions into managed policies, such as vbaws_role_template.",
			inlinePoliciesMaxSize, total))
	}
}

// inlineDocuments returns the known documents of an inline_policies map by name.
func inlineDocuments(m types.Map) map[string]string {
	docs := map[string]string{}
	for name, value := range m.Elements() {
		if doc, ok := value.(PolicyValue); ok && !doc.IsUnknown() && !doc.IsNull() {
			docs[name] = doc.ValueString()
		}
	}
	return docs
}

// inlineMap turns documents into an inline_policies value, keeping the text of prior for each policy that
// means the same. No documents give null when prior is null, so that import does not invent an empty map.
func inlineMap(prior types.Map, docs map[string]string) types.Map {
	if len(docs) == 0 && prior.IsNull() {
		return types.MapNull(PolicyType{})
	}
	before := inlineDocuments(prior)
	elems := make(map[string]attr.Value, len(docs))
	for name, doc := range docs {
		elems[name] = NewPolicyValue(jsonencodeForm(doc))
		if old, ok := before[name]; ok {
			if same, err := policy.Equivalent(old, doc); err == nil && same {
				elems[name] = NewPolicyValue(old)
			}
		}
	}
	return types.MapValueMust(PolicyType{}, elems)
}

// readInlinePolicies reads every inline policy of the role into inline_policies.
func (r *iamRoleResource) readInlinePolicies(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	docs, err := r.client.ReadInlinePolicies(ctx, m.ID.ValueString())
	if err != nil {
		addAWSError(&diags, "Cannot read the role's inline policies", err)
		return diags
	}
	m.InlinePolicies = inlineMap(m.InlinePolicies, docs)
	return diags
}

// syncInlinePolicies makes the role's inline policies exactly want when want is set (null leaves them alone),
// and records in result what the role holds, also after a failure part of the way.
func (r *iamRoleResource) syncInlinePolicies(ctx context.Context, want types.Map, result *iamRoleModel) error {
	if want.IsNull() {
		result.InlinePolicies = types.MapNull(PolicyType{})
		return nil
	}
	name := result.ID.ValueString()
	have, wanted := inlineDocuments(result.InlinePolicies), inlineDocuments(want)
	if result.InlinePolicies.IsNull() { // not managed until now: whatever the role holds is to be replaced
		current, err := r.client.InlinePolicies(ctx, name)
		if err != nil {
			return err
		}
		have = current
	}
	held := maps.Clone(have)
	defer func() { result.InlinePolicies = inlineMap(want, held) }()
	for _, policyName := range slices.Sorted(maps.Keys(wanted)) {
		if same, err := policy.Equivalent(have[policyName], wanted[policyName]); err == nil && same {
			continue
		}
		if err := r.client.PutInlinePolicy(ctx, name, policyName, wanted[policyName]); err != nil {
			return err
		}
		held[policyName] = wanted[policyName]
	}
	for _, policyName := range slices.Sorted(maps.Keys(have)) {
		if _, keep := wanted[policyName]; keep {
			continue
		}
		if err := r.client.DeleteInlinePolicy(ctx, name, policyName); err != nil {
			return err
		}
		delete(held, policyName)
	}
	return nil
}
