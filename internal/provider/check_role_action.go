package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ action.ActionWithConfigure = (*checkRoleAction)(nil)

func newCheckRoleAction() action.Action { return &checkRoleAction{} }

// checkRoleAction is Veeam's "Check Permissions" as an action (Terraform 1.14 and later): the check of
// vbaws_role_check, run when an action_trigger fires (after a role is created or updated, say) or on demand with
// `terraform apply -invoke`, failing with the data source's problems when anything is missing.
type checkRoleAction struct {
	actionClients
}

// roleCheckInputs are what Check Permissions is asked: the configuration of the action and the arguments of
// vbaws_role_check, whose model embeds them.
type roleCheckInputs struct {
	templateSelection
	RoleName            types.String `tfsdk:"role_name"`
	TrustedPrincipalARN types.String `tfsdk:"trusted_principal_arn"`
	ExternalID          types.String `tfsdk:"external_id"`
	Evaluator           types.String `tfsdk:"evaluator"`
}

func (a *checkRoleAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_check_role"
}

func (a *checkRoleAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Veeam's **Check Permissions** for one role, as the data source `vbaws_role_check` " +
			"runs it, when an `action_trigger` fires (for example `after_create` and `after_update` of the " +
			"`vbaws_iam_role`) or with `terraform apply -invoke`. It fails the apply with one sentence per problem " +
			"of the data source's `problems` when an action, a service principal, the trust of " +
			"`trusted_principal_arn`, its permission to assume the role or an instance profile is missing, and " +
			"passes otherwise. It never writes to IAM and needs what the data source needs.",
		Attributes: map[string]schema.Attribute{
			"operations": schema.SetAttribute{
				Required:            true,
				ElementType:         types.StringType,
				MarkdownDescription: operationsDescription(),
				Validators:          operationsValidators(),
			},
			"product_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: productVersionDescription(),
				Validators:          productVersionValidators(),
			},
			"workers_in_production_accounts": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: workersDescription,
			},
			"role_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the role to check, in the provider's account.",
				Validators:          []validator.String{roleNameValidator()},
			},
			"trusted_principal_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Who must be able to assume the role, usually the Impersonation role ARN, as " +
					"in `vbaws_role_check`.",
				Validators: []validator.String{principalValidator()},
			},
			"external_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The external ID the appliance sends when it assumes the role.",
				Validators:          externalIDValidators(),
			},
			"evaluator": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "`auto` (default), `simulator` or `local`, as in `vbaws_role_check`: `auto` " +
					"asks IAM's policy simulator and evaluates locally when it is not available.",
				Validators: []validator.String{
					stringvalidator.OneOf(evaluatorAuto, evaluatorSimulator, evaluatorLocal),
				},
			},
		},
	}
}

// Invoke runs the check of vbaws_role_check and fails with its problems.
func (a *checkRoleAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var config roleCheckInputs
	if !readConfigured(ctx, req.Config, &config, a.client, &resp.Diagnostics) {
		return
	}
	tpl, diags := config.render(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	roleName := config.RoleName.ValueString()
	checker := roleCheckDataSource{dataSourceClients{client: a.client, configured: a.configured}}
	result, err := checker.check(ctx, roleCheckModel{roleCheckInputs: config}, tpl)
	if err != nil {
		addRoleCheckError(&resp.Diagnostics, roleName, err)
		return
	}
	problems := result.problems()
	if !result.ok() {
		resp.Diagnostics.AddError("Role "+roleName+" fails Check Permissions", strings.Join(problems, "\n"))
		return
	}
	message := fmt.Sprintf("Role %s passes Check Permissions for %s (evaluator: %s).", roleName,
		strings.Join(tpl.Operations, ", "), result.evaluator)
	if len(problems) > 0 {
		message += " " + strings.Join(problems, " ")
	}
	resp.SendProgress(action.InvokeProgressEvent{Message: message})
}
