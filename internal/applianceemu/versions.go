package applianceemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// revision is an x-api-version value, such as 1.8-rev0.
type revision struct{ major, minor, rev int }

var revisionPattern = regexp.MustCompile(`^(\d+)\.(\d+)-rev(\d+)$`)

func parseRevision(s string) (revision, bool) {
	if !revisionPattern.MatchString(s) {
		return revision{}, false
	}
	var r revision
	_, err := fmt.Sscanf(s, "%d.%d-rev%d", &r.major, &r.minor, &r.rev)
	return r, err == nil
}

func (r revision) atLeast(major, minor int) bool {
	return r.major > major || (r.major == major && r.minor >= minor)
}

// hasPermissions: 1.5-rev0 added a permission selection to the create and update specs (verified).
func (r revision) hasPermissions() bool { return r.atLeast(1, 5) }

// newShapes: from 1.8-rev0 the emulator answers with awsAccountId and iamRole, as a client written against
// 1.8-rev0 reads them (inferred; 1.0-rev0 has awsid and IAMRole, verified).
func (r revision) newShapes() bool { return r.atLeast(1, 8) }

// checkRevision enforces the x-api-version window on every request, the token endpoint included (verified:
// the header is mandatory everywhere), unless Unknowns.TokenIgnoresRevision exempts the token endpoint. Refusals
// take the problem names of ASP.NET API Versioning (verified names) in the wording Unknowns.RevisionRefusal picks.
func (s *Server) checkRevision(w http.ResponseWriter, r *http.Request, op string) (revision, bool) {
	value := r.Header.Get("x-api-version")
	rev, valid := parseRevision(value)
	if op == opToken && s.opts.Unknowns.TokenIgnoresRevision {
		return rev, true
	}
	switch {
	case value == "":
		s.refuseRevision(w, "apiVersionUnspecified", value, "An API version is required, but was not specified.")
	case !valid:
		s.refuseRevision(w, "invalidApiVersion", value,
			fmt.Sprintf("The HTTP resource does not support the API version '%s'.", value))
	case !slices.Contains(s.opts.Revisions, value):
		s.refuseRevision(w, "unsupportedApiVersion", value,
			fmt.Sprintf("The HTTP resource that matches the request URI does not support the API version '%s'.",
				value))
	default:
		return rev, true
	}
	return revision{}, false
}

func joinRevisions(revisions []string) string { return strings.Join(revisions, ", ") }

// writeProblem answers with Veeam's Error body: type, title, status, errorCode, details (verified fields; the
// type URIs follow the problem pages under /api/v1/problems, inferred). errorCode is always one of the values
// Veeam publishes (publishedErrorCodes).
func writeProblem(w http.ResponseWriter, status int, problem, title, errorCode, details string) {
	writeJSON(w, status, map[string]any{
		"type":      "/api/v1/problems/" + problem,
		"title":     title,
		"status":    status,
		"errorCode": errorCode,
		"details":   details,
	})
}

// writeValidationProblem answers with ASP.NET Core's ValidationProblemDetails, as model binding does (inferred).
func writeValidationProblem(w http.ResponseWriter, errs map[string][]string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"type":    "https://tools.ietf.org/html/rfc9110#section-15.5.1",
		"title":   "One or more validation errors occurred.",
		"status":  http.StatusBadRequest,
		"errors":  errs,
		"traceId": "00-" + randomHex(16) + "-" + randomHex(8) + "-00",
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
