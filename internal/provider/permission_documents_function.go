package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ function.Function = permissionDocumentsFunction{}

func newPermissionDocumentsFunction() function.Function { return permissionDocumentsFunction{} }

// permissionDocumentsFunction returns the split policy documents of a selection of Veeam operations, rendered by
// the template package as vbaws_role_template and data.vbaws_role_template_document render them.
type permissionDocumentsFunction struct{}

func (permissionDocumentsFunction) Metadata(_ context.Context, _ function.MetadataRequest,
	resp *function.MetadataResponse) {
	resp.Name = "permission_documents"
}

func (permissionDocumentsFunction) Definition(_ context.Context, _ function.DefinitionRequest,
	resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Veeam's permission policy documents for a selection of operations.",
		MarkdownDescription: "Returns the permission policy documents of `vbaws_role_template` (its `documents`) " +
			"for the same `operations` and `product_version`, in the same order and the same text as " +
			"`data.vbaws_role_template_document` returns them: split to fit IAM's limit of 6,144 characters " +
			"per managed policy, actions deduplicated regardless of case and sorted. The selection is checked " +
			"as the resource checks it while planning, with the same messages. The documents are those of " +
			"`workers_in_production_accounts = false`, the resource's default. " + localFunctionNote,
		Parameters: selectionParameters(),
		Return:     function.ListReturn{ElementType: types.StringType},
	}
}

func (permissionDocumentsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	tpl, funcErr := renderSelectionArguments(ctx, req)
	if funcErr != nil {
		resp.Error = funcErr
		return
	}
	resp.Error = resp.Result.Set(ctx, tpl.Documents)
}
