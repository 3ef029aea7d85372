package appliance

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// FieldDifference is a field of a write that the record read back does not hold.
type FieldDifference struct {
	// Field is name, description, mode, account, role or permissions.
	Field string
	Sent  string
	Holds string
}

// VerifyError says that the appliance did not keep every field of a write: it answered with success, but the
// record read back differs. The usual cause is a property name this client infers for the revision spoken and the
// appliance does not know, which ASP.NET Core ignores without a word.
type VerifyError struct {
	// Record is what the appliance holds.
	Record *Role
	// Revision is the REST revision spoken.
	Revision    string
	Differences []FieldDifference
	// Broader is true when the record offers the role for permissions that were not asked for.
	Broader bool
}

func (e *VerifyError) Error() string {
	parts := make([]string, 0, len(e.Differences))
	for _, d := range e.Differences {
		parts = append(parts, fmt.Sprintf("%s (sent %s, the appliance holds %s)", d.Field, d.Sent, d.Holds))
	}
	return fmt.Sprintf("the appliance answered with success at REST revision %s but did not keep %s", e.Revision,
		strings.Join(parts, "; "))
}

// Fields lists the fields that differ, comma-separated.
func (e *VerifyError) Fields() string {
	fields := make([]string, 0, len(e.Differences))
	for _, d := range e.Differences {
		fields = append(fields, d.Field)
	}
	return strings.Join(fields, ", ")
}

// Verify reads the record id back and compares it with spec, the write that made it. It returns the record, and
// a *VerifyError (with the record) when a field sent is not what the appliance holds. Permissions are compared
// only when some were sent: with none sent the appliance offers the role for all of them, whatever list it
// reports.
func (c *Client) Verify(ctx context.Context, id string, spec RoleSpec) (*Role, error) {
	role, err := c.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	differences, broader := Differences(*role, spec)
	if len(differences) == 0 {
		return role, nil
	}
	rev, err := c.Revision(ctx)
	if err != nil {
		return role, err
	}
	return role, &VerifyError{Record: role, Revision: rev.String(), Differences: differences, Broader: broader}
}

// Differences lists the fields of spec that role does not hold, and whether role carries permissions that spec
// did not ask for.
func Differences(role Role, spec RoleSpec) ([]FieldDifference, bool) {
	var diffs []FieldDifference
	add := func(field, sent, holds string) {
		if sent != holds {
			diffs = append(diffs, FieldDifference{Field: field, Sent: quoted(sent), Holds: quoted(holds)})
		}
	}
	add("name", spec.Name, role.Name)
	add("description", spec.Description, role.Description)
	add("mode", modeOf(spec.CrossAccount), modeOf(role.CrossAccount))
	add("account", spec.AccountID, role.AccountID)
	if !sameRoleName(spec.RoleName, role.RoleName) {
		add("role", spec.RoleName, role.RoleName)
	}
	if len(spec.Permissions) == 0 {
		return diffs, false
	}
	sent := sortedCopy(spec.Permissions)
	switch {
	case role.Permissions == nil:
		diffs = append(diffs, FieldDifference{Field: "permissions", Sent: strings.Join(sent, ", "),
			Holds: "no permission list this client reads (accountPermissions)"})
		return diffs, false
	case !slices.Equal(sent, sortedCopy(role.Permissions)):
		diffs = append(diffs, FieldDifference{Field: "permissions", Sent: strings.Join(sent, ", "),
			Holds: strings.Join(sortedCopy(role.Permissions), ", ")})
	}
	return diffs, slices.ContainsFunc(role.Permissions, func(p string) bool { return !slices.Contains(sent, p) })
}

func modeOf(crossAccount bool) string {
	if crossAccount {
		return "IAM role from another account"
	}
	return "IAM role from current account"
}

func quoted(s string) string { return fmt.Sprintf("%q", s) }

func sortedCopy(values []string) []string {
	out := slices.Clone(values)
	sort.Strings(out)
	return out
}
