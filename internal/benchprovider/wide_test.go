package benchprovider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	vbaws "github.com/vbaws/terraform-provider-vbaws/internal/provider"
)

// TestWideSchemaIsIAMRoles fails when vbaws_iam_role gains, loses or changes an attribute or an identity attribute
// and the floor's written-out copy (wide_schema.go) was not changed with it.
func TestWideSchemaIsIAMRoles(t *testing.T) {
	ctx := context.Background()
	role := iamRole(ctx, t)
	var roleSchema, wideSchema resource.SchemaResponse
	role.Schema(ctx, resource.SchemaRequest{}, &roleSchema)
	wideResource{}.Schema(ctx, resource.SchemaRequest{}, &wideSchema)
	for _, problem := range attributeDifferences(ctx, "", roleSchema.Schema.Attributes, wideSchema.Schema.Attributes) {
		t.Error(problem)
	}
	if len(roleSchema.Schema.Blocks) > 0 {
		t.Errorf("vbaws_iam_role has blocks %v; wide_schema.go has none", slices.Sorted(maps.Keys(roleSchema.Schema.Blocks)))
	}

	withIdentity, ok := role.(resource.ResourceWithIdentity)
	if !ok {
		t.Fatal("vbaws_iam_role has no identity schema")
	}
	var roleIdentity, wideIdentity resource.IdentitySchemaResponse
	withIdentity.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &roleIdentity)
	wideResource{}.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &wideIdentity)
	roleAttributes, wideAttributes := roleIdentity.IdentitySchema.Attributes, wideIdentity.IdentitySchema.Attributes
	got, want := slices.Sorted(maps.Keys(wideAttributes)), slices.Sorted(maps.Keys(roleAttributes))
	if !slices.Equal(got, want) {
		t.Errorf("identity attributes: wide_schema.go has %v, vbaws_iam_role has %v", got, want)
	}
	for name, want := range roleAttributes {
		got, found := wideAttributes[name]
		if found && (got.IsRequiredForImport() != want.IsRequiredForImport() ||
			got.IsOptionalForImport() != want.IsOptionalForImport() ||
			!got.GetType().TerraformType(ctx).Equal(want.GetType().TerraformType(ctx))) {
			t.Errorf("identity attribute %s: wide_schema.go has %#v, vbaws_iam_role has %#v", name, got, want)
		}
	}
}

// TestAttributeDifferencesSeesEveryKind shows that the comparison finds a missing, an extra, a retyped and a
// differently flagged attribute, at the top and nested.
func TestAttributeDifferencesSeesEveryKind(t *testing.T) {
	want := map[string]schema.Attribute{
		"kept":    schema.StringAttribute{Optional: true},
		"missing": schema.StringAttribute{Computed: true},
		"retyped": schema.StringAttribute{Optional: true},
		"flagged": schema.BoolAttribute{Optional: true, Computed: true},
		"nested": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
			"inner": schema.StringAttribute{Optional: true},
		}},
	}
	got := map[string]schema.Attribute{
		"kept":    schema.StringAttribute{Optional: true},
		"extra":   schema.StringAttribute{Computed: true},
		"retyped": schema.Int64Attribute{Optional: true},
		"flagged": schema.BoolAttribute{Optional: true},
		"nested": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
			"inner": schema.StringAttribute{Required: true},
		}},
	}
	problems := attributeDifferences(context.Background(), "", want, got)
	if len(problems) != 5 {
		t.Fatalf("want 5 differences (missing, extra, retyped, flagged, nested.inner), got %d: %q", len(problems),
			problems)
	}
}

// attributeDifferences says how got differs from want in names, Terraform types and required, optional or computed,
// recursing into nested attributes.
func attributeDifferences(ctx context.Context, prefix string, want, got map[string]schema.Attribute) []string {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		w := want[name]
		g, found := got[name]
		switch {
		case !found:
			problems = append(problems, fmt.Sprintf("%s%s: missing from wide_schema.go", prefix, name))
		case !g.GetType().TerraformType(ctx).Equal(w.GetType().TerraformType(ctx)):
			problems = append(problems, fmt.Sprintf("%s%s: wide_schema.go has type %s, vbaws_iam_role has %s", prefix,
				name, g.GetType().TerraformType(ctx), w.GetType().TerraformType(ctx)))
		case g.IsRequired() != w.IsRequired() || g.IsOptional() != w.IsOptional() || g.IsComputed() != w.IsComputed():
			problems = append(problems, fmt.Sprintf("%s%s: wide_schema.go has required/optional/computed %v/%v/%v, "+
				"vbaws_iam_role has %v/%v/%v", prefix, name, g.IsRequired(), g.IsOptional(), g.IsComputed(),
				w.IsRequired(), w.IsOptional(), w.IsComputed()))
		default:
			wn, wNested := w.(schema.SingleNestedAttribute)
			gn, gNested := g.(schema.SingleNestedAttribute)
			if wNested && gNested {
				problems = append(problems, attributeDifferences(ctx, prefix+name+".", wn.Attributes, gn.Attributes)...)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, found := want[name]; !found {
			problems = append(problems, fmt.Sprintf("%s%s: in wide_schema.go but not in vbaws_iam_role", prefix, name))
		}
	}
	return problems
}

// iamRole is vbaws's vbaws_iam_role resource.
func iamRole(ctx context.Context, t *testing.T) resource.Resource {
	t.Helper()
	for _, newResource := range vbaws.New("test")().Resources(ctx) {
		r := newResource()
		var metadata resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "vbaws"}, &metadata)
		if metadata.TypeName == "vbaws_iam_role" {
			return r
		}
	}
	t.Fatal("the vbaws provider has no vbaws_iam_role")
	return nil
}
