package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// What every ModifyPlan that derives values from configuration shares.

// connectionPartition is the AWS partition of the provider's connection, or "" before the provider is configured.
func connectionPartition(client *awsclient.Client) string {
	if client == nil {
		return ""
	}
	return client.Partition
}

// nothingToDerive reports whether a ModifyPlan method that derives only from configuration can leave the plan as it
// is: the resource is being destroyed, or it exists, its plan is its prior state unchanged, and held reports that
// each value the method derives is what IAM holds. The prior state is the refreshed one, and Terraform plans a
// computed value from it, so a derived value IAM returned changed (a trust statement added outside Terraform, say)
// would otherwise be planned as if it were desired: held must compare every derived value that refresh reads back,
// and it runs only when everything else already says "no change". vbaws_role_template does not use it, because its
// documents also follow the catalog, which a new provider version may correct.
func nothingToDerive(req resource.ModifyPlanRequest, held func() bool) bool {
	if req.Plan.Raw.IsNull() {
		return true
	}
	return !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw) && held()
}

// derivedFromReadValues is the held check of a resource whose derived values follow only attributes that refresh
// reads back from the remote object: when the plan equals the refreshed state, they are what the remote holds.
func derivedFromReadValues() bool { return true }
