package provider

import (
	"time"

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
