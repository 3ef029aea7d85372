package applianceemu

import (
	"fmt"
	"net/http"
	"slices"
)

// Unknowns are the switches for what Veeam does not publish about revisions 1.5-rev0 and later. The zero value
// is the emulator's best guess; each other value is a plausible real appliance that a client must either work
// with or fail loudly against, never silently.
type Unknowns struct {
	// PermissionsRequestProperty is the property create and update read the requested permissions from;
	// "requestedPermissions" when empty (inferred from a 1.8-rev0 client). A request that sends them under
	// another name has them ignored without a word, as ASP.NET Core model binding ignores unknown properties,
	// so the record gets every permission.
	PermissionsRequestProperty string
	// PermissionsAnswerProperty is the property answers carry a record's permissions in; "accountPermissions"
	// when empty (inferred).
	PermissionsAnswerProperty string
	// AccountProperty is the property answers of 1.8-rev0 and later carry a record's AWS account in;
	// "awsAccountId" when empty (inferred; 1.0-rev0 has awsid, verified).
	AccountProperty string
	// AllPermissions is how many permission names a record registered with none selected reports: 22 (every
	// name the emulator knows) when 0; 21 leaves out OrganizationRescanRole (v10's banner does not mention
	// it); 23 adds ExtraPermission, a name no client knows (a newer appliance may add one).
	AllPermissions int
	// RevisionRefusal is how a request whose x-api-version the appliance does not accept is refused;
	// RefusalVeeamError when empty.
	RevisionRefusal RevisionRefusal
	// TokenIgnoresRevision makes POST /token accept any x-api-version, or none, while every other call still
	// enforces the window: a client that negotiates on /token alone then settles on a revision the appliance
	// refuses everywhere else.
	TokenIgnoresRevision bool
}

// ExtraPermission is the permission name an appliance with Unknowns.AllPermissions = 23 reports besides the 22
// the emulator knows.
const ExtraPermission = "MalwareScanRole"

// RevisionRefusal is one way of refusing an x-api-version. None of them is published for the appliance; the
// status 400 and the names of the problems come from ASP.NET API Versioning, which the appliance's stack suggests.
type RevisionRefusal string

// The refusals an emulated appliance can answer with.
const (
	// RefusalVeeamError is Veeam's Error body with type /api/v1/problems/unsupportedApiVersion (or
	// invalidApiVersion, apiVersionUnspecified) and errorCode UnexpectedContent, the published enum value that
	// fits best.
	RefusalVeeamError RevisionRefusal = "veeam-error"
	// RefusalProblemDetails is ASP.NET API Versioning's ProblemDetails: type
	// https://docs.api-versioning.org/problems#unsupported, title, detail and a code extension.
	RefusalProblemDetails RevisionRefusal = "problem-details"
	// RefusalErrorObject is ASP.NET API Versioning's older {"error": {"code", "message"}} body.
	RefusalErrorObject RevisionRefusal = "error-object"
	// RefusalPlainText is a text/plain 400 that reads "API version 1.9-rev0 is not supported".
	RefusalPlainText RevisionRefusal = "plain-text"
	// RefusalEmpty400 is a 400 without a body.
	RefusalEmpty400 RevisionRefusal = "empty-400"
	// RefusalNotFound is a 404 with Veeam's Error body, as a router that matches no action for the version
	// answers.
	RefusalNotFound RevisionRefusal = "not-found"
	// RefusalNotAcceptable is a 406 without a body.
	RefusalNotAcceptable RevisionRefusal = "not-acceptable"
	// RefusalUnsupportedMediaType is a 415 without a body.
	RefusalUnsupportedMediaType RevisionRefusal = "unsupported-media-type"
)

// RevisionRefusals lists every refusal, for tests that go through them all.
var RevisionRefusals = []RevisionRefusal{RefusalVeeamError, RefusalProblemDetails, RefusalErrorObject,
	RefusalPlainText, RefusalEmpty400, RefusalNotFound, RefusalNotAcceptable, RefusalUnsupportedMediaType}

func (u Unknowns) permissionsRequestProperty() string {
	return valueOr(u.PermissionsRequestProperty, "requestedPermissions")
}

func (u Unknowns) permissionsAnswerProperty() string {
	return valueOr(u.PermissionsAnswerProperty, "accountPermissions")
}

// allPermissions is what a record with no permissions selected reports.
func (u Unknowns) allPermissions() []string {
	switch u.AllPermissions {
	case 21:
		return slices.DeleteFunc(slices.Clone(permissionNames), func(p string) bool { return p == "OrganizationRescanRole" })
	case 23:
		return append(slices.Clone(permissionNames), ExtraPermission)
	}
	return permissionNames
}

// validate says what is wrong with u, or nil.
func (u Unknowns) validate() error {
	if n := u.AllPermissions; n != 0 && n != 21 && n != 22 && n != 23 {
		return fmt.Errorf("Unknowns.AllPermissions is %d; use 21, 22 or 23", n)
	}
	if u.RevisionRefusal != "" && !slices.Contains(RevisionRefusals, u.RevisionRefusal) {
		return fmt.Errorf("Unknowns.RevisionRefusal %q is not one of %v", u.RevisionRefusal, RevisionRefusals)
	}
	return nil
}

// WriteRevisionRefusal refuses an x-api-version value in the wording how names (RefusalVeeamError when empty):
// problem is unsupportedApiVersion, invalidApiVersion or apiVersionUnspecified, details the sentence that says
// why. The emulator and acctest's hostile appliance both refuse this way.
func WriteRevisionRefusal(w http.ResponseWriter, how RevisionRefusal, problem, value, details string) {
	switch how {
	case RefusalProblemDetails:
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"type":   "https://docs.api-versioning.org/problems#" + problemSuffix(problem),
			"title":  "Unsupported API version",
			"status": http.StatusBadRequest,
			"detail": details,
			"code":   upperFirst(problem),
		})
	case RefusalErrorObject:
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"error": map[string]any{"code": upperFirst(problem), "message": details, "innerError": nil}})
	case RefusalPlainText:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "API version %s is not supported", value)
	case RefusalEmpty400:
		w.WriteHeader(http.StatusBadRequest)
	case RefusalNotFound:
		writeProblem(w, http.StatusNotFound, "resourceNotFound", "Not Found", "NotFound", "The resource was not found.")
	case RefusalNotAcceptable:
		w.WriteHeader(http.StatusNotAcceptable)
	case RefusalUnsupportedMediaType:
		w.WriteHeader(http.StatusUnsupportedMediaType)
	default:
		writeProblem(w, http.StatusBadRequest, problem, "Bad Request", "UnexpectedContent", details)
	}
}

// refuseRevision answers a request whose x-api-version value the appliance does not accept, in the configured
// wording. problem is unsupportedApiVersion, invalidApiVersion or apiVersionUnspecified.
func (s *Server) refuseRevision(w http.ResponseWriter, problem, value, details string) {
	if s.opts.AnnounceRevisions {
		w.Header().Set("api-supported-versions", joinRevisions(s.opts.Revisions))
	}
	WriteRevisionRefusal(w, s.opts.Unknowns.RevisionRefusal, problem, value, details)
}

// problemSuffix is the fragment of API Versioning's problem type URI for a problem name.
func problemSuffix(problem string) string {
	switch problem {
	case "apiVersionUnspecified":
		return "unspecified"
	case "invalidApiVersion":
		return "invalid"
	}
	return "unsupported"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
