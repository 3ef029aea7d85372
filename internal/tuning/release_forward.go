package tuning

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// listingActingServer is a server with list resources and actions, as the framework's is. tf6server finds those
// calls only by asserting the temporary interfaces tfprotov6.ProviderServerWithListResource and
// ProviderServerWithActions on the server it is given, so a wrapper that embeds only tfprotov6.ProviderServer
// would hide them, and Terraform would be told they are not implemented.
type listingActingServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

// forwardingServer is releasingServer for a server with list resources and actions: it passes those calls on
// unchanged. ListResource and InvokeAction answer with streams that the framework fills after the call has
// returned, so their contexts must live on and are not released; the other calls are rare.
type forwardingServer struct {
	releasingServer
	downstream listingActingServer
}

// ValidateListResourceConfig is called for every list block of a query.
func (s forwardingServer) ValidateListResourceConfig(ctx context.Context,
	req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return s.downstream.ValidateListResourceConfig(ctx, req)
}

// ListResource is called for every list block `terraform query` evaluates.
func (s forwardingServer) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest,
) (*tfprotov6.ListResourceServerStream, error) {
	return s.downstream.ListResource(ctx, req)
}

// ValidateActionConfig is called for every action of a configuration.
func (s forwardingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest,
) (*tfprotov6.ValidateActionConfigResponse, error) {
	return s.downstream.ValidateActionConfig(ctx, req)
}

// PlanAction is called for every action a plan triggers or invokes.
func (s forwardingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest,
) (*tfprotov6.PlanActionResponse, error) {
	return s.downstream.PlanAction(ctx, req)
}

// InvokeAction is called for every action an apply runs.
func (s forwardingServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest,
) (*tfprotov6.InvokeActionServerStream, error) {
	return s.downstream.InvokeAction(ctx, req)
}
