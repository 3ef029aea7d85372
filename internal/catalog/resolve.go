package catalog

import (
	"errors"
	"slices"
	"strings"
)

// Resolve combines the permission sets of operations in version into one
// Selection. With productionWorkers set, each operation's production-worker
// actions are included too. It fails on an unknown version, an unknown
// operation (with a "did you mean" hint) or an empty operation list.
func Resolve(version string, operations []string, productionWorkers bool) (Selection, error) {
	v, err := lookupVersion(version)
	if err != nil {
		return Selection{}, err
	}
	if len(operations) == 0 {
		return Selection{}, errors.New("no operations given; valid operations: " + strings.Join(v.names, ", "))
	}
	names := sortedUnique(operations)
	sel := Selection{Operations: names}
	var actions actionSet
	var principals []string
	for _, name := range names {
		op, ok := v.operations[name]
		if !ok {
			return Selection{}, unknownOperationError(version, name)
		}
		actions.add(op.Actions...)
		if productionWorkers {
			actions.add(op.ProductionWorkerActions...)
		}
		principals = append(principals, op.ServicePrincipals...)
		sel.RequiresInstanceProfile = sel.RequiresInstanceProfile || op.RequiresInstanceProfile
	}
	sel.Actions = actions.sorted()
	sel.ServicePrincipals = sortedUnique(principals)
	return sel, nil
}

// actionSet collects IAM actions, ignoring case when deduplicating and
// keeping the first spelling added. The zero value is ready to use.
type actionSet struct {
	seen  map[string]bool
	items []keyedAction
}

// keyedAction is an action with its case-folded form, computed once.
type keyedAction struct {
	key, action string
}

// add inserts actions that are not present yet (case-insensitively).
func (s *actionSet) add(actions ...string) {
	if s.seen == nil {
		s.seen = make(map[string]bool, len(actions))
	}
	for _, a := range actions {
		key := strings.ToLower(a)
		if !s.seen[key] {
			s.seen[key] = true
			s.items = append(s.items, keyedAction{key: key, action: a})
		}
	}
}

// sorted returns the collected actions ordered case-insensitively, breaking ties bytewise.
func (s *actionSet) sorted() []string {
	slices.SortFunc(s.items, func(a, b keyedAction) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.action, b.action)
	})
	out := make([]string, len(s.items))
	for i, it := range s.items {
		out[i] = it.action
	}
	return out
}

// sortedUnique returns values sorted bytewise without exact duplicates. It
// never returns nil.
func sortedUnique(values []string) []string {
	out := make([]string, len(values))
	copy(out, values)
	slices.Sort(out)
	return slices.Compact(out)
}
