package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
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

// veeamTrustSid is the Sid of the statement that lets the appliance assume a role; the service principals get
// a second statement, policy.ServicesSid(veeamTrustSid).
const veeamTrustSid = "VeeamBackupImpersonation"

const (
	defaultRoleTimeout = 5 * time.Minute
	nameSuffixLength   = 26 // UTC timestamp (14) + 12 random hex digits
	maxRoleNameLength  = 64
)

var (
	_                     resource.ResourceWithConfigure        = (*iamRoleResource)(nil)
	_                     resource.ResourceWithImportState      = (*iamRoleResource)(nil)
	_                     resource.ResourceWithModifyPlan       = (*iamRoleResource)(nil)
	_                     resource.ResourceWithConfigValidators = (*iamRoleResource)(nil)
	policyARNPattern                                            = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/([\x21-\x7E]*/)?[\w+=,.@-]{1,128}$`)
	externalIDPattern                                           = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	pathTrustedPrincipals                                       = path.Root("trusted_principal_arns")
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
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

func (r *iamRoleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_iam_role"
}

func (r *iamRoleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An IAM role the Veeam Backup for AWS appliance can assume: a trust policy generated from " +
			"`trusted_principal_arns` (the Impersonation role, or the appliance's account), optional `external_id` and " +
			"`service_principals`, the managed policies in `managed_policy_arns` and, for worker roles, an instance profile " +
			"of the same name and path. The resource is authoritative for the role's trust policy and its managed policy " +
			"attachments: statements or attachments added outside Terraform show as drift and are removed on apply. Use " +
			"`vbaws_trust_relationship` for roles someone else owns.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "The role name."},
			"name": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "Role name, 1 to 64 characters. Exactly one of `name` and `name_prefix`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{roleNameValidator()}},
			"name_prefix": schema.StringAttribute{Optional: true, PlanModifiers: replace,
				MarkdownDescription: fmt.Sprintf("Creates a unique name beginning with this prefix (at most %d characters).", maxRoleNameLength-nameSuffixLength),
				Validators: []validator.String{stringvalidator.LengthAtMost(maxRoleNameLength - nameSuffixLength),
					ruleValidator{description: "characters allowed in role names", rule: func(s string) *principal.Problem { return principal.ValidateRoleName(s) }}}},
			"path": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("/"), PlanModifiers: replace,
				MarkdownDescription: "Role path, such as `/veeam/`. Defaults to `/`.",
				Validators:          []validator.String{ruleValidator{description: "an IAM path", rule: principal.ValidatePath}}},
			"description": schema.StringAttribute{Optional: true, MarkdownDescription: "Role description, at most 1000 characters.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1000)}},
			"trusted_principal_arns": schema.SetAttribute{Required: true, ElementType: types.StringType,
				MarkdownDescription: "Who may assume the role: the Impersonation role ARN (recommended), or the appliance's account as a " +
					"12-digit ID or root ARN. Checked during plan: wildcards, session ARNs, users, groups, service names and " +
					"malformed ARNs are errors; an account root is a warning.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), principalSetValidator{}}},
			"external_id": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Adds `Condition.StringEquals.\"sts:ExternalId\"` to the statement of `trusted_principal_arns`.",
				Validators: []validator.String{stringvalidator.LengthBetween(2, 1224),
					stringvalidator.RegexMatches(externalIDPattern, "may contain letters, digits and +=,.@:/-")}},
			"service_principals": schema.SetAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "AWS services that may also assume the role, such as `backup.amazonaws.com`. They get their own " +
					"statement without the external-ID condition, because services do not send one.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(servicePrincipalValidator())}},
			"managed_policy_arns": schema.SetAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Managed policies to attach, for example `vbaws_role_template.x.policy_arns`. When set, it is " +
					"authoritative: other attachments are detached on apply.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(policyARNValidator())}},
			"create_instance_profile": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Create an instance profile of the same name and path containing the role. Veeam's worker roles need one."},
			"max_session_duration": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(3600),
				MarkdownDescription: "Maximum session duration in seconds, 3600 to 43200. Defaults to 3600.",
				Validators:          []validator.Int64{int64validator.Between(3600, 43200)}},
			"permissions_boundary": schema.StringAttribute{Optional: true, MarkdownDescription: "ARN of the managed policy used as permissions boundary.",
				Validators: []validator.String{policyARNValidator()}},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Tags of the role (and of its instance profile).",
				Validators: []validator.Map{mapvalidator.SizeAtMost(50), mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128)),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(256))}},
			"arn":                  schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "Role ARN; known at plan time when the name and the account are."},
			"unique_id":            schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "Stable role ID (`AROA…`)."},
			"create_date":          schema.StringAttribute{Computed: true, PlanModifiers: keep, MarkdownDescription: "When the role was created (RFC 3339)."},
			"instance_profile_arn": schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the instance profile, when `create_instance_profile` is true."},
			"assume_role_policy": schema.StringAttribute{Computed: true, CustomType: PolicyType{},
				MarkdownDescription: "The effective trust policy JSON, always known at plan time."},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func policyARNValidator() validator.String {
	return stringvalidator.RegexMatches(policyARNPattern, "must be a managed policy ARN such as arn:aws:iam::123456789012:policy/name")
}

func (r *iamRoleResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{resourcevalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("name_prefix"))}
}

func (r *iamRoleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes everything derivable from configuration known at plan time: the trust policy always, the ARNs
// when the name and the account are known. It also checks the principals against the provider's partition.
func (r *iamRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, state iamRoleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	partition := r.partition()
	if partition != "" {
		resp.Diagnostics.Append(checkPrincipalSet(pathTrustedPrincipals, plan.TrustedPrincipalARNs, partition).Errors()...)
	}
	plan.AssumeRolePolicy = plannedTrustPolicy(ctx, plan, state.AssumeRolePolicy, partition)
	plan.ARN, plan.InstanceProfileARN = r.plannedARNs(plan, state)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *iamRoleResource) partition() string {
	if r.client == nil {
		return ""
	}
	return r.client.Partition
}

// plannedTrustPolicy renders the trust policy from the planned inputs, keeping the prior text when it means the
// same so that an equivalent document never shows as a change.
func plannedTrustPolicy(ctx context.Context, plan iamRoleModel, prior PolicyValue, partition string) PolicyValue {
	if !plan.trustInputsKnown() {
		return NewPolicyUnknown()
	}
	doc, diags := plan.trustPolicy(ctx, partition)
	if diags.HasError() {
		return NewPolicyUnknown()
	}
	if equivalent, err := policy.Equivalent(prior.ValueString(), doc); err == nil && equivalent && !prior.IsNull() && !prior.IsUnknown() {
		return prior
	}
	return NewPolicyValue(doc)
}

func (r *iamRoleResource) plannedARNs(plan, state iamRoleModel) (roleARN, profileARN types.String) {
	if !state.ARN.IsNull() && !state.ARN.IsUnknown() {
		roleARN = state.ARN
	} else {
		roleARN = r.entityARN("role", plan.Path, plan.Name)
	}
	switch {
	case plan.CreateInstanceProfile.IsUnknown():
		profileARN = types.StringUnknown()
	case !plan.CreateInstanceProfile.ValueBool():
		profileARN = types.StringNull()
	default:
		profileARN = r.entityARN("instance-profile", plan.Path, plan.Name)
	}
	return roleARN, profileARN
}

// entityARN builds an IAM ARN, or returns unknown when the account, path or name is not known yet.
func (r *iamRoleResource) entityARN(kind string, entityPath, name types.String) types.String {
	if r.client == nil || r.client.AccountID == "" || entityPath.IsUnknown() || name.IsUnknown() || name.IsNull() {
		return types.StringUnknown()
	}
	return types.StringValue(fmt.Sprintf("arn:%s:iam::%s:%s%s%s", r.client.Partition, r.client.AccountID, kind, entityPath.ValueString(), name.ValueString()))
}

func (m iamRoleModel) trustInputsKnown() bool {
	return !m.TrustedPrincipalARNs.IsUnknown() && !m.ExternalID.IsUnknown() && !m.ServicePrincipals.IsUnknown() &&
		allElementsKnown(m.TrustedPrincipalARNs) && allElementsKnown(m.ServicePrincipals)
}

func allElementsKnown(set types.Set) bool {
	for _, e := range set.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	return true
}

// trustPolicy renders the role's trust policy from known inputs, reporting principal problems on the attribute.
func (m iamRoleModel) trustPolicy(ctx context.Context, partition string) (string, diag.Diagnostics) {
	var principals, services []string
	diags := m.TrustedPrincipalARNs.ElementsAs(ctx, &principals, false)
	diags.Append(m.ServicePrincipals.ElementsAs(ctx, &services, false)...)
	arns, more := principalARNs(pathTrustedPrincipals, principals, partition)
	diags.Append(more...)
	if diags.HasError() {
		return "", diags
	}
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: arns, ExternalID: m.ExternalID.ValueString(), ServicePrincipals: services}
	return policy.NewDocument(policy.TrustStatements(spec)...).Marshal(), diags
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
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	role, err := r.createRole(ctx, timeout, plan, trust)
	if err != nil {
		resp.Diagnostics.AddError("Cannot create IAM role", err.Error())
		return
	}
	plan.setRole(role)
	// From here on the role exists: every later failure still saves it in state, so nothing is orphaned.
	wanted := stringsOf(ctx, plan.ManagedPolicyARNs)
	attached, err := r.syncAttachments(ctx, timeout, plan.Name.ValueString(), nil, wanted)
	plan.ManagedPolicyARNs = setOrNull(plan.ManagedPolicyARNs, attached)
	if err == nil && plan.CreateInstanceProfile.ValueBool() {
		plan.InstanceProfileARN, err = r.createInstanceProfile(ctx, timeout, plan)
		plan.CreateInstanceProfile = types.BoolValue(!plan.InstanceProfileARN.IsNull())
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if err != nil {
		resp.Diagnostics.AddError("IAM role created, but setting it up failed", fmt.Sprintf(
			"Role %s exists and is saved in state; the next apply replaces it. %s", plan.Name.ValueString(), err))
	}
}

func (r *iamRoleResource) createRole(ctx context.Context, timeout time.Duration, plan iamRoleModel, trust string) (*iamtypes.Role, error) {
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
	var out *iam.CreateRoleOutput
	err := awsclient.Retry(ctx, timeout, awsclient.AnyOf(awsclient.IsInvalidPrincipal, awsclient.IsConcurrentModification), func(ctx context.Context) error {
		var err error
		out, err = r.client.IAM.CreateRole(ctx, input)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("creating role %s: %w", name, err)
	}
	return out.Role, nil
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
}

// roleNotYetVisible reports an error IAM returns for a role created moments ago, as opposed to a missing policy.
func roleNotYetVisible(err error) bool {
	return awsclient.IsNoSuchEntity(err) && strings.Contains(err.Error(), "role with name")
}

// syncAttachments attaches the wanted policies missing from have and detaches the others. It returns what is
// attached afterwards, also when it fails part of the way. A detached policy that vbaws_role_template retired is
// deleted once nothing uses it.
func (r *iamRoleResource) syncAttachments(ctx context.Context, timeout time.Duration, roleName string, have, want []string) ([]string, error) {
	attached := slices.Clone(have)
	retryable := awsclient.AnyOf(awsclient.IsConcurrentModification, roleNotYetVisible)
	for _, arn := range want {
		if slices.Contains(attached, arn) {
			continue
		}
		err := awsclient.Retry(ctx, timeout, retryable, func(ctx context.Context) error {
			_, err := r.client.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(roleName), PolicyArn: aws.String(arn)})
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
		if err := r.detach(ctx, timeout, roleName, arn); err != nil {
			return attached, err
		}
		attached = slices.DeleteFunc(attached, func(a string) bool { return a == arn })
	}
	return attached, nil
}

func (r *iamRoleResource) detach(ctx context.Context, timeout time.Duration, roleName, policyARN string) error {
	err := awsclient.Retry(ctx, timeout, awsclient.IsConcurrentModification, func(ctx context.Context) error {
		_, err := r.client.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(roleName), PolicyArn: aws.String(policyARN)})
		return err
	})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("detaching policy %s from role %s: %w", policyARN, roleName, err)
	}
	if _, err := r.client.DeleteIfRetiredAndUnused(ctx, policyARN); err != nil {
		return fmt.Errorf("deleting retired policy %s after detaching it: %w", policyARN, err)
	}
	return nil
}

// createInstanceProfile creates the profile of the same name and path and adds the role. It returns the profile's
// ARN as soon as the profile exists, so that a failure to add the role still leaves the profile in state.
func (r *iamRoleResource) createInstanceProfile(ctx context.Context, timeout time.Duration, m iamRoleModel) (types.String, error) {
	name := m.Name.ValueString()
	out, err := r.client.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{
		InstanceProfileName: aws.String(name), Path: aws.String(m.Path.ValueString()), Tags: iamTags(ctx, m.Tags)})
	if err != nil {
		return types.StringNull(), fmt.Errorf("creating instance profile %s: %w", name, err)
	}
	profileARN := types.StringValue(aws.ToString(out.InstanceProfile.Arn))
	err = awsclient.Retry(ctx, timeout, awsclient.AnyOf(awsclient.IsConcurrentModification, awsclient.IsNoSuchEntity), func(ctx context.Context) error {
		_, err := r.client.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(name), RoleName: aws.String(name)})
		return err
	})
	if err != nil {
		return profileARN, fmt.Errorf("adding role %s to instance profile %s: %w", name, name, err)
	}
	return profileARN, nil
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
		resp.Diagnostics.AddWarning("IAM role deleted outside Terraform", fmt.Sprintf("Role %s no longer exists; it is removed from state and the next apply creates it.", state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read IAM role", err.Error())
		return
	}
	// trusted_principal_arns is required, so it is null only right after import: then read everything once.
	importing := state.TrustedPrincipalARNs.IsNull()
	resp.Diagnostics.Append(state.readRole(ctx, out.Role)...)
	if importing || !state.ManagedPolicyARNs.IsNull() {
		resp.Diagnostics.Append(r.readAttachments(ctx, &state)...)
	}
	if importing || state.CreateInstanceProfile.ValueBool() {
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
	trust, err := awsclient.DecodePolicy(aws.ToString(role.AssumeRolePolicyDocument))
	var diags diag.Diagnostics
	if err != nil {
		diags.AddError("Cannot read the role's trust policy", err.Error())
		return diags
	}
	m.AssumeRolePolicy = NewPolicyValue(trust)
	if m.TrustedPrincipalARNs.IsNull() {
		diags.Append(m.importTrustInputs(ctx, trust)...)
	}
	return diags
}

// importTrustInputs fills trusted_principal_arns, external_id and service_principals from the trust policy of an
// imported role, so that a plan right after import shows no changes.
func (m *iamRoleModel) importTrustInputs(ctx context.Context, trust string) diag.Diagnostics {
	var diags diag.Diagnostics
	doc, err := policy.Parse(trust)
	if err != nil {
		diags.AddError("Cannot parse the role's trust policy", err.Error())
		return diags
	}
	inputs := policy.TrustInputs(doc, veeamTrustSid)
	m.TrustedPrincipalARNs, diags = types.SetValueFrom(ctx, types.StringType, inputs.AWSPrincipals)
	m.ExternalID = stringOrNull(aws.String(inputs.ExternalID))
	if len(inputs.ServicePrincipals) > 0 {
		var more diag.Diagnostics
		m.ServicePrincipals, more = types.SetValueFrom(ctx, types.StringType, inputs.ServicePrincipals)
		diags.Append(more...)
	} else {
		m.ServicePrincipals = types.SetNull(types.StringType)
	}
	return diags
}

func (r *iamRoleResource) readAttachments(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	arns, err := r.client.AttachedPolicyARNs(ctx, m.ID.ValueString())
	if err != nil {
		diags.AddError("Cannot read the role's managed policies", err.Error())
		return diags
	}
	m.ManagedPolicyARNs = setOrNull(m.ManagedPolicyARNs, arns)
	return diags
}

// readInstanceProfile checks that the profile of the role's name still exists and contains the role; if not,
// create_instance_profile reads as false so that the plan creates it again.
func (r *iamRoleResource) readInstanceProfile(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	out, err := r.client.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(m.ID.ValueString())})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		diags.AddError("Cannot read the role's instance profile", err.Error())
		return diags
	}
	if err != nil || !profileContains(out.InstanceProfile, m.ID.ValueString()) || aws.ToString(out.InstanceProfile.Path) != m.Path.ValueString() {
		m.CreateInstanceProfile, m.InstanceProfileARN = types.BoolValue(false), types.StringNull()
		return diags
	}
	m.CreateInstanceProfile = types.BoolValue(true)
	m.InstanceProfileARN = types.StringValue(aws.ToString(out.InstanceProfile.Arn))
	return diags
}

func profileContains(profile *iamtypes.InstanceProfile, roleName string) bool {
	return slices.ContainsFunc(profile.Roles, func(r iamtypes.Role) bool { return aws.ToString(r.RoleName) == roleName })
}

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
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	plan.AssumeRolePolicy = NewPolicyValue(trust)
	for _, step := range r.updateSteps(ctx, timeout, &plan, state, trust) {
		if err := step(); err != nil {
			resp.Diagnostics.AddError("Cannot update IAM role", err.Error())
			break
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updateSteps lists the in-place changes in the order they are applied. Steps that fail leave the model with
// what really happened, because the resource is saved in state either way.
func (r *iamRoleResource) updateSteps(ctx context.Context, timeout time.Duration, plan *iamRoleModel, state iamRoleModel, trust string) []func() error {
	name := state.ID.ValueString()
	return []func() error{
		func() error { return r.updateTrust(ctx, timeout, name, state.AssumeRolePolicy.ValueString(), trust) },
		func() error { return r.updateSettings(ctx, name, *plan, state) },
		func() error { return r.updateBoundary(ctx, name, plan.PermissionsBoundary, state.PermissionsBoundary) },
		func() error { return r.updateTags(ctx, name, plan.Tags, state.Tags) },
		func() error {
			attached, err := r.syncAttachments(ctx, timeout, name, stringsOf(ctx, state.ManagedPolicyARNs), stringsOf(ctx, plan.ManagedPolicyARNs))
			plan.ManagedPolicyARNs = setOrNull(plan.ManagedPolicyARNs, attached)
			return err
		},
		func() error { return r.updateInstanceProfile(ctx, timeout, plan, state) },
	}
}

func (r *iamRoleResource) updateTrust(ctx context.Context, timeout time.Duration, name, current, trust string) error {
	if equivalent, err := policy.Equivalent(current, trust); err == nil && equivalent {
		return nil
	}
	err := awsclient.Retry(ctx, timeout, awsclient.AnyOf(awsclient.IsInvalidPrincipal, awsclient.IsConcurrentModification), func(ctx context.Context) error {
		_, err := r.client.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trust)})
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
		_, err = r.client.IAM.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)})
	default:
		_, err = r.client.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(name), PermissionsBoundary: plan.ValueStringPointer()})
	}
	if err != nil {
		return fmt.Errorf("updating the permissions boundary of role %s: %w", name, err)
	}
	return nil
}

func (r *iamRoleResource) updateTags(ctx context.Context, name string, plan, state types.Map) error {
	set, remove := tagChanges(ctx, plan, state)
	if len(remove) > 0 {
		if _, err := r.client.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: remove}); err != nil {
			return fmt.Errorf("removing tags from role %s: %w", name, err)
		}
	}
	if len(set) > 0 {
		if _, err := r.client.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: set}); err != nil {
			return fmt.Errorf("tagging role %s: %w", name, err)
		}
	}
	return nil
}

func (r *iamRoleResource) updateInstanceProfile(ctx context.Context, timeout time.Duration, plan *iamRoleModel, state iamRoleModel) error {
	want, have := plan.CreateInstanceProfile.ValueBool(), state.CreateInstanceProfile.ValueBool()
	var err error
	switch {
	case want && !have:
		plan.InstanceProfileARN, err = r.createInstanceProfile(ctx, timeout, *plan)
		plan.CreateInstanceProfile = types.BoolValue(!plan.InstanceProfileARN.IsNull())
	case !want && have:
		err = r.deleteOwnInstanceProfile(ctx, state.ID.ValueString())
		plan.InstanceProfileARN = types.StringNull()
	default:
		plan.InstanceProfileARN = state.InstanceProfileARN
	}
	return err
}

func (r *iamRoleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state iamRoleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultRoleTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := r.deleteRole(ctx, timeout, state); err != nil {
		resp.Diagnostics.AddError("Cannot delete IAM role", err.Error())
	}
}

// deleteRole removes the role from every instance profile (deleting the one this resource created), detaches
// every managed policy, deletes inline policies, then deletes the role. It never deletes a policy or profile it
// did not create, except a retired template part left with no users.
func (r *iamRoleResource) deleteRole(ctx context.Context, timeout time.Duration, state iamRoleModel) error {
	name := state.ID.ValueString()
	if err := r.leaveInstanceProfiles(ctx, name, state.CreateInstanceProfile.ValueBool()); err != nil {
		return err
	}
	attached, err := r.client.AttachedPolicyARNs(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return err
	}
	if _, err := r.syncAttachments(ctx, timeout, name, attached, nil); err != nil {
		return err
	}
	if err := r.deleteInlinePolicies(ctx, name); err != nil {
		return err
	}
	err = awsclient.Retry(ctx, timeout, awsclient.AnyOf(awsclient.IsDeleteConflict, awsclient.IsConcurrentModification), func(ctx context.Context) error {
		_, err := r.client.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		return err
	})
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return fmt.Errorf("deleting role %s: %w", name, err)
	}
	return nil
}

func (r *iamRoleResource) leaveInstanceProfiles(ctx context.Context, name string, ownsProfile bool) error {
	profiles, err := r.client.InstanceProfilesForRole(ctx, name)
	if err != nil && !awsclient.IsNoSuchEntity(err) {
		return err
	}
	for _, p := range profiles {
		profile := aws.ToString(p.InstanceProfileName)
		if ownsProfile && profile == name {
			if err := r.deleteOwnInstanceProfile(ctx, name); err != nil {
				return err
			}
			continue
		}
		if err := r.client.RemoveRoleFromInstanceProfile(ctx, profile, name); err != nil {
			return err
		}
	}
	return nil
}

// deleteOwnInstanceProfile removes the role from the profile of the same name that this resource created, then
// deletes the profile.
func (r *iamRoleResource) deleteOwnInstanceProfile(ctx context.Context, name string) error {
	if err := r.client.RemoveRoleFromInstanceProfile(ctx, name, name); err != nil {
		return err
	}
	_, err := r.client.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(name)})
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
		_, err := r.client.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)})
		if err != nil && !awsclient.IsNoSuchEntity(err) {
			return fmt.Errorf("deleting inline policy %s of role %s: %w", policyName, name, err)
		}
	}
	return nil
}

// ImportState takes the role name; Read then fills in everything else.
func (r *iamRoleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
