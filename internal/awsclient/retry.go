package awsclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// PropagationTimeout bounds waits for IAM's eventual consistency when no timeouts block says otherwise.
const PropagationTimeout = 2 * time.Minute

const (
	firstRetryDelay = 200 * time.Millisecond
	maxRetryDelay   = 5 * time.Second
)

// IAM error codes the provider reacts to.
const (
	codeNoSuchEntity           = "NoSuchEntity"
	codeMalformedPolicy        = "MalformedPolicyDocument"
	codeConcurrentModification = "ConcurrentModification"
	codeDeleteConflict         = "DeleteConflict"
)

// IsNoSuchEntity reports whether err says the IAM entity does not exist.
func IsNoSuchEntity(err error) bool { return hasCode(err, codeNoSuchEntity) }

// IsInvalidPrincipal reports whether IAM rejected a policy because a principal does not exist yet, which happens
// for a short while after the trusted role was created.
func IsInvalidPrincipal(err error) bool {
	return hasCode(err, codeMalformedPolicy) && strings.Contains(err.Error(), "Invalid principal in policy")
}

// IsConcurrentModification reports whether IAM refused a write because another write to the entity was running.
func IsConcurrentModification(err error) bool { return hasCode(err, codeConcurrentModification) }

// IsDeleteConflict reports whether IAM refused a delete because the entity still has dependents.
func IsDeleteConflict(err error) bool { return hasCode(err, codeDeleteConflict) }

// ErrorCode returns the AWS error code of err, or "" when err is not an AWS API error.
func ErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func hasCode(err error, code string) bool { return ErrorCode(err) == code }

// AnyOf combines error classifiers: an error is retryable when any of them says so.
func AnyOf(classifiers ...func(error) bool) func(error) bool {
	return func(err error) bool {
		for _, retryable := range classifiers {
			if retryable(err) {
				return true
			}
		}
		return false
	}
}

// Retry calls fn until it succeeds, fails with an error retryable does not accept, the timeout passes or ctx ends.
// The delay between attempts doubles from 200 ms up to 5 s. On timeout it returns the last error, wrapped.
func Retry(ctx context.Context, timeout time.Duration, retryable func(error) bool, fn func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	delay := firstRetryDelay
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("still failing after %d attempts over %s: %w", attempt, timeout, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetryDelay)
	}
}
