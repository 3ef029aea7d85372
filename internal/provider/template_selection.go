package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// Descriptions shared by every type that takes a selection of Veeam operations, derived from the catalog.
// operationsDescription describes the operations attribute or argument. It is built when a schema asks for it,
// not at start-up, so that a provider process that never serves such a schema does not load the catalog.
func operationsDescription() string {
	return "Veeam operations the permissions are for: " + strings.Join(codeSpans(catalog.AllOperations()), ", ") +
		". The [operations guide](../guides/operations.md) says what each one is for and which ones a role needs."
}

// productVersionDescription describes the product_version attribute or argument, built when asked for as
// operationsDescription is.
func productVersionDescription() string {
	return "Veeam Backup for AWS version whose permission lists are used: " + versionsDescription() + "."
}

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

// templateSelection is the selection of Veeam operations a template is rendered from. The models of
// vbaws_role_template, vbaws_role_template_document and vbaws_role_check embed it.
type templateSelection struct {
	Operations          types.Set    `tfsdk:"operations"`
	ProductVersion      types.String `tfsdk:"product_version"`
	WorkersInProduction types.Bool   `tfsdk:"workers_in_production_accounts"`
}

// selectionKnown reports whether the selection can be rendered while planning.
func (s templateSelection) selectionKnown() bool {
	return !s.Operations.IsUnknown() && allElementsKnown(s.Operations) && !s.ProductVersion.IsUnknown() &&
		!s.WorkersInProduction.IsUnknown()
}

// render renders a known selection (see renderTemplate).
func (s templateSelection) render(ctx context.Context) (template.Template, diag.Diagnostics) {
	return renderTemplate(ctx, s.Operations, s.ProductVersion, s.WorkersInProduction)
}

// templateOutputs are the values vbaws_role_template and vbaws_role_template_document export for a rendered
// template; their models embed it.
type templateOutputs struct {
	Documents               types.List `tfsdk:"documents"`
	Actions                 types.Set  `tfsdk:"actions"`
	ServicePrincipals       types.Set  `tfsdk:"service_principals"`
	RequiresInstanceProfile types.Bool `tfsdk:"requires_instance_profile"`
}

// setOutputs fills the outputs from a rendered template.
func (o *templateOutputs) setOutputs(ctx context.Context, tpl template.Template) diag.Diagnostics {
	out, diags := outputsOf(ctx, tpl)
	*o = out
	return diags
}

// Descriptions of the attributes of templateOutputs.
const (
	documentsDescription = "The permission policy documents, each within IAM's limit of 6,144 characters for a " +
		"managed policy (whitespace excluded). Actions are deduplicated regardless of case and sorted; the same " +
		"selection always gives the same documents."
	actionsDescription          = "Every action in the documents."
	servicePrincipalsOutputDesc = "AWS services the role's trust policy must also allow, for `service_principals` " +
		"of `vbaws_iam_role`."
	instanceProfileOutputDesc = "Whether the role needs an instance profile, for `create_instance_profile` of " +
		"`vbaws_iam_role`."
)

// templateSelectionDataSourceAttributes are the attributes of templateSelection in a data source, where
// product_version and workers_in_production_accounts stay null when not set.
func templateSelectionDataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"operations": dsschema.SetAttribute{
			Required:            true,
			ElementType:         types.StringType,
			MarkdownDescription: operationsDescription(),
			Validators:          operationsValidators(),
		},
		"product_version": dsschema.StringAttribute{
			Optional:            true,
			MarkdownDescription: productVersionDescription(),
			Validators:          productVersionValidators(),
		},
		"workers_in_production_accounts": dsschema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: workersDescription,
		},
	}
}

// templateSelectionResourceAttributes are the attributes of templateSelection in vbaws_role_template, which
// stores the defaults.
func templateSelectionResourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"operations": schema.SetAttribute{
			Required:            true,
			ElementType:         types.StringType,
			MarkdownDescription: operationsDescription(),
			Validators:          operationsValidators(),
		},
		"product_version": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(catalog.DefaultVersion),
			MarkdownDescription: productVersionDescription(),
			Validators:          productVersionValidators(),
		},
		"workers_in_production_accounts": schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(false),
			MarkdownDescription: workersDescription,
		},
	}
}

// templateOutputDataSourceAttributes are the attributes of templateOutputs in a data source.
func templateOutputDataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"documents": dsschema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: documentsDescription,
		},
		"actions": dsschema.SetAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: actionsDescription,
		},
		"service_principals": dsschema.SetAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: servicePrincipalsOutputDesc,
		},
		"requires_instance_profile": dsschema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: instanceProfileOutputDesc,
		},
	}
}

// templateOutputResourceAttributes are the attributes of templateOutputs in vbaws_role_template.
func templateOutputResourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"documents": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: documentsDescription,
		},
		"actions": schema.SetAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: actionsDescription,
		},
		"service_principals": schema.SetAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: servicePrincipalsOutputDesc,
		},
		"requires_instance_profile": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: instanceProfileOutputDesc,
		},
	}
}

// withAttributes adds the attributes of each of more to attributes and returns it.
func withAttributes[A any](attributes map[string]A, more ...map[string]A) map[string]A {
	for _, m := range more {
		maps.Copy(attributes, m)
	}
	return attributes
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
