package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// Plan and apply pieces every resource shares.

// defaultRoleTimeout bounds a create, read, update or delete whose configuration sets no timeout.
const defaultRoleTimeout = 5 * time.Minute

// allElementsKnown reports whether every element of a set is known.
func allElementsKnown(set types.Set) bool {
	for _, e := range set.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	return true
}

// partitionOf is the AWS partition of the provider's connection, or "" before the provider is configured.
func partitionOf(client *awsclient.Client) string {
	if client == nil {
		return ""
	}
	return client.Partition
}

// nothingToDerive reports whether a ModifyPlan method that derives only from configuration can leave the plan as it
// is: the resource is being destroyed, or it exists and its plan is its prior state unchanged, so every value the
// method would derive is already there. vbaws_role_template does not use it, because its documents also follow the
// catalog, which a new provider version may correct.
func nothingToDerive(req resource.ModifyPlanRequest) bool {
	return req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw)
}
