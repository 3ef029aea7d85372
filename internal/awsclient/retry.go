package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The provider's one retry policy.
//
//   - Every AWS call: the SDK retries throttling, 5xx answers, timeouts, broken connections and IAM's
//     ConcurrentModification, up to max_retries attempts with exponential back-off and jitter.
//   - A connection that cannot be set up at all (refused, unreachable, unknown host) is tried connectAttempts
//     times whatever max_retries says, so that a dead endpoint fails in seconds, with an EndpointError.
//   - Creates and other writes that are not idempotent retry through Create (create.go) instead, which checks
//     what the lost attempt did before it sends again.
//   - IAM's eventual consistency ("Invalid principal" right after the trusted role was made, a role or instance
//     profile not yet visible) is retried by RetryPropagation, for at most PropagationTimeout.

// DefaultMaxRetries is the number of attempts the SDK makes for a throttled or failed call unless configured.
const DefaultMaxRetries = 25

// PropagationTimeout bounds how long RetryPropagation waits for IAM to show an entity created moments ago.
const PropagationTimeout = 2 * time.Minute

const (
	// connectAttempts is how often a call is tried when no connection can be set up.
	connectAttempts = 2
	// dialTimeout bounds setting up one connection; AWS endpoints answer in milliseconds.
	dialTimeout = 10 * time.Second
	// maxRetryDelay caps the SDK's back-off between attempts.
	maxRetryDelay = 20 * time.Second
	// codeConcurrentModification is the code of iamtypes.ConcurrentModificationException.
	codeConcurrentModification = "ConcurrentModification"

	firstPropagationDelay = 200 * time.Millisecond
	maxPropagationDelay   = 5 * time.Second
)

// anyRetryables are the errors the SDK retries for every call: its defaults plus ConcurrentModification.
func anyRetryables() []retry.IsErrorRetryable {
	return append(append([]retry.IsErrorRetryable{}, retry.DefaultRetryables...),
		retry.RetryableErrorCode{Codes: map[string]struct{}{codeConcurrentModification: {}}})
}

// unsentRetryables are the errors that prove a request had no effect: throttling, and a connection that was never
// set up. Retrying them blindly is safe even for a write that must not happen twice.
func unsentRetryables() []retry.IsErrorRetryable {
	return []retry.IsErrorRetryable{
		retry.NoRetryCanceledError{},
		retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if isConnectError(err) {
				return aws.TrueTernary
			}
			return aws.UnknownTernary
		}),
		retry.RetryableErrorCode{Codes: retry.DefaultThrottleErrorCodes},
	}
}

// DefaultRetryer is the retryer of a provider configuration that sets neither max_retries nor retry_mode. The
// acceptance tests' own IAM clients use it too, so that their fixtures ride out what the provider rides out, such
// as the emulator's occasional 500 while many roles are created in one account at once.
func DefaultRetryer() aws.Retryer {
	return newRetryer(DefaultMaxRetries, aws.RetryModeStandard, anyRetryables())
}

// newRetryer builds the SDK retryer: standard or adaptive mode with the given retryable errors, no client-side
// retry quota (a burst of lost answers must not turn into "retry quota exceeded"), and at most connectAttempts
// tries when no connection can be set up.
func newRetryer(maxAttempts int, mode aws.RetryMode, retryables []retry.IsErrorRetryable) aws.RetryerV2 {
	standard := func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxRetryDelay
		o.Retryables = retryables
		o.RateLimiter = ratelimit.None
	}
	var base aws.RetryerV2 = retry.NewStandard(standard)
	if mode == aws.RetryModeAdaptive {
		base = retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, standard)
		})
	}
	return connectCappedRetryer{base}
}

// connectCappedRetryer stops retrying a call that could not connect after connectAttempts attempts.
type connectCappedRetryer struct {
	aws.RetryerV2
}

// RetryDelay refuses another attempt once a call failed to connect connectAttempts times; otherwise it is the
// wrapped retryer's back-off.
func (r connectCappedRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if attempt >= connectAttempts && isConnectError(err) {
		return 0, err
	}
	return r.RetryerV2.RetryDelay(attempt, err)
}

// isConnectError reports whether no connection could be set up: refused, unreachable, dial timeout, unknown host.
// The request was never sent.
func isConnectError(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return (errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr)
}

// RetryUnsentOnly is a per-call option for writes whose callers handle lost answers themselves: the SDK retries
// only throttling and connections that were never set up, never a 5xx, a timeout or ConcurrentModification.
func (c *Client) RetryUnsentOnly(o *iam.Options) {
	o.Retryer = newRetryer(c.maxAttempts, c.retryMode, unsentRetryables())
}

// RetryPropagation calls fn until it succeeds or fails with an error other than IAM's eventual consistency
// (IsInvalidPrincipal, IsNotYetVisible, or an entity IAM said exists but does not show yet), for at most
// PropagationTimeout and never past ctx. The delay between
// attempts doubles from 200 ms up to 5 s. On timeout it returns the last error, wrapped.
func RetryPropagation(ctx context.Context, fn func(context.Context) error) error {
	deadline := time.Now().Add(PropagationTimeout)
	delay := firstPropagationDelay
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil || !isPropagating(err) {
			return err
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("IAM still reported it after %d attempts over %s: %w", attempt, PropagationTimeout, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(2*delay, maxPropagationDelay)
	}
}

func isPropagating(err error) bool {
	return IsInvalidPrincipal(err) || IsNotYetVisible(err) || errors.Is(err, errNotVisibleYet)
}
