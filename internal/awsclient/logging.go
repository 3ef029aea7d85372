package awsclient

import (
	"context"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// LogSubsystem is the terraform-plugin-log subsystem that records AWS calls (TF_LOG_PROVIDER_VBAWS_AWS=DEBUG).
const LogSubsystem = "aws"

// loggingAPIOptions adds a middleware that logs each AWS call once, after it finishes: the service, the action,
// the duration and the request ID. It never logs headers, bodies or credentials.
func loggingAPIOptions() []func(*middleware.Stack) error {
	return []func(*middleware.Stack) error{func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("vbawsCallLog", logCall), middleware.After)
	}}
}

func logCall(
	ctx context.Context,
	in middleware.InitializeInput,
	next middleware.InitializeHandler,
) (middleware.InitializeOutput, middleware.Metadata, error) {
	start := time.Now()
	out, metadata, err := next.HandleInitialize(ctx, in)
	fields := map[string]any{
		"aws_service":     awsmiddleware.GetServiceID(ctx),
		"aws_action":      awsmiddleware.GetOperationName(ctx),
		"duration_ms":     time.Since(start).Milliseconds(),
		"aws_attempts":    attempts(metadata),
		"aws_request_id":  requestID(metadata),
		"aws_call_failed": err != nil,
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	tflog.SubsystemDebug(ctx, LogSubsystem, "AWS call", fields)
	return out, metadata, err
}

func requestID(metadata middleware.Metadata) string {
	id, _ := awsmiddleware.GetRequestIDMetadata(metadata)
	return id
}

func attempts(metadata middleware.Metadata) int {
	results, _ := retry.GetAttemptResults(metadata)
	return len(results.Results)
}
