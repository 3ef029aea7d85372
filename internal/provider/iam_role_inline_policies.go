package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// The inline policies of vbaws_iam_role: inline_policies is authoritative when set.

// readInlinePolicies reads every inline policy of the role into inline_policies.
func (r *iamRoleResource) readInlinePolicies(ctx context.Context, m *iamRoleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	docs, err := r.client.ReadInlinePolicies(ctx, m.ID.ValueString())
	if err != nil {
		addAWSError(&diags, "Cannot read the role's inline policies", err)
		return diags
	}
	m.InlinePolicies = inlineMap(m.InlinePolicies, docs)
	return diags
}

// syncInlinePolicies makes the role's inline policies exactly want when want is set (null leaves them alone),
// and records in result what the role holds, also after a failure part of the way.
func (r *iamRoleResource) syncInlinePolicies(ctx context.Context, want types.Map, result *iamRoleModel) error {
	if want.IsNull() {
		result.InlinePolicies = types.MapNull(PolicyType{})
		return nil
	}
	name := result.ID.ValueString()
	have, wanted := inlineDocuments(result.InlinePolicies), inlineDocuments(want)
	if result.InlinePolicies.IsNull() { // not managed until now: whatever the role holds is to be replaced
		current, err := r.client.InlinePolicies(ctx, name)
		if err != nil {
			return err
		}
		have = current
	}
	held := maps.Clone(have)
	defer func() { result.InlinePolicies = inlineMap(want, held) }()
	for _, policyName := range slices.Sorted(maps.Keys(wanted)) {
		if equivalentPolicies(have[policyName], wanted[policyName]) {
			continue
		}
		if err := r.client.PutInlinePolicy(ctx, name, policyName, wanted[policyName]); err != nil {
			return err
		}
		held[policyName] = wanted[policyName]
	}
	for _, policyName := range slices.Sorted(maps.Keys(have)) {
		if _, keep := wanted[policyName]; keep {
			continue
		}
		if err := r.client.DeleteInlinePolicy(ctx, name, policyName); err != nil {
			return err
		}
		delete(held, policyName)
	}
	return nil
}

func (r *iamRoleResource) deleteInlinePolicies(ctx context.Context, name string) error {
	names, err := r.client.InlinePolicyNames(ctx, name)
	if awsclient.IsNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing inline policies of role %s: %w", name, err)
	}
	for _, policyName := range names {
		if err := r.client.DeleteInlinePolicy(ctx, name, policyName); err != nil {
			return err
		}
	}
	return nil
}

// inlineDocuments returns the known documents of an inline_policies map by name.
func inlineDocuments(m types.Map) map[string]string {
	docs := map[string]string{}
	for name, value := range m.Elements() {
		if doc, ok := value.(PolicyValue); ok && !doc.IsUnknown() && !doc.IsNull() {
			docs[name] = doc.ValueString()
		}
	}
	return docs
}

// inlineMap turns documents into an inline_policies value, keeping the text of prior for each policy that
// means the same. No documents give null when prior is null, so that import does not invent an empty map.
func inlineMap(prior types.Map, docs map[string]string) types.Map {
	if len(docs) == 0 && prior.IsNull() {
		return types.MapNull(PolicyType{})
	}
	before := inlineDocuments(prior)
	elems := make(map[string]attr.Value, len(docs))
	for name, doc := range docs {
		prior := PolicyValue{StringValue: types.StringNull()}
		if old, ok := before[name]; ok {
			prior = NewPolicyValue(old)
		}
		elems[name] = prior.keepEquivalent(jsonencodeForm(doc), equivalentPolicies)
	}
	return types.MapValueMust(PolicyType{}, elems)
}
