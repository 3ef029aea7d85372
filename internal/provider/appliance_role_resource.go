package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

var (
	_ resource.ResourceWithConfigure   = (*applianceRoleResource)(nil)
	_ resource.ResourceWithImportState = (*applianceRoleResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*applianceRoleResource)(nil)
)

// Paths of the attributes vbaws_appliance_role's plan checks report on.
var (
	pathApplianceName        = path.Root("name")
	pathApplianceDescription = path.Root("description")
	pathApplianceRoleARN     = path.Root("role_arn")
	pathApplianceExternalID  = path.Root("external_id")
	pathAppliancePermissions = path.Root("permissions")
)

// defaultAssumeWait is assume_wait unless configured: Veeam says a trust change may take up to 5 minutes.
const defaultAssumeWait = "6m"

// importByName is the prefix of an import ID that names the record instead of giving its UUID.
const importByName = "name:"

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func newApplianceRoleResource() resource.Resource { return &applianceRoleResource{} }

// applianceRoleResource registers an IAM role in the Veeam appliance: one record of its IAM Roles list.
type applianceRoleResource struct {
	resourceClients
}

type applianceRoleModel struct {
	ID           types.String         `tfsdk:"id"`
	Name         types.String         `tfsdk:"name"`
	Description  types.String         `tfsdk:"description"`
	RoleARN      types.String         `tfsdk:"role_arn"`
	ExternalID   types.String         `tfsdk:"external_id"`
	Permissions  types.Set            `tfsdk:"permissions"`
	AssumeWait   timetypes.GoDuration `tfsdk:"assume_wait"`
	AWSAccountID types.String         `tfsdk:"aws_account_id"`
	CrossAccount types.Bool           `tfsdk:"cross_account"`
	Timeouts     timeouts.Value       `tfsdk:"timeouts"`
}

func (r *applianceRoleResource) Metadata(
	_ context.Context,
	req resource.MetadataRequest,
	resp *resource.MetadataResponse,
) {
	resp.TypeName = req.ProviderTypeName + "_appliance_role"
}

func (r *applianceRoleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Registers an existing IAM role in the Veeam Backup for AWS appliance of the provider's " +
			"`appliance` block, as the console's *Add IAM Role* does, so that backup policies and repositories " +
			"can use it. A role in the appliance's own account is registered as *IAM role from current " +
			"account*, a role in any other account as *IAM role from another account*, with `external_id`.\n\n" +
			"**Create** checks a role of the provider's own AWS account in IAM and fails at once, naming the " +
			"closest existing role, when it does not exist (the plan already warns when `role_arn` is known " +
			"then); a role of another account is left to the appliance. It asks the appliance whether the name is " +
			"free (`validateName`) and fails with the appliance's own message when it is not; while the appliance " +
			"cannot assume the role yet, because its trust policy changed moments ago, create and update try " +
			"again for up to `assume_wait`, logging each attempt at INFO. A lost answer never makes a second " +
			"record: before sending a create again the provider looks the record up by name.\n\n" +
			"**Every write is read back** and compared field by field (name, description, mode, account, role, " +
			"permissions). A field the appliance did not keep fails the apply, naming the field and the REST " +
			"revision: a new record is removed again (or, when that fails, kept in state and tainted), an updated " +
			"one leaves state holding what the appliance holds. So a record registered for more operations than " +
			"configured is never kept silently. With no `permissions`, whatever list the appliance reports counts " +
			"as all and `permissions` stays as configured.\n\n" +
			"**Read** shows changes made in the appliance to the name, description, role and " +
			"permissions as drift, and removes a record deleted there from state. **Update** sends the whole " +
			"record. **Destroy** asks the appliance first (`validateDelete`) and fails, quoting the appliance, " +
			"while a backup policy or repository still uses the role. The appliance's default record " +
			"(*Default Backup Restore*) is never imported, changed or removed.\n\n" +
			"**External ID drift cannot be seen**: the appliance never returns the external ID, so state holds " +
			"what was last sent. A change made in the console shows in no plan; change `external_id` in the " +
			"configuration (or taint the resource) to send it again.\n\n" + revisionsChecked,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The record's UUID in the appliance.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The role's name in the appliance, 1 to 127 characters (the console's limit), " +
					"unique there regardless of case.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 127)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				MarkdownDescription: "Description, at most 255 characters (the console's limit). Defaults to `\"\"`.",
				Validators:          []validator.String{stringvalidator.LengthAtMost(255)},
			},
			"role_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the IAM role, such as `vbaws_iam_role.x.arn`. Its account decides the " +
					"mode (see `cross_account`); moving the role between the appliance's account and another one " +
					"replaces the record, any other change updates it.",
				Validators: []validator.String{roleARNValidator()},
			},
			"external_id": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "External ID the appliance sends when it assumes a role in another account; " +
					"the role's trust policy must require the same. Write-only in the appliance: its drift cannot " +
					"be seen (see above). Not allowed for a role in the appliance's own account." +
					externalIDSensitiveRule,
				Validators: externalIDValidators(),
			},
			"permissions": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Operations the appliance may use the role for, as the console's permission " +
					"check boxes: " + applianceOperationsDescription() + ". Leave it out (or `[]`) for all of them. " +
					"Needs REST revision 1.5-rev0 or later (appliance 7.0 and later); the plan fails on an older " +
					"appliance. It only narrows what the " +
					"appliance offers the role for and never changes the role in AWS.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(applianceOperationValidator{})},
			},
			"assume_wait": schema.StringAttribute{
				Optional:   true,
				Computed:   true,
				CustomType: timetypes.GoDurationType{},
				Default:    stringdefault.StaticString(defaultAssumeWait),
				MarkdownDescription: "How long create and update keep trying while the appliance cannot assume the " +
					"role yet, such as `30s` or `10m`. Defaults to `" + defaultAssumeWait + "`: Veeam documents up " +
					"to 5 minutes for a trust change to take effect. The appliance cannot tell a role that is " +
					"still propagating from one that does not exist or does not trust it, so a wrong role of " +
					"another account fails only after this long; a missing role of the provider's own account " +
					"fails at once.",
				Validators: []validator.String{nonNegativeDurationValidator()},
			},
			"aws_account_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The role's AWS account, known at plan time.",
			},
			"cross_account": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the role lives in another account than the appliance, known at plan " +
					"time. The appliance's own account is that of its default record; an appliance without one " +
					"gets every role as a role from another account.",
			},
			"timeouts": applianceTimeoutsAttribute(ctx),
		},
	}
}

// ModifyPlan makes aws_account_id and cross_account known at plan time and fails the plan, on the attribute,
// for an external ID on a role in the appliance's own account, for permissions the appliance's revision cannot
// carry, and when the provider has no appliance block. Learning the appliance's account or revision logs in
// once per provider process; a plan that changes nothing calls nothing. Its derived values (aws_account_id,
// cross_account) follow role_arn alone, which refresh reads back, so an unchanged plan holds them.
func (r *applianceRoleResource) ModifyPlan(
	ctx context.Context,
	req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse,
) {
	if nothingToDerive(req, derivedFromReadValues) || !r.configured {
		return
	}
	if !requireAppliance(r.appliance, r.configured, &resp.Diagnostics) {
		return
	}
	var plan, state applianceRoleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	r.planAccount(ctx, &plan, state, &resp.Diagnostics)
	if !plan.RoleARN.IsUnknown() && !plan.RoleARN.Equal(state.RoleARN) {
		warnRoleMissing(&resp.Diagnostics, r.roleMissing(ctx, plan.RoleARN.ValueString()))
	}
	if !state.CrossAccount.IsNull() && !plan.CrossAccount.IsUnknown() && !plan.CrossAccount.Equal(state.CrossAccount) {
		resp.RequiresReplace = append(resp.RequiresReplace, pathApplianceRoleARN)
	}
	if !plan.Permissions.Equal(state.Permissions) {
		r.checkPermissions(ctx, plan, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *applianceRoleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan applianceRoleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireAppliance(r.appliance, r.configured, &resp.Diagnostics) {
		return
	}
	if role := r.save(ctx, &plan, nil, plan.Timeouts.Create, &resp.Diagnostics); role != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setApplianceRoleIdentity(ctx, resp.Identity, plan)...)
		resp.Diagnostics.Append(rememberAll(ctx, resp.Private, plan, role)...)
	}
}

// Read removes a record deleted in the appliance from state and reports changes made there as drift.
func (r *applianceRoleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state applianceRoleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAppliance(r.appliance, r.configured, &resp.Diagnostics) {
		return
	}
	ctx, cancel := readContext(ctx, state.Timeouts, &resp.Diagnostics)
	defer cancel()
	resp.Diagnostics.Append(setApplianceRoleIdentity(ctx, resp.Identity, state)...)
	role, err := r.appliance.Get(ctx, state.ID.ValueString())
	if appliance.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addApplianceError(&resp.Diagnostics, "Cannot read the IAM role record", err)
		return
	}
	if role.IsDefault {
		resp.Diagnostics.Append(defaultRecordError(role))
		return
	}
	state.readFrom(role, recalledAll(ctx, req.Private))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *applianceRoleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state applianceRoleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAppliance(r.appliance, r.configured, &resp.Diagnostics) {
		return
	}
	if role := r.save(ctx, &plan, &state, plan.Timeouts.Update, &resp.Diagnostics); role != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setApplianceRoleIdentity(ctx, resp.Identity, plan)...)
		resp.Diagnostics.Append(rememberAll(ctx, resp.Private, plan, role)...)
	}
}

// Delete asks the appliance whether the record may go and fails, quoting it, while something still uses it.
func (r *applianceRoleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state applianceRoleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireAppliance(r.appliance, r.configured, &resp.Diagnostics) {
		return
	}
	ctx, cancel, ok := startWriting(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	id, name := state.ID.ValueString(), state.Name.ValueString()
	messages, err := r.appliance.ValidateDelete(ctx, id)
	switch {
	case appliance.IsNotFound(err):
		return
	case err != nil:
		addApplianceError(&resp.Diagnostics, "Cannot check whether the IAM role record can be removed", err)
		return
	}
	if errs := appliance.Errors(messages); len(errs) > 0 {
		resp.Diagnostics.AddError("The appliance still uses IAM role "+name, fmt.Sprintf(
			"The appliance refuses to remove record %q (%s): %s Remove the role from that backup policy or "+
				"repository in the appliance first, or point them at another role, then destroy again.",
			name, id, strings.Join(errs, " ")))
		return
	}
	if err := r.appliance.Delete(ctx, id); err != nil {
		addApplianceError(&resp.Diagnostics, "Cannot remove the IAM role record", err)
	}
}

// ImportState accepts the record's UUID or name:<Veeam name>, and refuses the appliance's default record.
func (r *applianceRoleResource) ImportState(
	ctx context.Context,
	req resource.ImportStateRequest,
	resp *resource.ImportStateResponse,
) {
	if !requireAppliance(r.appliance, r.configured, &resp.Diagnostics) {
		return
	}
	id := importedID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := r.importedRecord(ctx, id)
	if err != nil {
		addApplianceError(&resp.Diagnostics, "Cannot import the IAM role record", err)
		return
	}
	if role == nil {
		resp.Diagnostics.AddError("No such IAM role record", fmt.Sprintf(
			"The appliance has no IAM role named %q. Names are matched exactly; import by UUID, or list the "+
				"records with the vbaws_appliance_roles data source.", strings.TrimPrefix(id, importByName)))
		return
	}
	if role.IsDefault {
		resp.Diagnostics.Append(defaultRecordError(role))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), role.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("assume_wait"), defaultAssumeWait)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, applianceRoleIdentityModel{
		ID: types.StringValue(role.ID)})...)
}

// importedRecord finds the record an import ID names; nil when a name matches none.
func (r *applianceRoleResource) importedRecord(ctx context.Context, id string) (*appliance.Role, error) {
	if name, ok := strings.CutPrefix(id, importByName); ok {
		return r.appliance.FindByName(ctx, name)
	}
	if !uuidPattern.MatchString(id) {
		return nil, fmt.Errorf("import ID %q is neither a record's UUID nor name:<name in the appliance>", id)
	}
	role, err := r.appliance.Get(ctx, id)
	if appliance.IsNotFound(err) {
		return nil, fmt.Errorf("the appliance has no IAM role record %s", id)
	}
	return role, err
}

func defaultRecordError(role *appliance.Role) diag.Diagnostic {
	return diag.NewErrorDiagnostic("The appliance's default record is not managed", fmt.Sprintf(
		"Record %q (%s) is the one the appliance made at installation. It belongs to the appliance and is "+
			"never imported, changed or removed by Terraform.", role.Name, role.ID))
}

// planAccount derives aws_account_id from role_arn and cross_account from the appliance's account (the prior
// value while role_arn stays the same).
func (r *applianceRoleResource) planAccount(ctx context.Context, plan *applianceRoleModel,
	state applianceRoleModel, diags *diag.Diagnostics) {
	if plan.RoleARN.IsUnknown() {
		return
	}
	role, problem := principal.ParseRoleARN(plan.RoleARN.ValueString())
	if problem != nil {
		return // the attribute's validator reports it
	}
	plan.AWSAccountID = types.StringValue(role.AccountID)
	if plan.RoleARN.Equal(state.RoleARN) && !state.CrossAccount.IsNull() {
		plan.CrossAccount = state.CrossAccount
	} else {
		account, err := r.appliance.ApplianceAccountID(ctx)
		if err != nil {
			addApplianceError(diags, "Cannot read the appliance's account", err)
			return
		}
		plan.CrossAccount = types.BoolValue(isCrossAccount(account, role.AccountID))
	}
	if !plan.CrossAccount.ValueBool() && !plan.ExternalID.IsNull() {
		diags.AddAttributeError(pathApplianceExternalID, "External ID for a role in the appliance's account",
			fmt.Sprintf("Role %s is in the appliance's own account %s, which the appliance registers without an "+
				"external ID. Remove external_id, or register a role from another account.",
				plan.RoleARN.ValueString(), role.AccountID))
	}
}

// isCrossAccount reports whether a role in roleAccount is registered as a role from another account.
func isCrossAccount(applianceAccount, roleAccount string) bool {
	return applianceAccount == "" || applianceAccount != roleAccount
}

// checkPermissions fails the plan when permissions are set and the appliance's revision cannot carry them.
func (r *applianceRoleResource) checkPermissions(ctx context.Context, plan applianceRoleModel,
	diags *diag.Diagnostics) {
	if plan.Permissions.IsUnknown() || len(plan.Permissions.Elements()) == 0 {
		return
	}
	rev, err := r.appliance.Revision(ctx)
	if err != nil {
		addApplianceError(diags, "Cannot reach the appliance", err)
		return
	}
	if !rev.SupportsPermissions() {
		diags.AddAttributeError(pathAppliancePermissions, "Permissions need a newer appliance",
			(&appliance.PermissionsUnsupportedError{Revision: rev.String()}).Error()+
				". Leave permissions out: the appliance then offers the role for every operation.")
	}
}

// spec is the record the model asks for.
func (r *applianceRoleResource) spec(ctx context.Context, m applianceRoleModel, diags *diag.Diagnostics) (
	appliance.RoleSpec, bool) {
	role, problem := principal.ParseRoleARN(m.RoleARN.ValueString())
	if problem != nil {
		diags.AddAttributeError(pathApplianceRoleARN, problem.Summary, problem.Detail)
		return appliance.RoleSpec{}, false
	}
	account, err := r.appliance.ApplianceAccountID(ctx)
	if err != nil {
		addApplianceError(diags, "Cannot read the appliance's account", err)
		return appliance.RoleSpec{}, false
	}
	var permissions []string
	for _, op := range stringsOf(ctx, m.Permissions) {
		p, _ := appliance.PermissionOf(op) // validated at plan time
		permissions = append(permissions, p)
	}
	return appliance.RoleSpec{
		Name:         m.Name.ValueString(),
		Description:  m.Description.ValueString(),
		AccountID:    role.AccountID,
		RoleName:     appliance.RoleNameOf(role.Path, role.Name),
		CrossAccount: isCrossAccount(account, role.AccountID),
		ExternalID:   m.ExternalID.ValueString(),
		Permissions:  permissions,
	}, true
}

// assumeWait is the model's assume_wait.
func (m applianceRoleModel) assumeWait(diags *diag.Diagnostics) time.Duration {
	d, more := m.AssumeWait.ValueGoDuration()
	diags.Append(more...)
	return d
}

// nameFree asks the appliance whether a new record may take name, reporting its own message on name when not.
func (r *applianceRoleResource) nameFree(ctx context.Context, name string, diags *diag.Diagnostics) bool {
	messages, err := r.appliance.ValidateName(ctx, name)
	if err != nil {
		addApplianceError(diags, "Cannot check the name in the appliance", err)
		return false
	}
	if errs := appliance.Errors(messages); len(errs) > 0 {
		diags.AddAttributeError(pathApplianceName, "Name refused by the appliance", strings.Join(errs, " "))
		return false
	}
	return true
}

// save writes the record plan asks for: a new one without prior, else the whole of prior's record. A role of
// the provider's account must exist, and a new name is checked with validateName first; while the appliance
// cannot assume the role yet the write is tried again within assume_wait, and interrupting Terraform ends the
// wait. The record is then read back: one that does not hold every field sent fails (see keepOrRemove). It
// returns the record plan now holds, or nil.
func (r *applianceRoleResource) save(ctx context.Context, plan, prior *applianceRoleModel, timeout timeoutOf,
	diags *diag.Diagnostics) *appliance.Role {
	wait := plan.assumeWait(diags)
	writeCtx, cancel, ok := startApplianceWrite(ctx, timeout, wait, diags)
	if !ok {
		return nil
	}
	defer cancel()
	if err := r.roleMissing(writeCtx, plan.RoleARN.ValueString()); err != nil {
		addRoleMissing(diags, err)
		return nil
	}
	spec, ok := r.spec(writeCtx, *plan, diags)
	newName := prior == nil || !strings.EqualFold(spec.Name, prior.Name.ValueString())
	if !ok || (newName && !r.nameFree(writeCtx, spec.Name, diags)) {
		return nil
	}
	role, err := r.write(ctx, writeCtx, spec, prior, wait)
	if err == nil {
		role, err = r.appliance.Verify(writeCtx, role.ID, spec)
	}
	var unkept *appliance.VerifyError
	switch {
	case errors.As(err, &unkept):
		return r.keepOrRemove(writeCtx, plan, prior, spec, unkept, diags)
	case err != nil && prior == nil:
		addApplianceError(diags, "Cannot register the IAM role in the appliance", err)
		return nil
	case err != nil:
		addApplianceError(diags, "Cannot update the IAM role record", err)
		return nil
	}
	plan.readFrom(role, allWhenNoneSent(spec, role))
	return role
}

// write creates or updates the record, trying again within wait while the appliance cannot assume the role yet,
// with a log line per refused attempt.
func (r *applianceRoleResource) write(ctx, writeCtx context.Context, spec appliance.RoleSpec,
	prior *applianceRoleModel, wait time.Duration) (*appliance.Role, error) {
	var role *appliance.Role
	waiting := func(attempt int, pause time.Duration, refusal error) {
		tflog.Info(ctx, "The appliance cannot assume the IAM role yet; waiting for its trust policy to take effect",
			map[string]any{"role_name": spec.RoleName, "account": spec.AccountID, "attempt": attempt,
				"next_attempt_in": pause.String(), "assume_wait": wait.String(), "refusal": refusal.Error()})
	}
	err := appliance.WhileNotAssumable(ctx, wait, waiting, func() (err error) {
		if prior == nil {
			role, err = r.appliance.Create(writeCtx, spec)
		} else {
			role, err = r.appliance.Update(writeCtx, prior.ID.ValueString(), spec)
		}
		return err
	})
	return role, err
}

// keepOrRemove handles a write the appliance did not keep. A new record is removed again, or, when that fails,
// kept in state (Terraform taints it) so that it is not left behind; an updated one leaves state holding what the
// appliance holds. Either way the apply fails and says which.
func (r *applianceRoleResource) keepOrRemove(ctx context.Context, plan, prior *applianceRoleModel,
	spec appliance.RoleSpec, unkept *appliance.VerifyError, diags *diag.Diagnostics) *appliance.Role {
	if prior == nil {
		err := r.appliance.Delete(ctx, unkept.Record.ID)
		if err == nil {
			addVerifyError(diags, unkept, fmt.Sprintf("The provider removed record %s again, so nothing is left "+
				"behind.", unkept.Record.ID))
			return nil
		}
		addVerifyError(diags, unkept, fmt.Sprintf("Removing record %s again failed (%v), so it is kept in state "+
			"as it is and Terraform marks it tainted: the next apply replaces it, destroy removes it.",
			unkept.Record.ID, err))
	} else {
		addVerifyError(diags, unkept, "State now holds what the appliance holds, so the next plan shows the "+
			"difference.")
	}
	plan.readFrom(unkept.Record, allWhenNoneSent(spec, unkept.Record))
	return unkept.Record
}

// readFrom fills the model from the record, keeping the configured spelling of an ARN that names the same role
// and the configured permissions when the record means the same. recordedAll is what the appliance reported as
// "all" at the last write (private state), nil when not known.
func (m *applianceRoleModel) readFrom(role *appliance.Role, recordedAll []string) {
	m.ID = types.StringValue(role.ID)
	m.Name = types.StringValue(role.Name)
	m.Description = types.StringValue(role.Description)
	if arn := role.ARN(); !sameRole(m.RoleARN.ValueString(), arn) {
		m.RoleARN = types.StringValue(arn)
	}
	m.AWSAccountID = types.StringValue(role.AccountID)
	m.CrossAccount = types.BoolValue(role.CrossAccount)
	m.Permissions = permissionsFrom(m.Permissions, role.Permissions, recordedAll)
	if m.AssumeWait.IsNull() || m.AssumeWait.IsUnknown() {
		m.AssumeWait = timetypes.NewGoDurationValueFromStringMust(defaultAssumeWait)
	}
}

// sameRole reports whether two role ARNs name the same role in the same account, whatever the partition: the
// appliance's region type is all that tells the partition.
func sameRole(a, b string) bool {
	pa, problemA := principal.ParseRoleARN(a)
	pb, problemB := principal.ParseRoleARN(b)
	return problemA == nil && problemB == nil && pa.AccountID == pb.AccountID && pa.Path == pb.Path &&
		pa.Name == pb.Name
}

// operationsOf maps appliance permission names to operation names. Names this provider does not know stay as
// the appliance spells them, so that they show as drift.
func operationsOf(permissions []string) []string {
	ops := make([]string, 0, len(permissions))
	for _, p := range permissions {
		if op, ok := appliance.OperationOf(p); ok {
			p = op
		}
		ops = append(ops, p)
	}
	sort.Strings(ops)
	return ops
}
