package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The provider's own messages for a product version it has no lists for and a name too long for IAM say what to
// write instead.
func TestValidatorMessagesSayWhatToWrite(t *testing.T) {
	cases := []struct {
		name      string
		validator validator.String
		value     string
		want      []string
	}{
		{"unknown product version", productVersionValidator(), "12",
			[]string{`not "12"`, "10 and 11", `product_version = "10"`, "leave product_version out"}},
		{"name over 64 characters", roleNameValidator(), strings.Repeat("a", 65),
			[]string{"has 65 characters", "`name_prefix` (at most 38 characters)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := &validator.StringResponse{}
			tc.validator.ValidateString(context.Background(), validator.StringRequest{
				Path: path.Root("attribute"), ConfigValue: types.StringValue(tc.value)}, resp)
			if !resp.Diagnostics.HasError() {
				t.Fatalf("%q was accepted", tc.value)
			}
			detail := resp.Diagnostics.Errors()[0].Detail()
			for _, want := range tc.want {
				if !strings.Contains(detail, want) {
					t.Errorf("detail %q does not say %q", detail, want)
				}
			}
		})
	}
	for _, version := range []string{"10", "11"} {
		resp := &validator.StringResponse{}
		productVersionValidator().ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("product_version"), ConfigValue: types.StringValue(version)}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("product version %s was refused: %v", version, resp.Diagnostics)
		}
	}
}

// inline_policies' names are checked as IAM checks policy names: 1 to 128 of letters, digits and +=,.@_-.
func TestInlinePolicyNames(t *testing.T) {
	cases := map[string]bool{
		"backup":                 true,
		"a+b=c,d.e@f_g-h":        true,
		strings.Repeat("p", 128): true,
		strings.Repeat("p", 129): false,
		"":                       false,
		"no spaces":              false,
		"no/slash":               false,
	}
	for name, accepted := range cases {
		policies := types.MapValueMust(types.StringType, map[string]attr.Value{name: types.StringValue("{}")})
		var diags diag.Diagnostics
		for _, v := range inlinePoliciesValidators()[:1] {
			resp := &validator.MapResponse{}
			v.ValidateMap(context.Background(), validator.MapRequest{
				Path: path.Root("inline_policies"), ConfigValue: policies}, resp)
			diags.Append(resp.Diagnostics...)
		}
		if diags.HasError() == accepted {
			t.Errorf("policy name %q (%d characters): accepted %v, want %v: %v", name, len(name), !diags.HasError(),
				accepted, diags)
		}
	}
}
