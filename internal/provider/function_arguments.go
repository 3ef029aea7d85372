package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// Glue the provider functions share. A function checks its arguments with the very validators the resources and
// data sources use while planning, so that a value a function accepts is a value they accept, in the same words.

// localFunctionNote ends the description of every function: what it needs to run.
const localFunctionNote = "The function makes no API call and reads data built into the provider, so it also " +
	"works before anything exists and under `terraform test` with `mock_provider`. Terraform calls it without " +
	"configuring the provider; OpenTofu configures the provider first, so there the provider configuration must " +
	"succeed (or the provider be mocked)."

// argumentError turns the error diagnostics of one argument into a function error on that argument, each error
// written "Summary: Detail" as in a plan; nil when there is none. Warnings are logged, as functions cannot warn.
func argumentError(ctx context.Context, position int64, diags diag.Diagnostics) *function.FuncError {
	funcErr := function.FuncErrorFromDiags(ctx, diags)
	if funcErr == nil {
		return nil
	}
	return newArgumentError(position, funcErr.Text)
}

// newArgumentError is a function error on the argument at position. Terraform ends the message with a period of
// its own, so the closing period of the provider's message goes.
func newArgumentError(position int64, text string) *function.FuncError {
	return function.NewArgumentFuncError(position, strings.TrimSuffix(text, "."))
}

// validateString runs string validators on a function argument, as Terraform runs them on an attribute at path.
// Validators given here must not read the rest of the configuration, since a function has none.
func validateString(ctx context.Context, at path.Path, value types.String,
	validators ...validator.String) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, v := range validators {
		resp := &validator.StringResponse{}
		v.ValidateString(ctx, validator.StringRequest{Path: at, PathExpression: at.Expression(), ConfigValue: value},
			resp)
		diags.Append(resp.Diagnostics...)
	}
	return diags
}

// validateSet runs set validators on a function argument, as validateString does for strings.
func validateSet(ctx context.Context, at path.Path, value types.Set, validators ...validator.Set) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, v := range validators {
		resp := &validator.SetResponse{}
		v.ValidateSet(ctx, validator.SetRequest{Path: at, PathExpression: at.Expression(), ConfigValue: value}, resp)
		diags.Append(resp.Diagnostics...)
	}
	return diags
}

// optionAttributes returns the attributes of an options argument, an object or a map; none when it is null.
func optionAttributes(options types.Dynamic, known []string) (map[string]attr.Value, error) {
	if options.IsNull() || options.IsUnderlyingValueNull() {
		return nil, nil
	}
	var attributes map[string]attr.Value
	switch v := options.UnderlyingValue().(type) {
	case basetypes.ObjectValue:
		attributes = v.Attributes()
	case basetypes.MapValue:
		attributes = v.Elements()
	default:
		return nil, fmt.Errorf("options must be an object such as { %s = ... }, or null; got %s", known[0],
			v.Type(context.Background()))
	}
	for name := range attributes {
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("options has no attribute %q; it takes %s", name, strings.Join(known, ", "))
		}
	}
	return attributes, nil
}

// withoutDynamic returns the value inside a dynamic value, and any other value as it is.
func withoutDynamic(v attr.Value) attr.Value {
	if d, ok := v.(basetypes.DynamicValue); ok && !d.IsNull() && !d.IsUnderlyingValueNull() {
		return d.UnderlyingValue()
	}
	return v
}

// optionString reads a string option; a missing or null one is null.
func optionString(attributes map[string]attr.Value, name string) (types.String, error) {
	v, ok := attributes[name]
	if !ok || v.IsNull() {
		return types.StringNull(), nil
	}
	s, ok := withoutDynamic(v).(basetypes.StringValue)
	if !ok {
		return types.StringNull(), fmt.Errorf("options.%s must be a string", name)
	}
	return s, nil
}

// optionStringSet reads an option that is a list, tuple or set of strings as a set; a missing or null one is null.
func optionStringSet(attributes map[string]attr.Value, name string) (types.Set, error) {
	v, ok := attributes[name]
	if !ok || v.IsNull() {
		return types.SetNull(types.StringType), nil
	}
	elements, ok := collectionElements(withoutDynamic(v))
	if !ok {
		return types.SetNull(types.StringType), fmt.Errorf("options.%s must be a list or set of strings", name)
	}
	values := make([]attr.Value, 0, len(elements))
	for _, e := range elements {
		s, ok := withoutDynamic(e).(basetypes.StringValue)
		if !ok || s.IsNull() {
			return types.SetNull(types.StringType), fmt.Errorf("options.%s must be a list or set of strings, "+
				"without nulls", name)
		}
		if !slices.ContainsFunc(values, s.Equal) {
			values = append(values, s)
		}
	}
	set, diags := types.SetValue(types.StringType, values)
	if diags.HasError() {
		return types.SetNull(types.StringType), fmt.Errorf("options.%s: %s", name, diags.Errors()[0].Detail())
	}
	return set, nil
}

// collectionElements returns the elements of a list, tuple or set, and false for any other value.
func collectionElements(v attr.Value) ([]attr.Value, bool) {
	switch c := v.(type) {
	case basetypes.SetValue:
		return c.Elements(), true
	case basetypes.ListValue:
		return c.Elements(), true
	case basetypes.TupleValue:
		return c.Elements(), true
	}
	return nil, false
}

// selectionParameters are the parameters of the functions that take a selection of Veeam operations, as
// vbaws_role_template does: operations and product_version.
func selectionParameters() []function.Parameter {
	return []function.Parameter{
		function.SetParameter{
			Name:                "operations",
			ElementType:         types.StringType,
			MarkdownDescription: operationsDescription(),
		},
		function.StringParameter{
			Name:           "product_version",
			AllowNullValue: true,
			MarkdownDescription: productVersionDescription() + " `null` gives the default, as leaving " +
				"`product_version` out of `vbaws_role_template` does.",
		},
	}
}

// renderSelectionArguments reads the operations and product_version arguments, checks them as
// vbaws_role_template does while planning and renders the template (without the production-worker extras).
func renderSelectionArguments(ctx context.Context, req function.RunRequest) (template.Template, *function.FuncError) {
	var operations types.Set
	var version types.String
	if funcErr := req.Arguments.Get(ctx, &operations, &version); funcErr != nil {
		return template.Template{}, funcErr
	}
	funcErr := function.ConcatFuncErrors(
		argumentError(ctx, 0, validateSet(ctx, pathOperations, operations, operationsValidatorsFor(version)...)),
		argumentError(ctx, 1, validateString(ctx, path.Root("product_version"), version,
			productVersionValidators()...)))
	if funcErr != nil {
		return template.Template{}, funcErr
	}
	tpl, diags := renderTemplate(ctx, operations, version, types.BoolValue(false))
	return tpl, argumentError(ctx, 0, diags)
}
