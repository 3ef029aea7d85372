package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// external_id is checked alike wherever it is taken: vbaws_iam_role, vbaws_trust_relationship and
// vbaws_role_check reject the same values with the same words.
func TestExternalIDCheckedAlike(t *testing.T) {
	ctx := context.Background()
	var role, trust resource.SchemaResponse
	var check datasource.SchemaResponse
	(&iamRoleResource{}).Schema(ctx, resource.SchemaRequest{}, &role)
	(&trustRelationshipResource{}).Schema(ctx, resource.SchemaRequest{}, &trust)
	(&roleCheckDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &check)
	attributes := map[string]any{
		"vbaws_iam_role":           role.Schema.Attributes["external_id"],
		"vbaws_trust_relationship": trust.Schema.Attributes["external_id"],
		"vbaws_role_check":         check.Schema.Attributes["external_id"],
	}
	for _, value := range []string{"x", "has space", "ok-value_1", "tenant:42/a@b"} {
		var first string
		for name, attribute := range attributes {
			validators, ok := attribute.(interface{ StringValidators() []validator.String })
			if !ok {
				t.Fatalf("%s: external_id is not a string attribute", name)
			}
			var details string
			for _, v := range validators.StringValidators() {
				var resp validator.StringResponse
				v.ValidateString(ctx, validator.StringRequest{Path: path.Root("external_id"),
					ConfigValue: types.StringValue(value)}, &resp)
				for _, d := range resp.Diagnostics.Errors() {
					details += d.Summary() + ": " + d.Detail() + "\n"
				}
			}
			wantError := value == "x" || value == "has space"
			if (details != "") != wantError {
				t.Errorf("%s, %q: errors %q, want an error: %v", name, value, details, wantError)
			}
			if first == "" {
				first = details
			} else if details != first {
				t.Errorf("%q: %s says %q, another says %q", value, name, details, first)
			}
		}
	}
}
