package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
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

// iamRoleResource is a role the Veeam appliance can assume. It owns the role's trust policy and its managed
// policy attachments authoritatively: anything added outside Terraform shows as drift and is removed on apply.
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
			"trust policy and its managed policy attachments: statements or attachments added outside Terraform show " +
			"as drift and are removed on apply. Use `vbaws_trust_relationship` for roles someone else owns.",
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
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Who may assume the role: the Impersonation role ARN (recommended), or the " +
					"appliance's account as a 12-digit ID or root ARN. Checked during plan: wildcards, session ARNs, " +
					"users, groups, service names and malformed ARNs are errors; an account root is a warning.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), principalSetValidator{}},
			},
			"external_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Adds `Condition.StringEquals.\"sts:ExternalId\"` to the statement of " +
					"`trusted_principal_arns`.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(2, 1224),
					stringvalidator.RegexMatches(externalIDPattern, "may contain letters, digits and +=,.@:/-"),
				},
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
					"When set, it is authoritative: other attachments are detached on apply.",
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
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the role (and of its instance profile).",
				Validators: []validator.Map{
					mapvalidator.SizeAtMost(50),
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128)),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(256)),
				},
			},
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
		}),
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func policyARNValidator() validator.String {
	return stringvalidator.RegexMatches(
		policyARNPattern,
		"must be a managed policy ARN such as arn:aws:iam::123456789012:policy/name",
	)
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
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultRoleTimeout)
	resp.Diagnostics.Append(diags...)
	trust, diags := plan.trustPolicy(ctx, r.client.Partition)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if interruptedBeforeWriting(ctx, &resp.Diagnostics) {
		return
	}
	ctx, cancel := writeContext(ctx, timeout)
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
// when create_instance_profile is true.
func (r *iamRoleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state iamRoleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	out, err := r.client.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(state.ID.ValueString())})
	if awsclient.IsNoSuchEntity(err) {
		resp.Diagnostics.AddWarning(
			"IAM role deleted outside Terraform",
			fmt.Sprintf(
				"Role %s no longer exists; it is removed from state and the next apply creates it.",
				state.ID.ValueString(),
			),
		)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot read IAM role", err)
		return
	}
	// trusted_principal_arns is required, so it is null only right after import: then read everything once.
	importing := state.TrustedPrincipalARNs.IsNull()
	resp.Diagnostics.Append(state.readRole(ctx, out.Role)...)
	if importing || !state.ManagedPolicyARNs.IsNull() {
		resp.Diagnostics.Append(r.readAttachments(ctx, &state)...)
	}
	if importing || !state.InlinePolicies.IsNull() {
		resp.Diagnostics.Append(r.readInlinePolicies(ctx, &state)...)
	}
	if importing || state.CreateInstanceProfile.ValueBool() || !state.InstanceProfileARN.IsNull() {
		resp.Diagnostics.Append(r.readInstanceProfile(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (m *iamRoleModel) readRole(ctx context.Context, role *iamtypes.Role) diag.Diagnostics {
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
	if m.TrustedPrincipalARNs.IsNull() {
		diags.Append(m.importTrust(ctx, trust)...)
	}
	return diags
}

func (r *iamRoleResource) readAttachments(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	arns, err := r.client.AttachedPolicyARNs(ctx, m.ID.ValueString())
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
	out, err := r.client.IAM.GetInstanceProfile(
		ctx,
		&iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)},
	)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		addAWSError(&diags, "Cannot read the role's instance profile", err)
		return diags
	}
	ours := err == nil && aws.ToString(out.InstanceProfile.Path) == m.Path.ValueString()
	switch {
	case ours && awsclient.ProfileContains(out.InstanceProfile, name):
		m.CreateInstanceProfile = types.BoolValue(true)
		m.InstanceProfileARN = types.StringValue(aws.ToString(out.InstanceProfile.Arn))
	case ours && len(out.InstanceProfile.Roles) == 0 && !m.InstanceProfileARN.IsNull():
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
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultRoleTimeout)
	resp.Diagnostics.Append(diags...)
	trust, diags := plan.trustPolicy(ctx, r.client.Partition)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || interruptedBeforeWriting(ctx, &resp.Diagnostics) {
		return
	}
	ctx, cancel := writeContext(ctx, timeout)
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
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultRoleTimeout)
	resp.Diagnostics.Append(diags...)
	if interruptedBeforeWriting(ctx, &resp.Diagnostics) {
		return
	}
	ctx, cancel := writeContext(ctx, timeout)
	defer cancel()
	if err := r.deleteRole(ctx, state); err != nil {
		addAWSError(&resp.Diagnostics, "Cannot delete IAM role", err)
	}
}

// ImportState takes the role name; Read then fills in everything else.
func (r *iamRoleResource) ImportState(
	ctx context.Context,
	req resource.ImportStateRequest,
	resp *resource.ImportStateResponse,
) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
