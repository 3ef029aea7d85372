package provider

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

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
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}
