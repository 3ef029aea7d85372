package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
		MarkdownDescription: trustRelationshipDescription,
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
				MarkdownDescription: "Adds `Condition.StringEquals.\"sts:ExternalId\"` to the statement." + externalIDRule,
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

// trustRelationshipDescription is the resource's documentation: what it owns, what destroy promises, and what
// other writers can still do.
var trustRelationshipDescription = "Adds the statement that lets the Veeam appliance assume a role to the trust " +
	"policy of a role someone else owns (another team, a landing-zone baseline, CloudFormation), and leaves every " +
	"other statement exactly as it is. Several of these resources may target one role, each with its own `sid`.\n\n" +
	"**Ownership.** A relationship owns the statements whose Sid is its `sid`, or its `sid` followed by " +
	"`Services`, and creates them only where no statement uses either Sid (nor, for a `sid` ending in `Services`, " +
	"has it as its own services Sid). A statement someone else wrote there, or one that another state's " +
	"relationship with the same `sid` wrote earlier on the same role, fails the create with the statement " +
	"quoted, and nothing is written: it is never taken over or removed. A statement that is this " +
	"configuration's (an apply whose state was lost) is taken over only " +
	"explicitly, with `import`.\n\n" +
	"**Destroy** removes only this resource's statements, and verifies it: " +
	fmt.Sprintf("%g", awsclient.TrustSettleTime.Seconds()) + " seconds after the removal it reads the trust " +
	"policy again and removes its statements again when another writer, whose read-modify-write started before " +
	"the removal, wrote them back; when they still come back after a few rounds, destroy fails and says so " +
	"instead of reporting success. IAM rejects a trust policy without statements, so when ours were the last ones " +
	"the role is left with a single statement, Sid `" + policy.PlaceholderSid + "`, that denies `sts:AssumeRole` " +
	"to every AWS principal: the role then trusts nobody, and a warning says so. Adding a trust relationship to " +
	"the role later replaces that statement.\n\n" +
	"**Other writers.** IAM has no conditional writes: a trust policy can only be replaced as a whole, and " +
	"nothing stops another writer from replacing it between this resource's read and its write. The resource " +
	"keeps that window as small as IAM allows: it reads the policy right before each write and merges into what " +
	"it read; when IAM refuses a write (`ConcurrentModification`, or a principal that is still propagating) or " +
	"its answer is lost, it reads and merges again instead of resending an old document; and it reads the policy " +
	"back after writing, writing again when the statements are missing. IAM may answer a read with the policy as " +
	"it was before a write, so a read that does not show the write yet, or that shows a policy this provider has " +
	"already replaced, is read again, for a few seconds, before the resource concludes that another writer " +
	"replaced the policy. What IAM still allows: a writer whose own read-modify-write overlaps this one can drop " +
	"this resource's statements after they were verified, and this resource's write can undo an edit another " +
	"writer made in the moments between the read and the write. The first shows in the next plan as the " +
	"statement to add again (a refresh finds it missing), and the next apply restores it; the second is visible " +
	"only to that other writer. Within one Terraform run, resources writing to the same role are serialised, so " +
	"they never lose each other's edits."

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
	saved, wrote := r.save(ctx, &plan, claimedSids(plan.Sid.ValueString()), &resp.Diagnostics)
	if saved || wrote && r.settle(ctx, &plan) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setTrustIdentity(ctx, resp.Identity, plan, r.client)...)
	}
}

// claimedSids are the Sids a new relationship with sid must find unused: its own, its services Sid, and, for a
// sid that ends in "Services", the Sid whose services statement it would be.
func claimedSids(sid string) []string {
	sids := []string{sid, policy.ServicesSid(sid)}
	if base, ok := strings.CutSuffix(sid, policy.ServicesSid("")); ok && base != "" {
		sids = append(sids, base)
	}
	return sids
}

// Update writes the planned statements. After a failure, state holds what the role's trust policy holds, or the
// prior state when nothing was written or the policy cannot be read, so that the next plan shows what is still to
// do.
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
	if saved, wrote := r.save(ctx, &plan, nil, &resp.Diagnostics); !saved {
		plan = state
		if wrote {
			r.settle(ctx, &plan)
		}
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

// save writes the planned statements, refusing when a statement uses one of the claimed Sids, and reports whether
// IAM holds them and whether a write may have reached IAM. It fills role_arn and the computed values once the role
// has been read.
func (r *trustRelationshipResource) save(ctx context.Context, m *trustRelationshipModel, claim []string,
	diags *diag.Diagnostics) (saved, wrote bool) {
	spec, more := m.spec(ctx, r.client.Partition)
	diags.Append(more...)
	if diags.HasError() {
		return false, false
	}
	role, wrote, err := r.client.RewriteTrust(ctx, m.RoleName.ValueString(), awsclient.TrustChange{
		Apply: func(doc policy.Document) policy.Document { return applyOrAdopt(doc, spec) },
		Claim: claim,
	})
	var taken *awsclient.SidTakenError
	switch {
	case errors.As(err, &taken):
		addSidTaken(diags, taken, m.Sid.ValueString())
		return false, wrote
	case err != nil:
		addAWSError(diags, "Cannot add the Veeam trust statement", err)
		return false, wrote
	}
	m.RoleARN = types.StringValue(aws.ToString(role.Arn))
	m.ID = m.id()
	m.Statement = m.Statement.keepEquivalent(statementsOf(spec), equivalentPolicies)
	return true, wrote
}

// addSidTaken reports a statement that a new relationship with sid will not take over, and how to take it over
// explicitly when it is this configuration's.
func addSidTaken(diags *diag.Diagnostics, taken *awsclient.SidTakenError, sid string) {
	diags.AddAttributeError(pathRelationshipSid, "Statement already in the trust policy", fmt.Sprintf(
		"The trust policy of role %[1]s already holds a statement with Sid %[2]s:\n\n%[3]s\n\n"+
			"A trust relationship with sid %[4]q owns the statements with Sids %[4]s and %[5]s, and creates them only "+
			"when no statement uses either (nor has %[4]s as its own services Sid): it never takes over or "+
			"removes a statement it did not write. If this statement is someone else's, choose another sid. If "+
			"it is this configuration's (an apply whose state was lost, say), import it instead of creating it: "+
			"terraform import <address> %[1]s/%[4]s, or an import block with id = \"%[1]s/%[4]s\".",
		taken.RoleName, taken.Sid, taken.Statement.JSON(), sid, policy.ServicesSid(sid)))
}

// settle reads the role's trust policy after a failed write and fills m with the statements of its Sid as IAM
// holds them. It reports false when they are not there or cannot be read. It reads even when Terraform cancelled
// the operation (an interrupt, a timeout), for at most settleTimeout, so that a write that reached IAM is in state.
func (r *trustRelationshipResource) settle(ctx context.Context, m *trustRelationshipModel) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	role, doc, err := r.client.CurrentTrust(ctx, m.RoleName.ValueString())
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

// settleTimeout bounds the read that settle makes after Terraform cancelled the operation.
const settleTimeout = 30 * time.Second

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

// remove takes the statements of sid out of the role's trust policy, and again when they come back
// (awsclient.RemoveFromTrust); a missing role or statement counts as removed.
func (r *trustRelationshipResource) remove(ctx context.Context, roleName, sid string) (emptied bool, err error) {
	_, err = r.client.RemoveFromTrust(ctx, roleName, func(doc policy.Document) policy.Document {
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
