package operationsguide

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
)

const repositoryRoot = "../.."

// The committed guide, and the copy tfplugindocs puts in docs/, are what the catalog renders today.
func TestCommittedGuideIsCurrent(t *testing.T) {
	want, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{Path, "docs/guides/operations.md"} {
		got, err := os.ReadFile(filepath.Join(repositoryRoot, path))
		if err != nil {
			t.Fatalf("%v; run `make docs` and commit the result", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date with the catalog: run `make docs` and commit the result", path)
		}
	}
}

// Each operation has its section with its purpose, counts per version, appliance permission and Veeam's pages.
func TestGuideDescribesEveryOperation(t *testing.T) {
	guide, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	sections := strings.Split(string(guide), "\n### ")
	for _, name := range catalog.AllOperations() {
		section := sectionOf(sections, name)
		if section == "" {
			t.Errorf("no section for %s", name)
			continue
		}
		for _, version := range catalog.VersionsOf(name) {
			op, err := catalog.Get(version, name)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{op.Purpose, op.Notes}
			for _, source := range op.Sources {
				want = append(want, "<"+source+">")
			}
			if op.AppliancePermission == "" {
				want = append(want, "**Appliance permission:** none", "[`"+op.ApplianceInstead+"`]")
			} else {
				want = append(want, "**Appliance permission:** `"+op.AppliancePermission+"`")
			}
			for _, text := range want {
				if !strings.Contains(section, text) {
					t.Errorf("v%s %s: the section lacks %q", version, name, text)
				}
			}
			count := fmt.Sprintf("%d in version %s", len(op.Actions), version)
			if !strings.Contains(section, "**Actions:** "+count) && !strings.Contains(section, "; "+count) {
				t.Errorf("v%s %s: the section does not say %q", version, name, count)
			}
		}
		if !strings.Contains(string(guide), "| [`"+name+"`](#"+name+") |") {
			t.Errorf("%s is not in the table", name)
		}
	}
}

// The recipes' numbers are the catalog's: the production worker role is Veeam's worker instance page alone.
func TestRecipes(t *testing.T) {
	guide, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"operations = [\"production_worker\"]\n```\n\nIn version 10, the default: 33 actions; trust: the appliance and " +
			"`ec2.amazonaws.com`; instance profile: required.",
		"operations = [\"flr_worker\"]\n```\n\nIn version 10, the default: 82 actions;",
		"operations = [\"repository\"]\n```\n\nIn version 10, the default: 28 actions; trust: the appliance and " +
			"`batchoperations.s3.amazonaws.com`; instance profile: not needed.",
	} {
		if !strings.Contains(string(guide), want) {
			t.Errorf("the guide lacks %q", want)
		}
	}
	if _, err := recipe("ec2_backup", "ec2_bakup"); err == nil || !strings.Contains(err.Error(), `"ec2_backup"?`) {
		t.Errorf("a recipe with an unknown operation: %v", err)
	}
}

// Every page that takes `operations` links the guide.
func TestOperationsPagesLinkTheGuide(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(repositoryRoot, "docs", "*", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	taking := 0
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(text, []byte("- `operations` (")) {
			continue
		}
		taking++
		if !bytes.Contains(text, []byte("](../guides/operations.md)")) {
			t.Errorf("%s takes operations but does not link ../guides/operations.md", page)
		}
	}
	if taking < 3 {
		t.Fatalf("found %d pages that take operations, want vbaws_role_template, vbaws_role_template_document "+
			"and vbaws_role_check at least", taking)
	}
}

// sectionOf returns the section headed by name, or "".
func sectionOf(sections []string, name string) string {
	for _, s := range sections {
		if strings.HasPrefix(s, name+"\n") {
			return s
		}
	}
	return ""
}

// A version's data file alone adds an operation to the guide, with a dash for the versions without it, and drops
// one from the versions that drop it.
func TestGuideFollowsAVersionsOperations(t *testing.T) {
	data, err := os.ReadFile("../catalog/testdata/v12.json")
	if err != nil {
		t.Fatal(err)
	}
	restore, err := catalog.AddVersionForTest("12", data)
	if err != nil {
		t.Fatal(err)
	}
	defer restore()
	guide, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| Operation | Actions (v10 / v11 / v12) |",
		"| [`test_inventory`](#test_inventory) | – / – / 29 | none | no | `TestInventory` |",
		"| [`vpc_restore`](#vpc_restore) | 179 / 179 / – |",
		"\n### test_inventory\n",
		"- **Actions:** 29 in version 12 (build 12.0.0.1).",
	} {
		if !strings.Contains(string(guide), want) {
			t.Errorf("the guide lacks %q", want)
		}
	}
}
