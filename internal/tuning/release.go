package tuning

import (
	"context"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ReleaseContexts wraps a protocol 6 server factory so that every per-resource call releases its request context
// when it returns.
//
// The framework keeps the cancel function of every request's context until the provider stops, so that a
// StopProvider call can cancel whatever is in flight. Each of those contexts holds the request's whole logging
// setup (about 25 KB), so a plan of 1,000 roles would otherwise keep some 50 MB alive to its end, and the garbage
// collector would scan it again and again. The wrapper hands the framework a context that carries the request's
// values, deadline and cancellation while the call runs and lets go of them when it returns.
//
// Once the provider is configured, the wrapper also gives the garbage of the process's start back to the operating
// system when TuneGarbageCollector asked for it (see releasingServer.ConfigureProvider). The list resource and
// action calls of a server that has them are passed on too (see forwardingServer).
func ReleaseContexts(factory func() tfprotov6.ProviderServer) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		server := factory()
		if full, ok := server.(listingActingServer); ok {
			return forwardingServer{releasingServer{server}, full}
		}
		return releasingServer{server}
	}
}

// releasingServer passes every resource and data source call to the framework's server with a released context.
type releasingServer struct {
	tfprotov6.ProviderServer
}

// ValidateResourceConfig is called for every resource of a configuration.
func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest,
) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

// UpgradeResourceState is called for every resource in state.
func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest,
) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.UpgradeResourceState)
}

// ReadResource is called for every resource in state on refresh.
func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest,
) (*tfprotov6.ReadResourceResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.ReadResource)
}

// PlanResourceChange is called for every resource of a plan.
func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest,
) (*tfprotov6.PlanResourceChangeResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.PlanResourceChange)
}

// ConfigureProvider is called once per provider process, before the resource calls. The garbage of the process's
// start (schemas, the catalog, the gRPC and TLS set-up) and of configuring it (the AWS configuration chain) is dead
// by then, so in the provider's own process (see startupGarbageReturned) the call ends with a collection that
// returns it to the operating system: a landing zone's provider processes, one per member account, all stay alive
// until the command ends, and each then holds about 1 MiB less. The collection of a heap of a few MiB costs a few
// milliseconds, once per process.
func (s releasingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest,
) (*tfprotov6.ConfigureProviderResponse, error) {
	resp, err := withReleasedContext(ctx, req, s.ProviderServer.ConfigureProvider)
	if startupGarbageReturned.Load() {
		debug.FreeOSMemory()
	}
	return resp, err
}

// ApplyResourceChange is called for every resource an apply changes.
func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest,
) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.ApplyResourceChange)
}

// ImportResourceState is called for every imported resource.
func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest,
) (*tfprotov6.ImportResourceStateResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.ImportResourceState)
}

// ValidateDataResourceConfig is called for every data source of a configuration.
func (s releasingServer) ValidateDataResourceConfig(ctx context.Context,
	req *tfprotov6.ValidateDataResourceConfigRequest,
) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

// ReadDataSource is called for every data source read.
func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest,
) (*tfprotov6.ReadDataSourceResponse, error) {
	return withReleasedContext(ctx, req, s.ProviderServer.ReadDataSource)
}

// withReleasedContext runs call with a context that follows ctx until call returns and holds nothing of it after.
func withReleasedContext[Request, Response any](ctx context.Context, req Request,
	call func(context.Context, Request) (Response, error),
) (Response, error) {
	released, release := newReleasableContext(ctx)
	defer release()
	return call(released, req)
}

// releasableContext has the values, deadline and cancellation of a request's context until release is called; the
// framework may keep it as long as it likes afterwards, because by then it refers to nothing of the request.
type releasableContext struct {
	own     context.Context // cancelled with the request, or on release
	request atomic.Pointer[context.Context]
}

func newReleasableContext(request context.Context) (*releasableContext, context.CancelFunc) {
	own, cancel := context.WithCancel(context.Background())
	if deadline, ok := request.Deadline(); ok {
		own, cancel = context.WithDeadline(context.Background(), deadline)
	}
	stopFollowing := context.AfterFunc(request, cancel)
	c := &releasableContext{own: own}
	c.request.Store(&request)
	return c, func() {
		stopFollowing()
		cancel()
		c.request.Store(nil)
	}
}

// Deadline is the request's deadline, if it has one.
func (c *releasableContext) Deadline() (time.Time, bool) { return c.own.Deadline() }

// Done is closed when the request is cancelled or the call has returned.
func (c *releasableContext) Done() <-chan struct{} { return c.own.Done() }

// Err says why Done is closed.
func (c *releasableContext) Err() error { return c.own.Err() }

// Value is the request context's value while the call runs, and nil afterwards.
func (c *releasableContext) Value(key any) any {
	if request := c.request.Load(); request != nil {
		return (*request).Value(key)
	}
	return nil
}

// AfterFunc lets contexts derived from this one follow its cancellation without a goroutine of their own.
func (c *releasableContext) AfterFunc(f func()) func() bool { return context.AfterFunc(c.own, f) }

// msgpackNull is the MessagePack encoding of a null value, of any type.
var msgpackNull = []byte{0xc0}

// CallFunction is called for every provider function call. OpenTofu (1.10 at least) sends no data at all for a
// null argument of a parameter that allows null, which the framework cannot decode ("DynamicValue had no JSON or
// msgpack data set"); such an argument is passed on as the null it stands for, as Terraform sends it.
func (s releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest,
) (*tfprotov6.CallFunctionResponse, error) {
	for i, argument := range req.Arguments {
		if argument == nil || (argument.JSON == nil && argument.MsgPack == nil) {
			req.Arguments[i] = &tfprotov6.DynamicValue{MsgPack: msgpackNull}
		}
	}
	return s.ProviderServer.CallFunction(ctx, req)
}
