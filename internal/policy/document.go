// Package policy models IAM policy documents: it parses them (including the URL-encoded form IAM returns),
// marshals them deterministically, compares them semantically, edits statements by Sid without touching any
// other statement, builds the Veeam trust statements, and measures and splits permission documents to fit IAM's
// size limits. It has no Terraform imports.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	awspolicy "github.com/hashicorp/awspolicyequivalence"
)

// DefaultVersion is the policy language version every generated document declares.
const DefaultVersion = "2012-10-17"

// Document is an IAM policy document. Statements keep their own JSON, so editing one never changes another.
type Document struct {
	// Version is the policy language version, normally 2012-10-17.
	Version string
	// ID is the optional top-level Id element.
	ID string
	// Statements are the document's statements in order.
	Statements []Statement
	// duplicateKey is the path to the first key the parsed text repeated within one object, if any.
	duplicateKey []string
}

// Statement is one statement of a document, held as canonical JSON.
type Statement struct {
	raw []byte
	sid string
}

// Sid returns the statement's Sid, or "" when it has none.
func (s Statement) Sid() string {
	return s.sid
}

// JSON returns the statement as canonical JSON: compact, with object keys sorted.
func (s Statement) JSON() string {
	return string(s.raw)
}

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// ValidSid reports whether sid is a statement ID IAM accepts: ASCII letters and digits only.
func ValidSid(sid string) bool {
	return sidPattern.MatchString(sid)
}

// NewDocument returns a document of DefaultVersion holding statements.
func NewDocument(statements ...Statement) Document {
	return Document{Version: DefaultVersion, Statements: slices.Clone(statements)}
}

// newStatement builds a statement from any value that marshals to a JSON object with an optional string Sid.
func newStatement(v any) Statement {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("policy: statement does not marshal: %v", err))
	}
	statement, err := parseStatement(raw)
	if err != nil {
		panic(fmt.Sprintf("policy: built an invalid statement: %v", err))
	}
	return statement
}

// Parse reads a policy document given as plain JSON or in the URL-encoded form IAM returns. It accepts a single
// statement object in place of a list, and rejects unknown top-level elements and duplicate Sids, as IAM does.
func Parse(text string) (Document, error) {
	decoded, err := Decode(text)
	if err != nil {
		return Document{}, err
	}
	var top map[string]json.RawMessage
	if err := unmarshal([]byte(decoded), &top); err != nil {
		return Document{}, fmt.Errorf("the policy is not a JSON object: %w", err)
	}
	var doc Document
	if doc.duplicateKey, err = firstDuplicateKey([]byte(decoded)); err != nil {
		return Document{}, fmt.Errorf("the policy is not valid JSON: %w", err)
	}
	for key, value := range top {
		if err := doc.setElement(key, value); err != nil {
			return Document{}, err
		}
	}
	return doc, doc.checkSids()
}

// Decode returns a policy document as plain JSON. IAM returns documents URL-encoded as RFC 3986 describes, where
// a space is %20 and a plus sign stays a plus sign; a document that is already JSON is returned as it is.
func Decode(text string) (string, error) {
	trimmed := strings.TrimSpace(text)
	if strings.HasPrefix(trimmed, "{") {
		return trimmed, nil
	}
	decoded, err := url.PathUnescape(trimmed)
	if err != nil {
		return "", fmt.Errorf("the policy is neither JSON nor URL-encoded JSON: %w", err)
	}
	return decoded, nil
}

// setElement stores one top-level element of a document.
func (d *Document) setElement(key string, value json.RawMessage) error {
	switch key {
	case "Version":
		return unmarshal(value, &d.Version)
	case "Id":
		return unmarshal(value, &d.ID)
	case "Statement":
		statements, err := parseStatements(value)
		d.Statements = statements
		return err
	}
	return fmt.Errorf("unknown top-level policy element %q; IAM allows only Version, Id and Statement", key)
}

// parseStatements reads a Statement element, which may be a list or a single object.
func parseStatements(value json.RawMessage) ([]Statement, error) {
	var list []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(value), []byte("{")) {
		list = []json.RawMessage{value}
	} else if err := unmarshal(value, &list); err != nil {
		return nil, fmt.Errorf("Statement must be an object or a list of objects: %w", err)
	}
	statements := make([]Statement, 0, len(list))
	for i, raw := range list {
		statement, err := parseStatement(raw)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		statements = append(statements, statement)
	}
	return statements, nil
}

// parseStatement canonicalises one statement object and reads its Sid.
func parseStatement(raw []byte) (Statement, error) {
	var fields map[string]any
	if err := unmarshal(raw, &fields); err != nil || fields == nil {
		return Statement{}, errors.New("a statement must be a JSON object")
	}
	sid, isString := fields["Sid"].(string)
	if _, present := fields["Sid"]; present && !isString {
		return Statement{}, errors.New("Sid must be a string")
	}
	canonical, err := marshal(fields)
	if err != nil {
		return Statement{}, err
	}
	return Statement{raw: canonical, sid: sid}, nil
}

// checkSids rejects two statements with the same non-empty Sid.
func (d Document) checkSids() error {
	seen := map[string]bool{}
	for _, s := range d.Statements {
		if s.sid == "" {
			continue
		}
		if seen[s.sid] {
			return fmt.Errorf(
				"two statements have Sid %q; IAM requires statement IDs to be unique within a policy",
				s.sid,
			)
		}
		seen[s.sid] = true
	}
	return nil
}

// Marshal returns the document as compact JSON with a fixed element order, so the same document always gives the
// same text. A document without Version is marshalled without one, never with an empty one.
func (d Document) Marshal() string {
	var b strings.Builder
	b.WriteByte('{')
	if d.Version != "" {
		b.WriteString(`"Version":`)
		b.Write(mustMarshal(d.Version))
		b.WriteByte(',')
	}
	if d.ID != "" {
		b.WriteString(`"Id":`)
		b.Write(mustMarshal(d.ID))
		b.WriteByte(',')
	}
	b.WriteString(`"Statement":[`)
	for i, s := range d.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(s.raw)
	}
	b.WriteString("]}")
	return b.String()
}

// Find returns the statement with the given Sid.
func (d Document) Find(sid string) (Statement, bool) {
	i := d.index(sid)
	if i < 0 {
		return Statement{}, false
	}
	return d.Statements[i], true
}

func (d Document) index(sid string) int {
	if sid == "" {
		return -1
	}
	return slices.IndexFunc(d.Statements, func(s Statement) bool { return s.sid == sid })
}

// Upsert returns a copy of d in which s replaces the statement with the same Sid, in place, or is appended when
// there is none. No other statement changes.
func (d Document) Upsert(s Statement) Document {
	out := d.clone()
	if i := out.index(s.sid); i >= 0 {
		out.Statements[i] = s
	} else {
		out.Statements = append(out.Statements, s)
	}
	return out
}

// Remove returns a copy of d without the statement with the given Sid. No other statement changes.
func (d Document) Remove(sid string) Document {
	out := d.clone()
	if i := out.index(sid); i >= 0 {
		out.Statements = slices.Delete(out.Statements, i, i+1)
	}
	return out
}

func (d Document) clone() Document {
	d.Statements = slices.Clone(d.Statements)
	return d
}

// Equivalent reports whether two policy documents, plain or URL-encoded, grant the same thing, ignoring the
// order of principals, actions and condition values, the string-versus-list form of single values, and an account
// ID written instead of its root ARN.
func Equivalent(a, b string) (bool, error) {
	da, err := Decode(a)
	if err != nil {
		return false, err
	}
	db, err := Decode(b)
	if err != nil {
		return false, err
	}
	return awspolicy.PoliciesAreEquivalent(da, db)
}

// unmarshal decodes JSON keeping numbers as written.
func unmarshal(data []byte, v any) error {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	if err := decoder.Decode(v); err != nil {
		return err
	}
	if decoder.More() {
		return errors.New("unexpected content after the JSON value")
	}
	return nil
}

// marshal encodes v compactly, with sorted object keys and without escaping <, > and &.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func mustMarshal(v any) []byte {
	out, err := marshal(v)
	if err != nil {
		panic(err)
	}
	return out
}
