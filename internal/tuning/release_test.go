package tuning

import (
	"context"
	"errors"
	"testing"
	"time"
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
