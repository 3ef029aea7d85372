package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A null argument that arrives without any data, as OpenTofu sends it, is the null Terraform would have sent:
// permission_documents(operations, null) gives the default version's documents either way.
func TestServer_nullFunctionArgumentWithoutData(t *testing.T) {
	ctx := context.Background()
	operations, err := tfprotov6.NewDynamicValue(tftypes.Set{ElementType: tftypes.String},
		tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{
			tftypes.NewValue(tftypes.String, "ec2_backup"),
		}))
	if err != nil {
		t.Fatal(err)
	}
	explicitNull, err := tfprotov6.NewDynamicValue(tftypes.String, tftypes.NewValue(tftypes.String, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := mustRender(t, "ec2_backup").Documents
	for name, null := range map[string]*tfprotov6.DynamicValue{
		"Terraform's null": &explicitNull, "no data": {}, "no value": nil,
	} {
		resp, err := NewServer("test")().CallFunction(ctx, &tfprotov6.CallFunctionRequest{
			Name: "permission_documents", Arguments: []*tfprotov6.DynamicValue{&operations, null}})
		if err != nil || resp.Error != nil {
			t.Fatalf("%s: %v %v", name, err, resp.Error)
		}
		if got := functionStrings(t, resp.Result); !slices.Equal(got, want) {
			t.Errorf("%s: got %d documents, want the default version's %d", name, len(got), len(want))
		}
	}
}

// functionStrings decodes a function's list(string) result.
func functionStrings(t *testing.T, result *tfprotov6.DynamicValue) []string {
	t.Helper()
	value, err := result.Unmarshal(tftypes.List{ElementType: tftypes.String})
	if err != nil {
		t.Fatal(err)
	}
	var elements []tftypes.Value
	if err := value.As(&elements); err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(elements))
	for i, e := range elements {
		if err := e.As(&got[i]); err != nil {
			t.Fatal(err)
		}
	}
	return got
}
