package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// examplesRoot is examples/ relative to this package.
const examplesRoot = "../../examples"

// examplesTestedElsewhere are the directories of examples/ that a test of their own runs.
var examplesTestedElsewhere = map[string]string{"landing-zone": "TestAccLandingZone_threeMemberAccounts",
	"landing-zone-for-each": "TestAccLandingZone_openTofuProviderForEach"}

// exampleImpersonationRole is the Impersonation role every example may name, made as Veeam's deployment makes
// it, in every account an example acts in, with its instance profile.
const (
	exampleImpersonationRole    = "VeeamImpersonationRole"
	exampleImpersonationProfile = "VeeamApplianceProfile"
)

// exampleNeeds are the CLI capabilities that the examples of a directory need: without them the examples are
// skipped (or, in the CI leg that promises them, fail; see acctest.RequireCLI).
var exampleNeeds = map[string][]acctest.Capability{
	"list-resources": {acctest.Query},
	"actions":        {acctest.Actions},
}

// Every example under examples/ (a directory with .tf files directly, such as examples/provider, or each
// subdirectory of the others, such as examples/resources/vbaws_iam_role) runs as a user would run it: the files
// as written, with the provider installed through dev_overrides, applied, planned again with no change, and
// destroyed. The test only points the provider blocks at the emulators (an assume_role into an account of the
// example's own, the appliance's URL), adds a provider block and required_providers where the example has none, a
// probe data source per provider configuration the example declares, and creates first what the example expects
// to exist (exampleFixtures). After destroy the account holds what it held before the apply, and the appliance
// only its default record. A new example directory is picked up without any change here; one that cannot run
// fails.
func TestAccExamples(t *testing.T) {
	examples := findExamples(t)
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			newExampleRun(t, name).run()
		})
	}
}

// findExamples lists the example directories, relative to examples/.
func findExamples(t *testing.T) []string {
	top, err := os.ReadDir(examplesRoot)
	if err != nil {
		t.Fatal(err)
	}
	var examples []string
	for _, entry := range top {
		if !entry.IsDir() || examplesTestedElsewhere[entry.Name()] != "" {
			continue
		}
		if hasConfiguration(t, filepath.Join(examplesRoot, entry.Name())) {
			examples = append(examples, entry.Name())
			continue
		}
		subdirs, err := os.ReadDir(filepath.Join(examplesRoot, entry.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range subdirs {
			name := entry.Name() + "/" + sub.Name()
			if !sub.IsDir() || !hasConfiguration(t, filepath.Join(examplesRoot, name)) {
				t.Errorf("examples/%s is neither an example directory nor a configuration", name)
				continue
			}
			examples = append(examples, name)
		}
	}
	if len(examples) == 0 {
		t.Fatal("no examples found")
	}
	return examples
}

// hasConfiguration reports whether dir holds Terraform files (.tf, or .tfquery.hcl for list resources).
func hasConfiguration(t *testing.T, dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(entries, func(e os.DirEntry) bool {
		return !e.IsDir() && (strings.HasSuffix(e.Name(), ".tf") || strings.HasSuffix(e.Name(), ".tfquery.hcl"))
	})
}

// exampleRun is one example applied in a working copy, in an account of its own, with an appliance of its own.
type exampleRun struct {
	t                *testing.T
	name             string
	dir              string
	account          string
	client           *iam.Client
	impersonationARN string
	emu              *applianceemu.Server
	cli              *acctest.CLI
	varFile          string
}

func newExampleRun(t *testing.T, name string) *exampleRun {
	return newExampleRunOf(t, name, func(dir string) error {
		return os.CopyFS(dir, os.DirFS(filepath.Join(examplesRoot, name)))
	})
}

// newExampleRunOf is newExampleRun for a configuration that write puts into the working copy's directory.
func newExampleRunOf(t *testing.T, name string, write func(dir string) error) *exampleRun {
	r := &exampleRun{t: t, name: name, dir: filepath.Join(t.TempDir(), "example")}
	if err := write(r.dir); err != nil {
		t.Fatalf("copying the example: %v", err)
	}
	r.cli = r.newCLI(r.dir)
	acctest.RequireCLI(t, exampleNeeds[strings.Split(name, "/")[0]]...)
	r.leaveOutFilesTheCLICannotRun()
	r.account = acctest.RandomAccountID()
	r.client = acctest.IAMClientIn(t, r.account)
	r.impersonationARN = r.impersonationFixture(r.account)
	r.emu = acctest.NewAppliance(t, applianceemu.Options{AccountID: r.account,
		ImpersonationRoleARN: r.impersonationARN})
	r.cli.Setenv("VBAWS_APPLIANCE_USERNAME="+r.emu.Username(), "VBAWS_APPLIANCE_PASSWORD="+r.emu.Password())
	r.writeFile("appliance.pem", r.emu.CertificatePEM())
	r.adaptConfiguration()
	r.varFile = r.writeVarFile()
	if fixture, ok := exampleFixtures[name]; ok {
		fixture(r)
	}
	return r
}

// exampleFileNeeds are the CLI capabilities single example files need, by file name: under a CLI without them
// the file is left out of the run and the rest of its directory runs.
var exampleFileNeeds = map[string]acctest.Capability{
	"import-by-identity.tf": acctest.Identity,
}

// leaveOutFilesTheCLICannotRun removes from the run's copy the files whose capability the CLI lacks.
func (r *exampleRun) leaveOutFilesTheCLICannotRun() {
	for file, capability := range exampleFileNeeds {
		copied := filepath.Join(r.dir, file)
		if _, err := os.Stat(copied); err != nil || acctest.CLIHas(r.t, capability) {
			continue
		}
		if err := os.Remove(copied); err != nil {
			r.t.Fatal(err)
		}
		r.t.Logf("examples/%s/%s left out: the CLI has no %s", r.name, file, capability.Name)
	}
}

// newCLI prepares the CLI for a working directory, with AWS endpoints from the environment, so that provider
// blocks of the examples need no endpoints block.
func (r *exampleRun) newCLI(dir string) *acctest.CLI {
	cli := acctest.NewInstalledCLI(r.t, dir)
	if !acctest.RealAWS() {
		cli.Setenv("AWS_ENDPOINT_URL=" + acctest.Endpoint())
	}
	return cli
}

// run runs the example's `terraform test` files, if it has any, applies the example, invokes its actions and runs
// its queries, plans again, expecting no change, and destroys it.
func (r *exampleRun) run() {
	before := r.inventory()
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", r.varFile}
	destroy := []string{"destroy", "-auto-approve", "-input=false", "-no-color", r.varFile}
	r.t.Cleanup(func() { r.cli.Run(destroy...) })
	if r.hasFiles(".tftest.hcl") {
		r.cli.MustRun("test", "-no-color")
	}
	r.noFailedChecks(r.cli.MustRun(apply...))
	for _, action := range r.blocks("action") {
		r.cli.MustRun(append(apply, "-invoke=action."+strings.Join(action, "."))...)
	}
	if r.hasFiles(".tfquery.hcl") {
		r.cli.MustRun("query", "-no-color", r.varFile)
	}
	if code, out := r.cli.Run("plan", "-detailed-exitcode", "-input=false", "-no-color", r.varFile); code != 0 {
		r.t.Errorf("the plan after apply is not empty (exit %d):\n%s", code, out)
	}
	r.cli.MustRun(destroy...)
	if after := r.inventory(); !isSubset(after.All(), before.All()) {
		r.t.Errorf("after destroy the account holds %v, before the apply %v", after.All(), before.All())
	}
	if err := onlyDefaultRecordLeft(r.emu)(nil); err != nil {
		r.t.Error(err)
	}
}

// noFailedChecks fails the test when a check block of the example failed: the fixtures are made so that every
// check passes.
func (r *exampleRun) noFailedChecks(out string) {
	if strings.Contains(out, "Check block assertion failed") {
		r.t.Errorf("a check block of the example failed:\n%s", out)
	}
}

func (r *exampleRun) inventory() acctest.Inventory {
	inv, err := acctest.TakeInventory(context.Background(), r.client, "")
	if err != nil {
		r.t.Fatal(err)
	}
	return inv
}

func isSubset(values, of []string) bool {
	return !slices.ContainsFunc(values, func(v string) bool { return !slices.Contains(of, v) })
}

// adaptConfiguration points every vbaws provider block of the example at the emulators and adds what the example
// leaves to the user: required_providers, a provider block, and a probe per provider configuration it declares.
func (r *exampleRun) adaptConfiguration() {
	var configurations []providerConfiguration
	text := ""
	for _, file := range r.files(".tf") {
		src, err := os.ReadFile(file)
		if err != nil {
			r.t.Fatal(err)
		}
		parsed, diags := hclwrite.ParseConfig(src, file, hcl.InitialPos)
		if diags.HasErrors() {
			r.t.Fatalf("examples/%s: %v", r.name, diags)
		}
		for _, block := range parsed.Body().Blocks() {
			if block.Type() == "provider" && slices.Equal(block.Labels(), []string{"vbaws"}) {
				configurations = append(configurations, r.adaptProvider(block.Body()))
			}
		}
		if err := os.WriteFile(file, parsed.Bytes(), 0o600); err != nil {
			r.t.Fatal(err)
		}
		text += string(src)
	}
	if !strings.Contains(text, "required_providers") {
		r.writeFile("zz_test_terraform.tf", "terraform {\n  required_providers {\n    vbaws = {\n"+
			"      source = \"vbaws/vbaws\"\n    }\n  }\n}\n")
	}
	if len(configurations) == 0 {
		provider := hclwrite.NewBlock("provider", []string{"vbaws"})
		provider.Body().AppendNewBlock("appliance", nil)
		r.adaptProvider(provider.Body())
		file := hclwrite.NewEmptyFile()
		file.Body().AppendBlock(provider)
		r.writeFile("zz_test_provider.tf", string(file.Bytes()))
		return
	}
	r.writeFile("zz_test_probes.tf", r.probes(configurations))
}

// providerConfiguration is a provider block of an example: its alias ("" for the default one), the account it
// acts in and whether it configures an appliance.
type providerConfiguration struct {
	alias, account string
	appliance      bool
}

var roleARNAccount = regexp.MustCompile(`arn:aws[a-z-]*:iam::(\d{12}):role/`)

// adaptProvider makes a provider block act in the example's account, unless it assumes a role of its own, and
// sends its appliance calls to the emulator.
func (r *exampleRun) adaptProvider(body *hclwrite.Body) providerConfiguration {
	c := providerConfiguration{alias: literal(body.GetAttribute("alias")), account: r.account}
	if assume := body.FirstMatchingBlock("assume_role", nil); assume != nil {
		match := roleARNAccount.FindStringSubmatch(literal(assume.Body().GetAttribute("role_arn")))
		if match == nil {
			r.t.Fatalf("examples/%s: an assume_role block without a literal role ARN", r.name)
		}
		c.account = match[1]
	} else if !acctest.RealAWS() {
		body.AppendNewBlock("assume_role", nil).Body().SetAttributeValue("role_arn",
			cty.StringVal(fmt.Sprintf("arn:aws:iam::%s:role/%s", r.account, acctest.MemberAccessRole)))
	}
	if appliance := body.FirstMatchingBlock("appliance", nil); appliance != nil {
		c.appliance = true
		appliance.Body().SetAttributeValue("url", cty.StringVal(r.emu.URL()))
		if appliance.Body().GetAttribute("ca_file") == nil && appliance.Body().GetAttribute("ca_pem") == nil {
			appliance.Body().SetAttributeValue("ca_pem", cty.StringVal(r.emu.CertificatePEM()))
		}
	}
	return c
}

// literal is the text of a string literal attribute, or "" when there is none.
func literal(attribute *hclwrite.Attribute) string {
	if attribute == nil {
		return ""
	}
	text := strings.TrimSpace(string(attribute.Expr().BuildTokens(nil).Bytes()))
	return strings.Trim(text, `"`)
}

// probes reads through each provider configuration, so that an example of provider blocks alone proves that each
// one works: the Impersonation role in its account, and the appliance's records when it has an appliance.
func (r *exampleRun) probes(configurations []providerConfiguration) string {
	var probes strings.Builder
	for _, c := range configurations {
		name, provider := "probe_default", ""
		if c.alias != "" {
			name, provider = "probe_"+c.alias, "  provider = vbaws."+c.alias+"\n"
		}
		if c.account != r.account {
			r.impersonationFixture(c.account)
		}
		fmt.Fprintf(&probes, "data \"vbaws_impersonation_role\" %q {\n%s  name = %q\n}\n\n", name, provider,
			exampleImpersonationRole)
		if c.appliance {
			fmt.Fprintf(&probes, "data \"vbaws_appliance_roles\" %q {\n%s}\n\n", name, provider)
		}
	}
	return probes.String()
}

// writeVarFile sets every variable an example may declare; a value for a variable it does not declare is only a
// warning in a variable file.
func (r *exampleRun) writeVarFile() string {
	content, err := json.Marshal(map[string]any{
		"impersonation_role_arn": r.impersonationARN,
		"production_external_id": exampleProductionExternalID,
		"appliance_url":          r.emu.URL(),
		"appliance_ca_file":      filepath.Join(r.dir, "appliance.pem"),
		"appliance_password":     r.emu.Password(),
	})
	if err != nil {
		r.t.Fatal(err)
	}
	path := filepath.Join(r.t.TempDir(), "example.tfvars.json")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		r.t.Fatal(err)
	}
	return "-var-file=" + path
}

// exampleProductionExternalID is the external ID the test gives the appliance role example's production role.
const exampleProductionExternalID = "veeam-prod-7f3c"

func (r *exampleRun) writeFile(name, content string) {
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// files lists the working copy's files whose names end in suffix.
func (r *exampleRun) files(suffix string) []string {
	var files []string
	err := filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, suffix) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return files
}

func (r *exampleRun) hasFiles(suffix string) bool { return len(r.files(suffix)) > 0 }

// blocks returns the labels of the top-level blocks of a type in the example's .tf files.
func (r *exampleRun) blocks(typ string) [][]string {
	var labels [][]string
	for _, file := range r.files(".tf") {
		src, err := os.ReadFile(file)
		if err != nil {
			r.t.Fatal(err)
		}
		parsed, _ := hclwrite.ParseConfig(src, file, hcl.InitialPos)
		for _, block := range parsed.Body().Blocks() {
			if block.Type() == typ {
				labels = append(labels, block.Labels())
			}
		}
	}
	return labels
}

// impersonationFixture creates the Impersonation role and its instance profile in an account.
func (r *exampleRun) impersonationFixture(account string) string {
	client := acctest.IAMClientIn(r.t, account)
	arn := fixtureRole(r.t, client, exampleImpersonationRole, "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	fixtureInstanceProfile(r.t, client, exampleImpersonationProfile, exampleImpersonationRole)
	return arn
}

// applyFixture applies a configuration of fixtures in the example's account before the example runs, and
// destroys it after the example's own destroy.
func (r *exampleRun) applyFixture(configuration string) {
	dir := filepath.Join(r.t.TempDir(), "fixture")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		r.t.Fatal(err)
	}
	content := fmt.Sprintf(`terraform {
  required_providers {
    vbaws = {
      source = "vbaws/vbaws"
    }
  }
}

provider "vbaws" {
  assume_role {
    role_arn = "arn:aws:iam::%s:role/%s"
  }
}

data "vbaws_impersonation_role" "appliance" {
  name = %q
}
%s`, r.account, acctest.MemberAccessRole, exampleImpersonationRole, configuration)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
	cli := r.newCLI(dir)
	r.t.Cleanup(func() { cli.Run("destroy", "-auto-approve", "-input=false") })
	cli.MustRun("apply", "-auto-approve", "-input=false", "-no-color")
}

// exampleFixtures create what an example expects to exist before it runs, under the names it uses, in its
// account (r.client) or the account its ARNs name. Every example also finds the Impersonation role.
var exampleFixtures = map[string]func(r *exampleRun){
	"quickstart": func(r *exampleRun) {
		fixtureRole(r.t, r.client, "team-app-role", "/", teamTrustPolicy, nil)
	},
	"resources/vbaws_trust_relationship": func(r *exampleRun) {
		for _, name := range []string{"team-app-role", "data-team-role", "team-owned-role", "reporting-api-role",
			"reporting-etl-role"} {
			fixtureRole(r.t, r.client, name, "/", teamTrustPolicy, nil)
		}
		for _, name := range []string{"legacy-app-role", "archive-app-role"} {
			fixtureRole(r.t, r.client, name, "/", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
				`{"Sid":%q,"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}]}`,
				veeamTrustSid, r.impersonationARN), nil)
		}
	},
	"resources/vbaws_role_template": func(r *exampleRun) {
		r.applyFixture(`
resource "vbaws_role_template" "vpc" {
  name       = "veeam-vpc"
  path       = "/veeam/"
  operations = ["vpc_backup", "vpc_restore"]
}

resource "vbaws_role_template" "rds" {
  name       = "veeam-rds"
  path       = "/veeam/"
  operations = ["rds_snapshot", "rds_restore"]
}
`)
	},
	"resources/vbaws_iam_role": func(r *exampleRun) {
		fixtureRole(r.t, r.client, "VeeamWorkerRole", "/", cfnWorkerTrust(r.impersonationARN),
			map[string]string{"worker-config": assumeAnyRolePolicy})
		fixtureRole(r.t, r.client, "veeam-aws-instance-role", "/", ec2TrustPolicy,
			map[string]string{"veeam-aws-instance-policy": assumeAnyRolePolicy})
		fixtureRole(r.t, r.client, "VeeamLegacyBackupRole", "/", applianceTrust(r.impersonationARN), nil)
	},
	"resources/vbaws_appliance_role": func(r *exampleRun) {
		for _, account := range []string{"210987654321", "345678901234", "456789012345"} {
			fixtureRole(r.t, acctest.IAMClientIn(r.t, account), "veeam-backup", "/veeam/",
				applianceTrust(r.impersonationARN, exampleProductionExternalID), nil)
		}
		r.emu.Add(applianceemu.Record{Name: "Production backup", AccountID: "210987654321",
			RoleName: "veeam/veeam-backup", CrossAccount: true, ExternalID: exampleProductionExternalID})
	},
	// Terraform runs as the Impersonation role in the example's "self" data source: the role the provider assumes.
	"data-sources/vbaws_impersonation_role": func(r *exampleRun) {
		fixtureRole(r.t, r.client, acctest.MemberAccessRole, "/", ec2TrustPolicy,
			map[string]string{"assume": assumeAnyRolePolicy})
	},
	"data-sources/vbaws_role_check": func(r *exampleRun) {
		r.applyFixture(readyRole("veeam-ec2", `["ec2_backup", "ec2_restore"]`, "veeam-appliance-1") +
			readyRole("veeam-rds", `["rds_snapshot", "rds_restore"]`, ""))
	},
}

// readyRole is a configuration of a role that Veeam's Check Permissions passes for the operations.
func readyRole(name, operations, externalID string) string {
	return fmt.Sprintf(`
resource "vbaws_role_template" %[1]q {
  name            = "fixture-%[1]s"
  product_version = "10"
  operations      = %[2]s
}

resource "vbaws_iam_role" %[1]q {
  name                    = %[1]q
  trusted_principal_arns  = [data.vbaws_impersonation_role.appliance.arn]
  external_id             = %[3]q == "" ? null : %[3]q
  managed_policy_arns     = vbaws_role_template.%[1]s.policy_arns
  service_principals      = vbaws_role_template.%[1]s.service_principals
  create_instance_profile = vbaws_role_template.%[1]s.requires_instance_profile
}
`, name, operations, externalID)
}

// readmeSnippets is how many of the README's first hcl blocks make up the path from nothing to a registered role:
// the provider and the Impersonation role, a worker role, its check and its registration.
const readmeSnippets = 4

// The README's newcomer path, as its hcl blocks read, applied like an example: the provider block gets the
// appliance block that step 3 tells the reader to add, the check block passes, the plan after is empty and
// destroy leaves the account and the appliance as they were.
func TestAccReadme_newcomerPath(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindAllSubmatch(readme, readmeSnippets)
	if len(blocks) < readmeSnippets {
		t.Fatalf("the README has %d hcl blocks, want at least %d", len(blocks), readmeSnippets)
	}
	var configuration []byte
	for _, block := range blocks {
		configuration = append(append(configuration, block[1]...), '\n')
	}
	withAppliance := regexp.MustCompile(`(?m)^provider "vbaws" \{\n`).ReplaceAll(configuration,
		[]byte("provider \"vbaws\" {\n  appliance {\n  }\n"))
	if bytes.Equal(withAppliance, configuration) {
		t.Fatal("the README's first hcl block has no provider block to give an appliance block")
	}
	newExampleRunOf(t, "README", func(dir string) error {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "main.tf"), withAppliance, 0o600)
	}).run()
}
