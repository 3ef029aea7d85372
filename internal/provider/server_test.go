package provider

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

type requestKey struct{}

func TestReleasableContext_followsTheRequestWhileTheCallRuns(t *testing.T) {
	request, cancelRequest := context.WithCancel(context.WithValue(context.Background(), requestKey{}, "logger"))
	defer cancelRequest()
	released, release := newReleasableContext(request)
	defer release()
	if got := released.Value(requestKey{}); got != "logger" {
		t.Fatalf("Value during the call = %v, want the request's value", got)
	}
	derived, cancelDerived := context.WithCancel(released)
	defer cancelDerived()
	cancelRequest()
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a context derived from the released one was not cancelled with the request")
	}
	if !errors.Is(released.Err(), context.Canceled) {
		t.Fatalf("Err = %v, want context.Canceled", released.Err())
	}
}

func TestReleasableContext_holdsNothingOfTheRequestAfterTheCall(t *testing.T) {
	request := context.WithValue(context.Background(), requestKey{}, "logger")
	released, release := newReleasableContext(request)
	kept, keepCancel := context.WithCancel(released) // what the framework keeps until the provider stops
	defer keepCancel()
	release()
	if got := kept.Value(requestKey{}); got != nil {
		t.Fatalf("Value after the call = %v, want nil", got)
	}
	if released.request.Load() != nil {
		t.Fatal("the released context still refers to the request's context")
	}
	select {
	case <-kept.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("contexts derived during the call are not cancelled when it returns")
	}
}

func TestReleasableContext_keepsTheRequestDeadline(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	request, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	released, release := newReleasableContext(request)
	defer release()
	if got, ok := released.Deadline(); !ok || !got.Equal(deadline) {
		t.Fatalf("Deadline = %v, %v; want %v", got, ok, deadline)
	}
}

// A null argument that arrives without any data, as OpenTofu sends it, is the null Terraform would have sent:
// permission_documents(operations, null) gives the default version's documents either way.
func TestReleasingServer_nullArgumentWithoutData(t *testing.T) {
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
		result, err := resp.Result.Unmarshal(tftypes.List{ElementType: tftypes.String})
		if err != nil {
			t.Fatal(err)
		}
		var elements []tftypes.Value
		if err := result.As(&elements); err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(elements))
		for i, e := range elements {
			if err := e.As(&got[i]); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %d documents, want the default version's %d", name, len(got), len(want))
		}
	}
}
