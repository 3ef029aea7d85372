package template

import (
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

func TestRenderEveryOperationFitsAndCoversTheFullList(t *testing.T) {
	for _, version := range catalog.Versions() {
		names, err := catalog.Operations(version)
		if err != nil {
			t.Fatal(err)
		}
		all, err := Render(version, names, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Documents) < 2 {
			t.Fatalf(
				"v%s: all operations fit in %d document(s); Veeam's full list needs several",
				version,
				len(all.Documents),
			)
		}
		seen := map[string]bool{}
		for i, document := range all.Documents {
			if size := policy.Size(document); size > policy.ManagedPolicyMaxSize {
				t.Fatalf("v%s document %d has %d characters", version, i+1, size)
			}
			doc, err := policy.Parse(document)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range doc.Statements {
				for _, field := range strings.Split(s.JSON(), `"`) {
					if strings.Contains(field, ":") && !strings.ContainsAny(field, "{},[") {
						seen[strings.ToLower(field)] = true
					}
				}
			}
		}
		selection, err := catalog.Resolve(version, names, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, action := range selection.Actions {
			if !seen[strings.ToLower(action)] {
				t.Errorf("v%s: %s is granted by an operation but in no document", version, action)
			}
		}
		again, _ := Render(version, names, false)
		if strings.Join(again.Documents, "\n") != strings.Join(all.Documents, "\n") {
			t.Fatalf("v%s: rendering is not deterministic", version)
		}
	}
}

func TestRenderEachOperation(t *testing.T) {
	for _, operation := range defaultOperations(t) {
		for _, workers := range []bool{false, true} {
			tpl, err := Render(catalog.DefaultVersion, []string{operation}, workers)
			if err != nil {
				t.Fatalf("%s: %v", operation, err)
			}
			for i, document := range tpl.Documents {
				if policy.Size(document) > policy.ManagedPolicyMaxSize {
					t.Fatalf("%s document %d is too large", operation, i+1)
				}
			}
		}
	}
	if _, err := Render(catalog.DefaultVersion, []string{"ec2_bakup"}, false); err == nil ||
		!strings.Contains(err.Error(), "ec2_backup") {
		t.Fatalf("unknown operation: %v", err)
	}
}

func TestPartNames(t *testing.T) {
	if got := strings.Join(PartNames("veeam", 1), ","); got != "veeam" {
		t.Fatalf("one part: %s", got)
	}
	if got := strings.Join(PartNames("veeam", 3), ","); got != "veeam-1,veeam-2,veeam-3" {
		t.Fatalf("three parts: %s", got)
	}
}

func TestTagsRoundTrip(t *testing.T) {
	v11, err := catalog.Operations("11")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Render("11", v11, true)
	if err != nil {
		t.Fatal(err)
	}
	tags := tpl.Tags(1)
	for key, value := range tags {
		if len(value) > maxTagValueLength || len(key) > 128 {
			t.Fatalf("tag %s=%q breaks IAM's limits", key, value)
		}
	}
	if tags[tagOperations+":2"] == "" {
		t.Fatal("22 operations should need a second operations tag")
	}
	got, err := ParseTags(tags)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Operations, " ") != strings.Join(tpl.Operations, " ") ||
		got.Version != "11" ||
		!got.ProductionWorkers ||
		got.Part != 2 ||
		got.Parts != len(tpl.Documents) {
		t.Fatalf("ParseTags = %+v", got)
	}
	for _, broken := range []map[string]string{
		{},
		{tagVersion: "10", tagWorkers: "maybe", tagPart: "1/1", tagOperations: "ec2_backup"},
		{tagVersion: "10", tagWorkers: "false", tagPart: "3/2", tagOperations: "ec2_backup"},
		{tagVersion: "10", tagWorkers: "false", tagPart: "1/1"},
	} {
		if _, err := ParseTags(broken); err == nil {
			t.Errorf("ParseTags(%v) succeeded", broken)
		}
	}
}

func BenchmarkRenderAll(b *testing.B) {
	all := defaultOperations(b)
	for b.Loop() {
		if _, err := Render(catalog.DefaultVersion, all, true); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUnusedTagKeys(t *testing.T) {
	one, _ := Render(catalog.DefaultVersion, []string{"repository"}, false)
	unused := one.UnusedTagKeys(0)
	if len(unused) != len(catalog.AllOperations())-1 || unused[0] != tagOperations+":2" {
		t.Fatalf("unused = %v", unused)
	}
	all, _ := Render(catalog.DefaultVersion, defaultOperations(t), false)
	for _, key := range all.UnusedTagKeys(0) {
		if _, used := all.Tags(0)[key]; used {
			t.Fatalf("%s is used", key)
		}
	}
}

func TestRevisedPartNamesAlternateWithPartNames(t *testing.T) {
	for _, parts := range []int{1, 3} {
		revised, plain := RevisedPartNames("veeam-ec2", parts), PartNames("veeam-ec2", parts)
		for i, name := range revised {
			if !IsRevisedPartName("veeam-ec2", name) {
				t.Errorf("%s is not recognised as a revised part name", name)
			}
			if name == plain[i] {
				t.Errorf("part %d has the same name %s in both sets", i+1, name)
			}
			if IsRevisedPartName("veeam-ec2", plain[i]) {
				t.Errorf("%s is taken for a revised part name", plain[i])
			}
		}
	}
	for _, other := range []string{"veeam-ec2.", "veeam-ec2.0", "veeam-ec2.01", "veeam-ec2.x", "veeam-ec2x.1", "veeam.1"} {
		if IsRevisedPartName("veeam-ec2", other) {
			t.Errorf("%s is taken for a revised part name of veeam-ec2", other)
		}
	}
}

// defaultOperations are the operations of the default product version.
func defaultOperations(t testing.TB) []string {
	t.Helper()
	names, err := catalog.Operations(catalog.DefaultVersion)
	if err != nil {
		t.Fatal(err)
	}
	return names
}
