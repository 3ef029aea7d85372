package acctest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// Inventory is what the account holds under a name prefix: the ARNs of roles, customer managed policies and
// instance profiles whose names start with it.
type Inventory struct {
	Roles, Policies, InstanceProfiles []string
}

// All returns every ARN of the inventory.
func (inv Inventory) All() []string {
	return slices.Concat(inv.Roles, inv.Policies, inv.InstanceProfiles)
}

// TakeInventory lists the roles, customer managed policies and instance profiles whose names start with prefix.
func TakeInventory(ctx context.Context, client *iam.Client, prefix string) (Inventory, error) {
	var inv Inventory
	roles := iam.NewListRolesPaginator(client, &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		if err != nil {
			return inv, err
		}
		for _, r := range page.Roles {
			if strings.HasPrefix(aws.ToString(r.RoleName), prefix) {
				inv.Roles = append(inv.Roles, aws.ToString(r.Arn))
			}
		}
	}
	policies := iam.NewListPoliciesPaginator(client, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	for policies.HasMorePages() {
		page, err := policies.NextPage(ctx)
		if err != nil {
			return inv, err
		}
		for _, p := range page.Policies {
			if strings.HasPrefix(aws.ToString(p.PolicyName), prefix) {
				inv.Policies = append(inv.Policies, aws.ToString(p.Arn))
			}
		}
	}
	profiles := iam.NewListInstanceProfilesPaginator(client, &iam.ListInstanceProfilesInput{})
	for profiles.HasMorePages() {
		page, err := profiles.NextPage(ctx)
		if err != nil {
			return inv, err
		}
		for _, p := range page.InstanceProfiles {
			if strings.HasPrefix(aws.ToString(p.InstanceProfileName), prefix) {
				inv.InstanceProfiles = append(inv.InstanceProfiles, aws.ToString(p.Arn))
			}
		}
	}
	return inv, nil
}

// Orphans returns the ARNs of the inventory that no resource in state mentions.
func Orphans(inv Inventory, state *tfjson.State) []string {
	known := map[string]bool{}
	if state != nil && state.Values != nil {
		collectStrings(state.Values.RootModule, known)
	}
	var orphans []string
	for _, arn := range inv.All() {
		if !known[arn] {
			orphans = append(orphans, arn)
		}
	}
	return orphans
}

func collectStrings(module *tfjson.StateModule, into map[string]bool) {
	if module == nil {
		return
	}
	for _, r := range module.Resources {
		for _, v := range r.AttributeValues {
			collectValue(v, into)
		}
	}
	for _, child := range module.ChildModules {
		collectStrings(child, into)
	}
}

func collectValue(v any, into map[string]bool) {
	switch v := v.(type) {
	case string:
		into[v] = true
	case []any:
		for _, e := range v {
			collectValue(e, into)
		}
	case map[string]any:
		for _, e := range v {
			collectValue(e, into)
		}
	}
}

// Duplicates returns what the inventory holds twice: policy versions with equivalent documents, more than five
// versions of a policy, and trust statements of a role that share a Sid or mean the same.
func Duplicates(ctx context.Context, client *iam.Client, inv Inventory) ([]string, error) {
	var found []string
	for _, arn := range inv.Policies {
		more, err := duplicateVersions(ctx, client, arn)
		if err != nil {
			return found, err
		}
		found = append(found, more...)
	}
	for _, arn := range inv.Roles {
		more, err := duplicateStatements(ctx, client, arn[strings.LastIndex(arn, "/")+1:])
		if err != nil {
			return found, err
		}
		found = append(found, more...)
	}
	return found, nil
}

func duplicateVersions(ctx context.Context, client *iam.Client, policyARN string) ([]string, error) {
	versions, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return nil, err
	}
	var found, documents []string
	if len(versions.Versions) > 5 {
		found = append(found, fmt.Sprintf("%s has %d versions", policyARN, len(versions.Versions)))
	}
	for _, v := range versions.Versions {
		out, err := client.GetPolicyVersion(
			ctx,
			&iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: v.VersionId},
		)
		if err != nil {
			return nil, err
		}
		document, err := policy.Decode(aws.ToString(out.PolicyVersion.Document))
		if err != nil {
			return nil, err
		}
		for _, earlier := range documents {
			if equivalent, _ := policy.Equivalent(earlier, document); equivalent {
				found = append(
					found,
					fmt.Sprintf("%s has two versions of one document (%s)", policyARN, aws.ToString(v.VersionId)),
				)
			}
		}
		documents = append(documents, document)
	}
	return found, nil
}

func duplicateStatements(ctx context.Context, client *iam.Client, roleName string) ([]string, error) {
	out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if err != nil {
		return nil, err
	}
	text, err := policy.Decode(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		return nil, err
	}
	doc, err := policy.Parse(text)
	if err != nil {
		return nil, err
	}
	var found []string
	for i, s := range doc.Statements {
		for _, earlier := range doc.Statements[:i] {
			one, two := policy.NewDocument(earlier).Marshal(), policy.NewDocument(s).Marshal()
			equivalent, _ := policy.Equivalent(one, two)
			if (s.Sid() != "" && s.Sid() == earlier.Sid()) || equivalent {
				found = append(found, fmt.Sprintf("role %s has two trust statements %q", roleName, s.Sid()))
			}
		}
	}
	return found, nil
}

// ExpectNoOrphansOrDuplicates is a state check: everything under prefix is in state, and nothing is there twice.
func ExpectNoOrphansOrDuplicates(client *iam.Client, prefix string) statecheck.StateCheck {
	return inventoryCheck{client: client, prefix: prefix}
}

type inventoryCheck struct {
	client *iam.Client
	prefix string
}

func (c inventoryCheck) CheckState(
	ctx context.Context,
	req statecheck.CheckStateRequest,
	resp *statecheck.CheckStateResponse,
) {
	inv, err := TakeInventory(ctx, c.client, c.prefix)
	if err != nil {
		resp.Error = err
		return
	}
	var problems []error
	if orphans := Orphans(inv, req.State); len(orphans) > 0 {
		problems = append(problems, fmt.Errorf("%d orphans (in IAM, in no state): %v", len(orphans), orphans))
	}
	duplicates, err := Duplicates(ctx, c.client, inv)
	if len(duplicates) > 0 {
		problems = append(problems, fmt.Errorf("%d duplicates: %v", len(duplicates), duplicates))
	}
	resp.Error = errors.Join(append(problems, err)...)
}

// CheckNothingLeft is a CheckDestroy function: nothing whose name starts with prefix is left in the account.
func CheckNothingLeft(client *iam.Client, prefix string) func(*terraform.State) error {
	return func(*terraform.State) error {
		inv, err := TakeInventory(context.Background(), client, prefix)
		if err != nil {
			return err
		}
		if left := inv.All(); len(left) > 0 {
			return fmt.Errorf("%d objects left after destroy: %v", len(left), left)
		}
		return nil
	}
}
