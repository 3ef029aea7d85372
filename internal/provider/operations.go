package provider

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// writeContext is the context of a Create, Update or Delete once its first write may be sent. Terraform cancels
// the request's context when it is interrupted (Ctrl-C), then waits for the operation and saves what it returns.
// An operation that gave up half-way would leave entities no state knows, so it keeps the request's values but
// not its cancellation, and is bounded by the resource's timeout instead.
func writeContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// interruptedBeforeWriting adds an error and reports true when Terraform cancelled the operation before it sent
// anything, so that nothing is started.
func interruptedBeforeWriting(ctx context.Context, diags *diag.Diagnostics) bool {
	if ctx.Err() == nil {
		return false
	}
	diags.AddError("Interrupted", "Terraform was interrupted before this resource was changed; nothing was written.")
	return true
}

// addAWSError reports an AWS failure under summary, unless the endpoint could not be reached or the call was
// denied: those get a summary that says so, whatever the caller was doing, so that neither is taken for a
// missing entity.
func addAWSError(diags *diag.Diagnostics, summary string, err error) {
	var unreachable *awsclient.EndpointError
	var denied *awsclient.AccessDeniedError
	switch {
	case errors.As(err, &unreachable):
		summary = "Cannot reach AWS " + unreachable.Service
	case errors.As(err, &denied):
		summary = "Access denied to " + denied.Action
	}
	diags.AddError(summary, err.Error())
}
