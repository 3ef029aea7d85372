package awsclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// Idempotent creates.
//
// IAM's creates (CreateRole, CreateInstanceProfile, AddRoleToInstanceProfile, CreatePolicy, CreatePolicyVersion)
// take no client token. When a create reaches IAM but its answer is lost (a 5xx, a timeout, a connection broken
// after sending), a blind retry either fails with EntityAlreadyExists, leaving an entity no state knows, or, for a
// policy version, makes a second one. Create therefore never resends blindly, and decides whether an entity that
// exists is the one it made by this rule:
//
//  1. The SDK retries a create only for errors that prove it had no effect (throttling, no connection).
//  2. After an attempt whose outcome is unknown, Create looks for the entity before sending again. It adopts the
//     entity if it matches the request exactly (Creation.Matches): same path, equivalent trust policy or policy
//     document, same description, session duration, boundary and tags, and created no earlier than the first
//     attempt (less clockSlack for clock skew and IAM's whole-second dates). Otherwise it sends again.
//  3. A conflict (EntityAlreadyExists, or LimitExceeded for membership and versions) after such an attempt: the
//     entity is looked up, waiting up to PropagationTimeout for IAM to show it, and adopted only if it matches.
//  4. A conflict on the first attempt, or an entity that does not match, is an error that names the entity and
//     what differs. A role someone else made, even an identical one made before this apply, is never adopted.
//     The one exception is Creation.AdoptPreexisting, which lets Matches decide on its own: an empty instance
//     profile of the role's own name and path that carries this provider's owner tag (left behind when the role
//     was deleted out of band) is adopted whenever it was made; one without the tag never is.
//
// What remains possible: a second writer creating the identical entity (same name, path and content) in the
// seconds between a lost attempt and its retry is taken for ours. Only another run of the same configuration
// does that, and both runs then manage the same, correct entity.

// clockSlack is how much older than the first attempt an adopted entity may look: IAM dates have whole seconds,
// and the machine's clock may be a little ahead of AWS's.
const clockSlack = 15 * time.Second

// Creation describes one create for Create.
type Creation[T any] struct {
	// What names the entity in messages, such as "role veeam-ec2".
	What string
	// Send makes one attempt; it should pass Client.RetryUnsentOnly to the SDK.
	Send func(ctx context.Context) (T, error)
	// Find reads the entity as it exists now; a NoSuchEntity error means it does not exist.
	Find func(ctx context.Context) (T, error)
	// Matches returns nil when existing is exactly what Send asks for and was made at or after since; otherwise
	// an error that says what differs.
	Matches func(existing T, since time.Time) error
	// Conflict reports whether IAM refused Send because the entity exists. Defaults to IsEntityAlreadyExists.
	Conflict func(error) bool
	// AdoptPreexisting adopts a matching entity even when no attempt of this create can have made it.
	AdoptPreexisting bool
}

// errNotVisibleYet marks a lookup that did not find an entity IAM has just said exists.
var errNotVisibleYet = errors.New("IAM does not show it yet")

// Create runs a create under the rule above and returns the entity it made or adopted.
func Create[T any](ctx context.Context, c *Client, op Creation[T]) (T, error) {
	var zero T
	conflict := op.Conflict
	if conflict == nil {
		conflict = IsEntityAlreadyExists
	}
	since := time.Now().Add(-clockSlack)
	backoff := retry.NewExponentialJitterBackoff(maxRetryDelay)
	uncertain := false
	for attempt := 1; ; attempt++ {
		out, err := op.Send(ctx)
		switch {
		case err == nil:
			return out, nil
		case conflict(err) && (uncertain || op.AdoptPreexisting):
			return adopt(ctx, op, since, err)
		case conflict(err):
			return zero, fmt.Errorf("%s already exists, and this apply did not create it; import it or choose "+
				"another name: %w", op.What, err)
		case MayHaveApplied(err):
			uncertain = true
			if existing, findErr := op.Find(ctx); findErr == nil && op.Matches(existing, since) == nil {
				return existing, nil
			}
		case !IsConcurrentModification(err):
			return zero, err
		}
		if attempt >= c.maxAttempts {
			return zero, fmt.Errorf("creating %s: still failing after %d attempts: %w", op.What, attempt, err)
		}
		if err := sleep(ctx, backoff, attempt, err); err != nil {
			return zero, err
		}
	}
}

// adopt looks the conflicting entity up, waiting for IAM to show it, and returns it when it matches the request.
func adopt[T any](ctx context.Context, op Creation[T], since time.Time, conflict error) (T, error) {
	var existing T
	err := RetryPropagation(ctx, func(ctx context.Context) error {
		var err error
		existing, err = op.Find(ctx)
		if IsNoSuchEntity(err) {
			return fmt.Errorf("%w: %w", errNotVisibleYet, err)
		}
		return err
	})
	if err != nil {
		return existing, fmt.Errorf("%s already exists (%w), but reading it failed: %w", op.What, conflict, err)
	}
	if mismatch := op.Matches(existing, since); mismatch != nil {
		return existing, fmt.Errorf("%s already exists and is not the one this apply requested, so it is left alone "+
			"(%w); import it or choose another name", op.What, mismatch)
	}
	return existing, nil
}

// MayHaveApplied reports whether a write failed in a way that leaves its outcome unknown: IAM answered 5xx or
// RequestTimeout, or the connection broke after the request was sent. A write refused with a 4xx had no effect.
func MayHaveApplied(err error) bool {
	if err == nil || isConnectError(err) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		return respErr.HTTPStatusCode() >= 500 || hasCode(err, "RequestTimeout", "RequestTimeoutException")
	}
	var sendErr *smithyhttp.RequestSendError
	return errors.As(err, &sendErr)
}

func sleep(ctx context.Context, backoff *retry.ExponentialJitterBackoff, attempt int, cause error) error {
	delay, err := backoff.BackoffDelay(attempt, cause)
	if err != nil {
		return cause
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w (last error: %w)", ctx.Err(), cause)
	case <-time.After(delay):
		return nil
	}
}

// createdSince returns nil when t is at or after since; a missing date never matches.
func createdSince(t *time.Time, since time.Time) error {
	if t == nil || t.Before(since) {
		return fmt.Errorf("it was created before this apply started (%s)", formatTime(t))
	}
	return nil
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "no creation date"
	}
	return t.UTC().Format(time.RFC3339)
}

func differs[V comparable](what string, have, want V) error {
	if have == want {
		return nil
	}
	return fmt.Errorf("its %s is %v, not %v", what, have, want)
}

func differentPolicy(what, have, want string) error {
	if equivalent, err := policy.Equivalent(have, want); err != nil || !equivalent {
		return fmt.Errorf("its %s differs", what)
	}
	return nil
}

func differentTags(have, want map[string]string) error {
	if maps.Equal(have, want) {
		return nil
	}
	return fmt.Errorf("its tags are %v, not %v", have, want)
}
