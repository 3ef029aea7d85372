package awsclient

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

func apiError(code, message string) error {
	return fmt.Errorf("operation error IAM: %w", &smithy.GenericAPIError{Code: code, Message: message})
}

func TestErrorClassification(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		classify  func(error) bool
		retryable bool
	}{
		{"invalid principal", apiError("MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/x\""), IsInvalidPrincipal, true},
		{"other malformed policy", apiError("MalformedPolicyDocument", "Syntax errors in policy."), IsInvalidPrincipal, false},
		{"typed invalid principal", &iamtypes.MalformedPolicyDocumentException{Message: ptr("Invalid principal in policy")}, IsInvalidPrincipal, true},
		{"no such entity", apiError("NoSuchEntity", "The role with name x cannot be found."), IsNoSuchEntity, true},
		{"typed no such entity", &iamtypes.NoSuchEntityException{Message: ptr("gone")}, IsNoSuchEntity, true},
		{"no such entity is not a conflict", apiError("NoSuchEntity", "x"), IsDeleteConflict, false},
		{"concurrent modification", apiError("ConcurrentModification", "busy"), IsConcurrentModification, true},
		{"delete conflict", apiError("DeleteConflict", "Cannot delete entity, must detach all policies first."), IsDeleteConflict, true},
		{"plain error", errors.New("NoSuchEntity"), IsNoSuchEntity, false},
		{"nil", nil, IsNoSuchEntity, false},
		{"any of", apiError("DeleteConflict", "x"), AnyOf(IsNoSuchEntity, IsDeleteConflict), true},
		{"none of", apiError("AccessDenied", "x"), AnyOf(IsNoSuchEntity, IsDeleteConflict), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.classify(tc.err); got != tc.retryable {
				t.Errorf("classified %v as %v, want %v", tc.err, got, tc.retryable)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestRetryStopsOnSuccess(t *testing.T) {
	calls := 0
	err := Retry(context.Background(), time.Minute, IsNoSuchEntity, func(context.Context) error {
		calls++
		if calls < 3 {
			return apiError("NoSuchEntity", "not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Retry returned %v after %d calls, want success after 3", err, calls)
	}
}

func TestRetryReturnsNonRetryableAtOnce(t *testing.T) {
	calls := 0
	want := apiError("AccessDenied", "no")
	err := Retry(context.Background(), time.Minute, IsNoSuchEntity, func(context.Context) error { calls++; return want })
	if !errors.Is(err, want) || calls != 1 {
		t.Fatalf("Retry returned %v after %d calls, want the error after 1", err, calls)
	}
}

func TestRetryGivesUpAtTimeout(t *testing.T) {
	start := time.Now()
	err := Retry(context.Background(), 500*time.Millisecond, IsConcurrentModification, func(context.Context) error {
		return apiError("ConcurrentModification", "busy")
	})
	if !IsConcurrentModification(err) {
		t.Fatalf("want the last error wrapped, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("Retry ran %s past a 500ms timeout", elapsed)
	}
}

func TestRetryStopsWhenContextIsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Retry(ctx, time.Hour, IsConcurrentModification, func(context.Context) error {
		calls++
		cancel()
		return apiError("ConcurrentModification", "busy")
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("Retry returned %v after %d calls, want context.Canceled after 1", err, calls)
	}
}

func TestLockRoleSerialisesPerRole(t *testing.T) {
	var c Client
	unlockA := c.LockRole("a")
	acquired := make(chan struct{})
	go func() { unlock := c.LockRole("a"); close(acquired); unlock() }()
	select {
	case <-acquired:
		t.Fatal("a second lock on the same role was granted while the first was held")
	case <-time.After(50 * time.Millisecond):
	}
	unlockB := c.LockRole("b") // another role is independent
	unlockB()
	unlockA()
	select {
	case <-acquired:
	case <-time.After(time.Second):
		t.Fatal("the second lock was not granted after the first was released")
	}
}

func TestOldestNonDefault(t *testing.T) {
	versions := []iamtypes.PolicyVersion{
		{VersionId: aws.String("v10"), IsDefaultVersion: true},
		{VersionId: aws.String("v9")},
		{VersionId: aws.String("v7")},
		{VersionId: aws.String("v8")},
		{VersionId: aws.String("v2"), IsDefaultVersion: false},
	}
	if got := aws.ToString(oldestNonDefault(versions).VersionId); got != "v2" {
		t.Fatalf("oldest = %s, want v2", got)
	}
	if oldestNonDefault(versions[:1]) != nil {
		t.Fatal("the default version was chosen")
	}
}
