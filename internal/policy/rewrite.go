package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// PrepareRewrite returns the document as it may be written back to IAM after an edit, or an error when writing
// it back would change what a statement means:
//
//   - A document that repeats a key inside one JSON object (two StringEquals blocks in a Condition, say) is
//     refused: Go, like most JSON readers, keeps only the last value, so a rewrite would drop the others.
//   - A document without Version is read by IAM as 2008-10-17. Without policy variables it means the same under
//     2012-10-17, which it gets; with policy variables (${...}) it would not, so it is refused.
//
// An empty Version is never written.
func (d Document) PrepareRewrite() (Document, error) {
	if d.duplicateKey != nil {
		return Document{}, fmt.Errorf("%s repeats the key %q; rewriting the policy would keep only one of "+
			"them and change what it means, so it is left as it is. Merge the repeated blocks, then apply again",
			d.describePath(d.duplicateKey), d.duplicateKey[len(d.duplicateKey)-1])
	}
	if d.Version != "" {
		return d, nil
	}
	for i, s := range d.Statements {
		if strings.Contains(string(s.raw), "${") {
			return Document{}, fmt.Errorf("the policy has no Version, so IAM reads it as 2008-10-17, where %s "+
				"uses ${...} as literal text; rewriting it under %s would turn that text into policy variables. "+
				"Add \"Version\": \"2008-10-17\" or rewrite the statement, then apply again",
				d.describeStatement(i), DefaultVersion)
		}
	}
	out := d.clone()
	out.Version = DefaultVersion
	return out, nil
}

// describePath names the statement a JSON path points into, or the document when it points elsewhere.
func (d Document) describePath(path []string) string {
	if len(path) < 2 || path[0] != "Statement" {
		return "the policy"
	}
	if i, err := strconv.Atoi(path[1]); err == nil && i < len(d.Statements) {
		return d.describeStatement(i)
	}
	if len(d.Statements) == 1 {
		return d.describeStatement(0)
	}
	return "a statement"
}

// describeStatement names statement i by its Sid, or by its position when it has none.
func (d Document) describeStatement(i int) string {
	if sid := d.Statements[i].sid; sid != "" {
		return fmt.Sprintf("statement %q", sid)
	}
	return fmt.Sprintf("statement %d (no Sid)", i+1)
}

// firstDuplicateKey returns the path to the first key that occurs twice in one JSON object of data, or nil when
// there is none. List elements appear in the path as their index from 0.
func firstDuplicateKey(data []byte) ([]string, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	return walkDuplicates(decoder, nil)
}

// walkDuplicates reads one JSON value from decoder and looks for a repeated key in it.
func walkDuplicates(decoder *json.Decoder, path []string) ([]string, error) {
	token, err := decoder.Token()
	if err != nil {
		return nil, err
	}
	switch token {
	case json.Delim('{'):
		return walkMembers(decoder, path, true)
	case json.Delim('['):
		return walkMembers(decoder, path, false)
	}
	return nil, nil
}

// walkMembers reads the members of an object or the elements of a list, up to its closing delimiter. In an object
// every member begins with its key, which is checked against the keys before it; a list element's key is its index.
func walkMembers(decoder *json.Decoder, path []string, object bool) ([]string, error) {
	seen := map[string]bool{}
	var found []string
	for i := 0; decoder.More(); i++ {
		key := strconv.Itoa(i)
		if object {
			token, err := decoder.Token()
			if err != nil {
				return nil, err
			}
			key, _ = token.(string)
			if seen[key] && found == nil {
				found = append(clonePath(path), key)
			}
			seen[key] = true
		}
		inner, err := walkDuplicates(decoder, append(clonePath(path), key))
		if err != nil {
			return nil, err
		}
		if found == nil {
			found = inner
		}
	}
	_, err := decoder.Token()
	return found, err
}

func clonePath(path []string) []string {
	return append([]string(nil), path...)
}
