package catalog

import (
	"fmt"
	"slices"
)

// NoAppliancePermissionError reports an operation the appliance's console cannot grant: it has no check box and
// no REST permission of its own. Instead is the operation to register in the appliance for such a role.
type NoAppliancePermissionError struct {
	Operation, Instead string
}

// Error names the operation and what to register instead.
func (e *NoAppliancePermissionError) Error() string {
	return fmt.Sprintf("the appliance has no permission for %q; register %q instead, whose permission covers "+
		"such roles", e.Operation, e.Instead)
}

// AppliancePermission returns the appliance's permission name for an operation of any version. It fails with a
// *NoAppliancePermissionError for an operation the appliance cannot grant, and with a "did you mean" error for an
// unknown name.
func AppliancePermission(operation string) (string, error) {
	c := mustLoad()
	for _, version := range c.order {
		if op, ok := c.versions[version].operations[operation]; ok {
			if op.AppliancePermission == "" {
				return "", &NoAppliancePermissionError{Operation: operation, Instead: op.ApplianceInstead}
			}
			return op.AppliancePermission, nil
		}
	}
	return "", unknownOperationError(c.order[len(c.order)-1], operation)
}

// OperationOfPermission returns the operation whose appliance permission is permission, in any version, and
// whether there is one.
func OperationOfPermission(permission string) (string, bool) {
	for _, name := range AllOperations() {
		if p, err := AppliancePermission(name); err == nil && p == permission {
			return name, true
		}
	}
	return "", false
}

// AppliancePermissions returns every appliance permission name of any version, sorted: what an appliance offers
// a role for when none is selected.
func AppliancePermissions() []string {
	var all []string
	for _, name := range AllOperations() {
		if p, err := AppliancePermission(name); err == nil {
			all = append(all, p)
		}
	}
	slices.Sort(all)
	return all
}

// ApplianceOperations returns the operations of any version the appliance can grant, in the order of
// AllOperations.
func ApplianceOperations() []string {
	return slices.DeleteFunc(AllOperations(), func(name string) bool {
		_, err := AppliancePermission(name)
		return err != nil
	})
}

// checkAppliance checks the appliance fields of v's operations: each permission name belongs to one operation,
// and an operation without one names another operation of v that has one.
func checkAppliance(v *versionData) error {
	owner := make(map[string]string, len(v.names))
	for _, name := range v.names {
		op := v.operations[name]
		switch {
		case op.AppliancePermission != "" && op.ApplianceInstead != "":
			return fmt.Errorf("operation %q: appliance_instead is only for an operation without a permission", name)
		case op.AppliancePermission != "" && owner[op.AppliancePermission] != "":
			return fmt.Errorf("operations %q and %q: both have appliance permission %q", owner[op.AppliancePermission],
				name, op.AppliancePermission)
		case op.AppliancePermission != "":
			owner[op.AppliancePermission] = name
		case v.operations[op.ApplianceInstead].AppliancePermission == "":
			return fmt.Errorf("operation %q: no appliance permission, and appliance_instead %q is not an operation "+
				"of the version that has one", name, op.ApplianceInstead)
		}
	}
	return nil
}

// checkPermissionsAgree checks that an operation has the same appliance permission in every version, and a
// permission the same operation, so that a record reads back as the same operations whatever version the
// configuration uses.
func checkPermissionsAgree(c *catalog) error {
	permissionOf, owner := map[string]string{}, map[string]string{}
	for _, version := range c.order {
		for _, name := range c.versions[version].names {
			p := c.versions[version].operations[name].AppliancePermission
			if prior, seen := permissionOf[name]; seen && prior != p {
				return fmt.Errorf("operation %q has appliance permission %q, and %q in version %s", name, prior, p,
					version)
			}
			if prior, seen := owner[p]; seen && p != "" && prior != name {
				return fmt.Errorf("appliance permission %q belongs to %q, and to %q in version %s", p, prior, name,
					version)
			}
			permissionOf[name], owner[p] = p, name
		}
	}
	return nil
}
