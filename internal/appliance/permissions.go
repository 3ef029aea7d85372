package appliance

import "github.com/vbaws/terraform-provider-vbaws/internal/catalog"

// PermissionOf returns the appliance's permission name for an operation name, and whether there is one. The
// catalog's data is the only list of them.
func PermissionOf(operation string) (string, bool) {
	p, err := catalog.AppliancePermission(operation)
	return p, err == nil
}

// OperationOf returns the operation name for an appliance permission name, and whether there is one.
func OperationOf(permission string) (string, bool) {
	return catalog.OperationOfPermission(permission)
}

// AllPermissions returns every permission name this client knows, sorted.
func AllPermissions() []string {
	return catalog.AppliancePermissions()
}
