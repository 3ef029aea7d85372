package acctest

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// ExpectOutputsKnown is a plan check: no root output of the saved plan (`terraform show -json` of it) has an
// unknown value anywhere, nested values included.
func ExpectOutputsKnown() plancheck.PlanCheck { return outputsKnownCheck{} }

type outputsKnownCheck struct{}

func (outputsKnownCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest,
	resp *plancheck.CheckPlanResponse) {
	var unknown []string
	for address, change := range req.Plan.OutputChanges {
		if containsUnknown(change.AfterUnknown) {
			unknown = append(unknown, address)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		resp.Error = fmt.Errorf("outputs unknown at plan time: %v", unknown)
	}
}

// containsUnknown walks an after_unknown value of the JSON plan, where true marks an unknown value.
func containsUnknown(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case []any:
		for _, e := range v {
			if containsUnknown(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if containsUnknown(e) {
				return true
			}
		}
	}
	return false
}
