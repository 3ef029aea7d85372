package awsclient

import (
	"context"
	"reflect"
	"strings"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// writtenEntities are the roles and instance profiles this process has sent a write for. The snapshot never
// answers for them: whatever it holds may predate the write.
type writtenEntities struct {
	roles, profiles map[string]bool
}

func newWrittenEntities() writtenEntities {
	return writtenEntities{roles: map[string]bool{}, profiles: map[string]bool{}}
}

// invalidationMiddleware marks what each IAM write names before the write is sent, whoever sends it.
func (s *snapshot) invalidationMiddleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("vbawsSnapshotInvalidation", func(
		ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
	) (middleware.InitializeOutput, middleware.Metadata, error) {
		if isWrite(awsmiddleware.GetOperationName(ctx)) {
			s.invalidate(in.Parameters)
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}

// isWrite reports whether an IAM action may change something; every action that does not only read does.
func isWrite(action string) bool {
	for _, read := range []string{"Get", "List", "Simulate"} {
		if strings.HasPrefix(action, read) {
			return false
		}
	}
	return true
}

// invalidate marks the role and the instance profile an input names (its RoleName and InstanceProfileName). A
// write that names only a policy needs nothing: policy metadata is always read afresh, and versions never change.
func (s *snapshot) invalidate(input any) {
	v := reflect.Indirect(reflect.ValueOf(input))
	if v.Kind() != reflect.Struct {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for field, marked := range map[string]map[string]bool{
		"RoleName": s.written.roles, "InstanceProfileName": s.written.profiles} {
		if f := v.FieldByName(field); f.IsValid() {
			if name, ok := f.Interface().(*string); ok && name != nil {
				marked[*name] = true
			}
		}
	}
}

// roleWritten and profileWritten report whether this process has sent a write that names the entity.
func (s *snapshot) roleWritten(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written.roles[name]
}

func (s *snapshot) profileWritten(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written.profiles[name]
}
