package awsclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// IsNoSuchEntity reports whether err says the IAM entity does not exist.
func IsNoSuchEntity(err error) bool { return isA[*iamtypes.NoSuchEntityException](err) }

// IsEntityAlreadyExists reports whether IAM refused a create because an entity of that name exists.
func IsEntityAlreadyExists(err error) bool { return isA[*iamtypes.EntityAlreadyExistsException](err) }

// IsConcurrentModification reports whether IAM refused a write because another write to the entity was running.
func IsConcurrentModification(err error) bool {
	return isA[*iamtypes.ConcurrentModificationException](err)
}

// IsDeleteConflict reports whether IAM refused a delete because the entity still has dependents.
func IsDeleteConflict(err error) bool { return isA[*iamtypes.DeleteConflictException](err) }

// IsLimitExceeded reports whether IAM refused a write because a quota is full, such as the five versions of a
// managed policy or the one role of an instance profile.
func IsLimitExceeded(err error) bool { return isA[*iamtypes.LimitExceededException](err) }

// IsInvalidPrincipal reports whether IAM rejected a policy because a principal does not exist yet, which happens
// for a short while after the trusted role was created. IAM has no error type of its own for this, so the message
// of the typed MalformedPolicyDocument error is the only signal.
func IsInvalidPrincipal(err error) bool {
	var malformed *iamtypes.MalformedPolicyDocumentException
	return errors.As(err, &malformed) && strings.Contains(malformed.ErrorMessage(), "Invalid principal in policy")
}

// notYetVisibleMessage matches the NoSuchEntity messages about a role or an instance profile (AWS: "The role with
// name x cannot be found.", "Instance Profile x cannot be found."; moto: "Role x not found"), as opposed to a
// missing policy. IAM gives both the same error type.
var notYetVisibleMessage = regexp.MustCompile(`^(The role with name |Role |Instance [Pp]rofile )`)

// IsNotYetVisible reports whether err says a role or an instance profile does not exist. Right after the provider
// created one, that is IAM's eventual consistency, not a missing entity.
func IsNotYetVisible(err error) bool {
	var missing *iamtypes.NoSuchEntityException
	return errors.As(err, &missing) && notYetVisibleMessage.MatchString(missing.ErrorMessage())
}

// IsAccessDenied reports whether AWS refused the call for lack of permission (HTTP 403). IAM and STS send the
// generic AccessDenied code, which has no type in the SDK.
func IsAccessDenied(err error) bool {
	var denied *AccessDeniedError
	if errors.As(err, &denied) {
		return true
	}
	return hasCode(err, "AccessDenied", "AccessDeniedException")
}

// hasCode reports whether err is an AWS API error with one of the codes, for errors the SDK has no type for.
func hasCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && slices.Contains(codes, apiErr.ErrorCode())
}

func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// EndpointError is a call that never got an answer: the connection was refused, timed out or could not be set
// up. It names the service, the action and the endpoint, so that a wrong or dead endpoint is obvious.
type EndpointError struct {
	Service  string // "IAM", "STS"
	Action   string // "iam:GetRole"
	Endpoint string // "https://iam.amazonaws.com", or "" when the SDK did not say
	Err      error
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("cannot reach AWS %s at %s (%s): %s", e.Service, cmp.Or(e.Endpoint, "its default endpoint"),
		e.Action, rootCause(e.Err))
}

// Unwrap returns the SDK's error.
func (e *EndpointError) Unwrap() error { return e.Err }

// AccessDeniedError is a call AWS refused for lack of permission. It names the action, such as iam:GetRole, so
// that the message says what to grant; it is never reported as a missing entity.
type AccessDeniedError struct {
	Action string
	Err    error
}

func (e *AccessDeniedError) Error() string {
	var apiErr smithy.APIError
	message := e.Err.Error()
	if errors.As(e.Err, &apiErr) {
		message = apiErr.ErrorMessage()
	}
	return fmt.Sprintf("access denied: the credentials may not call %s: %s", e.Action, message)
}

// Unwrap returns the SDK's error.
func (e *AccessDeniedError) Unwrap() error { return e.Err }

// rootCause is the innermost error, such as "dial tcp 127.0.0.1:1: connect: connection refused", without the
// SDK's layers of operation, attempt and URL.
func rootCause(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Err != nil {
		return urlErr.Err.Error()
	}
	return err.Error()
}

// errorMiddleware turns the SDK's errors for an unreachable endpoint and a refused permission into EndpointError
// and AccessDeniedError. It runs outside the retry loop, so it sees each call's final error once.
func errorMiddleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("vbawsErrors", classifyError), middleware.After)
}

func classifyError(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error) {
	out, metadata, err := next.HandleInitialize(ctx, in)
	if err == nil {
		return out, metadata, nil
	}
	service := awsmiddleware.GetServiceID(ctx)
	action := strings.ToLower(service) + ":" + awsmiddleware.GetOperationName(ctx)
	switch {
	case isUnreachable(err):
		return out, metadata, &EndpointError{Service: service, Action: action, Endpoint: endpointOf(err), Err: err}
	case IsAccessDenied(err):
		return out, metadata, &AccessDeniedError{Action: action, Err: err}
	}
	return out, metadata, err
}

// isUnreachable reports whether the request never got an HTTP response, other than because the caller gave up.
func isUnreachable(err error) bool {
	var sendErr *smithyhttp.RequestSendError
	return errors.As(err, &sendErr) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// endpointOf returns scheme and host of the URL a failed request was sent to.
func endpointOf(err error) string {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		return ""
	}
	u, parseErr := url.Parse(urlErr.URL)
	if parseErr != nil {
		return urlErr.URL
	}
	return u.Scheme + "://" + u.Host
}
