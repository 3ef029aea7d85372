package catalog

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
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

// operationNamePattern is the shape of every operation name: snake_case.
var operationNamePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// catalog is the parsed, validated and resolved data of every version.
type catalog struct {
	// order lists the versions oldest first.
	order    []string
	versions map[string]*versionData
	// allNames lists every operation of any version once, in order of first appearance.
	allNames []string
}

// versionData is one product version with its operations fully resolved.
type versionData struct {
	build string
	// names lists the operations in the order of the data.
	names      []string
	operations map[string]Operation
	// lists are the published lists of the version and its bases, which its own operations may refer to.
	lists    map[string]fileList
	fullList []string
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
	AppliancePermission     *string  `json:"appliance_permission"`
	ApplianceInstead        string   `json:"appliance_instead"`
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

// fileDrop removes an operation a delta version's base has.
type fileDrop struct {
	Operation string `json:"operation"`
	Source    string `json:"source"`
	Notes     string `json:"notes"`
}

// fileVersion is the schema of data/v<version>.json. A full version has
// lists, operations and full_list; a delta version has base, and may have
// additions to its base's operations, dropped operations, and lists and
// operations of its own.
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
	Drops             []fileDrop          `json:"dropped_operations"`
}

// load reads data/v<version>.json for every version in fsys, oldest first,
// validates it and resolves delta versions against their base.
func load(fsys fs.FS) (*catalog, error) {
	order, err := versionsIn(fsys)
	if err != nil {
		return nil, err
	}
	c := &catalog{order: order, versions: make(map[string]*versionData, len(order))}
	for _, version := range order {
		v, err := loadVersion(fsys, version, c)
		if err != nil {
			return nil, fmt.Errorf("catalog data for version %s: %w", version, err)
		}
		c.versions[version] = v
		for _, name := range v.names {
			if !slices.Contains(c.allNames, name) {
				c.allNames = append(c.allNames, name)
			}
		}
	}
	if _, ok := c.versions[DefaultVersion]; !ok {
		return nil, fmt.Errorf("no data for the default version %s", DefaultVersion)
	}
	return c, checkPermissionsAgree(c)
}

// versionsIn lists the versions of the data files in fsys, oldest first.
func versionsIn(fsys fs.FS) ([]string, error) {
	files, err := fs.Glob(fsys, "data/v*.json")
	if err != nil {
		return nil, err
	}
	versions := make([]string, len(files))
	for i, f := range files {
		versions[i] = strings.TrimSuffix(strings.TrimPrefix(f, "data/v"), ".json")
	}
	slices.SortFunc(versions, compareVersions)
	return versions, nil
}

// compareVersions orders product versions such as "10", "11" and "12.1" by their numeric parts.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(as), len(bs)) {
		if c := comparePart(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// comparePart compares two parts of a version as numbers, or as text when either is not a number.
func comparePart(a, b string) int {
	x, errX := strconv.Atoi(a)
	y, errY := strconv.Atoi(b)
	if errX != nil || errY != nil {
		return strings.Compare(a, b)
	}
	return cmp.Compare(x, y)
}

// loadVersion parses one version file; a delta's base must be an older version.
func loadVersion(fsys fs.FS, version string, c *catalog) (*versionData, error) {
	f, err := readVersionFile(fsys, version)
	if err != nil {
		return nil, err
	}
	var v *versionData
	if f.Base == "" {
		v, err = buildFull(f)
	} else if base, ok := c.versions[f.Base]; ok {
		v, err = applyDelta(base, f)
	} else {
		return nil, fmt.Errorf("base version %q is not an older version of the data", f.Base)
	}
	if err != nil {
		return nil, err
	}
	return v, checkAppliance(v)
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
	v := &versionData{build: f.Build, operations: map[string]Operation{}, lists: f.Lists}
	if err := addOperations(v, f.Operations); err != nil {
		return nil, err
	}
	full, err := buildFullList(f)
	if err != nil {
		return nil, err
	}
	v.fullList = full
	return v, nil
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

// addOperations resolves operations against v's lists and appends them to v, in order.
func addOperations(v *versionData, operations []fileOperation) error {
	if len(v.names) == 0 && len(operations) == 0 {
		return errors.New("no operations")
	}
	for _, fo := range operations {
		if !operationNamePattern.MatchString(fo.Name) {
			return fmt.Errorf("operation name %q is not snake_case", fo.Name)
		}
		if _, ok := v.operations[fo.Name]; ok {
			return fmt.Errorf("operation %q defined twice", fo.Name)
		}
		op, err := buildOperation(fo, v.lists)
		if err != nil {
			return err
		}
		v.names = append(v.names, fo.Name)
		v.operations[fo.Name] = op
	}
	return nil
}

// buildOperation merges the lists an operation refers to.
func buildOperation(fo fileOperation, lists map[string]fileList) (Operation, error) {
	if len(fo.Lists) == 0 {
		return Operation{}, fmt.Errorf("operation %q: no lists", fo.Name)
	}
	if fo.Purpose == "" || fo.Notes == "" {
		return Operation{}, fmt.Errorf("operation %q: missing purpose or notes", fo.Name)
	}
	if fo.AppliancePermission == nil {
		return Operation{}, fmt.Errorf("operation %q: no appliance_permission (write \"\" and appliance_instead "+
			"when the appliance has none)", fo.Name)
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
		AppliancePermission:     *fo.AppliancePermission,
		ApplianceInstead:        fo.ApplianceInstead,
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

// applyDelta copies base and applies a delta file: its own lists, dropped
// operations, added operations and additions to operations, in that order.
// The full list of the delta version is the base full list plus every added
// action, less the actions no remaining operation grants.
func applyDelta(base *versionData, f *fileVersion) (*versionData, error) {
	if f.FullList != nil || len(f.FullListAdditions) > 0 {
		return nil, errors.New("a delta version must not define full_list or full_list_additions")
	}
	v, err := deltaBase(base, f)
	if err != nil {
		return nil, err
	}
	full := actionSet{}
	full.add(base.fullList...)
	for _, name := range v.names[len(v.names)-len(f.Operations):] {
		full.add(v.operations[name].Actions...)
		full.add(v.operations[name].ProductionWorkerActions...)
	}
	for i, a := range f.Additions {
		if err := applyAddition(v, f.Version, a, &full); err != nil {
			return nil, fmt.Errorf("additions[%d]: %w", i, err)
		}
	}
	v.fullList = granted(v, full.sorted())
	return v, nil
}

// deltaBase copies base with the delta's lists added, its drops applied and its operations added.
func deltaBase(base *versionData, f *fileVersion) (*versionData, error) {
	v := &versionData{build: f.Build, lists: maps.Clone(base.lists), operations: map[string]Operation{}}
	for id, l := range f.Lists {
		if _, ok := v.lists[id]; ok {
			return nil, fmt.Errorf("list %q is already defined by the base", id)
		}
		if err := checkList(id, l); err != nil {
			return nil, err
		}
		v.lists[id] = l
	}
	for _, name := range base.names {
		if !slices.ContainsFunc(f.Drops, func(d fileDrop) bool { return d.Operation == name }) {
			v.names = append(v.names, name)
			v.operations[name] = cloneOperation(base.operations[name])
		}
	}
	for _, d := range f.Drops {
		if _, ok := base.operations[d.Operation]; !ok || d.Source == "" || d.Notes == "" {
			return nil, fmt.Errorf("dropped operation %q: not in the base, or no source or notes", d.Operation)
		}
	}
	return v, addOperations(v, f.Operations)
}

// granted keeps the actions of full that some operation of v grants.
func granted(v *versionData, full []string) []string {
	var all actionSet
	for _, op := range v.operations {
		all.add(op.Actions...)
		all.add(op.ProductionWorkerActions...)
	}
	return slices.DeleteFunc(full, func(a string) bool { return !all.seen[strings.ToLower(a)] })
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

// AddVersionForTest makes the package read the embedded data plus one more version file, data (the JSON of a
// data/v<version>.json file), until restore is called. It is for tests that show a new version's data flows
// through their package with no other edit; callers must not run in parallel with other users of the package.
func AddVersionForTest(version string, data []byte) (restore func(), err error) {
	fsys := fstest.MapFS{"data/v" + version + ".json": {Data: data}}
	files, err := fs.Glob(embedded, "data/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		raw, err := fs.ReadFile(embedded, name)
		if err != nil {
			return nil, err
		}
		fsys[name] = &fstest.MapFile{Data: raw}
	}
	c, err := load(fsys)
	if err != nil {
		return nil, err
	}
	saved := loadEmbedded
	loadEmbedded = func() (*catalog, error) { return c, nil }
	return func() { loadEmbedded = saved }, nil
}
