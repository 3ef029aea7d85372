package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// An external ID IAM refuses gets a title that names the rule and a message listing what IAM takes, the underscore
// included; one it takes, underscores and all, passes.
func TestExternalIDValidators(t *testing.T) {
	cases := []struct{ value, summary, detail string }{
		{"veeam_prod-7f3c+=,.@:/", "", ""},
		{"a", "Invalid external ID length", "has 1 characters; IAM takes 2 to 1,224."},
		{strings.Repeat("a", 1225), "Invalid external ID length", "IAM takes 2 to 1,224."},
		{"veeam prod", "Invalid character in external ID",
			"use only letters, digits, underscores (_) and +=,.@:/-."},
	}
	for _, c := range cases {
		var resp validator.StringResponse
		for _, v := range externalIDValidators() {
			v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("external_id"),
				ConfigValue: types.StringValue(c.value)}, &resp)
		}
		errs := resp.Diagnostics.Errors()
		switch {
		case c.summary == "" && len(errs) > 0:
			t.Errorf("%q refused: %v", c.value, errs)
		case c.summary == "":
		case len(errs) != 1 || errs[0].Summary() != c.summary || !strings.Contains(errs[0].Detail(), c.detail):
			t.Errorf("%q: %v; want one %q containing %q", c.value, errs, c.summary, c.detail)
		}
	}
}
