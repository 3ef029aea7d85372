package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// operation_requirements gives the template's service principals (an empty set, never null, when there are
// none) and instance-profile flag for every operation of every version.
func TestOperationRequirementsFunction_sameAsTheTemplate(t *testing.T) {
	ctx := context.Background()
	profiles, services := 0, 0
	for _, version := range catalog.Versions() {
		for _, operation := range catalog.AllOperations() {
			tpl, err := template.Render(version, []string{operation}, false)
			if err != nil {
				continue // not in this version
			}
			result, funcErr := runFunction(t, newOperationRequirementsFunction(), stringSet([]string{operation}),
				types.StringValue(version))
			if funcErr != nil {
				t.Fatalf("%s %s: %v", version, operation, funcErr)
			}
			var got struct {
				ServicePrincipals       types.Set  `tfsdk:"service_principals"`
				RequiresInstanceProfile types.Bool `tfsdk:"requires_instance_profile"`
			}
			if diags := result.(types.Object).As(ctx, &got, basetypes.ObjectAsOptions{}); diags.HasError() {
				t.Fatal(diags)
			}
			var principals []string
			got.ServicePrincipals.ElementsAs(ctx, &principals, false)
			if got.ServicePrincipals.IsNull() || !slices.Equal(principals, nonNil(tpl.ServicePrincipals)) ||
				got.RequiresInstanceProfile.ValueBool() != tpl.RequiresInstanceProfile {
				t.Errorf("%s %s: got %v, %v; the template has %v, %v", version, operation, got.ServicePrincipals,
					got.RequiresInstanceProfile, tpl.ServicePrincipals, tpl.RequiresInstanceProfile)
			}
			if tpl.RequiresInstanceProfile {
				profiles++
			}
			services += len(tpl.ServicePrincipals)
		}
	}
	if profiles == 0 || services == 0 {
		t.Error("no operation needs an instance profile or a service principal; the test proves less than it says")
	}
}
