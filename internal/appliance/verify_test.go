package appliance

import (
	"strings"
	"testing"
)

// Differences names every field of a write that the record read back does not hold, and says when the record
// offers more permissions than were asked for; with none asked for, any list means all.
func TestDifferences(t *testing.T) {
	spec := RoleSpec{Name: "n", Description: "d", AccountID: "123456789012", RoleName: "/veeam/r",
		Permissions: []string{"EC2Restore", "EC2BackupSnapshot"}}
	held := Role{Name: "n", Description: "d", AccountID: "123456789012", RoleName: "veeam/r",
		Permissions: []string{"EC2BackupSnapshot", "EC2Restore"}}
	cases := []struct {
		name    string
		change  func(*Role, *RoleSpec)
		fields  string
		broader bool
	}{
		{"kept", func(*Role, *RoleSpec) {}, "", false},
		{"all", func(r *Role, s *RoleSpec) { s.Permissions, r.Permissions = nil, []string{"X", "Y", "Z"} }, "", false},
		{"all without a list", func(r *Role, s *RoleSpec) { s.Permissions, r.Permissions = nil, nil }, "", false},
		{"name and description", func(r *Role, _ *RoleSpec) { r.Name, r.Description = "m", "" },
			"name,description", false},
		{"mode and account", func(r *Role, _ *RoleSpec) { r.CrossAccount, r.AccountID = true, "" }, "mode,account",
			false},
		{"role", func(r *Role, _ *RoleSpec) { r.RoleName = "r" }, "role", false},
		{"broader", func(r *Role, _ *RoleSpec) { r.Permissions = append(r.Permissions, "RDSRestore") },
			"permissions", true},
		{"narrower", func(r *Role, _ *RoleSpec) { r.Permissions = r.Permissions[:1] }, "permissions", false},
		{"no list", func(r *Role, _ *RoleSpec) { r.Permissions = nil }, "permissions", false},
	}
	for _, tc := range cases {
		r, s := held, spec
		r.Permissions = append([]string(nil), held.Permissions...)
		tc.change(&r, &s)
		diffs, broader := Differences(r, s)
		var fields []string
		for _, d := range diffs {
			fields = append(fields, d.Field)
		}
		if got := strings.Join(fields, ","); got != tc.fields || broader != tc.broader {
			t.Errorf("%s: fields %q broader %v, want %q %v", tc.name, got, broader, tc.fields, tc.broader)
		}
	}
}
