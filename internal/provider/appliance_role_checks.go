package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// What vbaws_appliance_role checks around a write: that a role of the provider's own account exists (what
// waiting cannot fix fails at once), that the appliance kept every field it was sent, and what "all permissions"
// reads back as.

// missingRole says that a role of the provider's account does not exist, naming the closest one that does.
type missingRole struct {
	arn, account, closest string
}

func (m *missingRole) Error() string {
	msg := fmt.Sprintf("Role %s does not exist in account %s, the provider's account, so the appliance could "+
		"never assume it and waiting would not help.", m.arn, m.account)
	if m.closest != "" {
		msg += fmt.Sprintf(" The closest existing role is %s. Correct role_arn, or refer to the role's resource "+
			"(such as vbaws_iam_role.x.arn) so that it is created first.", m.closest)
	}
	return msg
}

// roleMissing checks with IAM that the role of roleARN exists when it is in the provider's own account; roles of
// other accounts are left to the appliance's answer. It returns a *missingRole when the role does not exist.
func (r *applianceRoleResource) roleMissing(ctx context.Context, roleARN string) error {
	role, problem := principal.ParseRoleARN(roleARN)
	if problem != nil || r.client == nil || r.client.AccountID == "" || role.AccountID != r.client.AccountID {
		return nil //nolint:nilerr // a malformed ARN is the attribute validator's to report, not this check's
	}
	found, err := r.client.ReadRole(ctx, role.Name, awsclient.RoleHint{Path: role.Path})
	switch {
	case err == nil && aws.ToString(found.Path) == role.Path:
		return nil
	case err != nil && !awsclient.IsNoSuchEntity(err):
		return err
	}
	want := appliance.RoleNameOf(role.Path, role.Name)
	closest, exists, err := r.closestRole(ctx, want)
	if err != nil || exists { // listed after all: IAM's read lagged its write
		return err
	}
	return &missingRole{arn: roleARN, account: role.AccountID, closest: closest}
}

// closestRole returns the name, with its path, of the role of the provider's account closest to want, and whether
// a role named exactly want is listed.
func (r *applianceRoleResource) closestRole(ctx context.Context, want string) (string, bool, error) {
	closest, best, exists := "", -1, false
	err := r.client.EachRole(ctx, "/", func(role iamtypes.Role) bool {
		name := appliance.RoleNameOf(aws.ToString(role.Path), aws.ToString(role.RoleName))
		if name == want {
			exists = true
			return false
		}
		if d := levenshtein.Distance(strings.ToLower(want), strings.ToLower(name), nil); best < 0 || d < best {
			closest, best = aws.ToString(role.Arn), d
		}
		return true
	})
	return closest, exists, err
}

// addRoleMissing reports err from roleMissing on role_arn.
func addRoleMissing(diags *diag.Diagnostics, err error) {
	var missing *missingRole
	if errors.As(err, &missing) {
		diags.AddAttributeError(pathApplianceRoleARN, "No such IAM role", missing.Error())
		return
	}
	addAWSError(diags, "Cannot check that the IAM role exists", err)
}

// warnRoleMissing reports at plan time that the role does not exist yet: a role that another resource of the
// configuration creates in the same apply has a known ARN at plan time too, so only the apply can fail for it.
func warnRoleMissing(diags *diag.Diagnostics, err error) {
	var missing *missingRole
	if errors.As(err, &missing) {
		diags.AddAttributeWarning(pathApplianceRoleARN, "No such IAM role yet", missing.Error()+
			" Unless a resource of this configuration creates it, the apply will fail at once.")
	}
}

// addVerifyError reports a write the appliance did not keep, and what became of the record.
func addVerifyError(diags *diag.Diagnostics, e *appliance.VerifyError, outcome string) {
	broader := ""
	if e.Broader {
		broader = " The record offers the role for more operations than configured, so least privilege would be lost."
	}
	diags.AddAttributeError(pathApplianceForField(e), "The appliance did not keep the IAM role record as sent",
		fmt.Sprintf("%s.%s %s\n\nThe property names this provider sends and reads for revisions after 1.0-rev0 are "+
			"inferred, not published by Veeam, so the appliance may have ignored one (field: %s). Pin api_version "+
			"in the appliance block to an older revision the appliance accepts (such as 1.7-rev0) and apply "+
			"again, and report revision %s with this message to the provider's maintainers.",
			e.Error(), broader, outcome, e.Fields(), e.Revision))
}

// pathApplianceForField is the attribute a verification failure is reported on: permissions when they differ,
// else the first field that does.
func pathApplianceForField(e *appliance.VerifyError) path.Path {
	fields := map[string]path.Path{"name": pathApplianceName, "description": pathApplianceDescription,
		"permissions": pathAppliancePermissions, "mode": pathApplianceRoleARN, "account": pathApplianceRoleARN,
		"role": pathApplianceRoleARN}
	if slices.ContainsFunc(e.Differences, func(d appliance.FieldDifference) bool { return d.Field == "permissions" }) {
		return pathAppliancePermissions
	}
	return fields[e.Differences[0].Field]
}

// privateAllPermissions is the private-state key under which the permission names the appliance reported for
// a record registered with none selected ("all") are kept.
const privateAllPermissions = "all_permissions"

// privateState is the part of a response's private state the resource writes.
type privateState interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// rememberAll keeps what the appliance reported as "all" in private state, or forgets it for a selection.
func rememberAll(ctx context.Context, private privateState, m applianceRoleModel,
	role *appliance.Role) diag.Diagnostics {
	value := []byte(nil)
	if len(m.Permissions.Elements()) == 0 && role.Permissions != nil {
		value, _ = json.Marshal(sortedStrings(role.Permissions))
	}
	return private.SetKey(ctx, privateAllPermissions, value)
}

// recalledAll is the list rememberAll kept, or nil.
func recalledAll(ctx context.Context, private interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}) []string {
	raw, _ := private.GetKey(ctx, privateAllPermissions)
	var all []string
	if len(raw) > 0 && json.Unmarshal(raw, &all) != nil {
		return nil
	}
	return all
}

// meansAll reports whether a record's permission names mean "all": every name this provider knows (a newer
// appliance may offer more), or exactly what the appliance reported as all at the last write.
func meansAll(remote, recorded []string) bool {
	sorted := sortedStrings(remote)
	if recorded != nil && slices.Equal(sorted, recorded) {
		return true
	}
	for _, p := range appliance.AllPermissions() {
		if !slices.Contains(sorted, p) {
			return false
		}
	}
	return true
}

// permissionsFrom turns the record's permission names into the value of permissions. A record of a revision
// without permissions keeps the prior value, and one whose names mean "all" (meansAll) keeps a prior "all" (null
// or empty; null after an import).
func permissionsFrom(prior types.Set, remote, recordedAll []string) types.Set {
	if remote == nil || (len(prior.Elements()) == 0 && meansAll(remote, recordedAll)) {
		return prior
	}
	return setOrNull(prior, operationsOf(remote))
}

// allWhenNoneSent is what a write with no permissions selected counts as "all": whatever the appliance reports.
func allWhenNoneSent(spec appliance.RoleSpec, role *appliance.Role) []string {
	if len(spec.Permissions) > 0 || role.Permissions == nil {
		return nil
	}
	return sortedStrings(role.Permissions)
}

func sortedStrings(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return out
}
