package awsclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// RolePolicies reads the permission policies of a role: every inline policy, the default version of every
// attached managed policy and the permissions boundary, each named for findings ("inline policy x", the managed
// policy's ARN). It only reads.
func (c *Client) RolePolicies(ctx context.Context, role *iamtypes.Role) (policy.Policies, error) {
	roleName := aws.ToString(role.RoleName)
	identity, err := c.namedInlinePolicies(ctx, roleName)
	if err != nil {
		return policy.Policies{}, err
	}
	managed, err := c.namedManagedPolicies(ctx, roleName)
	if err != nil {
		return policy.Policies{}, err
	}
	p := policy.Policies{Identity: append(identity, managed...)}
	if role.PermissionsBoundary != nil {
		boundaryARN := aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn)
		text, err := c.DefaultPolicyDocument(ctx, boundaryARN)
		if err != nil {
			return policy.Policies{}, fmt.Errorf("reading the permissions boundary of role %s: %w", roleName, err)
		}
		p.Boundary = &policy.NamedDocument{Name: boundaryARN, Text: text}
	}
	return p, nil
}

func (c *Client) namedInlinePolicies(ctx context.Context, roleName string) ([]policy.NamedDocument, error) {
	inline, err := c.ReadInlinePolicies(ctx, roleName)
	if err != nil {
		return nil, err
	}
	docs := make([]policy.NamedDocument, 0, len(inline))
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		docs = append(docs, policy.NamedDocument{Name: "inline policy " + name, Text: inline[name]})
	}
	return docs, nil
}

func (c *Client) namedManagedPolicies(ctx context.Context, roleName string) ([]policy.NamedDocument, error) {
	arns, err := c.ReadAttachedPolicyARNs(ctx, roleName)
	if err != nil {
		return nil, err
	}
	docs := make([]policy.NamedDocument, 0, len(arns))
	for _, policyARN := range arns {
		text, err := c.DefaultPolicyDocument(ctx, policyARN)
		if err != nil {
			return nil, err
		}
		docs = append(docs, policy.NamedDocument{Name: policyARN, Text: text})
	}
	return docs, nil
}

// simulatorBatch is how many actions one SimulatePrincipalPolicy call asks about.
const simulatorBatch = 100

// simulatorAttempts bounds the attempts of one simulator call: an endpoint without the simulator answers with a
// 5xx that the SDK would otherwise retry max_retries times.
const simulatorAttempts = 2

// SimulatorDecision is the policy simulator's answer for one action.
type SimulatorDecision struct {
	Action string
	// Decision is "allowed", "explicitDeny" or "implicitDeny".
	Decision string
}

// SimulateActions asks iam:SimulatePrincipalPolicy whether the principal may call each action on every resource,
// in batches of simulatorBatch actions, following the pages of each answer.
func (c *Client) SimulateActions(ctx context.Context, principalARN string, actions []string) (
	[]SimulatorDecision, error) {
	var decisions []SimulatorDecision
	for start := 0; start < len(actions); start += simulatorBatch {
		batch := actions[start:min(start+simulatorBatch, len(actions))]
		in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(principalARN), ActionNames: batch}
		pages := iam.NewSimulatePrincipalPolicyPaginator(c.IAM, in)
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx, func(o *iam.Options) { o.RetryMaxAttempts = simulatorAttempts })
			if err != nil {
				return nil, fmt.Errorf("simulating the policies of %s: %w", principalARN, err)
			}
			for _, r := range page.EvaluationResults {
				decisions = append(decisions, SimulatorDecision{Action: aws.ToString(r.EvalActionName),
					Decision: string(r.EvalDecision)})
			}
		}
	}
	return decisions, nil
}

// IsSimulatorUnavailable reports whether a SimulateActions error means the simulator cannot be used here: the
// credentials may not call it, or the endpoint does not implement it (an emulator answering with a server error
// that is not an AWS error, or an unknown-action error), as opposed to a failure of the call itself.
func IsSimulatorUnavailable(err error) bool {
	if IsAccessDenied(err) || hasCode(err, "InvalidAction", "NotImplemented", "UnknownOperationException") {
		return true
	}
	var response *awshttp.ResponseError
	if !errors.As(err, &response) {
		return false
	}
	status := response.HTTPStatusCode()
	var apiErr smithy.APIError
	notAWSError := !errors.As(err, &apiErr) || apiErr.ErrorCode() == "" || apiErr.ErrorCode() == "UnknownError"
	return status == http.StatusNotImplemented || status == http.StatusNotFound ||
		(status == http.StatusInternalServerError && notAWSError)
}
