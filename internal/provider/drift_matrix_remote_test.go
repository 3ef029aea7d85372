package provider

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// The drift matrix's out-of-band edits, made with the SDK as another writer would, and its checks of what IAM holds.

// editTrust rewrites the role's trust policy with edit, which must change it.
func (d driftTarget) editTrust(edit func([]map[string]any) []map[string]any) {
	d.t.Helper()
	var doc struct {
		Version   string
		Statement []map[string]any
	}
	before := d.remoteTrust().Marshal()
	d.must("reading the trust policy", json.Unmarshal([]byte(before), &doc))
	doc.Statement = edit(doc.Statement)
	after, err := json.Marshal(doc)
	d.must("writing the trust policy", err)
	if equivalent, err := policy.Equivalent(before, string(after)); err != nil || equivalent {
		d.t.Fatalf("the edit of %s changes nothing: %s", d.name, after)
	}
	d.putTrust(string(after))
}

func appendStatement(statement string) func([]map[string]any) []map[string]any {
	return func(statements []map[string]any) []map[string]any {
		var s map[string]any
		if err := json.Unmarshal([]byte(statement), &s); err != nil {
			panic(err)
		}
		return append(statements, s)
	}
}

func editStatement(sid string, edit func(map[string]any)) func([]map[string]any) []map[string]any {
	return func(statements []map[string]any) []map[string]any {
		for _, s := range statements {
			if s["Sid"] == sid {
				edit(s)
			}
		}
		return statements
	}
}

func removeStatement(sid string) func([]map[string]any) []map[string]any {
	return func(statements []map[string]any) []map[string]any {
		var kept []map[string]any
		for _, s := range statements {
			if s["Sid"] != sid {
				kept = append(kept, s)
			}
		}
		return kept
	}
}

func (d driftTarget) putTrust(document string) {
	_, err := d.fx.client.UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(d.name), PolicyDocument: aws.String(document)})
	d.must("replacing the trust policy", err)
}

func (d driftTarget) attach(policyARN string) {
	_, err := d.fx.client.AttachRolePolicy(context.Background(), &iam.AttachRolePolicyInput{
		RoleName: aws.String(d.name), PolicyArn: aws.String(policyARN)})
	d.must("attaching "+policyARN, err)
}

func (d driftTarget) detach(policyARN string) {
	_, err := d.fx.client.DetachRolePolicy(context.Background(), &iam.DetachRolePolicyInput{
		RoleName: aws.String(d.name), PolicyArn: aws.String(policyARN)})
	d.must("detaching "+policyARN, err)
}

func (d driftTarget) putInline(name, document string) {
	_, err := d.fx.client.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{
		RoleName: aws.String(d.name), PolicyName: aws.String(name), PolicyDocument: aws.String(document)})
	d.must("putting inline policy "+name, err)
}

func (d driftTarget) deleteInline(name string) {
	_, err := d.fx.client.DeleteRolePolicy(context.Background(), &iam.DeleteRolePolicyInput{
		RoleName: aws.String(d.name), PolicyName: aws.String(name)})
	d.must("deleting inline policy "+name, err)
}

func (d driftTarget) tag(tags map[string]string) {
	_, err := d.fx.client.TagRole(context.Background(), &iam.TagRoleInput{
		RoleName: aws.String(d.name), Tags: sortedTags(tags)})
	d.must("tagging", err)
}

func (d driftTarget) updateRole(description *string, duration *int32) {
	_, err := d.fx.client.UpdateRole(context.Background(), &iam.UpdateRoleInput{
		RoleName: aws.String(d.name), Description: description, MaxSessionDuration: duration})
	d.must("updating the role", err)
}

func (d driftTarget) putBoundary(policyARN string) {
	_, err := d.fx.client.PutRolePermissionsBoundary(context.Background(), &iam.PutRolePermissionsBoundaryInput{
		RoleName: aws.String(d.name), PermissionsBoundary: aws.String(policyARN)})
	d.must("setting the permissions boundary", err)
}

// newVersion adds a version to a managed policy and returns its ID.
func (d driftTarget) newVersion(policyARN, document string, asDefault bool) string {
	out, err := d.fx.client.CreatePolicyVersion(context.Background(), &iam.CreatePolicyVersionInput{
		PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(document), SetAsDefault: asDefault})
	d.must("adding a version to "+policyARN, err)
	return aws.ToString(out.PolicyVersion.VersionId)
}

func (d driftTarget) deletePolicy(policyARN string) {
	d.must("deleting "+policyARN, deleteManagedPolicy(d.fx.client, policyARN))
}

// deleteManagedPolicy deletes a managed policy with its versions.
func deleteManagedPolicy(client *iam.Client, policyARN string) error {
	ctx := context.Background()
	out, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return err
	}
	for _, v := range out.Versions {
		if !v.IsDefaultVersion {
			if _, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{
				PolicyArn: aws.String(policyARN), VersionId: v.VersionId}); err != nil {
				return err
			}
		}
	}
	_, err = client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
	return err
}

// driftPolicy creates a managed policy outside Terraform and deletes it, versions and all, when the test ends.
func driftPolicy(t *testing.T, client *iam.Client, document string) string {
	return driftPolicyNamed(t, client, acctest.RandomName("vbaws-fixture"), document)
}

func driftPolicyNamed(t *testing.T, client *iam.Client, name, document string) string {
	t.Helper()
	out, err := client.CreatePolicy(context.Background(), &iam.CreatePolicyInput{
		PolicyName: aws.String(name), PolicyDocument: aws.String(document)})
	if err != nil {
		t.Fatalf("creating policy %s: %v", name, err)
	}
	arn := aws.ToString(out.Policy.Arn)
	t.Cleanup(func() { _ = deleteManagedPolicy(client, arn) })
	return arn
}

func (d driftTarget) account() string { return strings.Split(d.fx.appliance, ":")[4] }

// ownPolicy is the ARN of the managed policy named like the row.
func (d driftTarget) ownPolicy() string { return "arn:aws:iam::" + d.account() + ":policy/" + d.name }

func (d driftTarget) remoteTrust() policy.Document { return remoteTrust(d.t, d.fx.client, d.name) }

// trustMeans checks that the role's trust policy means want, whatever its Sids.
func (d driftTarget) trustMeans(want string) error {
	if got := d.remoteTrust().Marshal(); !sameTrust(got, want) {
		return fmt.Errorf("role %s trusts\n%s\nwant\n%s", d.name, got, want)
	}
	return nil
}

func (d driftTarget) policyExists(policyARN string) error {
	_, err := d.fx.client.GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	return err
}

// inlineAre checks the role's inline policies by name and meaning.
func (d driftTarget) inlineAre(want map[string]string) error {
	got, err := d.fx.client.ListRolePolicies(context.Background(),
		&iam.ListRolePoliciesInput{RoleName: aws.String(d.name)})
	if err != nil {
		return err
	}
	if len(got.PolicyNames) != len(want) {
		return fmt.Errorf("role %s has inline policies %v, want %d", d.name, got.PolicyNames, len(want))
	}
	for _, name := range got.PolicyNames {
		out, err := d.fx.client.GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{
			RoleName: aws.String(d.name), PolicyName: aws.String(name)})
		if err != nil {
			return err
		}
		document, _ := policy.Decode(aws.ToString(out.PolicyDocument))
		if same, err := policy.Equivalent(document, want[name]); err != nil || !same {
			return fmt.Errorf("inline policy %s of role %s is %s, want %q", name, d.name, document, want[name])
		}
	}
	return nil
}

func (d driftTarget) tagsAre(want map[string]string) error {
	out, err := d.fx.client.ListRoleTags(context.Background(), &iam.ListRoleTagsInput{RoleName: aws.String(d.name)})
	if err != nil {
		return err
	}
	if got := awsclient.TagMap(out.Tags); !maps.Equal(got, want) {
		return fmt.Errorf("role %s has tags %v, want %v", d.name, got, want)
	}
	return nil
}

// roleIs checks the role's description, session duration and permissions boundary ("" for none).
func (d driftTarget) roleIs(description string, duration int32, boundary string) error {
	out, err := d.fx.client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(d.name)})
	if err != nil {
		return err
	}
	role := out.Role
	gotBoundary := ""
	if role.PermissionsBoundary != nil {
		gotBoundary = aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if aws.ToString(role.Description) != description || aws.ToInt32(role.MaxSessionDuration) != duration ||
		gotBoundary != boundary {
		return fmt.Errorf("role %s has description %q, session %d, boundary %q; want %q, %d, %q", d.name,
			aws.ToString(role.Description), aws.ToInt32(role.MaxSessionDuration), gotBoundary, description, duration,
			boundary)
	}
	return nil
}

// versions are the version IDs of a managed policy, oldest first.
func (d driftTarget) versions(policyARN string) []string {
	out, err := d.fx.client.ListPolicyVersions(context.Background(),
		&iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	d.must("listing the versions of "+policyARN, err)
	ids := make([]string, len(out.Versions))
	for i, v := range out.Versions {
		ids[i] = aws.ToString(v.VersionId)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	return ids
}

func (d driftTarget) partTagIs(policyARN, key, want string) error {
	out, err := d.fx.client.ListPolicyTags(context.Background(),
		&iam.ListPolicyTagsInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return err
	}
	if got := awsclient.TagMap(out.Tags)[key]; got != want {
		return fmt.Errorf("part %s has tag %s=%q, want %q", policyARN, key, got, want)
	}
	return nil
}
