package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

var (
	_                resource.ResourceWithConfigure   = (*trustRelationshipResource)(nil)
	_                resource.ResourceWithImportState = (*trustRelationshipResource)(nil)
	_                resource.ResourceWithModifyPlan  = (*trustRelationshipResource)(nil)
	pathPrincipalARN                                  = path.Root("principal_arn")
)

func newTrustRelationshipResource() resource.Resource { return &trustRelationshipResource{} }

// trustRelationshipResource adds the Veeam trust statement to a role someone else owns. It manages only the
// statements named by its Sid and never changes the meaning of any other statement.
type trustRelationshipResource struct {
	resourceClients
}

type trustRelationshipModel struct {
	ID                types.String   `tfsdk:"id"`
	RoleName          types.String   `tfsdk:"role_name"`
	PrincipalARN      types.String   `tfsdk:"principal_arn"`
	Sid               types.String   `tfsdk:"sid"`
	ExternalID        types.String   `tfsdk:"external_id"`
	ServicePrincipals types.Set      `tfsdk:"service_principals"`
	RoleARN           types.String   `tfsdk:"role_arn"`
	Statement         PolicyValue    `tfsdk:"statement"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	AcknowledgeRoot   types.Bool     `tfsdk:"acknowledge_account_root"`
}

// Paths of the attributes the resource reads or sets one by one.
var (
	pathRelationshipID        = path.Root("id")
	pathRelationshipRoleName  = path.Root("role_name")
	pathRelationshipSid       = path.Root("sid")
	pathRelationshipStatement = path.Root("statement")
)

func (r *trustRelationshipResource) Metadata(
	_ context.Context,
	req resource.MetadataRequest,
	resp *resource.MetadataResponse,
) {
	resp.TypeName = req.ProviderTypeName + "_trust_relationship"
}

func (r *trustRelationshipResource) Schema(
	ctx context.Context,
	_ resource.SchemaRequest,
	resp *resource.SchemaResponse,
) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Adds the statement that lets the Veeam appliance assume a role to the trust policy of a role " +
			"someone else owns (another team, a landing-zone baseline, CloudFormation), and leaves every other statement " +
			"exactly as it is. Several of these resources may target one role, each with its own `sid`.\n\n" +
			"On destroy only this resource's statements are removed. IAM rejects a trust policy without statements, so when " +
			"ours were the last ones the role is left with a single statement, Sid `" + policy.PlaceholderSid + "`, that " +
			"denies `sts:AssumeRole` to every AWS principal: the role then trusts nobody, and a warning says so. " +
			"Adding a trust relationship to the role later replaces that statement.\n\n**Other writers.** IAM has no " +
			"conditional writes: a trust policy can only be replaced as a whole, and nothing stops another writer " +
			"from replacing it between this resource's read and its write. The resource keeps that window as small " +
			"as IAM allows: it reads the policy right before each write and merges into what it read; when IAM " +
			"refuses a write (`ConcurrentModification`, or a principal that is still propagating) or its answer is " +
			"lost, it reads and merges again instead of resending an old document; and it reads the policy back " +
			"after writing, writing again when the statements are missing. What IAM still allows: a writer whose own " +
			"read-modify-write overlaps this one can drop this resource's statements after they were verified, and " +
			"this resource's write can undo an edit another writer made in the milliseconds between the read and the " +
			"write. The first shows in the next plan as the statement to add again (a refresh finds it missing), and " +
			"the next apply restores it; the second is visible only to that other writer. Within one Terraform run, " +
			"resources writing to the same role are serialised, so they never lose each other's edits.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<role_name>/<sid>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"role_name": schema.StringAttribute{
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{roleNameValidator()},
				MarkdownDescription: "Name (not ARN) of the existing role whose trust policy gains the statement.",
			},
			"principal_arn": schema.StringAttribute{
				Required:   true,
				Validators: []validator.String{principalValidator()},
				MarkdownDescription: "Who may assume the role: the Impersonation role ARN (recommended), or the " +
					"appliance's account as a 12-digit ID or root ARN. Checked during plan like " +
					"`trusted_principal_arns` of `vbaws_iam_role`.",
			},
			"sid": schema.StringAttribute{
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(veeamTrustSid),
				PlanModifiers: replace,
				Validators:    []validator.String{sidValidator()},
				MarkdownDescription: "Statement ID of the managed statement; letters and digits only. Defaults to " +
					"`" + veeamTrustSid + "`.",
			},
			"external_id": schema.StringAttribute{
				Optional:            true,
				Validators:          externalIDValidators(),
				MarkdownDescription: "Adds `Condition.StringEquals.\"sts:ExternalId\"` to the statement.",
			},
			"service_principals": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(servicePrincipalValidator())},
				MarkdownDescription: "AWS services that may also assume the role, such as `backup.amazonaws.com`, in " +
					"a second statement `<sid>Services` without the external-ID condition. `[]` is the same as " +
					"leaving it out.",
			},
			"role_arn": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "ARN of the role, known at plan time: planning a new relationship reads the " +
					"role once, and a role that does not exist fails the plan.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"statement": schema.StringAttribute{
				Computed:            true,
				CustomType:          PolicyType{},
				MarkdownDescription: "The statements this resource manages, as a policy document; known at plan time.",
			},
			"timeouts": timeoutsAttribute(ctx),
			"acknowledge_account_root": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Set to `true` to acknowledge that an account root in `principal_arn` trusts " +
					"the whole account, as in Veeam's \"IAM role from another account\" mode; the warning is then " +
					"silent.",
			},
		},
	}
}

// ModifyPlan checks the principal against the provider's partition and makes id and statement known at plan time.
// It returns early for a relationship whose plan is its state once the statements IAM holds mean what the
// configuration renders (see statementHeld).
func (r *trustRelationshipResource) ModifyPlan(
	ctx context.Context,
	req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse,
) {
	if nothingToDerive(req, func() bool { return r.statementHeld(ctx, req) }) {
		return
	}
	var plan, state trustRelationshipModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = plan.id()
	resp.Diagnostics.Append(r.planRoleARN(ctx, &plan, state)...)
	plan.Statement = NewPolicyUnknown()
	if plan.inputsKnown() {
		spec, diags := plan.spec(ctx, connectionPartition(r.client))
		resp.Diagnostics.Append(diags...)
		if !diags.HasError() {
			plan.Statement = state.Statement.keepEquivalent(statementsOf(spec), equivalentPolicies)
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *trustRelationshipResource) Create(
	ctx context.Context,
	req resource.CreateRequest,
	resp *resource.CreateResponse,
) {
	var plan trustRelationshipModel
	if !readConfigured(ctx, req.Plan, &plan, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel, ok := startWriting(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	if r.save(ctx, &plan, &resp.Diagnostics) || r.settle(ctx, &plan) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setTrustIdentity(ctx, resp.Identity, plan, r.client)...)
	}
}

// Update writes the planned statements. After a failure, state holds what the role's trust policy holds, or the
// prior state when it cannot be read, so that the next plan shows what is still to do.
func (r *trustRelationshipResource) Update(
	ctx context.Context,
	req resource.UpdateRequest,
	resp *resource.UpdateResponse,
) {
	var plan, state trustRelationshipModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if !readConfigured(ctx, req.Plan, &plan, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel, ok := startWriting(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	if !r.save(ctx, &plan, &resp.Diagnostics) {
		plan = state
		r.settle(ctx, &plan)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setTrustIdentity(ctx, resp.Identity, plan, r.client)...)
}

// Read removes the resource from state when the role or its statement is gone, and reports changes made to the
// statements outside Terraform. Other statements never show as a change.
func (r *trustRelationshipResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state trustRelationshipModel
	if !readConfigured(ctx, req.State, &state, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := readContext(ctx, state.Timeouts, &resp.Diagnostics)
	defer cancel()
	role, doc, err := r.refreshTrust(ctx, state)
	// Terraform 1.12+ wants an identity after every read, also one that removes the resource.
	resp.Diagnostics.Append(setTrustIdentity(ctx, resp.Identity, state, r.client)...)
	if awsclient.IsNoSuchEntity(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot read the Veeam trust statement", err)
		return
	}
	own, adopted := state.holdsTrust(ctx, doc, r.client.Partition)
	switch {
	case own:
		state.readFrom(role, doc)
	case adopted:
		state.RoleARN = types.StringValue(aws.ToString(role.Arn))
	default:
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setTrustIdentity(ctx, resp.Identity, state, r.client)...)
}

// Delete removes only this resource's statements. When they were the last, the role keeps a statement that trusts
// nobody, because IAM rejects an empty trust policy, and a warning says so.
func (r *trustRelationshipResource) Delete(
	ctx context.Context,
	req resource.DeleteRequest,
	resp *resource.DeleteResponse,
) {
	var state trustRelationshipModel
	if !readConfigured(ctx, req.State, &state, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel, ok := startWriting(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	roleName := state.RoleName.ValueString()
	emptied, err := r.remove(ctx, roleName, state.Sid.ValueString())
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot remove the Veeam trust statement", err)
		return
	}
	if emptied {
		resp.Diagnostics.AddWarning(
			"Role trusts nobody now",
			fmt.Sprintf(
				"The Veeam statements were the last ones in the trust policy of role %s. "+
					"IAM does not allow an empty trust policy, so the role now holds one statement, Sid %s, "+
					"that denies sts:AssumeRole to everyone. Give the role a new trust policy or delete it.",
				roleName,
				policy.PlaceholderSid,
			),
		)
	}
}

// ImportState accepts "<role_name>/<sid>" (role names cannot contain "/") or an identity.
func (r *trustRelationshipResource) ImportState(
	ctx context.Context,
	req resource.ImportStateRequest,
	resp *resource.ImportStateResponse,
) {
	if req.ID == "" && req.Identity != nil {
		id, ok := trustImportID(ctx, r.client, req, &resp.Diagnostics)
		if !ok {
			return
		}
		req.ID = id
	}
	roleName, sid, ok := strings.Cut(req.ID, "/")
	if !ok || principal.ValidateRoleName(roleName) != nil || !policy.ValidSid(sid) {
		resp.Diagnostics.AddError(
			"Invalid import ID",
			fmt.Sprintf("Expected <role_name>/<sid>, such as team-role/%s; got %q.", veeamTrustSid, req.ID),
		)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathRelationshipRoleName, roleName)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathRelationshipSid, sid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathRelationshipID, req.ID)...)
}

// A role made by Veeam's CloudFormation, or by hand, may already trust the appliance in Sid-less statements.
// vbaws_trust_relationship then writes nothing (its own statements would only repeat what those mean), keeps
// in state what it was asked for as long as the role grants it, and removes nothing on destroy, so that the trust
// policy means after destroy exactly what it meant before the apply.

// applyOrAdopt returns doc with spec's statements added, or, when Sid-less statements already grant what spec
// grants, without them: a statement of ours that a Sid-less one repeats is taken out again.
func applyOrAdopt(doc policy.Document, spec policy.TrustSpec) policy.Document {
	if grantedWithoutSid(doc, spec) {
		return doc.Remove(spec.Sid).Remove(policy.ServicesSid(spec.Sid))
	}
	return policy.ApplyTrust(doc, spec)
}

// grantedWithoutSid reports whether the Sid-less statements of doc grant everything spec grants, in the same way.
func grantedWithoutSid(doc policy.Document, spec policy.TrustSpec) bool {
	var sidless []policy.Statement
	for _, s := range doc.Statements {
		if s.Sid() == "" {
			sidless = append(sidless, s)
		}
	}
	return len(sidless) > 0 && policy.CoversTrust(policy.NewDocument(sidless...), spec, trustFilter())
}

// holdsTrust reports whether the role's trust policy holds what m manages: its statements, or Sid-less ones
// that grant the same (adopted).
func (m trustRelationshipModel) holdsTrust(ctx context.Context, doc policy.Document, partition string) (
	own, adopted bool) {
	if _, found := doc.Find(m.Sid.ValueString()); found {
		return true, false
	}
	spec, diags := m.spec(ctx, partition)
	return false, !diags.HasError() && grantedWithoutSid(doc, spec)
}

// planRoleARN makes role_arn known at plan time: the prior value while role_name stays the same (no call),
// otherwise from one GetRole, which also fails the plan, on role_name, when the role does not exist.
func (r *trustRelationshipResource) planRoleARN(ctx context.Context, plan *trustRelationshipModel,
	state trustRelationshipModel) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case plan.RoleName.IsUnknown() || r.client == nil:
		plan.RoleARN = types.StringUnknown()
		return diags
	case !state.RoleARN.IsNull() && plan.RoleName.Equal(state.RoleName):
		plan.RoleARN = state.RoleARN
		return diags
	}
	name := plan.RoleName.ValueString()
	role, err := r.client.GetRole(ctx, name)
	switch {
	case awsclient.IsNoSuchEntity(err):
		diags.AddAttributeError(pathRelationshipRoleName, "Role not found", fmt.Sprintf(
			"Role %s does not exist in account %s, so it cannot gain the Veeam trust statement (reading role %s: %v).",
			name, orUnknown(r.client.AccountID), name, err))
	case err != nil:
		addAWSError(&diags, "Cannot read role "+name, err)
	default:
		plan.RoleARN = types.StringValue(aws.ToString(role.Arn))
	}
	return diags
}

// statementHeld reports whether the statements in the refreshed state, which refresh reads from IAM under the
// resource's Sid, mean what the planned inputs render. Refresh reads the principal, external ID and services back
// into their attributes, but an edit those do not capture (another action or condition, a Deny) shows only in
// statement. role_arn and id follow role_name and sid, which force a replacement.
func (r *trustRelationshipResource) statementHeld(ctx context.Context, req resource.ModifyPlanRequest) bool {
	var m trustRelationshipModel
	diags := req.Plan.GetAttribute(ctx, pathPrincipalARN, &m.PrincipalARN)
	diags.Append(req.Plan.GetAttribute(ctx, pathRelationshipSid, &m.Sid)...)
	diags.Append(req.Plan.GetAttribute(ctx, pathExternalID, &m.ExternalID)...)
	diags.Append(req.Plan.GetAttribute(ctx, pathServicePrincipals, &m.ServicePrincipals)...)
	diags.Append(req.State.GetAttribute(ctx, pathRelationshipStatement, &m.Statement)...)
	if diags.HasError() || !m.inputsKnown() {
		return false
	}
	spec, diags := m.spec(ctx, connectionPartition(r.client))
	return !diags.HasError() && m.Statement.keepEquivalent(statementsOf(spec), equivalentPolicies).Equal(m.Statement)
}

// statementsOf is the document of the statements a relationship writes for spec.
func statementsOf(spec policy.TrustSpec) string {
	return policy.NewDocument(policy.TrustStatements(spec)...).Marshal()
}

func (m trustRelationshipModel) id() types.String {
	if m.RoleName.IsUnknown() || m.Sid.IsUnknown() {
		return types.StringUnknown()
	}
	return types.StringValue(m.RoleName.ValueString() + "/" + m.Sid.ValueString())
}

func (m trustRelationshipModel) inputsKnown() bool {
	return !m.PrincipalARN.IsUnknown() && !m.Sid.IsUnknown() && !m.ExternalID.IsUnknown() &&
		!m.ServicePrincipals.IsUnknown() && allElementsKnown(m.ServicePrincipals)
}

// spec turns known inputs into the trust this resource writes, reporting a bad principal on principal_arn.
func (m trustRelationshipModel) spec(ctx context.Context, partition string) (policy.TrustSpec, diag.Diagnostics) {
	return veeamTrustSpec(ctx, m.Sid.ValueString(), pathPrincipalARN, []string{m.PrincipalARN.ValueString()},
		m.ExternalID, m.ServicePrincipals, partition)
}

// save writes the planned statements and reports whether IAM holds them. It fills role_arn and the computed
// values once the role has been read.
func (r *trustRelationshipResource) save(ctx context.Context, m *trustRelationshipModel, diags *diag.Diagnostics) bool {
	spec, more := m.spec(ctx, r.client.Partition)
	diags.Append(more...)
	if diags.HasError() {
		return false
	}
	role, err := r.client.RewriteTrust(
		ctx,
		m.RoleName.ValueString(),
		func(doc policy.Document) policy.Document {
			return applyOrAdopt(doc, spec)
		},
	)
	if err != nil {
		addAWSError(diags, "Cannot add the Veeam trust statement", err)
		return false
	}
	m.RoleARN = types.StringValue(aws.ToString(role.Arn))
	m.ID = m.id()
	m.Statement = m.Statement.keepEquivalent(statementsOf(spec), equivalentPolicies)
	return true
}

// settle reads the role's trust policy after a failed write and fills m with the statements of its Sid as IAM
// holds them. It reports false when they are not there or cannot be read.
func (r *trustRelationshipResource) settle(ctx context.Context, m *trustRelationshipModel) bool {
	role, doc, err := r.client.RoleTrust(ctx, m.RoleName.ValueString())
	if err != nil {
		return false
	}
	own, adopted := m.holdsTrust(ctx, doc, r.client.Partition)
	if adopted {
		m.RoleARN, m.ID = types.StringValue(aws.ToString(role.Arn)), m.id()
	}
	if own {
		m.readFrom(role, doc)
	}
	return own || adopted
}

// refreshTrust is awsclient.Client.RoleTrust for a refresh, which the account snapshot may answer (awsclient.ReadRole).
func (r *trustRelationshipResource) refreshTrust(ctx context.Context, m trustRelationshipModel) (
	*iamtypes.Role, policy.Document, error) {
	roleName, hint := m.RoleName.ValueString(), awsclient.RoleHint{}
	if p, problem := principal.ParseRoleARN(m.RoleARN.ValueString()); problem == nil {
		hint.Path = p.Path
	}
	role, err := r.client.ReadRole(ctx, roleName, hint)
	if err != nil {
		return nil, policy.Document{}, fmt.Errorf("reading role %s: %w", roleName, err)
	}
	return awsclient.ParsedTrust(role)
}

// readFrom fills the model from the statements under its Sid, keeping the configured spelling of an equivalent
// principal (an account ID for its root ARN, say).
func (m *trustRelationshipModel) readFrom(role *iamtypes.Role, doc policy.Document) {
	sid := m.Sid.ValueString()
	inputs := policy.TrustInputs(doc, sid)
	if len(inputs.AWSPrincipals) != 1 || !samePrincipal(m.PrincipalARN.ValueString(), inputs.AWSPrincipals[0]) {
		m.PrincipalARN = types.StringValue(strings.Join(inputs.AWSPrincipals, ","))
	}
	m.ExternalID = stringOrNull(aws.String(inputs.ExternalID))
	m.ServicePrincipals = setOrNull(m.ServicePrincipals, inputs.ServicePrincipals)
	var ours []policy.Statement
	for _, s := range doc.Statements {
		if s.Sid() == sid || s.Sid() == policy.ServicesSid(sid) {
			ours = append(ours, s)
		}
	}
	m.Statement = m.Statement.keepEquivalent(policy.NewDocument(ours...).Marshal(), equivalentPolicies)
	m.RoleARN = types.StringValue(aws.ToString(role.Arn))
	m.ID = m.id()
}

// samePrincipal reports whether configured and remote name the same principal.
func samePrincipal(configured, remote string) bool {
	a, problemA := principal.Parse(configured, "")
	b, problemB := principal.Parse(remote, "")
	return problemA == nil && problemB == nil && a.ARN() == b.ARN()
}

// remove takes the statements of sid out of the role's trust policy; a missing role or statement counts as removed.
func (r *trustRelationshipResource) remove(ctx context.Context, roleName, sid string) (emptied bool, err error) {
	_, err = r.client.RewriteTrust(ctx, roleName, func(doc policy.Document) policy.Document {
		_, found := doc.Find(sid)
		_, foundServices := doc.Find(policy.ServicesSid(sid))
		if !found && !foundServices {
			return doc
		}
		var next policy.Document
		next, emptied = policy.RemoveTrust(doc, sid)
		return next
	})
	if awsclient.IsNoSuchEntity(err) {
		return false, nil
	}
	return emptied, err
}
