package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// module is the import path prefix of the provider's packages.
const module = "github.com/vbaws/terraform-provider-vbaws/internal/"

// layerRule is one import rule of DESIGN.md's layers: packages whose path (below internal/) starts with one of from
// must not import a package whose path starts with one of forbidden, unless it starts with one of allowed.
type layerRule struct {
	why       string
	from      []string
	forbidden []string
	allowed   []string
}

var (
	domainPackages     = []string{"policy", "principal", "catalog", "template", "veeamrest"}
	productionPackages = []string{"policy", "principal", "catalog", "template", "veeamrest", "awsclient",
		"appliance", "provider", "tuning", "operationsguide"}
	harnessPackages = []string{module + "acctest", module + "applianceemu", module + "emulator",
		module + "benchprovider", module + "releasetest"}
)

var layerRules = []layerRule{
	{why: "domain packages know nothing of Terraform, AWS or the appliance", from: domainPackages,
		forbidden: []string{"github.com/hashicorp/terraform-plugin", "github.com/aws/", module + "awsclient",
			module + "appliance", module + "provider"}},
	{why: "awsclient owns AWS and knows nothing of the framework or the appliance", from: []string{"awsclient"},
		forbidden: []string{"github.com/hashicorp/terraform-plugin", module + "appliance", module + "provider"},
		allowed:   []string{"github.com/hashicorp/terraform-plugin-log/"}},
	{why: "the appliance client is a sibling of awsclient and knows nothing of Terraform or AWS",
		from: []string{"appliance"},
		forbidden: []string{"github.com/hashicorp/terraform-plugin", "github.com/aws/", module + "awsclient",
			module + "provider"}},
	{why: "provider calls AWS only through awsclient: SDK types, never SDK service clients",
		from: []string{"provider"}, forbidden: []string{"github.com/aws/aws-sdk-go-v2/service/",
			"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/credentials", "net/http"},
		allowed: []string{"github.com/aws/aws-sdk-go-v2/service/iam/types"}},
	{why: "nothing that ships imports the test harness or the emulators", from: productionPackages,
		forbidden: harnessPackages},
}

// The layers DESIGN.md describes hold: go list shows no import a rule forbids (tests' imports excepted).
func TestDesign_layersImportOnlyWhatTheyMay(t *testing.T) {
	imports := packageImports(t)
	for _, rule := range layerRules {
		matched := false
		for pkg, deps := range imports {
			if !inPackages(strings.TrimPrefix(pkg, module), rule.from) {
				continue
			}
			matched = true
			for _, dep := range deps {
				if hasPrefix(dep, rule.forbidden) && !hasPrefix(dep, rule.allowed) {
					t.Errorf("%s imports %s, but %s", pkg, dep, rule.why)
				}
			}
		}
		if !matched {
			t.Errorf("no package matches %v: the rule %q checks nothing (renamed?)", rule.from, rule.why)
		}
	}
}

// packageImports lists, per package of the module below internal/, the packages its non-test files import.
func packageImports(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./internal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	lines := bufio.NewScanner(bytes.NewReader(out))
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) > 0 {
			imports[fields[0]] = fields[1:]
		}
	}
	if len(imports) == 0 {
		t.Fatal("go list found no packages below internal/")
	}
	return imports
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// inPackages reports whether the package path rel (below internal/) is one of packages or below one.
func inPackages(rel string, packages []string) bool {
	for _, p := range packages {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}
