// Package operationsguide renders the operations guide of the provider's documentation from the catalog: what
// each Veeam operation is for, the trust and instance profile it implies, its action counts per product version,
// its appliance permission and Veeam's pages, and which operations a role needs. The guide is generated, so it
// cannot drift from the permissions the provider writes.
package operationsguide

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"text/template"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
)

// Path is where the guide is written, relative to the repository root. tfplugindocs copies it unchanged to
// docs/guides/operations.md.
const Path = "templates/guides/operations.md"

//go:embed guide.md.gotmpl
var guideTemplate string

// operationView is what the guide shows of one operation.
type operationView struct {
	catalog.Operation
	// Counts are the operation's action counts, one per product version that has it, oldest first.
	Counts []versionCount
	// Columns are the operation's action counts, one per product version, oldest first: Absent where a version
	// does not have the operation.
	Columns []versionCount
	// ExtraCounts are the numbers of actions workers_in_production_accounts = true adds, one per product
	// version, or none when it adds nothing.
	ExtraCounts []versionCount
}

// versionCount is a number of actions in one product version.
type versionCount struct {
	Version, Build string
	Actions        int
	Absent         bool
}

// recipeView is a set of operations for one kind of role, with what it adds up to in the default version.
type recipeView struct {
	Operations []string
	Version    string
	catalog.Selection
	// ExtraActions is the number of actions the selection gains with workers_in_production_accounts = true.
	ExtraActions int
}

// Render returns the guide as Markdown.
func Render() ([]byte, error) {
	versions := catalog.Versions()
	operations := make([]operationView, 0, len(catalog.AllOperations()))
	for _, name := range catalog.AllOperations() {
		view, err := viewOf(name, versions)
		if err != nil {
			return nil, err
		}
		operations = append(operations, view)
	}
	tpl, err := template.New("guide").Funcs(template.FuncMap{"recipe": recipe}).Parse(guideTemplate)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = tpl.Execute(&out, map[string]any{"Operations": operations, "Versions": versions})
	return out.Bytes(), err
}

// viewOf collects one operation's counts in every version that has it; its texts come from the newest such
// version, whose notes include what each version changed.
func viewOf(name string, versions []string) (operationView, error) {
	var view operationView
	for _, version := range versions {
		if !slices.Contains(catalog.VersionsOf(name), version) {
			view.Columns = append(view.Columns, versionCount{Version: version, Absent: true})
			continue
		}
		op, err := catalog.Get(version, name)
		if err != nil {
			return operationView{}, err
		}
		build, err := catalog.Build(version)
		if err != nil {
			return operationView{}, err
		}
		withWorkers, err := catalog.Resolve(version, []string{name}, true)
		if err != nil {
			return operationView{}, err
		}
		view.Operation = op
		count := versionCount{Version: version, Build: build, Actions: len(op.Actions)}
		view.Counts = append(view.Counts, count)
		view.Columns = append(view.Columns, count)
		if extra := len(withWorkers.Actions) - len(op.Actions); extra > 0 {
			view.ExtraCounts = append(view.ExtraCounts, versionCount{Version: version, Build: build, Actions: extra})
		}
	}
	return view, nil
}

// recipe resolves operations in the default version, failing the rendering on an unknown name.
func recipe(operations ...string) (recipeView, error) {
	selection, err := catalog.Resolve(catalog.DefaultVersion, operations, false)
	if err != nil {
		return recipeView{}, fmt.Errorf("recipe %v: %w", operations, err)
	}
	withWorkers, err := catalog.Resolve(catalog.DefaultVersion, operations, true)
	if err != nil {
		return recipeView{}, err
	}
	return recipeView{Operations: slices.Clone(operations), Version: catalog.DefaultVersion, Selection: selection,
		ExtraActions: len(withWorkers.Actions) - len(selection.Actions)}, nil
}
