package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// writeContext is the context of a Create, Update or Delete once its first write may be sent. Terraform cancels
// the request's context when it is interrupted (Ctrl-C), then waits for the operation and saves what it returns.
// An operation that gave up half-way would leave entities no state knows, so it keeps the request's values but
// not its cancellation, and is bounded by the resource's timeout instead.
func writeContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// timeoutsAttribute is the `timeouts` attribute of every resource: optional create, read, update and delete
// durations such as "10m", each defaulting to defaultRoleTimeout. It is an attribute, not a block, as the timeouts
// module recommends; state written while vbaws_iam_role had a block has the same shape and reads unchanged.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	attribute := timeouts.AttributesAll(ctx)
	if nested, ok := attribute.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = fmt.Sprintf("Time limits of create, read, update and delete, each %g "+
			"minutes unless set, written as an attribute: `timeouts = { create = \"10m\" }`.",
			defaultRoleTimeout.Minutes())
		return nested
	}
	return attribute
}

// timeoutOf reads one operation's timeout from the timeouts attribute, such as plan.Timeouts.Create.
type timeoutOf func(context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// startWriting is the common start of a Create, Update or Delete: it reads the operation's timeout and returns the
// context for the writes (see writeContext). It reports false, with nothing to cancel, when diags already hold an
// error or Terraform was interrupted before anything was written; the operation then stops.
func startWriting(ctx context.Context, timeout timeoutOf, diags *diag.Diagnostics) (
	context.Context, context.CancelFunc, bool) {
	limit, more := timeout(ctx, defaultRoleTimeout)
	diags.Append(more...)
	if diags.HasError() || interruptedBeforeWriting(ctx, diags) {
		return ctx, func() {}, false
	}
	ctx, cancel := writeContext(ctx, limit)
	return ctx, cancel, true
}

// readContext bounds a Read by the read timeout of the timeouts attribute.
func readContext(ctx context.Context, t timeouts.Value, diags *diag.Diagnostics) (
	context.Context, context.CancelFunc) {
	limit, more := t.Read(ctx, defaultRoleTimeout)
	diags.Append(more...)
	return context.WithTimeout(ctx, limit)
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

// defaultRoleTimeout bounds a create, read, update or delete whose configuration sets no timeout.
const defaultRoleTimeout = 5 * time.Minute

// applianceTimeoutsAttribute is the timeouts attribute; create and update default to assume_wait plus the
// provider's usual 5 minutes.
func applianceTimeoutsAttribute(ctx context.Context) schema.Attribute {
	attribute := timeoutsAttribute(ctx)
	if nested, ok := attribute.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = fmt.Sprintf("Time limits of create, read, update and delete, written as "+
			"an attribute: `timeouts = { create = \"10m\" }`. Create and update default to `assume_wait` plus "+
			"%[1]g minutes, read and delete to %[1]g minutes.", defaultRoleTimeout.Minutes())
		return nested
	}
	return attribute
}

// startApplianceWrite starts a create or update: its timeout defaults to assume_wait plus defaultRoleTimeout.
func startApplianceWrite(ctx context.Context, timeout timeoutOf, wait time.Duration, diags *diag.Diagnostics) (
	context.Context, context.CancelFunc, bool) {
	return startWriting(ctx, func(ctx context.Context, _ time.Duration) (time.Duration, diag.Diagnostics) {
		return timeout(ctx, wait+defaultRoleTimeout)
	}, diags)
}
