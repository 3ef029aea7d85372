package provider

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// awsProviderAddresses are the addresses hashicorp/aws is installed under by Terraform and by OpenTofu.
var awsProviderAddresses = []string{
	"registry.terraform.io/hashicorp/aws",
	"registry.opentofu.org/hashicorp/aws",
}

var _ resource.ResourceWithMoveState = (*iamRoleResource)(nil)

// awsIAMRoleState is the part of hashicorp/aws's aws_iam_role state (schema version 0) that names the role.
type awsIAMRoleState struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	NamePrefix string `json:"name_prefix"`
	Path       string `json:"path"`
	ARN        string `json:"arn"`
}

// MoveState accepts a `moved` block from hashicorp/aws's aws_iam_role (Terraform 1.8 and later, OpenTofu 1.10 and
// later). See moveFromAWSIAMRole.
func (r *iamRoleResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: moveFromAWSIAMRole}}
}

// moveFromAWSIAMRole takes over the role an aws_iam_role of hashicorp/aws names, the way import does: it keeps
// only which role it is (name, path, name_prefix) and leaves arn null, so that the next read, which Terraform runs
// before it plans, reads the whole role once, as after import: trust inputs from the trust policy, attachments,
// inline policies and the instance profile of the role's name and path. It calls no AWS API itself. Requests
// for other types or providers are left to the framework, which reports them as not supported.
func moveFromAWSIAMRole(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != "aws_iam_role" || !slices.Contains(awsProviderAddresses, req.SourceProviderAddress) {
		return
	}
	source, ok := decodeAWSIAMRole(req, resp)
	if !ok {
		return
	}
	account := accountOf(types.StringValue(source.ARN))
	for attribute, value := range map[string]types.String{"id": types.StringValue(source.ID),
		"name": types.StringValue(source.ID), "path": types.StringValue(source.Path),
		"name_prefix": stringOrNull(&source.NamePrefix), "account_id": account} {
		resp.Diagnostics.Append(resp.TargetState.SetAttribute(ctx, path.Root(attribute), value)...)
	}
	identity := namedIdentityModel{AccountID: account, Name: types.StringValue(source.ID)}
	resp.Diagnostics.Append(setIdentity(ctx, resp.TargetIdentity, identity)...)
}

// decodeAWSIAMRole reads the source state, adding an error when it names no role.
func decodeAWSIAMRole(req resource.MoveStateRequest, resp *resource.MoveStateResponse) (awsIAMRoleState, bool) {
	var source awsIAMRoleState
	if req.SourceRawState == nil {
		resp.Diagnostics.AddError("Cannot move aws_iam_role", "Terraform sent no state to move.")
		return source, false
	}
	if err := json.Unmarshal(req.SourceRawState.JSON, &source); err != nil {
		resp.Diagnostics.AddError("Cannot move aws_iam_role", "Its state is not the JSON of aws_iam_role: "+err.Error())
		return source, false
	}
	if source.ID == "" {
		source.ID = source.Name
	}
	if source.ID == "" {
		resp.Diagnostics.AddError("Cannot move aws_iam_role", "Its state names no role (id and name are empty).")
		return source, false
	}
	if source.Path == "" {
		source.Path = "/"
	}
	return source, true
}
