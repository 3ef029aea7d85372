package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// taggedTemplateConfig is a vbaws_role_template configuration with the given operations and n user tags; every other
// attribute is null.
func taggedTemplateConfig(t *testing.T, operations []string, n int) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var schemaResp resource.SchemaResponse
	(&roleTemplateResource{}).Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	objectType, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the template's schema is not an object")
	}
	values := map[string]tftypes.Value{}
	for name, attrType := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	names := make([]tftypes.Value, len(operations))
	for i, op := range operations {
		names[i] = tftypes.NewValue(tftypes.String, op)
	}
	values["operations"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, names)
	tags := map[string]tftypes.Value{}
	for i := range n {
		tags[fmt.Sprintf("tag-%02d", i)] = tftypes.NewValue(tftypes.String, "value")
	}
	values["tags"] = tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, tags)
	return tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, values)}
}

// The template's own vbaws:* tags and the retired mark count toward IAM's 50 tags per policy: one user tag more
// than fits fails validation on the tags attribute, as many as fit pass.
func TestRoleTemplateTagsLeaveRoomForOwnTags(t *testing.T) {
	operations := []string{"ec2_backup", "efs_backup"}
	tpl, err := template.Render(catalog.DefaultVersion, operations, false)
	if err != nil {
		t.Fatal(err)
	}
	own := len(tpl.Tags(0)) + 1 // the selection's record and the retired mark
	for _, user := range []int{maxTags - own, maxTags - own + 1} {
		var resp resource.ValidateConfigResponse
		(&roleTemplateResource{}).ValidateConfig(context.Background(),
			resource.ValidateConfigRequest{Config: taggedTemplateConfig(t, operations, user)}, &resp)
		if user+own <= maxTags {
			if resp.Diagnostics.HasError() {
				t.Errorf("%d user tags: unexpected error %v", user, resp.Diagnostics)
			}
			continue
		}
		if resp.Diagnostics.ErrorsCount() != 1 {
			t.Fatalf("%d user tags: want one error, got %v", user, resp.Diagnostics)
		}
		diagnostic, ok := resp.Diagnostics.Errors()[0].(interface{ Path() path.Path })
		if !ok || !diagnostic.Path().Equal(path.Root("tags")) {
			t.Errorf("%d user tags: the error is not on tags: %v", user, resp.Diagnostics)
		}
		if detail := resp.Diagnostics.Errors()[0].Detail(); !strings.Contains(detail, template.TagPrefix) {
			t.Errorf("%d user tags: the detail does not name the provider's tags: %s", user, detail)
		}
	}
}

// Role and template share one tags attribute: more than 50 tags, an empty or too long key, a too long value and,
// on the template, a key in the provider's vbaws: namespace fail.
func TestTagsAttributeLimits(t *testing.T) {
	ctx := context.Background()
	var roleSchema, templateSchema resource.SchemaResponse
	(&iamRoleResource{}).Schema(ctx, resource.SchemaRequest{}, &roleSchema)
	(&roleTemplateResource{}).Schema(ctx, resource.SchemaRequest{}, &templateSchema)
	tooMany := map[string]string{}
	for i := range maxTags + 1 {
		tooMany[fmt.Sprintf("k%d", i)] = "v"
	}
	cases := map[string]struct {
		tags         map[string]string
		roleFails    bool
		templateFail bool
	}{
		"fits":           {tags: map[string]string{strings.Repeat("k", 128): strings.Repeat("v", 256)}},
		"too many":       {tags: tooMany, roleFails: true, templateFail: true},
		"empty key":      {tags: map[string]string{"": "v"}, roleFails: true, templateFail: true},
		"long key":       {tags: map[string]string{strings.Repeat("k", 129): "v"}, roleFails: true, templateFail: true},
		"long value":     {tags: map[string]string{"k": strings.Repeat("v", 257)}, roleFails: true, templateFail: true},
		"reserved key":   {tags: map[string]string{template.TagPrefix + "mine": "v"}, templateFail: true},
		"reserved value": {tags: map[string]string{"owner": template.TagPrefix + "x"}},
	}
	for name, c := range cases {
		value, diags := types.MapValueFrom(ctx, types.StringType, c.tags)
		if diags.HasError() {
			t.Fatal(diags)
		}
		for typeName, s := range map[string]resource.SchemaResponse{
			"vbaws_iam_role": roleSchema, "vbaws_role_template": templateSchema} {
			attribute, diags := s.Schema.AttributeAtPath(ctx, path.Root("tags"))
			if diags.HasError() {
				t.Fatal(diags)
			}
			validators, ok := attribute.(interface{ MapValidators() []validator.Map })
			if !ok {
				t.Fatalf("%s: tags is not a map attribute", typeName)
			}
			failed := false
			for _, v := range validators.MapValidators() {
				var resp validator.MapResponse
				v.ValidateMap(ctx, validator.MapRequest{Path: path.Root("tags"), ConfigValue: value}, &resp)
				failed = failed || resp.Diagnostics.HasError()
			}
			want := c.roleFails
			if typeName == "vbaws_role_template" {
				want = c.templateFail
			}
			if failed != want {
				t.Errorf("%s, %s: failed = %v, want %v", typeName, name, failed, want)
			}
		}
	}
}
