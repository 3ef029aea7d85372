package appliance

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// APIError is an answer of the appliance other than success, with what its error body says.
type APIError struct {
	Method string
	Path   string
	Status int
	// Type, Title, Details and ErrorCode are the fields of Veeam's Error body (verified: 1.0-rev0 spec, which
	// spells details with an s). Details also takes "detail", the ASP.NET ProblemDetails spelling (inferred
	// for validation failures), and ErrorCode takes "code" or an {"error":{"code","message"}} object, the shapes
	// ASP.NET API Versioning answers with (inferred).
	Type      string
	Title     string
	Details   string
	ErrorCode string
	// Validation holds the field errors of a validation problem ("errors": {field: [messages]}), sorted by field.
	Validation []FieldError
	// SupportedRevisions is the api-supported-versions header, when the appliance sent one (inferred).
	SupportedRevisions []string
}

// FieldError is one field of a validation problem and what is wrong with it.
type FieldError struct {
	Field    string
	Messages []string
}

// Error reads like "POST /api/v1/accounts/amazon: 400 Bad Request: Validation error: name is taken [UnknownError]".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	for _, part := range []string{e.Title, e.Details} {
		if part != "" && !strings.Contains(b.String(), part) {
			b.WriteString(": " + part)
		}
	}
	if e.ErrorCode != "" {
		b.WriteString(" [" + e.ErrorCode + "]")
	}
	for _, f := range e.Validation {
		fmt.Fprintf(&b, "; %s: %s", f.Field, strings.Join(f.Messages, " "))
	}
	return b.String()
}

// Message is what the appliance says, without the request: details, else title, else the status text.
func (e *APIError) Message() string {
	switch {
	case e.Details != "":
		return e.Details
	case e.Title != "":
		return e.Title
	}
	return http.StatusText(e.Status)
}

// errorBody is the union of the error shapes an appliance may answer with.
type errorBody struct {
	Type      string          `json:"type"`
	Title     string          `json:"title"`
	Details   string          `json:"details"`
	Detail    string          `json:"detail"`
	ErrorCode string          `json:"errorCode"`
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Errors    json.RawMessage `json:"errors"`
	Error     *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// parseAPIError builds the APIError of an answer from its status, headers and body. A body that is not JSON (an
// nginx error page, say) leaves only the status.
func parseAPIError(method, path string, resp *http.Response, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
	if h := resp.Header.Get("api-supported-versions"); h != "" {
		for _, v := range strings.Split(h, ",") {
			e.SupportedRevisions = append(e.SupportedRevisions, strings.TrimSpace(v))
		}
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return e
	}
	e.Type, e.Title = eb.Type, eb.Title
	e.Details = firstOf(eb.Details, eb.Detail, eb.Message)
	e.ErrorCode = firstOf(eb.ErrorCode, eb.Code)
	if eb.Error != nil {
		e.ErrorCode = firstOf(e.ErrorCode, eb.Error.Code)
		e.Details = firstOf(e.Details, eb.Error.Message)
	}
	e.Validation = fieldErrors(eb.Errors)
	return e
}

// fieldErrors reads "errors" as a map of field to messages (ASP.NET's ValidationProblemDetails) or, failing that,
// as a list of Veeam ValidationMessage items; both shapes are inferred for error answers.
func fieldErrors(raw json.RawMessage) []FieldError {
	if len(raw) == 0 {
		return nil
	}
	var byField map[string][]string
	if json.Unmarshal(raw, &byField) == nil {
		fields := make([]FieldError, 0, len(byField))
		for f, msgs := range byField {
			fields = append(fields, FieldError{Field: f, Messages: msgs})
		}
		sort.Slice(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
		return fields
	}
	var list []ValidationMessage
	if json.Unmarshal(raw, &list) == nil {
		fields := make([]FieldError, 0, len(list))
		for _, m := range list {
			fields = append(fields, FieldError{Field: m.Severity, Messages: []string{m.Message}})
		}
		return fields
	}
	return nil
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// text is everything the error body says, lower-cased, for matching.
func (e *APIError) text() string {
	return strings.ToLower(strings.Join([]string{e.Type, e.Title, e.Details, e.ErrorCode}, " "))
}

// isUnsupportedRevision reports whether the appliance refused the x-api-version header: HTTP 400 with one of the
// problems unsupportedApiVersion, invalidApiVersion or apiVersionUnspecified (verified names; that they come as
// 400 is inferred from ASP.NET API Versioning).
func (e *APIError) isUnsupportedRevision() bool {
	if e.Status != http.StatusBadRequest {
		return false
	}
	t := strings.ReplaceAll(e.text(), " ", "")
	for _, marker := range []string{"unsupportedapiversion", "invalidapiversion", "apiversionunspecified"} {
		if strings.Contains(t, marker) {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err is a 404 answer: the record does not exist.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// IsForbidden reports whether the appliance's user may not do what was asked (403: writes need the Portal
// Administrator role).
func IsForbidden(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusForbidden
}

// IsNotAssumable reports whether the appliance refused a role because it could not assume it, as while a trust
// change propagates (up to 5 minutes, verified). Inferred: the answer is a 4xx whose title or details speak of
// assuming the role; Veeam does not publish its status or text.
func IsNotAssumable(err error) bool {
	var e *APIError
	if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Status == http.StatusUnauthorized ||
		e.Status == http.StatusForbidden {
		return false
	}
	return strings.Contains(e.text(), "assume")
}

// AuthError is a login the appliance refused: wrong user name or password, a user with MFA, or a user it
// does not allow to log in.
type AuthError struct {
	URL      string
	Username string
	Reason   string
	Err      error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("the appliance at %s refused to log in user %q: %s", e.URL, e.Username, strings.TrimSuffix(e.Reason, "."))
}

func (e *AuthError) Unwrap() error { return e.Err }

// TLSError is a connection whose TLS handshake failed, usually because the appliance's certificate is not
// trusted. It is never retried.
type TLSError struct {
	URL string
	Err error
}

func (e *TLSError) Error() string {
	return fmt.Sprintf("cannot verify the TLS certificate of the appliance at %s: %v", e.URL, e.Err)
}

func (e *TLSError) Unwrap() error { return e.Err }

// isTLSFailure reports whether err comes from certificate verification or a TLS handshake that cannot succeed by
// trying again (a server that does not speak TLS, say).
func isTLSFailure(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var header tls.RecordHeaderError
	var alert tls.AlertError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &header) || errors.As(err, &alert)
}

// RevisionError says that negotiation found no revision both sides speak.
type RevisionError struct {
	URL       string
	Tried     []string
	Supported []string
}

func (e *RevisionError) Error() string {
	msg := fmt.Sprintf("the appliance at %s accepts none of the REST revisions this provider knows (%s)",
		e.URL, strings.Join(e.Tried, ", "))
	if len(e.Supported) > 0 {
		msg += "; it announces " + strings.Join(e.Supported, ", ")
	}
	return msg
}
