// Package catalog holds the IAM permission sets that Veeam Backup for AWS
// (and its successor, Veeam Plug-in for AWS) requires, as data.
//
// The action lists are embedded JSON files under data/: data/v10.json is
// taken verbatim from the Veeam Backup for AWS user guide, build 10.0.0.232,
// and data/v11.json is the published version 10 to 11 changelog applied on
// top of it. Every list records the page it was copied from and the product
// build. Action names are spelled as AWS spells them, even where Veeam's
// page does not (Veeam publishes e.g. "iam:listInstanceProfiles" and
// "rds:CreateDbInstance"); IAM itself compares action names
// case-insensitively, and so do the unions computed here.
//
// The package is pure data plus small helpers: it has no Terraform or AWS
// SDK dependency.
package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultVersion is the Veeam product version used when a caller does not
// choose one: Veeam Backup for AWS 10 (build 10.0.0.232).
const DefaultVersion = "10"

// Operation is the permission set Veeam requires for one operation (one
// check box of Veeam's "granular permissions" dialog).
type Operation struct {
	// Name is the snake_case operation name, e.g. "ec2_backup".
	Name string
	// Purpose says what Veeam uses a role with this operation for.
	Purpose string
	// AppliancePermission is the name of the matching permission of
	// Veeam's REST API and role wizard, e.g. "EC2BackupSnapshot", or ""
	// when Veeam has none for the operation. The names are those sent to
	// 1.8-rev0 appliances (veeam-rest.md §2.3, seen in a client's code,
	// not in Veeam's text); inferred: that 1.5-rev0 to 1.7-rev1 and
	// 1.9-rev0 use the same names, and that each check box is exactly one
	// name.
	AppliancePermission string
	// ApplianceInstead names the operation whose appliance permission
	// covers this one when AppliancePermission is "" (e.g. the console's
	// production worker check box for flr_worker), and is "" otherwise.
	ApplianceInstead string
	// Actions are the IAM actions the role needs, spelled as AWS spells
	// them, deduplicated case-insensitively and sorted.
	Actions []string
	// ServicePrincipals are the AWS service principals that must be
	// allowed to sts:AssumeRole in the role's trust policy, in addition to
	// the backup appliance principal every role needs.
	ServicePrincipals []string
	// RequiresInstanceProfile reports whether the role must belong to at
	// least one instance profile (roles attached to worker instances).
	RequiresInstanceProfile bool
	// ProductionWorkerActions are the extra actions the role needs when
	// Veeam runs worker instances in the production account.
	ProductionWorkerActions []string
	// Sources are the Veeam documentation URLs the actions come from, in
	// the order the data names them.
	Sources []string
	// Notes explains the mapping, in particular where it is inferred
	// rather than stated by Veeam.
	Notes string
}

// Selection is the combined permission set of several operations.
type Selection struct {
	// Operations are the requested operation names, deduplicated and
	// sorted.
	Operations []string
	// Actions is the union of the operations' actions (plus their
	// production-worker actions when requested), deduplicated
	// case-insensitively keeping the first spelling seen, and sorted
	// case-insensitively then bytewise.
	Actions []string
	// ServicePrincipals is the sorted union of the operations' extra
	// trust service principals.
	ServicePrincipals []string
	// RequiresInstanceProfile reports whether any selected operation
	// needs the role in an instance profile.
	RequiresInstanceProfile bool
}

// Versions returns the supported product versions, oldest first: one per
// data/v<version>.json file.
func Versions() []string {
	return slices.Clone(mustLoad().order)
}

// Operations returns the names of the operations of version, in the order
// of its data: its base version's, without the ones it drops, then the
// ones it adds.
func Operations(version string) ([]string, error) {
	v, err := lookupVersion(version)
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.names), nil
}

// AllOperations returns the name of every operation of any version, each
// once, in the order they first appear from the oldest version on.
func AllOperations() []string {
	return slices.Clone(mustLoad().allNames)
}

// VersionsOf returns the versions that have the operation name, oldest
// first; none for an unknown name.
func VersionsOf(name string) []string {
	c := mustLoad()
	var in []string
	for _, version := range c.order {
		if _, ok := c.versions[version].operations[name]; ok {
			in = append(in, version)
		}
	}
	return in
}

// Build returns the Veeam product build the lists of version were taken
// from, e.g. "10.0.0.232".
func Build(version string) (string, error) {
	v, err := lookupVersion(version)
	if err != nil {
		return "", err
	}
	return v.build, nil
}

// Get returns the permission set of one operation in version.
func Get(version, name string) (Operation, error) {
	v, err := lookupVersion(version)
	if err != nil {
		return Operation{}, err
	}
	op, ok := v.operations[name]
	if !ok {
		return Operation{}, unknownOperationError(version, name)
	}
	return cloneOperation(op), nil
}

// fullList returns every action of version: Veeam's published full list
// for the Default Backup Restore role plus the documented additions (see
// the data files), sorted case-insensitively. The tests check that the
// operations together grant exactly these actions.
func fullList(version string) ([]string, error) {
	v, err := lookupVersion(version)
	if err != nil {
		return nil, err
	}
	return slices.Clone(v.fullList), nil
}

// lookupVersion returns the loaded data of version or an error naming the
// valid versions.
func lookupVersion(version string) (*versionData, error) {
	c, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	v, ok := c.versions[version]
	if !ok {
		return nil, fmt.Errorf("unknown Veeam version %q; valid versions: %s", version, quoteList(c.order))
	}
	return v, nil
}

// mustLoad returns the embedded catalog. Its data is checked by the tests, so
// a failure here is a build that cannot work at all.
func mustLoad() *catalog {
	c, err := loadEmbedded()
	if err != nil {
		panic(err)
	}
	return c
}

// unknownOperationError reports an operation name version does not have: the
// versions that do have it, or a "did you mean" hint, or the list of valid
// names when nothing is close.
func unknownOperationError(version, name string) error {
	if in := VersionsOf(name); len(in) > 0 {
		return fmt.Errorf("operation %q is not in version %s; it is in version %s", name, version,
			strings.Join(in, ", "))
	}
	if s := Suggest(name); s != "" {
		return fmt.Errorf("unknown operation %q; did you mean %q?", name, s)
	}
	names, _ := Operations(version)
	return fmt.Errorf("unknown operation %q; valid operations: %s", name, strings.Join(names, ", "))
}

// quoteList renders values as a comma-separated list of quoted strings.
func quoteList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(quoted, ", ")
}

// cloneOperation returns a deep copy so callers cannot modify cached data.
func cloneOperation(op Operation) Operation {
	op.Actions = slices.Clone(op.Actions)
	op.ServicePrincipals = slices.Clone(op.ServicePrincipals)
	op.ProductionWorkerActions = slices.Clone(op.ProductionWorkerActions)
	op.Sources = slices.Clone(op.Sources)
	return op
}
