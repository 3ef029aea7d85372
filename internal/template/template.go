// Package template turns a selection of Veeam operations into the managed policies of a role template: the
// documents, split to fit IAM's size limit, the names of their parts, and the tags that let an import rebuild the
// selection. It has no Terraform or AWS SDK imports.
package template

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// Tag keys written on every part. Operations may need more than one tag value of 256 characters, so they are
// spread over "vbaws:operations", "vbaws:operations:2", ...
const (
	TagPrefix         = "vbaws:"
	tagOperations     = TagPrefix + "operations"
	tagVersion        = TagPrefix + "product-version"
	tagWorkers        = TagPrefix + "workers-in-production-accounts"
	tagPart           = TagPrefix + "part"
	maxTagValueLength = 256
	sidPrefix         = "VeeamPermissions"
)

// Template is a resolved selection rendered as managed-policy documents.
type Template struct {
	catalog.Selection
	// Version is the Veeam product version the actions come from.
	Version string
	// ProductionWorkers tells whether the production-worker extras are included.
	ProductionWorkers bool
	// Documents are the policy documents, each at most policy.ManagedPolicyMaxSize characters by policy.Size.
	Documents []string
}

// Render resolves operations in the catalog of version and splits their actions into documents. The same input
// always gives the same documents.
func Render(version string, operations []string, productionWorkers bool) (Template, error) {
	selection, err := catalog.Resolve(version, operations, productionWorkers)
	if err != nil {
		return Template{}, err
	}
	documents, err := policy.SplitActions(selection.Actions, sidPrefix, policy.ManagedPolicyMaxSize)
	if err != nil {
		return Template{}, err
	}
	return Template{
		Selection:         selection,
		Version:           version,
		ProductionWorkers: productionWorkers,
		Documents:         documents,
	}, nil
}

// PartNames names the managed policies of a template called name: name itself for one part, and name-1, name-2,
// ... when the documents are split.
func PartNames(name string, parts int) []string {
	if parts == 1 {
		return []string{name}
	}
	names := make([]string, parts)
	for i := range names {
		names[i] = name + "-" + strconv.Itoa(i+1)
	}
	return names
}

// RevisedPartNames names the parts of a template called name after a change IAM cannot make to a policy in place
// (its description or path): name.1, name.2, ... The next such change returns to PartNames, so the two sets
// alternate, and the parts of the old set can be retired while roles still have them attached.
func RevisedPartNames(name string, parts int) []string {
	names := make([]string, parts)
	for i := range names {
		names[i] = name + "." + strconv.Itoa(i+1)
	}
	return names
}

// IsRevisedPartName reports whether partName belongs to RevisedPartNames of a template called name.
func IsRevisedPartName(name, partName string) bool {
	number, found := strings.CutPrefix(partName, name+".")
	if !found {
		return false
	}
	n, err := strconv.Atoi(number)
	return err == nil && n > 0 && strconv.Itoa(n) == number
}

// Tags returns the tags of part index (from 0) of t.
func (t Template) Tags(index int) map[string]string {
	tags := map[string]string{
		tagVersion: t.Version,
		tagWorkers: strconv.FormatBool(t.ProductionWorkers),
		tagPart:    fmt.Sprintf("%d/%d", index+1, len(t.Documents)),
	}
	for i, value := range chunks(t.Operations, maxTagValueLength) {
		tags[operationsKey(i)] = value
	}
	return tags
}

func operationsKey(i int) string {
	if i == 0 {
		return tagOperations
	}
	return tagOperations + ":" + strconv.Itoa(i+1)
}

// chunks joins names with spaces into values of at most limit characters, never splitting a name.
func chunks(names []string, limit int) []string {
	var values []string
	current := ""
	for _, name := range names {
		switch {
		case current == "":
			current = name
		case len(current)+1+len(name) > limit:
			values = append(values, current)
			current = name
		default:
			current += " " + name
		}
	}
	return append(values, current)
}

// Recorded is what the tags of a part say about the template it belongs to.
type Recorded struct {
	// Operations, Version and ProductionWorkers are the selection.
	Operations        []string
	Version           string
	ProductionWorkers bool
	// Part is the part's number from 1, and Parts how many there are.
	Part, Parts int
}

// ParseTags reads the tags Tags wrote. It fails, saying what is missing, for a policy this provider did not create.
func ParseTags(tags map[string]string) (Recorded, error) {
	var r Recorded
	var err error
	if r.Version = tags[tagVersion]; r.Version == "" {
		return Recorded{}, fmt.Errorf(
			"the policy has no %s tag, so it was not created by vbaws_role_template",
			tagVersion,
		)
	}
	if r.ProductionWorkers, err = strconv.ParseBool(tags[tagWorkers]); err != nil {
		return Recorded{}, fmt.Errorf("tag %s: %w", tagWorkers, err)
	}
	if _, err := fmt.Sscanf(tags[tagPart], "%d/%d", &r.Part, &r.Parts); err != nil || r.Part < 1 || r.Part > r.Parts {
		return Recorded{}, fmt.Errorf("tag %s is %q, want <part>/<parts>", tagPart, tags[tagPart])
	}
	for i := 0; tags[operationsKey(i)] != ""; i++ {
		r.Operations = append(r.Operations, strings.Fields(tags[operationsKey(i)])...)
	}
	if len(r.Operations) == 0 {
		return Recorded{}, fmt.Errorf("the policy has no %s tag", tagOperations)
	}
	slices.Sort(r.Operations)
	return r, nil
}

// UnusedTagKeys lists the operations tag keys a selection of every operation could use but t does not, so that a
// part shrinking to a shorter selection can drop them.
func (t Template) UnusedTagKeys(index int) []string {
	own := t.Tags(index)
	var unused []string
	for i := range len(catalog.AllOperations()) {
		if _, used := own[operationsKey(i)]; !used {
			unused = append(unused, operationsKey(i))
		}
	}
	return unused
}
