// Package veeamrest holds, as data, the REST revisions of Veeam Backup for AWS that this project knows: the one
// place the client (internal/appliance), the emulator (internal/applianceemu), the provider's schema and its
// docs read them from. It has no dependencies beyond the standard library.
package veeamrest

import "slices"

// revisions are the known REST revisions, newest first. Which appliance speaks which (veeam-rest.md §1): 1.0-rev0
// for 2.0 and 3.0, 1.2-rev0 for 4.0, 1.3-rev0 for 5.0, 1.4-rev0 for 6.0, 1.5-rev0/1.5-rev1 for 7.0, 1.6-rev0 for
// 8.x, 1.7-rev0 (and 1.7-rev1) for 9.x, 1.8-rev0 and 1.9-rev0 for 10.x, 1.9-rev0 for 11. 1.1-rev0 appears in
// Veeam's versioning table without a product; it is kept so that an appliance that speaks only it can still be
// reached. A new revision is added here, at the front.
var revisions = []string{
	"1.9-rev0", "1.8-rev0", "1.7-rev1", "1.7-rev0", "1.6-rev0", "1.5-rev1", "1.5-rev0",
	"1.4-rev0", "1.3-rev0", "1.2-rev0", "1.1-rev0", "1.0-rev0",
}

// Revisions returns the known REST revisions, newest first.
func Revisions() []string { return slices.Clone(revisions) }

// Newest returns the newest known REST revision.
func Newest() string { return revisions[0] }
