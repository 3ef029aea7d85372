package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// listEstate is a set of roles under one path of their own, each trusting or not trusting the Impersonation role.
type listEstate struct {
	path, impersonation      string
	trusting, withExternalID string // trust the Impersonation role, the second only with listExternalID
	others                   []string
	outsidePath              string
}

const listExternalID = "list-ext-1"

// newListEstate creates the roles: two that trust the Impersonation role (one only with an external ID), and
// three that name it without trusting it (a Deny applies, an STS ARN instead of the role ARN, a condition that
// never holds), one that trusts someone else, and one outside the path that trusts it.
func newListEstate(t *testing.T) listEstate {
	client := acctest.IAMClient(t)
	impName := acctest.RandomName("vbaws-list-imp")
	imp := fixtureRole(t, client, impName, "/", ec2TrustPolicy, nil)
	e := listEstate{path: "/" + acctest.RandomName("vbaws-list") + "/", impersonation: imp}
	e.trusting, e.withExternalID = acctest.RandomName("vbaws-list-ok"), acctest.RandomName("vbaws-list-ext")
	fixtureRole(t, client, e.trusting, e.path, applianceTrust(imp), nil)
	fixtureRole(t, client, e.withExternalID, e.path, applianceTrust(imp, listExternalID), nil)
	allowDeny := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":{"AWS":%[1]q},"Action":"sts:AssumeRole"},`+
		`{"Effect":"Deny","Principal":{"AWS":%[1]q},"Action":"sts:*"}]}`, imp)
	sts := strings.Replace(strings.Replace(imp, ":iam::", ":sts::", 1), ":role/", ":assumed-role/", 1) + "/s"
	neverHolds := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},`+
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"999999999999"}}}]}`, imp)
	someoneElse := fmt.Sprintf("arn:aws:iam::%s:role/%s", emulatorAccount, acctest.RandomName("vbaws-list-else"))
	for _, trust := range []string{allowDeny, applianceTrust(sts), neverHolds, applianceTrust(someoneElse)} {
		name := acctest.RandomName("vbaws-list-no")
		fixtureRole(t, client, name, e.path, trust, nil)
		e.others = append(e.others, name)
	}
	e.outsidePath = acctest.RandomName("vbaws-list-out")
	fixtureRole(t, client, e.outsidePath, "/", applianceTrust(imp), nil)
	return e
}

// listBlock is a list block of vbaws_iam_role with the given config arguments.
func listBlock(name, arguments string) string {
	return fmt.Sprintf("list \"vbaws_iam_role\" %q {\n  provider = vbaws\n  config {\n%s  }\n}\n", name, arguments)
}

// identityOf is the identity check of a listed role of the emulator's account.
func identityOf(address, name string) querycheck.QueryResultCheck {
	return querycheck.ExpectIdentity(address, map[string]knownvalue.Check{
		"name":       knownvalue.StringExact(name),
		"account_id": knownvalue.StringExact(emulatorAccount),
	})
}

// The list resource finds exactly the roles whose trust policy lets the Impersonation role in, by what the
// statements mean: the role Terraform made and the fixture that trusts it, plus, with the external ID the
// principal sends, the role that requires it; never a role that only names it (Deny, STS ARN, a condition that
// does not hold), one that trusts someone else, or one outside path_prefix. Without filters every role is listed.
func TestAccIAMRoleList_findsExactlyTheRolesThatTrustAPrincipal(t *testing.T) {
	acctest.RequireCLI(t, acctest.Query)
	e := newListEstate(t)
	managed := acctest.RandomName("vbaws-list-tf")
	filter := fmt.Sprintf("    path_prefix = %q\n    trusted_principal_arn = %q\n", e.path, e.impersonation)
	resource.Test(t, testAccCase(t,
		resource.TestStep{
			Config: roleConfig(acctest.ProviderConfig(), fmt.Sprintf(
				"name = %q\n  path = %q\n  trusted_principal_arns = [%q]\n", managed, e.path, e.impersonation)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity(testRole, map[string]knownvalue.Check{
					"name": knownvalue.StringExact(managed), "account_id": knownvalue.StringExact(emulatorAccount),
				}),
			},
		},
		resource.TestStep{
			Query: true,
			Config: listBlock("trusting", filter) +
				listBlock("with_external_id", filter+fmt.Sprintf("    external_id = %q\n", listExternalID)) +
				listBlock("under_path", fmt.Sprintf("    path_prefix = %q\n", e.path)) +
				"list \"vbaws_iam_role\" \"everything\" {\n  provider = vbaws\n}\n",
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("vbaws_iam_role.trusting", 2),
				identityOf("vbaws_iam_role.trusting", managed),
				identityOf("vbaws_iam_role.trusting", e.trusting),
				querycheck.ExpectLength("vbaws_iam_role.with_external_id", 3),
				identityOf("vbaws_iam_role.with_external_id", managed),
				identityOf("vbaws_iam_role.with_external_id", e.trusting),
				identityOf("vbaws_iam_role.with_external_id", e.withExternalID),
				querycheck.ExpectLength("vbaws_iam_role.under_path", 3+len(e.others)),
				identityOf("vbaws_iam_role.everything", e.outsidePath),
				identityOf("vbaws_iam_role.everything", e.trusting),
				identityOf("vbaws_iam_role.everything", e.others[0]),
			},
		},
	))
}

// `terraform query -generate-config-out` writes a vbaws_iam_role and an import block for every role the list
// finds; the result plans only the imports, applies without writing to IAM, and then plans empty, with each
// role's identity in state.
func TestAccIAMRoleList_generatedConfigurationPlansEmpty(t *testing.T) {
	acctest.RequireCLI(t, acctest.Query)
	e := newListEstate(t)
	proxy := acctest.NewProxy(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	cli.WriteConfig(acctest.ProviderConfigFor(proxy.URL))
	query := listBlock("veeam", fmt.Sprintf(
		"    path_prefix = %q\n    trusted_principal_arn = %q\n    external_id = %q\n", e.path, e.impersonation,
		listExternalID))
	if err := os.WriteFile(filepath.Join(cli.Dir, "roles.tfquery.hcl"), []byte(query), 0o600); err != nil {
		t.Fatal(err)
	}
	cli.MustRun("init", "-no-color")
	cli.MustRun("query", "-no-color", "-generate-config-out=generated.tf")
	if err := os.Remove(filepath.Join(cli.Dir, "roles.tfquery.hcl")); err != nil {
		t.Fatal(err)
	}
	generated, err := os.ReadFile(filepath.Join(cli.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if code, out := cli.Run("plan", "-no-color"); code != 0 ||
		!strings.Contains(out, "2 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the generated configuration does not plan just the imports (exit %d):\n%s\n%s", code, generated, out)
	}
	cli.MustRun("apply", "-no-color", "-auto-approve")
	if code, out := cli.Run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the import is not empty (exit %d):\n%s\n%s", code, generated, out)
	}
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("adopting the listed roles wrote to IAM: %v", writes)
	}
	names := map[string]bool{}
	for _, r := range cli.State().Values.RootModule.Resources {
		names[fmt.Sprint(r.AttributeValues["name"])] = true
	}
	if len(names) != 2 || !names[e.trusting] || !names[e.withExternalID] {
		t.Errorf("imported roles = %v, want %s and %s", names, e.trusting, e.withExternalID)
	}
}

// A list block with a principal the provider would refuse fails with the provider's plan-time message.
func TestAccIAMRoleList_invalidPrincipalFails(t *testing.T) {
	acctest.RequireCLI(t, acctest.Query)
	resource.Test(t, testAccCase(t,
		resource.TestStep{Config: acctest.ProviderConfig()},
		resource.TestStep{
			Query:       true,
			Config:      listBlock("bad", "    trusted_principal_arn = \"arn:aws:iam::123456789012:role/*\"\n"),
			ExpectError: regexp.MustCompile(`(?i)wildcard`),
		},
	))
}

// The provider's server offers the list resource and action calls through its wrapper.
func TestNewServer_offersListResourcesAndActions(t *testing.T) {
	server := NewServer("test")()
	if _, ok := server.(tfprotov6.ListResourceServer); !ok {
		t.Error("the provider's server hides the list resource calls")
	}
	if _, ok := server.(tfprotov6.ActionServer); !ok {
		t.Error("the provider's server hides the action calls")
	}
}
