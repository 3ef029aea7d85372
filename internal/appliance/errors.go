package appliance

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode"
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

// parseAPIError builds the APIError of an answer from its status, headers and body, with every text the appliance
// sent passed through redact. A body that is not JSON (an nginx error page, say) is described, and a plain-text
// one quoted by its first line.
func parseAPIError(method, path string, resp *http.Response, body []byte, redact func(string) string) *APIError {
	e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
	if h := resp.Header.Get("api-supported-versions"); h != "" {
		for _, v := range strings.Split(h, ",") {
			e.SupportedRevisions = append(e.SupportedRevisions, strings.TrimSpace(v))
		}
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		contentType := resp.Header.Get("Content-Type")
		if text := excerpt(contentType, body, redact); text != "" {
			e.Details = text
		} else if len(bytes.TrimSpace(body)) > 0 {
			e.Details = "the appliance answered with " + bodyKind(contentType, body)
		}
		return e
	}
	e.Type, e.Title = redact(eb.Type), redact(eb.Title)
	e.Details = redact(firstOf(eb.Details, eb.Detail, eb.Message))
	e.ErrorCode = redact(firstOf(eb.ErrorCode, eb.Code))
	if eb.Error != nil {
		e.ErrorCode = firstOf(e.ErrorCode, redact(eb.Error.Code))
		e.Details = firstOf(e.Details, redact(eb.Error.Message))
	}
	e.Validation = fieldErrors(eb.Errors)
	for i := range e.Validation {
		e.Validation[i].Field = redact(e.Validation[i].Field)
		for j, m := range e.Validation[i].Messages {
			e.Validation[i].Messages[j] = redact(m)
		}
	}
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

// isUnsupportedRevision reports whether the appliance refused the x-api-version header by name: HTTP 400 whose
// problem type, title or error code is one of unsupportedApiVersion, invalidApiVersion or apiVersionUnspecified
// (verified names; that they come as 400 is inferred from ASP.NET API Versioning), or speaks of an API version.
// Free text (details) is not read: an appliance that echoes the request's headers would match.
func (e *APIError) isUnsupportedRevision() bool {
	if e.Status != http.StatusBadRequest {
		return false
	}
	named := strings.ToLower(strings.Join([]string{e.Type, e.Title, e.ErrorCode}, " "))
	named = strings.NewReplacer(" ", "", "-", "", "_", "").Replace(named)
	return strings.Contains(named, "apiversion")
}

// speaksOfRevision is isUnsupportedRevision, or a 400 whose details speak of an "API version" in words, as a
// plain-text refusal may. It only decides whether to check the revision again, which costs one request.
func (e *APIError) speaksOfRevision() bool {
	return e.isUnsupportedRevision() ||
		(e.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Details), "api version"))
}

// refusesRevision reports whether an answer may mean that the appliance does not know the revision the request
// carried: 404, 405, 406 and 415 whatever the body says, and 400 (any body) when anyBadRequest is true, else only
// a 400 that says so.
func refusesRevision(err error, anyBadRequest bool) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	switch e.Status {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotAcceptable,
		http.StatusUnsupportedMediaType:
		return true
	case http.StatusBadRequest:
		return anyBadRequest || e.isUnsupportedRevision()
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
	reason := strings.TrimSuffix(e.Reason, ".")
	return fmt.Sprintf("the appliance at %s refused to log in user %q: %s", e.URL, e.Username, reason)
}

func (e *AuthError) Unwrap() error { return e.Err }

// TLSError is a connection whose TLS handshake failed, usually because the appliance's certificate is not
// trusted. It is never retried. Its message says what to do, which depends on what failed and on whether a
// certificate was given in ca_file or ca_pem.
type TLSError struct {
	URL string
	Err error
	// CAGiven says that ca_file or ca_pem was set, so that advice to set them would mislead.
	CAGiven bool
}

func (e *TLSError) Error() string {
	var hostname x509.HostnameError
	var header tls.RecordHeaderError
	switch {
	case errors.As(e.Err, &hostname):
		return fmt.Sprintf("the certificate of the appliance at %s does not match its address: %v. Write the "+
			"host name the certificate was issued for in url", e.URL, e.Err)
	case errors.As(e.Err, &header):
		return fmt.Sprintf("the server at %s does not speak TLS (%v). Check the host and port of url: the "+
			"appliance's REST API listens on HTTPS port %s unless changed", e.URL, e.Err, DefaultPort)
	case e.CAGiven:
		return fmt.Sprintf("cannot verify the TLS certificate of the appliance at %s with the certificate(s) in "+
			"ca_file or ca_pem: %v. Check that they hold the appliance's current certificate (regenerating it in "+
			"the appliance replaces it) or the CA that issued it", e.URL, e.Err)
	}
	return fmt.Sprintf("cannot verify the TLS certificate of the appliance at %s: %v. Give the appliance's "+
		"certificate, or the CA that issued it, in ca_file or ca_pem of the provider's appliance block", e.URL, e.Err)
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
	// Answers are the distinct statuses the refusals came with, such as "400 Bad Request".
	Answers []string
}

func (e *RevisionError) Error() string {
	msg := fmt.Sprintf("the appliance at %s accepts none of the REST revisions this provider knows (%s)",
		e.URL, strings.Join(e.Tried, ", "))
	if len(e.Supported) > 0 {
		msg += "; it announces " + strings.Join(e.Supported, ", ")
	}
	if len(e.Answers) > 0 {
		msg += "; it answered " + strings.Join(e.Answers, ", ")
	}
	return msg
}

// ConnectError says that no connection to the appliance could be set up at all: the address is wrong, nothing
// listens on the port, or the host is unknown or unreachable.
type ConnectError struct {
	URL      string
	Attempts int
	Err      error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to the appliance at %s (%v; %d attempts). Check the host and port of url "+
		"in the provider's appliance block: the appliance's REST API listens on port %s unless changed",
		e.URL, e.Err, e.Attempts, DefaultPort)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// TimeoutError says that the appliance did not finish answering an operation within the time allowed for it,
// every attempt and the login included.
type TimeoutError struct {
	URL      string
	What     string
	Within   time.Duration
	Attempts int
	Err      error
}

func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("%s to %s got no complete answer within %s (%d attempts", e.What, e.URL, e.Within,
		e.Attempts)
	if e.Err != nil {
		msg += "; last: " + e.Err.Error()
	}
	return msg + "). Check that url is the appliance's REST address and that the appliance is up; timeout in " +
		"the provider's appliance block sets this limit"
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// RedirectError says that the appliance answered with a redirect, which the client never follows: a redirect
// could carry the password or a token to another host.
type RedirectError struct {
	URL      string
	What     string
	Status   int
	Location string
}

func (e *RedirectError) Error() string {
	to := e.Location
	if to == "" {
		to = "an address it did not give"
	}
	return fmt.Sprintf("%s to %s failed: the appliance answered %d %s, a redirect to %s. The provider follows no "+
		"redirect, so nothing was sent there; check that url is the appliance's own REST address", e.What, e.URL,
		e.Status, http.StatusText(e.Status), to)
}

// AnswerError says that a successful answer could not be used: it is not JSON, does not fit, or is too large.
type AnswerError struct {
	URL    string
	What   string
	Reason string
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("%s to %s failed: %s", e.What, e.URL, e.Reason)
}

// bodyKind says in words what a body that is not the JSON expected holds.
func bodyKind(contentType string, body []byte) string {
	trimmed := bytes.TrimSpace(body)
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch {
	case len(trimmed) == 0:
		return "an empty answer"
	case mediaType == "text/html" || bytes.HasPrefix(trimmed, []byte("<")):
		return "HTML, not JSON"
	case strings.HasPrefix(mediaType, "text/"):
		return "plain text, not JSON"
	}
	return "something that is not JSON"
}

// excerptLimit bounds the text of a body that is not JSON quoted in an error.
const excerptLimit = 200

// excerpt is the first line of a plain-text body, redacted and then shortened (so that no secret is cut in two
// and left half-visible), for an error message; "" for HTML, which says little in its first line.
func excerpt(contentType string, body []byte, redact func(string) string) string {
	if bodyKind(contentType, body) != "plain text, not JSON" {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	line = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, line)
	line = redact(line)
	if runes := []rune(line); len(runes) > excerptLimit {
		line = string(runes[:excerptLimit]) + "…"
	}
	return line
}
