package tuning

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// recordingServer is a server with list resources and actions that records which of those calls reached it; the
// base calls are left to the nil embedded interface, so the test fails loudly if one is made.
type recordingServer struct {
	tfprotov6.ProviderServer
	calls *[]string
}

func (s recordingServer) ValidateListResourceConfig(context.Context, *tfprotov6.ValidateListResourceConfigRequest,
) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	*s.calls = append(*s.calls, "ValidateListResourceConfig")
	return &tfprotov6.ValidateListResourceConfigResponse{}, nil
}

func (s recordingServer) ListResource(context.Context, *tfprotov6.ListResourceRequest,
) (*tfprotov6.ListResourceServerStream, error) {
	*s.calls = append(*s.calls, "ListResource")
	return &tfprotov6.ListResourceServerStream{}, nil
}

func (s recordingServer) ValidateActionConfig(context.Context, *tfprotov6.ValidateActionConfigRequest,
) (*tfprotov6.ValidateActionConfigResponse, error) {
	*s.calls = append(*s.calls, "ValidateActionConfig")
	return &tfprotov6.ValidateActionConfigResponse{}, nil
}

func (s recordingServer) PlanAction(context.Context, *tfprotov6.PlanActionRequest,
) (*tfprotov6.PlanActionResponse, error) {
	*s.calls = append(*s.calls, "PlanAction")
	return &tfprotov6.PlanActionResponse{}, nil
}

func (s recordingServer) InvokeAction(context.Context, *tfprotov6.InvokeActionRequest,
) (*tfprotov6.InvokeActionServerStream, error) {
	*s.calls = append(*s.calls, "InvokeAction")
	return &tfprotov6.InvokeActionServerStream{}, nil
}

func TestReleaseContexts_forwardsListAndActionCalls(t *testing.T) {
	var calls []string
	server := ReleaseContexts(func() tfprotov6.ProviderServer { return recordingServer{calls: &calls} })()
	lists, ok := server.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("the wrapped server hides the list resource calls")
	}
	actions, ok := server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the wrapped server hides the action calls")
	}
	ctx := context.Background()
	if _, err := lists.ValidateListResourceConfig(ctx, &tfprotov6.ValidateListResourceConfigRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := lists.ListResource(ctx, &tfprotov6.ListResourceRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := actions.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := actions.PlanAction(ctx, &tfprotov6.PlanActionRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"ValidateListResourceConfig", "ListResource", "ValidateActionConfig", "PlanAction",
		"InvokeAction"}
	if len(calls) != len(want) {
		t.Fatalf("calls reaching the server = %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("calls reaching the server = %v, want %v", calls, want)
		}
	}
}

func TestReleaseContexts_claimsNoListOrActionCallsTheServerLacks(t *testing.T) {
	server := ReleaseContexts(func() tfprotov6.ProviderServer { return baseOnly{} })()
	if _, ok := server.(tfprotov6.ListResourceServer); ok {
		t.Fatal("the wrapped server claims list resource calls its server does not have")
	}
	if _, ok := server.(tfprotov6.ActionServer); ok {
		t.Fatal("the wrapped server claims action calls its server does not have")
	}
}

// baseOnly is a server with only the base calls.
type baseOnly struct{ tfprotov6.ProviderServer }
