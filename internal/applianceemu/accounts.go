package applianceemu

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
)

// Record is an IAM role record of the emulated appliance.
type Record struct {
	ID string
	// Name is unique regardless of case (inferred).
	Name string
	// Description is nil after a PUT without one (verified: omission sets it to null).
	Description *string
	// AccountID is the role's account: the appliance's own for the current-account mode.
	AccountID string
	// RoleName is the role's name as registered, with its path when it has one.
	RoleName     string
	CrossAccount bool
	// ExternalID is kept but never returned (verified).
	ExternalID string
	// Permissions are the requested permission names; nil means all (verified: nothing selected means all).
	Permissions []string
	IsDefault   bool
	// InUseBy names what uses the record, such as "backup policy 'daily'"; validateDelete and DELETE refuse
	// while it is set.
	InUseBy string
}

// permissionNames are the permission names the emulator accepts, and offers a record when none are requested:
// the catalog's (verified only as a 1.8-rev0 client sends them; inferred for other revisions).
var permissionNames = catalog.AppliancePermissions()

// spec is AmazonAccountCreateSpec = AmazonAccountUpdateSpec (verified: 1.0-rev0). JSON keys match regardless of
// case, as in ASP.NET Core, and unknown properties are ignored.
type spec struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	IAMRole     *struct {
		RoleName string `json:"roleName"`
	} `json:"IAMRole"`
	IAMRoleFromAnotherAccount *struct {
		AccountID  string `json:"accountId"`
		RoleName   string `json:"roleName"`
		ExternalID string `json:"externalId"`
	} `json:"IAMRoleFromAnotherAccount"`
	AccessKeys *json.RawMessage `json:"accessKeys"`
	// RequestedPermissions is read from 1.5-rev0 on, under Unknowns.PermissionsRequestProperty.
	RequestedPermissions []string `json:"-"`
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// record checks a spec as the appliance's model validation would (verified limits: name 1..255, description at
// most 512) and turns it into a record.
func (s *Server) record(sp spec, rev revision) (Record, map[string][]string) {
	errs := map[string][]string{}
	var r Record
	switch {
	case sp.Name == nil || *sp.Name == "":
		errs["name"] = append(errs["name"], "The name field is required.")
	case len(*sp.Name) > 255:
		errs["name"] = append(errs["name"], "The field name must be a string with a maximum length of 255.")
	default:
		r.Name = *sp.Name
	}
	if sp.Description != nil && len(*sp.Description) > 512 {
		errs["description"] = append(errs["description"],
			"The field description must be a string with a maximum length of 512.")
	}
	r.Description = sp.Description
	modes := 0
	if sp.IAMRole != nil {
		modes++
		r.AccountID, r.RoleName = s.opts.AccountID, sp.IAMRole.RoleName
	}
	if other := sp.IAMRoleFromAnotherAccount; other != nil {
		modes++
		r.CrossAccount, r.AccountID, r.RoleName, r.ExternalID = true, other.AccountID, other.RoleName, other.ExternalID
		if !accountIDPattern.MatchString(other.AccountID) {
			errs["IAMRoleFromAnotherAccount.accountId"] = []string{"The account ID must be 12 digits."}
		}
	}
	if sp.AccessKeys != nil {
		modes++
		errs["accessKeys"] = []string{"The emulator does not implement the access-keys mode."}
	}
	// inferred strictness: the schema does not say that exactly one mode is allowed.
	if modes != 1 {
		errs["IAMRole"] = append(errs["IAMRole"], "Exactly one of IAMRole and IAMRoleFromAnotherAccount is required.")
	} else if r.RoleName == "" && sp.AccessKeys == nil {
		errs["roleName"] = []string{"The roleName field is required."}
	}
	if rev.hasPermissions() && len(sp.RequestedPermissions) > 0 {
		for _, p := range sp.RequestedPermissions {
			if !slices.Contains(s.opts.Unknowns.allPermissions(), p) {
				errs["requestedPermissions"] = append(errs["requestedPermissions"],
					fmt.Sprintf("The value '%s' is not valid.", p))
			}
		}
		r.Permissions = slices.Clone(sp.RequestedPermissions)
		sort.Strings(r.Permissions)
	}
	return r, errs
}

// decodeSpec reads a create or update body. The permissions are read from the property the appliance knows
// them by, regardless of case; any other property is ignored, as ASP.NET Core model binding ignores it.
func (s *Server) decodeSpec(w http.ResponseWriter, r *http.Request) (spec, bool) {
	var sp spec
	var properties map[string]json.RawMessage
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &sp)
	}
	if err == nil {
		err = json.Unmarshal(body, &properties)
	}
	for key, value := range properties {
		if err == nil && strings.EqualFold(key, s.opts.Unknowns.permissionsRequestProperty()) {
			err = json.Unmarshal(value, &sp.RequestedPermissions)
		}
	}
	if err != nil {
		writeValidationProblem(w, map[string][]string{"$": {"The JSON value could not be converted: " + err.Error()}})
		return sp, false
	}
	return sp, true
}

// decodeRecord reads a create or update body into the record it describes under revision rev, answering 400 when
// it cannot.
func (s *Server) decodeRecord(w http.ResponseWriter, r *http.Request, rev revision) (Record, bool) {
	sp, ok := s.decodeSpec(w, r)
	if !ok {
		return Record{}, false
	}
	rec, errs := s.record(sp, rev)
	if len(errs) > 0 {
		writeValidationProblem(w, errs)
		return Record{}, false
	}
	return rec, true
}

// handleCreate is POST /accounts/amazon: 201 with the record (verified).
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, req request) {
	rec, ok := s.decodeRecord(w, r, req.rev)
	if !ok {
		return
	}
	if !s.checkName(w, rec.Name, "") || !s.checkAssumable(w, r, rec) {
		return
	}
	s.mu.Lock()
	if s.nameTakenLocked(rec.Name, "") { // checked again: another create may have won meanwhile
		s.mu.Unlock()
		writeDuplicate(w, rec.Name)
		return
	}
	rec.ID = newUUID()
	s.records[rec.ID] = &rec
	wire := s.wireLocked(&rec, req.rev)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, wire)
}

// handleUpdate is PUT /accounts/amazon/{id}: it replaces the record (verified), keeping only what PUT cannot
// send: the ID, the default flag and what uses the record.
func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request, req request) {
	rec, ok := s.decodeRecord(w, r, req.rev)
	if !ok {
		return
	}
	if _, err := s.Record(req.id); err != nil {
		writeNotFound(w, req.id)
		return
	}
	if !s.checkName(w, rec.Name, req.id) || !s.checkAssumable(w, r, rec) {
		return
	}
	s.mu.Lock()
	old, found := s.records[req.id]
	if !found {
		s.mu.Unlock()
		writeNotFound(w, req.id)
		return
	}
	rec.ID, rec.IsDefault, rec.InUseBy = old.ID, old.IsDefault, old.InUseBy
	if !req.rev.hasPermissions() {
		rec.Permissions = old.Permissions
	}
	s.records[req.id] = &rec
	wire := s.wireLocked(&rec, req.rev)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, wire)
}

// checkName refuses a name another record has (inferred: 400; no 409 is declared on these operations).
func (s *Server) checkName(w http.ResponseWriter, name, self string) bool {
	s.mu.Lock()
	taken := s.nameTakenLocked(name, self)
	s.mu.Unlock()
	if taken {
		writeDuplicate(w, name)
	}
	return !taken
}

func writeDuplicate(w http.ResponseWriter, name string) {
	writeProblem(w, http.StatusBadRequest, "validationError", "Bad Request", "UnexpectedContent",
		fmt.Sprintf("An IAM role with the name '%s' already exists.", name))
}

func (s *Server) nameTakenLocked(name, self string) bool {
	for id, r := range s.records {
		if id != self && strings.EqualFold(r.Name, name) {
			return true
		}
	}
	return false
}

func writeNotFound(w http.ResponseWriter, id string) {
	writeProblem(w, http.StatusNotFound, "resourceNotFound", "Not Found", "NotFound",
		fmt.Sprintf("The IAM role with ID %s was not found.", id))
}

// handleGet is GET /accounts/amazon/{id}: 200, or 404 with an Error body (verified).
func (s *Server) handleGet(w http.ResponseWriter, req request) {
	s.mu.Lock()
	rec, found := s.records[req.id]
	var wire map[string]any
	if found {
		wire = s.wireLocked(rec, req.rev)
	}
	s.mu.Unlock()
	if !found {
		writeNotFound(w, req.id)
		return
	}
	writeJSON(w, http.StatusOK, wire)
}

// handleDelete is DELETE /accounts/amazon/{id}: 204 (verified in the reference; the spec says 200). A record in
// use or the default record is refused with 400 (inferred status).
func (s *Server) handleDelete(w http.ResponseWriter, req request) {
	found, blockers := s.deleteIfFree(req.id, true)
	switch {
	case !found:
		writeNotFound(w, req.id)
	case len(blockers) > 0:
		writeProblem(w, http.StatusBadRequest, "validationError", "Bad Request", "UnexpectedContent", blockers[0])
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// deleteIfFree reports whether record id exists and why it cannot be removed; with remove, a record nothing blocks
// is removed.
func (s *Server) deleteIfFree(id string, remove bool) (found bool, blockers []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, found := s.records[id]
	if !found {
		return false, nil
	}
	blockers = deleteBlockers(rec)
	if remove && len(blockers) == 0 {
		delete(s.records, id)
	}
	return true, blockers
}

// deleteBlockers says why a record cannot be removed: the console refuses a role used by a backup policy or for
// a repository (verified); the default record cannot be removed (inferred). The wording is inferred.
func deleteBlockers(rec *Record) []string {
	var blockers []string
	if rec.IsDefault {
		blockers = append(blockers, "The default IAM role cannot be removed.")
	}
	if rec.InUseBy != "" {
		blockers = append(blockers, fmt.Sprintf("The IAM role '%s' is used by %s and cannot be removed.",
			rec.Name, rec.InUseBy))
	}
	return blockers
}

// handleValidateName is POST /accounts/amazon/validateName {name}: 200 with [] or Error messages (verified).
func (s *Server) handleValidateName(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Name == "" {
		writeValidationProblem(w, map[string][]string{"name": {"The name field is required."}})
		return
	}
	messages := []map[string]string{}
	s.mu.Lock()
	taken := s.nameTakenLocked(body.Name, "")
	s.mu.Unlock()
	if taken {
		messages = append(messages, map[string]string{"severity": "Error",
			"message": fmt.Sprintf("An IAM role with the name '%s' already exists.", body.Name)})
	}
	writeJSON(w, http.StatusOK, messages)
}

// handleValidateDelete is POST /accounts/amazon/{id}/validateDelete: 200 with [] or Error messages naming the
// user (verified semantics; wording inferred).
func (s *Server) handleValidateDelete(w http.ResponseWriter, req request) {
	found, blockers := s.deleteIfFree(req.id, false)
	if !found {
		writeNotFound(w, req.id)
		return
	}
	messages := []map[string]string{}
	for _, b := range blockers {
		messages = append(messages, map[string]string{"severity": "Error", "message": b, "contextId": req.id})
	}
	writeJSON(w, http.StatusOK, messages)
}

// handleList is GET /accounts/amazon with SearchPattern, Offset, Limit (-1 for all) and Sort (nameAsc or
// nameDesc), answering AmazonAccountsPage (verified parameters and shape).
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, req request) {
	q := queryIgnoringCase(r)
	offset, errOffset := strconv.Atoi(valueOr(q["offset"], "0"))
	limit, errLimit := strconv.Atoi(valueOr(q["limit"], strconv.Itoa(s.opts.PageSize)))
	if errOffset != nil || errLimit != nil || offset < 0 || limit < -1 {
		writeValidationProblem(w, map[string][]string{"Offset/Limit": {"Offset must be >= 0 and Limit >= -1."}})
		return
	}
	s.mu.Lock()
	var matched []*Record
	for _, rec := range s.records {
		if matchesPattern(rec.Name, q["searchpattern"]) {
			matched = append(matched, rec)
		}
	}
	desc := q["sort"] == "nameDesc"
	sort.Slice(matched, func(i, j int) bool {
		a, b := strings.ToLower(matched[i].Name), strings.ToLower(matched[j].Name)
		if desc {
			return a > b
		}
		return a < b
	})
	total := len(matched)
	matched = matched[min(offset, total):]
	if limit >= 0 {
		matched = matched[:min(limit, len(matched))]
	}
	results := make([]map[string]any, 0, len(matched))
	for _, rec := range matched {
		results = append(results, s.wireLocked(rec, req.rev))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"results":    results,
		"totalCount": total,
		"_links":     []map[string]string{{"rel": "self", "href": r.URL.String(), "method": "GET"}},
	})
}

// queryIgnoringCase reads the query with lower-cased keys, as ASP.NET Core binds parameters regardless of case.
func queryIgnoringCase(r *http.Request) map[string]string {
	q := map[string]string{}
	for k, v := range r.URL.Query() {
		q[strings.ToLower(k)] = v[0]
	}
	return q
}

func valueOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

// matchesPattern is the emulator's reading of SearchPattern (inferred: the semantics are not documented): case
// does not matter, * matches anything, and a pattern without * matches any name that contains it.
func matchesPattern(name, pattern string) bool {
	if pattern == "" {
		return true
	}
	name, pattern = strings.ToLower(name), strings.ToLower(pattern)
	if !strings.Contains(pattern, "*") {
		return strings.Contains(name, pattern)
	}
	escaped := strings.NewReplacer("[", "\\[", "]", "\\]", "?", "\\?", "\\", "\\\\").Replace(pattern)
	ok, err := path.Match(escaped, name)
	return err == nil && ok
}

// wireLocked is the record as AmazonAccount in revision rev. 1.0-rev0 fields are verified; awsAccountId and
// iamRole from 1.8-rev0 on, and accountPermissions from 1.5-rev0 on, are inferred, and Unknowns rename them.
func (s *Server) wireLocked(rec *Record, rev revision) map[string]any {
	accountKey, roleKey := "awsid", "IAMRole"
	if rev.newShapes() {
		accountKey, roleKey = valueOr(s.opts.Unknowns.AccountProperty, "awsAccountId"), "iamRole"
	}
	var description any
	if rec.Description != nil {
		description = *rec.Description
	}
	m := map[string]any{
		"id":          rec.ID,
		"name":        rec.Name,
		"description": description,
		"regionType":  "Global",
		accountKey:    rec.AccountID,
		"_links": []map[string]string{
			{"rel": "self", "href": accountsPrefix + "/" + rec.ID, "method": "GET"},
			{"rel": "update", "href": accountsPrefix + "/" + rec.ID, "method": "PUT"},
			{"rel": "delete", "href": accountsPrefix + "/" + rec.ID, "method": "DELETE"},
		},
	}
	if rec.CrossAccount {
		m["IAMRoleFromAnotherAccount"] = map[string]any{"parentAmazonAccountId": s.defaultID,
			"accountId": rec.AccountID, "roleName": rec.RoleName}
	} else {
		m[roleKey] = map[string]any{"parentAmazonAccountId": s.defaultID, "roleName": rec.RoleName,
			"isDefault": rec.IsDefault}
	}
	if rev.hasPermissions() {
		permissions := rec.Permissions
		if len(permissions) == 0 {
			permissions = s.opts.Unknowns.allPermissions()
		}
		m[s.opts.Unknowns.permissionsAnswerProperty()] = permissions
	}
	return m
}

// Records returns copies of every record, the default one included, in name order.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	records := make([]Record, 0, len(s.records))
	for _, r := range s.records {
		records = append(records, *r)
	}
	sort.Slice(records, func(i, j int) bool { return records[i].Name < records[j].Name })
	return records
}

// Record returns a copy of one record.
func (s *Server) Record(id string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[id]
	if !ok {
		return Record{}, errNoRecord
	}
	return *r, nil
}

// Modify changes a record outside the API, as a console user would (drift).
func (s *Server) Modify(id string, change func(*Record)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[id]
	if !ok {
		return errNoRecord
	}
	change(r)
	return nil
}

// Remove deletes a record outside the API.
func (s *Server) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, id)
}

// Add stores a record made outside the API (by the console, say) and returns its ID.
func (s *Server) Add(rec Record) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.ID = newUUID()
	s.records[rec.ID] = &rec
	return rec.ID
}

// SetInUse marks a record as used by, say, "backup policy 'daily'"; "" releases it.
func (s *Server) SetInUse(id, by string) error {
	return s.Modify(id, func(r *Record) { r.InUseBy = by })
}
