package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ function.Function = operationRequirementsFunction{}

func newOperationRequirementsFunction() function.Function { return operationRequirementsFunction{} }

// operationRequirementsFunction returns what a role for a selection of Veeam operations needs besides its
// permissions: the service principals its trust policy must allow and whether it needs an instance profile.
type operationRequirementsFunction struct{}

// operationRequirements is the object operation_requirements returns.
type operationRequirements struct {
	ServicePrincipals       []string `tfsdk:"service_principals"`
	RequiresInstanceProfile bool     `tfsdk:"requires_instance_profile"`
}

func (operationRequirementsFunction) Metadata(_ context.Context, _ function.MetadataRequest,
	resp *function.MetadataResponse) {
	resp.Name = "operation_requirements"
}

func (operationRequirementsFunction) Definition(_ context.Context, _ function.DefinitionRequest,
	resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The service principals and instance profile a role for a selection of operations needs.",
		MarkdownDescription: "Returns an object with `service_principals`, the AWS services the role's trust " +
			"policy must also allow (for `service_principals` of `vbaws_iam_role` and the `options` of " +
			"`trust_policy`), and `requires_instance_profile`, whether the role needs an instance profile (for " +
			"`create_instance_profile`), as `vbaws_role_template` exports them for the same `operations` and " +
			"`product_version`. The selection is checked as the resource checks it while planning. " +
			localFunctionNote,
		Parameters: selectionParameters(),
		Return: function.ObjectReturn{AttributeTypes: map[string]attr.Type{
			"service_principals":        types.SetType{ElemType: types.StringType},
			"requires_instance_profile": types.BoolType,
		}},
	}
}

func (operationRequirementsFunction) Run(ctx context.Context, req function.RunRequest,
	resp *function.RunResponse) {
	tpl, funcErr := renderSelectionArguments(ctx, req)
	if funcErr != nil {
		resp.Error = funcErr
		return
	}
	resp.Error = resp.Result.Set(ctx, operationRequirements{
		ServicePrincipals:       nonNil(tpl.ServicePrincipals),
		RequiresInstanceProfile: tpl.RequiresInstanceProfile,
	})
}
