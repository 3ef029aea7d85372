package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// PolicyType is the attribute type of IAM policy JSON. Its values compare by meaning, not by text: reordered
// statements or principals, a string versus a one-element list, or an account ID versus its root ARN never show
// as a diff.
type PolicyType struct {
	basetypes.StringType
}

var (
	_ basetypes.StringTypable                    = PolicyType{}
	_ basetypes.StringValuableWithSemanticEquals = PolicyValue{}
	_ xattr.ValidateableAttribute                = PolicyValue{}
)

func (t PolicyType) String() string { return "PolicyType" }

func (t PolicyType) Equal(o attr.Type) bool {
	other, ok := o.(PolicyType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t PolicyType) ValueType(context.Context) attr.Value { return PolicyValue{} }

func (t PolicyType) ValueFromString(
	_ context.Context,
	in basetypes.StringValue,
) (basetypes.StringValuable, diag.Diagnostics) {
	return PolicyValue{StringValue: in}, nil
}

func (t PolicyType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return PolicyValue{StringValue: s}, nil
}

// PolicyValue is a value of PolicyType.
type PolicyValue struct {
	basetypes.StringValue
}

// NewPolicyValue returns a known policy value.
func NewPolicyValue(doc string) PolicyValue {
	return PolicyValue{StringValue: basetypes.NewStringValue(doc)}
}

// NewPolicyUnknown returns an unknown policy value.
func NewPolicyUnknown() PolicyValue {
	return PolicyValue{StringValue: basetypes.NewStringUnknown()}
}

func (v PolicyValue) Type(context.Context) attr.Type { return PolicyType{} }

func (v PolicyValue) Equal(o attr.Value) bool {
	other, ok := o.(PolicyValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether two policy documents mean the same, using awspolicyequivalence.
func (v PolicyValue) StringSemanticEquals(
	_ context.Context,
	newValuable basetypes.StringValuable,
) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(PolicyValue)
	if !ok {
		diags.AddError(
			"Semantic equality check error",
			fmt.Sprintf("Expected PolicyValue, got %T. Please report this bug.", newValuable),
		)
		return false, diags
	}
	equivalent, err := policy.Equivalent(v.ValueString(), newValue.ValueString())
	if err != nil {
		return false, nil // not comparable: treat as different, the plan shows the change
	}
	return equivalent, diags
}

// keepEquivalent returns v when it means the same as document by sameMeaning, so that an equivalent text is
// never a change, and document otherwise. The same text decides without parsing either; a null or unknown v gives
// document.
func (v PolicyValue) keepEquivalent(document string, sameMeaning func(a, b string) bool) PolicyValue {
	if !v.IsNull() && !v.IsUnknown() && (v.ValueString() == document || sameMeaning(v.ValueString(), document)) {
		return v
	}
	return NewPolicyValue(document)
}

// equivalentPolicies reports whether two policy documents mean the same; unparsable documents never do.
func equivalentPolicies(a, b string) bool {
	equivalent, err := policy.Equivalent(a, b)
	return err == nil && equivalent
}

// ValidateAttribute requires the value to be JSON when it is known.
func (v PolicyValue) ValidateAttribute(
	_ context.Context,
	req xattr.ValidateAttributeRequest,
	resp *xattr.ValidateAttributeResponse,
) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if !json.Valid([]byte(v.ValueString())) {
		resp.Diagnostics.AddAttributeError(
			req.Path,
			"Invalid policy JSON",
			"The value is not a JSON document: "+truncate(v.ValueString(), 80),
		)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
