package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
)

//go:embed data/*.json
var embedded embed.FS

// loadEmbedded parses the embedded data exactly once.
var loadEmbedded = sync.OnceValues(func() (*catalog, error) {
	return load(embedded)
})

// actionPattern is the shape every stored IAM action must have.
var actionPattern = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)

// acronyms are the words that AWS spells in one fixed case inside the action names of a service, as its Service
// Authorization Reference does: rds:CreateDBInstance and rds:DescribeDBSnapshots, but ec2:DescribeVpcs and
// ec2:GetEbsDefaultKmsKeyId.
var acronyms = map[string][]string{
	"rds": {"DB"},
	"ec2": {"Acl", "Dhcp", "Ebs", "Ip", "Kms", "Vpc"},
}

// catalog is the parsed, validated and resolved data of every version.
type catalog struct {
	versions map[string]*versionData
}

// versionData is one product version with its operations fully resolved.
type versionData struct {
	build      string
	operations map[string]Operation
	fullList   []string
}

// fileList is one published permission list.
type fileList struct {
	Title       string   `json:"title"`
	Source      string   `json:"source"`
	Build       string   `json:"build"`
	PageUpdated string   `json:"page_updated"`
	Actions     []string `json:"actions"`
}

// fileOperation maps an operation onto named lists.
type fileOperation struct {
	Name                    string   `json:"name"`
	Purpose                 string   `json:"purpose"`
	AppliancePermission     string   `json:"appliance_permission"`
	Lists                   []string `json:"lists"`
	ProductionWorkerLists   []string `json:"production_worker_lists"`
	ServicePrincipals       []string `json:"service_principals"`
	RequiresInstanceProfile bool     `json:"requires_instance_profile"`
	Notes                   string   `json:"notes"`
}

// fileAddition is a set of actions added to an operation or a full list.
type fileAddition struct {
	Operation string   `json:"operation"`
	Source    string   `json:"source"`
	Build     string   `json:"build"`
	Notes     string   `json:"notes"`
	Actions   []string `json:"actions"`
}

// fileVersion is the schema of data/v<version>.json. A full version has
// lists, operations and full_list; a delta version has base and additions.
type fileVersion struct {
	Version           string              `json:"version"`
	Base              string              `json:"base"`
	Product           string              `json:"product"`
	Build             string              `json:"build"`
	Guide             string              `json:"guide"`
	Notes             string              `json:"notes"`
	Lists             map[string]fileList `json:"lists"`
	Operations        []fileOperation     `json:"operations"`
	FullList          *fileList           `json:"full_list"`
	FullListAdditions []fileAddition      `json:"full_list_additions"`
	Additions         []fileAddition      `json:"additions"`
}

// load reads data/v<version>.json for every supported version from fsys,
// validates it and resolves delta versions against their base.
func load(fsys fs.FS) (*catalog, error) {
	c := &catalog{versions: make(map[string]*versionData, len(versions))}
	for _, version := range versions {
		v, err := loadVersion(fsys, version, c)
		if err != nil {
			return nil, fmt.Errorf("catalog data for version %s: %w", version, err)
		}
		c.versions[version] = v
	}
	return c, nil
}

// loadVersion parses one version file; a delta's base must be loaded first.
func loadVersion(fsys fs.FS, version string, c *catalog) (*versionData, error) {
	f, err := readVersionFile(fsys, version)
	if err != nil {
		return nil, err
	}
	if f.Base == "" {
		return buildFull(f)
	}
	base, ok := c.versions[f.Base]
	if !ok {
		return nil, fmt.Errorf("base version %q is not loaded before it", f.Base)
	}
	return applyDelta(base, f)
}

// readVersionFile decodes a version file strictly.
func readVersionFile(fsys fs.FS, version string) (*fileVersion, error) {
	raw, err := fs.ReadFile(fsys, "data/v"+version+".json")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f fileVersion
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if f.Version != version {
		return nil, fmt.Errorf("file declares version %q", f.Version)
	}
	if f.Build == "" {
		return nil, errors.New("missing build")
	}
	return &f, nil
}

// buildFull resolves a self-contained version file.
func buildFull(f *fileVersion) (*versionData, error) {
	if f.FullList == nil {
		return nil, errors.New("missing full_list")
	}
	for id, l := range f.Lists {
		if err := checkList(id, l); err != nil {
			return nil, err
		}
	}
	ops, err := buildOperations(f)
	if err != nil {
		return nil, err
	}
	full, err := buildFullList(f)
	if err != nil {
		return nil, err
	}
	return &versionData{build: f.Build, operations: ops, fullList: full}, nil
}

// checkList validates one published list.
func checkList(id string, l fileList) error {
	if l.Source == "" || l.Build == "" {
		return fmt.Errorf("list %q: missing source or build", id)
	}
	return checkActions("list "+id, l.Actions)
}

// checkActions rejects empty lists, malformed or miscased actions and duplicates.
func checkActions(what string, actions []string) error {
	if len(actions) == 0 {
		return fmt.Errorf("%s: no actions", what)
	}
	seen := make(map[string]bool, len(actions))
	for _, a := range actions {
		if !actionPattern.MatchString(a) {
			return fmt.Errorf("%s: malformed action %q", what, a)
		}
		if err := checkSpelling(a); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		key := strings.ToLower(a)
		if seen[key] {
			return fmt.Errorf("%s: duplicate action %q", what, a)
		}
		seen[key] = true
	}
	return nil
}

// checkSpelling rejects a well-formed action whose name is not in AWS's case: it must start with an upper-case
// letter, and each word of acronyms must be written as AWS writes it (a word starts with an upper-case letter and
// ends before the next upper-case letter, a plural "s" or the end of the name).
func checkSpelling(action string) error {
	service, name, _ := strings.Cut(action, ":")
	if name[0] < 'A' || name[0] > 'Z' {
		return fmt.Errorf("action %q does not start with an upper-case letter as AWS spells it", action)
	}
	for _, acronym := range acronyms[service] {
		for i := 0; i+len(acronym) <= len(name); i++ {
			word := name[i : i+len(acronym)]
			if strings.EqualFold(word, acronym) && word != acronym && isWord(name, i, len(acronym)) {
				return fmt.Errorf("action %q spells %q as %q; AWS spells it %s:%s", action, acronym, word,
					service, name[:i]+acronym+name[i+len(acronym):])
			}
		}
	}
	return nil
}

// isWord reports whether the n letters of the camel-case name at i form a whole word (or a word and its plural s).
func isWord(name string, i, n int) bool {
	if name[i] < 'A' || name[i] > 'Z' {
		return false
	}
	rest := strings.TrimPrefix(name[i+n:], "s")
	return rest == "" || (rest[0] >= 'A' && rest[0] <= 'Z')
}

// buildOperations resolves the operations of a full version file and checks
// they are exactly operationNames, in order.
func buildOperations(f *fileVersion) (map[string]Operation, error) {
	names := make([]string, len(f.Operations))
	ops := make(map[string]Operation, len(f.Operations))
	for i, fo := range f.Operations {
		op, err := buildOperation(fo, f.Lists)
		if err != nil {
			return nil, err
		}
		names[i] = fo.Name
		ops[fo.Name] = op
	}
	if !slices.Equal(names, operationNames) {
		return nil, fmt.Errorf("operations %v do not match the expected %v", names, operationNames)
	}
	return ops, nil
}

// buildOperation merges the lists an operation refers to.
func buildOperation(fo fileOperation, lists map[string]fileList) (Operation, error) {
	if len(fo.Lists) == 0 {
		return Operation{}, fmt.Errorf("operation %q: no lists", fo.Name)
	}
	if fo.Purpose == "" || fo.Notes == "" {
		return Operation{}, fmt.Errorf("operation %q: missing purpose or notes", fo.Name)
	}
	var sources []string
	actions, err := mergeLists(fo.Name, fo.Lists, lists, &sources)
	if err != nil {
		return Operation{}, err
	}
	extras, err := mergeLists(fo.Name, fo.ProductionWorkerLists, lists, &sources)
	if err != nil {
		return Operation{}, err
	}
	return Operation{
		Name:                    fo.Name,
		Purpose:                 fo.Purpose,
		AppliancePermission:     fo.AppliancePermission,
		Actions:                 actions,
		ServicePrincipals:       sortedUnique(fo.ServicePrincipals),
		RequiresInstanceProfile: fo.RequiresInstanceProfile,
		ProductionWorkerActions: extras,
		Sources:                 sources,
		Notes:                   fo.Notes,
	}, nil
}

// mergeLists unions the named lists and records their sources in order.
func mergeLists(op string, ids []string, lists map[string]fileList, sources *[]string) ([]string, error) {
	var s actionSet
	for _, id := range ids {
		l, ok := lists[id]
		if !ok {
			return nil, fmt.Errorf("operation %q: unknown list %q", op, id)
		}
		s.add(l.Actions...)
		if !slices.Contains(*sources, l.Source) {
			*sources = append(*sources, l.Source)
		}
	}
	return s.sorted(), nil
}

// buildFullList combines the published full list with its additions.
func buildFullList(f *fileVersion) ([]string, error) {
	if err := checkList("full_list", *f.FullList); err != nil {
		return nil, err
	}
	var s actionSet
	s.add(f.FullList.Actions...)
	for i, a := range f.FullListAdditions {
		if err := checkActions(fmt.Sprintf("full_list_additions[%d]", i), a.Actions); err != nil {
			return nil, err
		}
		s.add(a.Actions...)
	}
	return s.sorted(), nil
}

// applyDelta copies base and applies the additions of a delta file. The
// full list of the delta version is the base full list plus every added
// action.
func applyDelta(base *versionData, f *fileVersion) (*versionData, error) {
	if len(f.Lists) > 0 || len(f.Operations) > 0 || f.FullList != nil {
		return nil, errors.New("a delta version must not define lists, operations or full_list")
	}
	v := &versionData{build: f.Build, operations: make(map[string]Operation, len(base.operations))}
	for name, op := range base.operations {
		v.operations[name] = cloneOperation(op)
	}
	full := actionSet{}
	full.add(base.fullList...)
	for i, a := range f.Additions {
		if err := applyAddition(v, f.Version, a, &full); err != nil {
			return nil, fmt.Errorf("additions[%d]: %w", i, err)
		}
	}
	v.fullList = full.sorted()
	return v, nil
}

// applyAddition adds one delta entry of version to its operation and to the
// full list.
func applyAddition(v *versionData, version string, a fileAddition, full *actionSet) error {
	op, ok := v.operations[a.Operation]
	if !ok {
		return fmt.Errorf("unknown operation %q", a.Operation)
	}
	if a.Source == "" || a.Build == "" {
		return fmt.Errorf("operation %q: missing source or build", a.Operation)
	}
	if err := checkActions("operation "+a.Operation, a.Actions); err != nil {
		return err
	}
	var s actionSet
	s.add(op.Actions...)
	s.add(a.Actions...)
	op.Actions = s.sorted()
	if !slices.Contains(op.Sources, a.Source) {
		op.Sources = append(op.Sources, a.Source)
	}
	op.Notes = strings.TrimSpace(op.Notes + " Version " + version + ": " + a.Notes)
	v.operations[a.Operation] = op
	full.add(a.Actions...)
	return nil
}
