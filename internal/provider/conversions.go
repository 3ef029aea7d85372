package provider

// Conversions between framework values and Go and AWS values.

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// orUnknown is s, or "(unknown)" when it is empty.
func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// rfc3339 formats an AWS time in UTC, or null.
func rfc3339(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// stringOrNull maps an absent or empty AWS string to null.
func stringOrNull(s *string) types.String {
	if aws.ToString(s) == "" {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

// stringsOf returns the known string elements of a set; a null or unknown set has none.
func stringsOf(ctx context.Context, set types.Set) []string {
	var values []string
	_ = set.ElementsAs(ctx, &values, false)
	sort.Strings(values)
	return values
}

// setOrNull returns values as a set, or null when there are none and the prior value was null, so that an
// unset optional set never shows an empty set as drift.
func setOrNull(prior types.Set, values []string) types.Set {
	if len(values) == 0 && prior.IsNull() {
		return types.SetNull(types.StringType)
	}
	return stringSet(values)
}

// stringSet returns values as a set of strings.
func stringSet(values []string) types.Set {
	return types.SetValueMust(types.StringType, stringValues(values))
}

// stringList returns values as a list of strings, in order.
func stringList(values []string) types.List {
	return types.ListValueMust(types.StringType, stringValues(values))
}

// listStrings returns the known string elements of a list in order; a null or unknown list has none.
func listStrings(ctx context.Context, list types.List) []string {
	var values []string
	_ = list.ElementsAs(ctx, &values, false)
	return values
}

// stringValues returns values as framework strings.
func stringValues(values []string) []attr.Value {
	out := make([]attr.Value, len(values))
	for i, v := range values {
		out[i] = types.StringValue(v)
	}
	return out
}

// knownStrings returns the known string elements of set with the values they came from.
func knownStrings(set types.Set) ([]string, []types.String) {
	var values []string
	var elems []types.String
	for _, e := range set.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			continue
		}
		values = append(values, s.ValueString())
		elems = append(elems, s)
	}
	return values, elems
}

// allElementsKnown reports whether every element of a set is known.
func allElementsKnown(set types.Set) bool {
	for _, e := range set.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	return true
}

// nonNil returns values, or an empty list for nil, so that a function returns [] rather than null.
func nonNil(values []string) []string {
	if values == nil {
		return []string{}
	}
	return values
}
