package appliance

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/vbaws/terraform-provider-vbaws/internal/veeamrest"
)

// KnownRevisions are the REST revisions this client knows, newest first: veeamrest's list, the one place a new
// revision is added. "auto" negotiation tries them in this order.
var KnownRevisions = veeamrest.Revisions()

// AutoRevision asks the client to negotiate the revision with the appliance.
const AutoRevision = "auto"

var revisionPattern = regexp.MustCompile(`^(\d+)\.(\d+)-rev(\d+)$`)

// Revision is a parsed x-api-version value such as 1.8-rev0.
type Revision struct {
	Major, Minor, Rev int
}

// ParseRevision parses "<major>.<minor>-rev<n>", the only form Veeam's x-api-version header takes.
func ParseRevision(s string) (Revision, error) {
	m := revisionPattern.FindStringSubmatch(s)
	if m == nil {
		return Revision{}, fmt.Errorf("%q is not a REST revision; write it like 1.8-rev0", s)
	}
	var r Revision
	r.Major, _ = strconv.Atoi(m[1])
	r.Minor, _ = strconv.Atoi(m[2])
	r.Rev, _ = strconv.Atoi(m[3])
	return r, nil
}

// String formats r as the x-api-version header spells it.
func (r Revision) String() string { return fmt.Sprintf("%d.%d-rev%d", r.Major, r.Minor, r.Rev) }

// AtLeast reports whether r is o or newer.
func (r Revision) AtLeast(o Revision) bool {
	if r.Major != o.Major {
		return r.Major > o.Major
	}
	if r.Minor != o.Minor {
		return r.Minor > o.Minor
	}
	return r.Rev >= o.Rev
}

// permissionsSince is the first revision whose create and update specs take a permission selection: 1.5-rev0
// added an optional property of type CloudAccountPermission (veeam-rest.md §2.3, verified from the changelog).
var permissionsSince = Revision{1, 5, 0}

// SupportsPermissions reports whether records of revision r carry a permission selection.
func (r Revision) SupportsPermissions() bool { return r.AtLeast(permissionsSince) }
