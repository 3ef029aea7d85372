package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// Descriptions shared by every type that takes a selection of Veeam operations, derived from the catalog.
var (
	operationsDescription = "Veeam operations the permissions are for: " +
		strings.Join(codeSpans(catalog.OperationNames()), ", ") + "."
	productVersionDescription = "Veeam Backup for AWS version whose permission lists are used: " +
		versionsDescription() + "."
)

const workersDescription = "Add the extra permissions the selected operations need when workers run in production " +
	"accounts. Defaults to `false`."

// codeSpans formats each value as Markdown code.
func codeSpans(values []string) []string {
	spans := make([]string, len(values))
	for i, v := range values {
		spans[i] = "`" + v + "`"
	}
	return spans
}

// versionsDescription lists the catalog's versions with the product build their lists come from, marking the
// default: "`10` (build 10.0.0.232, the default) or `11`".
func versionsDescription() string {
	versions := catalog.Versions()
	described := make([]string, len(versions))
	for i, version := range versions {
		build, err := catalog.Build(version)
		if err != nil {
			panic(fmt.Sprintf("catalog version %s has no build: %v", version, err))
		}
		var notes []string
		if build != version {
			notes = append(notes, "build "+build)
		}
		if version == catalog.DefaultVersion {
			notes = append(notes, "the default")
		}
		described[i] = "`" + version + "`"
		if len(notes) > 0 {
			described[i] += " (" + strings.Join(notes, ", ") + ")"
		}
	}
	last := len(described) - 1
	if last == 0 {
		return described[0]
	}
	return strings.Join(described[:last], ", ") + " or " + described[last]
}

var pathOperations = path.Root("operations")

// renderTemplate renders a known selection, defaulting the version and the workers flag when they are null.
func renderTemplate(ctx context.Context, operations types.Set, version types.String, workers types.Bool) (
	template.Template, diag.Diagnostics) {
	var names []string
	diags := operations.ElementsAs(ctx, &names, false)
	v := version.ValueString()
	if version.IsNull() {
		v = catalog.DefaultVersion
	}
	tpl, err := template.Render(v, names, workers.ValueBool())
	if err != nil {
		diags.AddAttributeError(pathOperations, "Cannot build the Veeam permissions", err.Error())
	}
	return tpl, diags
}

// operationValidator checks an operation name during plan and suggests the closest one for a typo.
type operationValidator struct{}

func (operationValidator) Description(context.Context) string {
	return "one of: " + strings.Join(catalog.OperationNames(), ", ")
}

func (v operationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (operationValidator) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	if _, err := catalog.Get(catalog.DefaultVersion, name); err == nil {
		return
	}
	detail := fmt.Sprintf("%q is not a Veeam operation.", name)
	if suggestion := catalog.Suggest(name); suggestion != "" {
		detail += fmt.Sprintf(" Did you mean %q?", suggestion)
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Unknown operation",
		detail+" Valid operations: "+strings.Join(catalog.OperationNames(), ", ")+".")
}

// templateOutputs are the values both the data source and the resource export for a rendered template.
type templateOutputs struct {
	Documents               types.List
	Actions                 types.Set
	ServicePrincipals       types.Set
	RequiresInstanceProfile types.Bool
}

// outputsOf converts a rendered template into the values a plan or state holds.
func outputsOf(ctx context.Context, tpl template.Template) (templateOutputs, diag.Diagnostics) {
	documents, diags := types.ListValueFrom(ctx, types.StringType, tpl.Documents)
	actions, more := types.SetValueFrom(ctx, types.StringType, tpl.Actions)
	diags.Append(more...)
	services, more := types.SetValueFrom(ctx, types.StringType, tpl.ServicePrincipals)
	diags.Append(more...)
	return templateOutputs{Documents: documents, Actions: actions, ServicePrincipals: services,
		RequiresInstanceProfile: types.BoolValue(tpl.RequiresInstanceProfile)}, diags
}
