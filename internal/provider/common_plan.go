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

// planUnchanged reports whether a resource that exists plans exactly its prior state: its configuration and
// everything Read refreshed agree. ModifyPlan methods then skip what follows only from the configuration's
// names (ARNs, ids), but must still compare what they render from configuration (a trust policy, a statement)
// with what Read found in IAM, because Read writes IAM's value into state, and a value changed outside Terraform
// would otherwise be planned as if it were wanted. vbaws_role_template does not use it, because its documents also
// follow the catalog, which a new provider version may correct.
func planUnchanged(req resource.ModifyPlanRequest) bool {
	return !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw)
}
