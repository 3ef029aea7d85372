package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestErrorClassification(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("operation error IAM: %w", err) }
	cases := []struct {
		name     string
		err      error
		classify func(error) bool
		want     bool
	}{
		{"invalid principal", wrap(&iamtypes.MalformedPolicyDocumentException{
			Message: ptr(
				"Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/x\"",
			)}), IsInvalidPrincipal, true},
		{
			"other malformed policy",
			wrap(&iamtypes.MalformedPolicyDocumentException{Message: ptr("Syntax errors in policy.")}),
			IsInvalidPrincipal,
			false,
		},
		{
			"invalid principal text in another error",
			wrap(errors.New("Invalid principal in policy")),
			IsInvalidPrincipal,
			false,
		},
		{"no such entity", wrap(&iamtypes.NoSuchEntityException{Message: ptr("gone")}), IsNoSuchEntity, true},
		{"a code string is not a type", wrap(&smithy.GenericAPIError{Code: "NoSuchEntity"}), IsNoSuchEntity, false},
		{
			"role not yet visible (AWS)",
			wrap(&iamtypes.NoSuchEntityException{Message: ptr("The role with name x cannot be found.")}),
			IsNotYetVisible,
			true,
		},
		{
			"role not yet visible (moto)",
			wrap(&iamtypes.NoSuchEntityException{Message: ptr("Role x not found")}),
			IsNotYetVisible,
			true,
		},
		{
			"profile not yet visible",
			wrap(&iamtypes.NoSuchEntityException{Message: ptr("Instance Profile x cannot be found.")}),
			IsNotYetVisible,
			true,
		},
		{"missing policy is not propagation", wrap(&iamtypes.NoSuchEntityException{
			Message: ptr(
				"Policy arn:aws:iam::123456789012:policy/role-x does not exist or is not attachable.",
			)}), IsNotYetVisible, false},
		{
			"already exists",
			wrap(&iamtypes.EntityAlreadyExistsException{Message: ptr("Role with name x already exists.")}),
			IsEntityAlreadyExists,
			true,
		},
		{
			"concurrent modification",
			wrap(&iamtypes.ConcurrentModificationException{Message: ptr("busy")}),
			IsConcurrentModification,
			true,
		},
		{
			"delete conflict",
			wrap(&iamtypes.DeleteConflictException{Message: ptr("detach first")}),
			IsDeleteConflict,
			true,
		},
		{"limit exceeded", wrap(&iamtypes.LimitExceededException{Message: ptr("5 versions")}), IsLimitExceeded, true},
		{
			"no such entity is not a conflict",
			wrap(&iamtypes.NoSuchEntityException{Message: ptr("x")}),
			IsDeleteConflict,
			false,
		},
		{
			"access denied",
			wrap(&smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}),
			IsAccessDenied,
			true,
		},
		{"access denied is not missing", wrap(&smithy.GenericAPIError{Code: "AccessDenied"}), IsNoSuchEntity, false},
		{"plain error", errors.New("NoSuchEntity"), IsNoSuchEntity, false},
		{"nil", nil, IsNoSuchEntity, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.classify(tc.err); got != tc.want {
				t.Errorf("classified %v as %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// The acceptance tests' fixture clients retry as a default provider configuration does: a 500 is tried again, up
// to DefaultMaxRetries attempts, and a burst of them never runs out of a client-side retry quota.
func TestDefaultRetryerRidesOutServerErrors(t *testing.T) {
	r := DefaultRetryer()
	if got := r.MaxAttempts(); got != DefaultMaxRetries {
		t.Errorf("DefaultRetryer makes %d attempts, want %d", got, DefaultMaxRetries)
	}
	serverError := &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusInternalServerError}},
		Err:      errors.New("internal error"),
	}
	if !r.IsErrorRetryable(serverError) {
		t.Fatal("DefaultRetryer does not retry a 500")
	}
	for i := range 1000 {
		if _, err := r.GetRetryToken(context.Background(), serverError); err != nil {
			t.Fatalf("retry %d after a 500 was refused: %v", i+1, err)
		}
	}
}

func invalidPrincipal() error {
	return &iamtypes.MalformedPolicyDocumentException{Message: ptr("Invalid principal in policy")}
}

func TestRetryPropagationStopsOnSuccess(t *testing.T) {
	calls := 0
	err := RetryPropagation(context.Background(), func(context.Context) error {
		calls++
		if calls < 3 {
			return invalidPrincipal()
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("RetryPropagation returned %v after %d calls, want success after 3", err, calls)
	}
}

func TestRetryPropagationReturnsOtherErrorsAtOnce(t *testing.T) {
	for _, want := range []error{
		&smithy.GenericAPIError{Code: "AccessDenied", Message: "no"},
		&iamtypes.ConcurrentModificationException{Message: ptr("busy")}, // the SDK's retryer handles this one
		&iamtypes.NoSuchEntityException{Message: ptr("Policy arn:aws:iam::123456789012:policy/p was not found.")},
	} {
		calls := 0
		err := RetryPropagation(context.Background(), func(context.Context) error { calls++; return want })
		if !errors.Is(err, want) || calls != 1 {
			t.Errorf("RetryPropagation returned %v after %d calls, want %v after 1", err, calls, want)
		}
	}
}

func TestRetryPropagationStopsWhenContextIsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := RetryPropagation(ctx, func(context.Context) error {
		calls++
		cancel()
		return invalidPrincipal()
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("RetryPropagation returned %v after %d calls, want context.Canceled after 1", err, calls)
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
