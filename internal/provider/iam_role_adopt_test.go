package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// adoptFixturesDir holds the roles Veeam's own automation makes, one file each, with the trust policy exactly as
// that automation writes it. The policy package reads the same files.
const adoptFixturesDir = "../policy/testdata/adopt"

// adoptFixture is one role of adoptFixturesDir. Its text may name {{account}}, {{appliance_arn}} and
// {{appliance_name}}, the Impersonation role the test makes.
type adoptFixture struct {
	Trust           json.RawMessage            `json:"trust"`
	Description     string                     `json:"description"`
	InlinePolicies  map[string]json.RawMessage `json:"inline_policies"`
	ManagedPolicies map[string]json.RawMessage `json:"managed_policies"`
	InstanceProfile string                     `json:"instance_profile"`
	Expect          struct {
		TrustedPrincipalARNs []string `json:"trusted_principal_arns"`
		ExternalID           string   `json:"external_id"`
		ServicePrincipals    []string `json:"service_principals"`
	} `json:"expect"`
}

// loadAdoptFixtures reads every fixture by its file name without extension, with the placeholders filled in.
func loadAdoptFixtures(t *testing.T, applianceName string) map[string]adoptFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(adoptFixturesDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no adoption fixtures in %s: %v", adoptFixturesDir, err)
	}
	fill := strings.NewReplacer("{{account}}", emulatorAccount, "{{appliance_name}}", applianceName,
		"{{appliance_arn}}", fmt.Sprintf("arn:aws:iam::%s:role/%s", emulatorAccount, applianceName))
	fixtures := map[string]adoptFixture{}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var f adoptFixture
		if err := json.Unmarshal([]byte(fill.Replace(string(text))), &f); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		fixtures[strings.TrimSuffix(filepath.Base(file), ".json")] = f
	}
	return fixtures
}

// createAdoptFixture makes the role of f outside Terraform, as its automation would, with its inline and managed
// policies and its instance profile, all removed when the test ends.
func createAdoptFixture(t *testing.T, client *iam.Client, name string, f adoptFixture) {
	t.Helper()
	ctx := context.Background()
	var managed []string
	for _, key := range slices.Sorted(maps.Keys(f.ManagedPolicies)) {
		managed = append(managed, fixturePolicy(t, client, string(f.ManagedPolicies[key])))
	}
	inline := map[string]string{}
	for policyName, doc := range f.InlinePolicies {
		inline[policyName] = string(doc)
	}
	fixtureRole(t, client, name, "/", string(f.Trust), inline)
	if f.Description != "" {
		if _, err := client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(name),
			Description: aws.String(f.Description)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, arn := range managed {
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name),
			PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	if f.InstanceProfile != "" {
		fixtureInstanceProfile(t, client, acctest.RandomName(f.InstanceProfile), name)
	}
}

// Every role that Veeam's CloudFormation and Terraform automation makes imports with import blocks and
// `terraform plan -generate-config-out`: the generated configuration passes validate (warning on
// trusted_principal_arns of each role the appliance cannot assume), plans only the imports, applies without a
// single write to IAM and plans empty afterwards; every trust policy keeps its exact text.
func TestAccIAMRole_adoptRolesVeeamAutomationMakes(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	applianceName := acctest.RandomName("vbaws-adopt-imp")
	fixtureRole(t, client, applianceName, "/", ec2TrustPolicy, nil)
	fixtures := loadAdoptFixtures(t, applianceName)
	names := map[string]string{}
	var imports strings.Builder
	unassumable := 0
	for _, key := range slices.Sorted(maps.Keys(fixtures)) {
		names[key] = acctest.RandomName("vbaws-adopt")
		createAdoptFixture(t, client, names[key], fixtures[key])
		fmt.Fprintf(&imports, "import {\n  to = vbaws_iam_role.%s\n  id = %q\n}\n", key, names[key])
		if len(fixtures[key].Expect.TrustedPrincipalARNs) == 0 {
			unassumable++
		}
	}
	cli := acctest.NewCLI(t, NewServer("test"))
	cli.WriteConfig(acctest.ProviderConfigFor(proxy.URL) + imports.String())
	cli.MustRun("init", "-no-color")
	cli.MustRun("plan", "-no-color", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(cli.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := countWarnings(t, cli.MustRun("validate", "-json"), cannotAssumeSummary); n != unassumable {
		t.Errorf("validate warns %d times that the appliance cannot assume a role, want %d", n, unassumable)
	}
	want := fmt.Sprintf("%d to import, 0 to add, 0 to change, 0 to destroy", len(fixtures))
	if code, out := cli.Run("plan", "-no-color"); code != 0 || !strings.Contains(out, want) {
		t.Fatalf("the generated configuration does not plan just the imports (exit %d):\n%s\n%s", code, generated, out)
	}
	cli.MustRun("apply", "-no-color", "-auto-approve")
	if code, out := cli.Run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after import is not empty (exit %d):\n%s\n%s", code, generated, out)
	}
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("adopting wrote to IAM: %v", writes)
	}
	for key, f := range fixtures {
		checkAdopted(t, cli.State(), key, f)
		if err := trustTextIs(t, client, names[key], string(f.Trust)); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}

// checkAdopted compares the inputs read on import with what the fixture's trust means.
func checkAdopted(t *testing.T, state *tfjson.State, key string, f adoptFixture) {
	t.Helper()
	for _, r := range state.Values.RootModule.Resources {
		if r.Address != "vbaws_iam_role."+key {
			continue
		}
		got := fmt.Sprint(r.AttributeValues["trusted_principal_arns"], r.AttributeValues["external_id"],
			r.AttributeValues["service_principals"])
		want := fmt.Sprint(nilIfNone(f.Expect.TrustedPrincipalARNs), nilIfEmptyString(f.Expect.ExternalID),
			nilIfNone(f.Expect.ServicePrincipals))
		if got != want {
			t.Errorf("%s: imported trusted principals, external ID and services are %s, want %s", key, got, want)
		}
		return
	}
	t.Errorf("%s is not in state", key)
}

func nilIfNone(values []string) any {
	if len(values) == 0 {
		return nil
	}
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

func nilIfEmptyString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Without trusted principals a role plans with a warning on trusted_principal_arns when the trust has other
// principals, and fails when it has none or when external_id has no statement to go in. An additional statement
// that lets a role in, whatever else it names (another principal, sts:TagSession, a condition that holds for
// it), gets no warning, as vbaws_role_check would find that role trusted. A trust naming the appliance by an STS
// ARN is warned about with the ARN it found and the IAM ARN to write.
func TestAccIAMRole_trustWithoutPrincipalsDiagnostics(t *testing.T) {
	cli := acctest.NewCLI(t, NewServer("test"))
	role := func(label, body string) string {
		return fmt.Sprintf("resource \"vbaws_iam_role\" %q {\n  name = \"vbaws-never-%s\"\n%s\n}\n", label, label, body)
	}
	cli.WriteConfig(acctest.ProviderConfig() +
		role("services", `  service_principals = ["lambda.amazonaws.com"]`) +
		role("additional", `  trusted_principal_arns  = []
  additional_trust_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { AWS = "arn:aws:sts::123456789012:role/VeeamImpersonationRoleV1" } }] })`) +
		role("nobody", `  trusted_principal_arns = []`) +
		role("mixed", `  trusted_principal_arns  = []
  additional_trust_policy = jsonencode({ Statement = [{ Effect = "Allow",
    Action = ["sts:AssumeRole", "sts:TagSession"],
    Principal = { AWS = ["arn:aws:iam::123456789012:role/VeeamImpersonationRoleV1",
      "arn:aws:iam::123456789012:user/admin"] },
    Condition = { StringEquals = { "aws:PrincipalAccount" = "123456789012" } } }] })`) +
		role("idonly", `  external_id = "x7Kq2mZp9LwB"
  service_principals = ["ec2.amazonaws.com"]`) +
		role("appliance", `  trusted_principal_arns = ["arn:aws:iam::123456789012:role/VeeamImpersonationRoleV1"]`))
	cli.MustRun("init", "-no-color")
	_, out := cli.Run("validate", "-json")
	for _, advice := range []string{"names arn:aws:sts::123456789012:role/VeeamImpersonationRoleV1, an STS ARN",
		"write the IAM role ARN arn:aws:iam::123456789012:role/VeeamImpersonationRoleV1"} {
		if !strings.Contains(out, advice) {
			t.Errorf("the warning on the STS ARN does not say %q:\n%s", advice, out)
		}
	}
	for _, c := range []struct {
		severity, summary string
		want              int
	}{
		{"warning", cannotAssumeSummary, 2},
		{"error", "Nobody may assume the role", 1},
		{"error", "External ID without trusted principals", 1},
	} {
		if n := countDiagnostics(t, out, c.severity, c.summary); n != c.want {
			t.Errorf("%d %s diagnostics %q, want %d:\n%s", n, c.severity, c.summary, c.want, out)
		}
	}
}

// A service role made from configuration gets only the service statement and plans empty afterwards: a role
// without trusted principals is not read as if it were being imported.
func TestAccIAMRole_serviceRoleWithoutTrustedPrincipals(t *testing.T) {
	name := acctest.RandomName("vbaws-lambda")
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name               = %q
  service_principals = ["lambda.amazonaws.com"]`, name))
	want := policy.NewDocument(policy.TrustStatements(policy.TrustSpec{Sid: veeamTrustSid,
		ServicePrincipals: []string{"lambda.amazonaws.com"}})...).Marshal()
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
			expectRemote(func() error { return trustMeansExactly(t, name, want) }),
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("trusted_principal_arns"), knownvalue.Null()),
		}},
		resource.TestStep{Config: config, PlanOnly: true},
	))
}

// An imported role whose trust policy means what the configuration renders plans no change, and an update of
// another argument writes only that argument, whatever form the trust takes: no Version or the old one, keys in
// another order, one-element lists, the AWS and service principals in one statement, foreign statements.
func TestAccIAMRole_zeroTrustWritesOnAdoptedRole(t *testing.T) {
	cases := map[string]struct{ trust, body string }{ // {{appliance}} stands for the appliance's ARN
		"no Version": {
			trust: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"{{appliance}}"},"Action":["sts:AssumeRole"],` +
				`"Condition":{"StringEquals":{"sts:ExternalId":"x7Kq2mZp9LwB"}}}]}`,
			body: `trusted_principal_arns = ["{{appliance}}"]
  external_id            = "x7Kq2mZp9LwB"`,
		},
		"Version 2008-10-17": {
			trust: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{appliance}}"},` +
				`"Action":"sts:AssumeRole"}]}`,
			body: `trusted_principal_arns = ["{{appliance}}"]`,
		},
		"one statement, one-element lists, keys in another order": {
			trust: `{"Statement":[{"Principal":{"Service":["backup.amazonaws.com"],"AWS":["{{appliance}}"]},` +
				`"Action":["sts:AssumeRole"],"Effect":"Allow"}],"Version":"2012-10-17"}`,
			body: `trusted_principal_arns = ["{{appliance}}"]
  service_principals     = ["backup.amazonaws.com"]`,
		},
		"service only, with a foreign statement": {
			trust: `{"Statement":[{"Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"},` +
				`"Effect":"Allow"},{"Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Sid":"BreakGlass",` +
				`"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}},"Effect":"Allow",` +
				`"Action":"sts:AssumeRole"}],"Version":"2012-10-17"}`,
			body: `service_principals      = ["ec2.amazonaws.com"]
  additional_trust_policy = jsonencode({ Version = "2012-10-17", Statement = [` + breakGlassStatement + `] })`,
		},
	}
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			proxy := acctest.NewProxy(t)
			role, original := applianceTrustFixture(t, client, "vbaws-adopted", c.trust, appliance)
			config := func(description string) string {
				// Import steps use their Config as written, so it names the provider's address itself.
				return acctest.RequiredProviders() + roleConfig(acctest.ProviderConfigFor(proxy.URL),
					fmt.Sprintf("  name = %q\n  description = %s\n  %s", role, description,
						strings.ReplaceAll(c.body, "{{appliance}}", appliance)))
			}
			resource.ParallelTest(t, testAccCase(t,
				resource.TestStep{Config: config("null"), ResourceName: testRole, ImportState: true,
					ImportStateId: role, ImportStatePersist: true},
				resource.TestStep{Config: config("null"), PlanOnly: true},
				resource.TestStep{PreConfig: proxy.Reset, Config: config(`"Adopted"`),
					ConfigStateChecks: []statecheck.StateCheck{
						acctest.ExpectCalls(proxy, writesAre(proxy, "UpdateRole")),
						expectRemote(func() error { return trustTextIs(t, client, role, original) }),
					}},
				resource.TestStep{Config: config(`"Adopted"`), PlanOnly: true},
			))
		})
	}
}

// A service role whose CreateRole answer is lost is adopted as the one this apply made, with no other write.
func TestAccIAMRole_lostCreateOfServiceRoleIsAdoptedWithoutWrites(t *testing.T) {
	proxy := acctest.NewProxy(t)
	lostFaults(proxy, "CreateRole")
	config := roleConfig(acctest.ProviderConfigFor(proxy.URL), fmt.Sprintf(`
  name               = %q
  service_principals = ["dlm.amazonaws.com"]`, acctest.RandomName("vbaws-dlm")))
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			acctest.ExpectCalls(proxy, writesAre(proxy, "CreateRole")),
			acctest.ExpectCalls(proxy, expectCount("CreateRole", 1)),
			expectRemote(func() error { return expectLost(proxy, "CreateRole") }),
		}}))
}
