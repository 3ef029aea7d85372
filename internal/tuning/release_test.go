package tuning

import (
	"context"
	"errors"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
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

// configureRecorder is a provider server whose ConfigureProvider answers with nothing.
type configureRecorder struct{ tfprotov6.ProviderServer }

func (configureRecorder) ConfigureProvider(context.Context, *tfprotov6.ConfigureProviderRequest,
) (*tfprotov6.ConfigureProviderResponse, error) {
	return &tfprotov6.ConfigureProviderResponse{}, nil
}

// forcedCollections is how many collections the process has forced so far.
func forcedCollections() uint64 {
	sample := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

func TestConfigureProvider_returnsStartupGarbageOnlyInTheProvidersProcess(t *testing.T) {
	defer startupGarbageReturned.Store(startupGarbageReturned.Load())
	server := ReleaseContexts(func() tfprotov6.ProviderServer { return configureRecorder{} })()
	for _, inProvidersProcess := range []bool{false, true} {
		startupGarbageReturned.Store(inProvidersProcess)
		before := forcedCollections()
		if _, err := server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{}); err != nil {
			t.Fatal(err)
		}
		if collected := forcedCollections() > before; collected != inProvidersProcess {
			t.Errorf("in the provider's own process %v: ConfigureProvider collected %v, want %v",
				inProvidersProcess, collected, inProvidersProcess)
		}
	}
}
