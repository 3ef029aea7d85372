package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
)

const testRoleCheck = "data.vbaws_role_check.test"

// checkValue asserts one attribute of the vbaws_role_check named address (testRoleCheck by default).
func checkValue(attribute string, check knownvalue.Check) statecheck.StateCheck {
	return checkValueOf(testRoleCheck, attribute, check)
}

func checkValueOf(address, attribute string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attribute), check)
}

// stringSetExact matches a set of exactly values.
func stringSetExact(values []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// problemMatching matches a list of problems whose first sentence matches pattern.
func problemMatching(pattern string) knownvalue.Check {
	return knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringRegexp(regexp.MustCompile(pattern))})
}

// documentsGrant checks that a list of policy documents allows exactly actions, on "*", and nothing else.
type documentsGrant []string

func (want documentsGrant) CheckValue(value any) error {
	documents, ok := value.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", value)
	}
	var granted []string
	for _, d := range documents {
		var doc struct {
			Statement []struct {
				Effect   string
				Action   []string
				Resource string
			}
		}
		if err := json.Unmarshal([]byte(d.(string)), &doc); err != nil {
			return err
		}
		for _, s := range doc.Statement {
			if s.Effect != "Allow" || s.Resource != "*" {
				return fmt.Errorf("statement %+v is not an Allow on *", s)
			}
			granted = append(granted, s.Action...)
		}
	}
	slices.Sort(granted)
	expected := slices.Sorted(slices.Values(want))
	if !slices.Equal(granted, expected) {
		return fmt.Errorf("documents grant %v, want %v", granted, expected)
	}
	return nil
}

func (want documentsGrant) String() string {
	return fmt.Sprintf("documents granting exactly %v", []string(want))
}

// operationActions returns the actions of operations in the default catalog.
func operationActions(t *testing.T, operations ...string) []string {
	t.Helper()
	selection, err := catalog.Resolve(catalog.DefaultVersion, operations, false)
	if err != nil {
		t.Fatal(err)
	}
	return selection.Actions
}

// allowDocument allows actions on every resource.
func allowDocument(actions ...string) string {
	list, _ := json.Marshal(actions)
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + string(list) + `,"Resource":"*"}]}`
}

const allowEverything = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// trustOf is a trust policy with the given statements.
func trustOf(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func trustStatementFor(principal, condition string) string {
	statement := `{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"`
	if condition != "" {
		statement += `,"Condition":` + condition
	}
	return statement + "}"
}

// filter returns the values for which keep is true.
func filter(values []string, keep func(string) bool) []string {
	var out []string
	for _, v := range values {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// A role made by vbaws_role_template and vbaws_iam_role passes without any IAM write; once one part is detached
// out of band, exactly that part's actions are missing, and missing_permissions_policies grants exactly them.
func TestAccRoleCheck_templateRoleThenPartDetached(t *testing.T) {
	proxy := acctest.NewProxy(t)
	client := acctest.IAMClient(t)
	operations := []string{"production_worker", "rds_restore", "vpc_restore", "worker_deployment"}
	tpl := mustRender(t, operations...)
	if len(tpl.Documents) < 2 {
		t.Fatalf("the selection renders %d part; the test needs several", len(tpl.Documents))
	}
	name := acctest.RandomName("vbaws-check")
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	config := acctest.ProviderConfigFor(proxy.URL) + fmt.Sprintf(`
resource "vbaws_role_template" "test" {
  name       = %[1]q
  path       = "/veeam/"
  operations = ["%[3]s"]
}
resource "vbaws_iam_role" "test" {
  name                    = %[1]q
  trusted_principal_arns  = [%[2]q]
  external_id             = "veeam-7"
  service_principals      = vbaws_role_template.test.service_principals
  managed_policy_arns     = vbaws_role_template.test.policy_arns
  create_instance_profile = vbaws_role_template.test.requires_instance_profile
  lifecycle {
    ignore_changes = [managed_policy_arns] # the test detaches a part out of band
  }
}
data "vbaws_role_check" "test" {
  role_name             = vbaws_iam_role.test.name
  operations            = ["%[3]s"]
  trusted_principal_arn = %[2]q
  external_id           = "veeam-7"
}
`, name, appliance, strings.Join(operations, `", "`))
	passes := []statecheck.StateCheck{
		checkValue("ok", knownvalue.Bool(true)),
		checkValue("missing_actions", knownvalue.SetSizeExact(0)),
		checkValue("missing_actions_by_operation", knownvalue.MapSizeExact(0)),
		checkValue("missing_service_principals", knownvalue.SetSizeExact(0)),
		checkValue("missing_permissions_policies", knownvalue.ListSizeExact(0)),
		checkValue("problems", knownvalue.ListSizeExact(0)),
		checkValue("trusts_principal", knownvalue.Bool(true)),
		checkValue("principal_can_assume", knownvalue.Bool(true)),
		checkValue("instance_profile_ok", knownvalue.Bool(true)),
		checkValue("evaluator", knownvalue.StringExact("local")),
	}
	detached := templateARNs(name, tpl)[1]
	partActions := operationActionsOf(t, tpl.Documents[1])
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: passes},
		resource.TestStep{
			PreConfig: proxy.Reset,
			Config:    config,
			ConfigStateChecks: append(passes, acctest.ExpectCalls(proxy, func(map[string]int) error {
				if writes := slices.DeleteFunc(proxy.IAMWrites(), isSimulatorCall); len(writes) > 0 {
					return fmt.Errorf("a plan with vbaws_role_check wrote to IAM: %v", writes)
				}
				return nil
			})),
		},
		resource.TestStep{
			PreConfig: func() {
				_, err := client.DetachRolePolicy(context.Background(), &iam.DetachRolePolicyInput{
					RoleName: aws.String(name), PolicyArn: aws.String(detached)})
				if err != nil {
					t.Fatalf("detaching %s: %v", detached, err)
				}
			},
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				checkValue("ok", knownvalue.Bool(false)),
				checkValue("missing_actions", stringSetExact(partActions)),
				checkValue("missing_permissions_policies", documentsGrant(partActions)),
				checkValue("problems", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(
					regexp.MustCompile(fmt.Sprintf(`^No policy of role %s grants .* and \d+ more; attach`, name)))})),
			},
		},
	))
}

func isSimulatorCall(action string) bool { return action == "SimulatePrincipalPolicy" }

// operationActionsOf reads the Action list of a rendered template document.
func operationActionsOf(t *testing.T, document string) []string {
	t.Helper()
	var doc struct{ Statement []struct{ Action []string } }
	if err := json.Unmarshal([]byte(document), &doc); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, s := range doc.Statement {
		actions = append(actions, s.Action...)
	}
	return actions
}

// A role made by hand long ago: a wildcard in other case, an explicit list lacking three actions.
func TestAccRoleCheck_legacyRoleMissingActions(t *testing.T) {
	client := acctest.IAMClient(t)
	rescan := operationActions(t, "organization_rescan")
	backup := operationActions(t, "ec2_backup")
	isDescribe := func(a string) bool { return strings.HasPrefix(strings.ToLower(a), "ec2:describe") }
	notInRescan := func(a string) bool { return !slices.Contains(rescan, a) }
	candidates := filter(backup, func(a string) bool { return !isDescribe(a) && notInRescan(a) })
	left := candidates[:3]
	granted := append(slices.Clone(rescan), "EC2:describe*")
	granted = append(granted, filter(backup, func(a string) bool {
		return !isDescribe(a) && !slices.Contains(left, a)
	})...)
	name := acctest.RandomName("vbaws-legacy")
	fixtureRole(t, client, name, "/", ec2TrustPolicy, map[string]string{"veeam": allowDocument(granted...)})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfig() + fmt.Sprintf(`
data "vbaws_role_check" "test" {
  role_name  = %q
  operations = ["ec2_backup", "organization_rescan"]
  evaluator  = "local"
}`, name),
		ConfigStateChecks: []statecheck.StateCheck{
			checkValue("ok", knownvalue.Bool(false)),
			checkValue("missing_actions", stringSetExact(left)),
			checkValue("missing_actions_by_operation", knownvalue.MapExact(map[string]knownvalue.Check{
				"ec2_backup": stringSetExact(left)})),
			checkValue("missing_permissions_policies", documentsGrant(left)),
			checkValue("problems", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(fmt.Sprintf(
				"No policy of role %s grants %s; "+attachAdvice, name,
				strings.Join(left, ", ")))})),
			checkValue("trusts_principal", knownvalue.Null()),
			checkValue("principal_can_assume", knownvalue.Null()),
			checkValue("instance_profile_ok", knownvalue.Bool(true)),
			checkValue("evaluator", knownvalue.StringExact("local")),
		},
	}))
}

// An inline Deny and a narrowing permissions boundary both remove actions that an Allow of everything grants; a
// policy that cannot be evaluated grants nothing.
func TestAccRoleCheck_denyAndBoundary(t *testing.T) {
	client := acctest.IAMClient(t)
	backup := operationActions(t, "ec2_backup")
	denied := acctest.RandomName("vbaws-deny")
	fixtureRole(t, client, denied, "/", ec2TrustPolicy, map[string]string{
		"all": allowEverything,
		"deny": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
			`"Action":["ec2:CreateSnapshot*","EC2:deletesnapshot"],"Resource":"*"}]}`,
	})
	deniedActions := filter(backup, func(a string) bool {
		lower := strings.ToLower(a)
		return strings.HasPrefix(lower, "ec2:createsnapshot") || lower == "ec2:deletesnapshot"
	})
	bounded := acctest.RandomName("vbaws-bounded")
	boundary := fixturePolicy(t, client, allowDocument("ec2:*"))
	fixtureRoleWithBoundary(t, client, bounded, boundary)
	outside := filter(backup, func(a string) bool { return !strings.HasPrefix(strings.ToLower(a), "ec2:") })
	broken := acctest.RandomName("vbaws-broken") // moto stores a document IAM would refuse
	fixtureRole(t, client, broken, "/", ec2TrustPolicy, map[string]string{"dup": `{"Version":"2012-10-17",` +
		`"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}]}`})
	if len(deniedActions) == 0 || len(outside) == 0 {
		t.Fatalf("the catalog changed: denied %v, outside %v", deniedActions, outside)
	}
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfig() + fmt.Sprintf(`
data "vbaws_role_check" "deny" {
  role_name  = %q
  operations = ["ec2_backup"]
}
data "vbaws_role_check" "boundary" {
  role_name  = %q
  operations = ["ec2_backup"]
}
data "vbaws_role_check" "broken" {
  role_name  = %q
  operations = ["ec2_backup"]
}`, denied, bounded, broken),
		ConfigStateChecks: []statecheck.StateCheck{
			checkValueOf("data.vbaws_role_check.deny", "ok", knownvalue.Bool(false)),
			checkValueOf("data.vbaws_role_check.deny", "missing_actions", stringSetExact(deniedActions)),
			checkValueOf("data.vbaws_role_check.deny", "problems", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringRegexp(regexp.MustCompile(`^Inline policy deny explicitly denies ec2:CreateSnapshot`)),
			})),
			checkValueOf("data.vbaws_role_check.boundary", "ok", knownvalue.Bool(false)),
			checkValueOf("data.vbaws_role_check.boundary", "missing_actions", stringSetExact(outside)),
			checkValueOf("data.vbaws_role_check.boundary", "missing_permissions_policies", documentsGrant(outside)),
			checkValueOf("data.vbaws_role_check.boundary", "problems", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringRegexp(regexp.MustCompile(`^The permissions boundary ` + regexp.QuoteMeta(boundary))),
			})),
			checkValueOf("data.vbaws_role_check.broken", "ok", knownvalue.Bool(false)),
			checkValueOf("data.vbaws_role_check.broken", "missing_actions", stringSetExact(backup)),
			checkValueOf("data.vbaws_role_check.broken", "problems", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringRegexp(regexp.MustCompile(`^No policy of role `)),
				knownvalue.StringRegexp(regexp.MustCompile(`^Inline policy dup of role .* cannot be evaluated ` +
					`\(statement 1 \(no Sid\) repeats the key "Effect"`)),
			})),
		},
	}))
}

// fixtureRoleWithBoundary creates a role that may do everything within boundary.
func fixtureRoleWithBoundary(t *testing.T, client *iam.Client, name, boundary string) {
	t.Helper()
	_, err := client.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(ec2TrustPolicy), PermissionsBoundary: aws.String(boundary)})
	if err != nil {
		t.Fatalf("creating role %s: %v", name, err)
	}
	inline := map[string]string{"all": allowEverything}
	_, err = client.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String(name),
		PolicyName: aws.String("all"), PolicyDocument: aws.String(allowEverything)})
	t.Cleanup(func() { deleteFixtureRole(client, name, inline) })
	if err != nil {
		t.Fatalf("adding a policy to %s: %v", name, err)
	}
}

// A worker role without instance profile and a trust policy without a service the operations need.
func TestAccRoleCheck_servicePrincipalAndInstanceProfile(t *testing.T) {
	client := acctest.IAMClient(t)
	bare := acctest.RandomName("vbaws-worker")
	fixtureRole(t, client, bare, "/", ec2TrustPolicy, map[string]string{"all": allowEverything})
	profiled := acctest.RandomName("vbaws-worker")
	fixtureRole(t, client, profiled, "/", trustOf(
		`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","batchoperations.s3.amazonaws.com"]},`+
			`"Action":"sts:AssumeRole"}`), map[string]string{"all": allowEverything})
	fixtureInstanceProfile(t, client, profiled, profiled)
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfig() + fmt.Sprintf(`
data "vbaws_role_check" "bare" {
  role_name  = %q
  operations = ["production_worker", "repository"]
}
data "vbaws_role_check" "profiled" {
  role_name  = %q
  operations = ["production_worker", "repository"]
}`, bare, profiled),
		ConfigStateChecks: []statecheck.StateCheck{
			checkValueOf("data.vbaws_role_check.bare", "ok", knownvalue.Bool(false)),
			checkValueOf("data.vbaws_role_check.bare", "missing_actions", knownvalue.SetSizeExact(0)),
			checkValueOf("data.vbaws_role_check.bare", "missing_service_principals",
				stringSetExact([]string{"batchoperations.s3.amazonaws.com"})),
			checkValueOf("data.vbaws_role_check.bare", "instance_profile_ok", knownvalue.Bool(false)),
			checkValueOf("data.vbaws_role_check.bare", "problems", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringRegexp(regexp.MustCompile(`^Trust Policy: the following services must be added .*: ` +
					`batchoperations\.s3\.amazonaws\.com\.$`)),
				knownvalue.StringRegexp(regexp.MustCompile(`is in no instance profile`)),
			})),
			checkValueOf("data.vbaws_role_check.profiled", "ok", knownvalue.Bool(true)),
			checkValueOf("data.vbaws_role_check.profiled", "missing_service_principals", knownvalue.SetSizeExact(0)),
			checkValueOf("data.vbaws_role_check.profiled", "instance_profile_ok", knownvalue.Bool(true)),
		},
	}))
}

// trusts_principal and principal_can_assume for the appliance's role: another principal in the trust policy, an
// external ID that does not match, one that does, and Impersonation roles whose sts:AssumeRole is scoped, which
// counts when the trust policy names only the account, not when it names the role itself.
func TestAccRoleCheck_trustAndImpersonation(t *testing.T) {
	client := acctest.IAMClient(t)
	scopedTo := func(pattern string) map[string]string {
		return map[string]string{"assume": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + emulatorAccount + `:role/` + pattern + `"}]}`}
	}
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy, scopedTo("vbaws-*"))
	elsewhere := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy, scopedTo("team-*"))
	withExternalID := `{"StringEquals":{"sts:ExternalId":"veeam-7"}}`
	other := acctest.RandomName("vbaws-other")
	fixtureRole(t, client, other, "/", trustOf(trustStatementFor(elsewhere, "")),
		map[string]string{"all": allowEverything})
	guarded := acctest.RandomName("vbaws-guarded")
	fixtureRole(
		t,
		client,
		guarded,
		"/",
		trustOf(trustStatementFor(appliance, withExternalID), trustStatementFor(elsewhere,
			withExternalID)),
		map[string]string{"all": allowEverything},
	)
	byAccount := acctest.RandomName("vbaws-guarded")
	fixtureRole(t, client, byAccount, "/", trustOf(trustStatementFor("arn:aws:iam::"+emulatorAccount+":root",
		withExternalID)), map[string]string{"all": allowEverything})
	crossAccount := "arn:aws:iam::210987654321:role/VeeamImpersonation"
	config := acctest.ProviderConfig()
	cases := []struct {
		label, role, principal, externalID string
		trusts, ok                         bool
		canAssume                          knownvalue.Check
	}{
		{"other_principal", other, appliance, "", false, false, knownvalue.Bool(true)},
		{"wrong_external_id", guarded, appliance, "veeam-8", false, false, knownvalue.Bool(true)},
		{"no_external_id", guarded, appliance, "", false, false, knownvalue.Bool(true)},
		{"right_external_id", guarded, appliance, "veeam-7", true, true, knownvalue.Bool(true)},
		{"scoped_to_other_roles", byAccount, elsewhere, "veeam-7", true, false, knownvalue.Bool(false)},
		{"scoped_but_named", guarded, elsewhere, "veeam-7", true, true, knownvalue.Bool(true)},
		{"scoped_by_account", byAccount, appliance, "veeam-7", true, true, knownvalue.Bool(true)},
		{"other_account", guarded, crossAccount, "veeam-7", false, false, knownvalue.Null()},
	}
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		externalID := "null"
		if tc.externalID != "" {
			externalID = fmt.Sprintf("%q", tc.externalID)
		}
		config += fmt.Sprintf(`
data "vbaws_role_check" %q {
  role_name             = %q
  operations            = ["organization_rescan"]
  trusted_principal_arn = %q
  external_id           = %s
  evaluator             = "local"
}`, tc.label, tc.role, tc.principal, externalID)
		address := "data.vbaws_role_check." + tc.label
		checks = append(checks,
			checkValueOf(address, "trusts_principal", knownvalue.Bool(tc.trusts)),
			checkValueOf(address, "principal_can_assume", tc.canAssume),
			checkValueOf(address, "missing_actions", knownvalue.SetSizeExact(0)),
			checkValueOf(address, "ok", knownvalue.Bool(tc.ok)))
	}
	checks = append(checks, checkValueOf("data.vbaws_role_check.other_account", "problems", knownvalue.ListExact(
		[]knownvalue.Check{
			knownvalue.StringRegexp(regexp.MustCompile(`^The trust policy of role .* does not let`)),
			knownvalue.StringRegexp(regexp.MustCompile(`^Check by hand: role .* is in account 210987654321, whose `)),
		})),
		checkValueOf("data.vbaws_role_check.scoped_to_other_roles", "problems", problemMatching(
			`own policies do not allow sts:AssumeRole on arn:aws:iam::`+emulatorAccount+`:role/`+byAccount)))
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, ConfigStateChecks: checks}))
}

// moto has no policy simulator: "simulator" fails and says so, "auto" falls back to the local evaluator, both
// when the simulator is missing and when the credentials may not call it; other failures are not hidden.
func TestAccRoleCheck_simulatorFallback(t *testing.T) {
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-sim")
	fixtureRole(t, acctest.IAMClient(t), name, "/", ec2TrustPolicy, map[string]string{"all": allowEverything})
	config := func(evaluator string) string {
		return acctest.ProviderConfigFor(proxy.URL) + fmt.Sprintf(`
data "vbaws_role_check" "test" {
  role_name  = %q
  operations = ["ec2_backup"]
  evaluator  = %s
}`, name, evaluator)
	}
	simulated := func(counts map[string]int) error {
		if counts["SimulatePrincipalPolicy"] == 0 {
			return fmt.Errorf("the simulator was never asked: %v", counts)
		}
		return nil
	}
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config:      config(`"simulator"`),
			ExpectError: regexp.MustCompile(`(?s)IAM policy simulator not available.*evaluator = "auto" or "local"`),
		},
		resource.TestStep{
			PreConfig: proxy.Reset,
			Config:    config("null"),
			ConfigStateChecks: []statecheck.StateCheck{
				checkValue("evaluator", knownvalue.StringExact("local")),
				checkValue("ok", knownvalue.Bool(true)),
				acctest.ExpectCalls(proxy, simulated),
			},
		},
		resource.TestStep{
			PreConfig: func() {
				proxy.Reset()
				proxy.Inject(acctest.Fault{Action: "SimulatePrincipalPolicy", Code: "AccessDenied", Status: 403,
					Message: "not authorized to perform: iam:SimulatePrincipalPolicy"})
			},
			Config: config(`"auto"`),
			ConfigStateChecks: []statecheck.StateCheck{
				checkValue("evaluator", knownvalue.StringExact("local")),
				acctest.ExpectCalls(proxy, simulated),
			},
		},
		resource.TestStep{
			PreConfig: func() {
				proxy.ClearFaults()
				proxy.Inject(acctest.Fault{Action: "SimulatePrincipalPolicy", Code: "InvalidInput",
					Message: "PolicySourceArn is malformed"})
			},
			Config:      config(`"auto"`),
			ExpectError: regexp.MustCompile(`(?s)Cannot check role.*PolicySourceArn is malformed`),
		},
	))
}

func TestAccRoleCheck_errors(t *testing.T) {
	missing := acctest.RandomName("vbaws-missing")
	cases := map[string]struct{ body, err string }{
		"unknown operation": {`role_name = "x"` + "\n" + `operations = ["ec2_bakup"]`,
			`(?s)Unknown operation.*Did you mean "ec2_backup"\?`},
		"role not found": {fmt.Sprintf(`role_name = %q`, missing) + "\n" + `operations = ["ec2_backup"]`,
			`(?s)Role not found.*No IAM role named ` + missing},
		"bad evaluator": {`role_name = "x"` + "\n" + `operations = ["ec2_backup"]` + "\n" + `evaluator = "magic"`,
			`(?s)evaluator.*auto`},
		"bad principal": {`role_name = "x"` + "\n" + `operations = ["ec2_backup"]` + "\n" +
			`trusted_principal_arn = "arn:aws:iam::123456789012:user/alice"`, `user/alice`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, testAccCase(t, resource.TestStep{
				Config:      acctest.ProviderConfig() + "data \"vbaws_role_check\" \"test\" {\n" + tc.body + "\n}",
				ExpectError: regexp.MustCompile(tc.err),
			}))
		})
	}
}

// The three ways pipelines use the check: an output, a check block that only warns, and a postcondition that
// fails the plan.
func TestAccRoleCheck_pipelineUses(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-pipeline")
	fixtureRole(t, client, name, "/", ec2TrustPolicy, map[string]string{"rescan": allowDocument("organizations:*")})
	rescan := operationActions(t, "organization_rescan")
	missing := filter(rescan, func(a string) bool { return !strings.HasPrefix(strings.ToLower(a), "organizations:") })
	check := fmt.Sprintf(`
data "vbaws_role_check" "test" {
  role_name  = %q
  operations = ["organization_rescan"]
  %%s
}
output "missing" {
  value = data.vbaws_role_check.test.missing_actions
}
check "veeam_role" {
  assert {
    condition     = data.vbaws_role_check.test.ok
    error_message = join("\n", data.vbaws_role_check.test.problems)
  }
}
`, name)
	postcondition := `lifecycle {
    postcondition {
      condition     = self.ok
      error_message = join("\n", self.problems)
    }
  }`
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config: acctest.ProviderConfig() + fmt.Sprintf(check, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("missing", stringSetExact(missing)),
				checkValue("ok", knownvalue.Bool(false)),
			},
		},
		resource.TestStep{
			Config:      acctest.ProviderConfig() + fmt.Sprintf(check, postcondition),
			ExpectError: regexp.MustCompile(`(?s)postcondition failed.*No policy of role ` + name + ` grants`),
		},
	))
}

// roleCheckBlock is a vbaws_role_check of role for organization_rescan, evaluated locally, with principal and
// externalID ("" for null) when principal is set.
func roleCheckBlock(label, role, principal, externalID string) string {
	quoted := func(value string) string {
		if value == "" {
			return "null"
		}
		return fmt.Sprintf("%q", value)
	}
	return fmt.Sprintf(`
data "vbaws_role_check" %q {
  role_name             = %q
  operations            = ["organization_rescan"]
  trusted_principal_arn = %s
  external_id           = %s
  evaluator             = "local"
}`, label, role, quoted(principal), quoted(externalID))
}

// inlineDocument is a policy document of statements.
func inlineDocument(statements ...string) map[string]string {
	return map[string]string{"inline": trustOf(statements...)}
}

// A trust policy that names the caller's role ARN, or everyone ("*"), in the caller's own account lets it assume
// the role without any identity policy of its own, as AWS decides; an explicit Deny of its own and its permissions
// boundary still stop it, and a trust that names only the account still needs the caller's own Allow.
func TestAccRoleCheck_sameAccountTrustNamingTheRole(t *testing.T) {
	client := acctest.IAMClient(t)
	bare := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy, nil)
	denying := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy, inlineDocument(
		`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}`))
	boundedName := acctest.RandomName("vbaws-imp")
	fixtureRoleWithBoundary(t, client, boundedName, fixturePolicy(t, client, allowDocument("s3:*")))
	bounded := "arn:aws:iam::" + emulatorAccount + ":role/" + boundedName
	withExternalID := `{"StringEquals":{"sts:ExternalId":"veeam-7"}}`
	direct := acctest.RandomName("vbaws-direct")
	fixtureRole(t, client, direct, "/", trustOf(trustStatementFor(bare, withExternalID),
		trustStatementFor(denying, withExternalID), trustStatementFor(bounded, withExternalID)),
		map[string]string{"all": allowEverything})
	everyone := acctest.RandomName("vbaws-everyone")
	fixtureRole(t, client, everyone, "/", trustOf(trustStatementFor("*", withExternalID)),
		map[string]string{"all": allowEverything})
	byAccount := acctest.RandomName("vbaws-account")
	fixtureRole(t, client, byAccount, "/", trustOf(trustStatementFor("arn:aws:iam::"+emulatorAccount+":root",
		withExternalID)), map[string]string{"all": allowEverything})
	cases := []struct {
		label, role, principal string
		canAssume              bool
	}{
		{"direct", direct, bare, true},
		{"everyone", everyone, bare, true},
		{"everyone_own_deny", everyone, denying, false},
		{"by_account", byAccount, bare, false},
		{"own_deny", direct, denying, false},
		{"boundary", direct, bounded, false},
	}
	config := acctest.ProviderConfig()
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		config += roleCheckBlock(tc.label, tc.role, tc.principal, "veeam-7")
		address := "data.vbaws_role_check." + tc.label
		checks = append(checks,
			checkValueOf(address, "trusts_principal", knownvalue.Bool(true)),
			checkValueOf(address, "principal_can_assume", knownvalue.Bool(tc.canAssume)),
			checkValueOf(address, "ok", knownvalue.Bool(tc.canAssume)))
	}
	checks = append(checks,
		checkValueOf("data.vbaws_role_check.direct", "problems", knownvalue.ListSizeExact(0)),
		checkValueOf("data.vbaws_role_check.by_account", "problems", problemMatching(
			`own policies do not allow sts:AssumeRole on arn:aws:iam::`+emulatorAccount+`:role/`+byAccount)),
		checkValueOf("data.vbaws_role_check.own_deny", "problems", problemMatching(
			`own policies deny sts:AssumeRole on arn:aws:iam::`+emulatorAccount+`:role/`+direct)))
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, ConfigStateChecks: checks}))
}

// External-ID conditions other than a plain StringEquals are decided with the external ID the appliance sends.
func TestAccRoleCheck_externalIDConditions(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	target := func(statements ...string) string {
		name := acctest.RandomName("vbaws-extid")
		fixtureRole(t, client, name, "/", trustOf(statements...), map[string]string{"all": allowEverything})
		return name
	}
	denyUnless := func(condition string) string {
		return `{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":` + condition + `}`
	}
	like := target(trustStatementFor(appliance, `{"StringLike":{"sts:ExternalId":"veeam-?"}}`))
	ifExists := target(trustStatementFor(appliance, `{"StringEqualsIfExists":{"sts:ExternalId":"veeam-7"}}`))
	notEquals := target(trustStatementFor(appliance, ""),
		denyUnless(`{"StringNotEquals":{"sts:ExternalId":["veeam-7","veeam-9"]}}`))
	null := target(trustStatementFor(appliance, ""), denyUnless(`{"Null":{"sts:ExternalId":"true"}}`))
	cases := []struct {
		label, role, externalID string
		trusts                  bool
	}{
		{"like", like, "veeam-7", true},
		{"like_longer", like, "veeam-77", false},
		{"like_none", like, "", false},
		{"if_exists", ifExists, "veeam-7", true},
		{"if_exists_other", ifExists, "veeam-8", false},
		{"if_exists_none", ifExists, "", true},
		{"not_equals", notEquals, "veeam-9", true},
		{"not_equals_other", notEquals, "veeam-8", false},
		{"not_equals_none", notEquals, "", false},
		{"null", null, "veeam-8", true},
		{"null_none", null, "", false},
	}
	config := acctest.ProviderConfig()
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		config += roleCheckBlock(tc.label, tc.role, appliance, tc.externalID)
		address := "data.vbaws_role_check." + tc.label
		checks = append(checks,
			checkValueOf(address, "trusts_principal", knownvalue.Bool(tc.trusts)),
			checkValueOf(address, "principal_can_assume", knownvalue.Bool(true)),
			checkValueOf(address, "ok", knownvalue.Bool(tc.trusts)))
	}
	checks = append(checks, checkValueOf("data.vbaws_role_check.not_equals_none", "problems", problemMatching(
		`^The trust policy of role `+notEquals+` does not let `+regexp.QuoteMeta(appliance)+` call sts:AssumeRole: `+
			`a Deny statement applies to it`)))
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, ConfigStateChecks: checks}))
}

// Conditions on aws:PrincipalArn and aws:PrincipalAccount in a role's own policies, and in the trusted role's, are
// decided with those roles' values; a condition that cannot be decided stays conservative.
func TestAccRoleCheck_principalConditions(t *testing.T) {
	client := acctest.IAMClient(t)
	account := "arn:aws:iam::" + emulatorAccount
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-imp"), "/", ec2TrustPolicy, inlineDocument(
		`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*",`+
			`"Condition":{"StringEquals":{"aws:PrincipalAccount":"`+emulatorAccount+`"}}}`))
	trust := trustOf(trustStatementFor(appliance, ""))
	allowIf := func(condition string) string {
		return `{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + condition + `}`
	}
	matched := acctest.RandomName("vbaws-pc")
	fixtureRole(t, client, matched, "/", trust, inlineDocument(
		allowIf(`{"ArnLike":{"aws:PrincipalArn":"`+account+`:role/vbaws-pc*"}}`),
		`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"`+account+
			`:role/someone-else"}}}`,
		`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"`+
			emulatorAccount+`"}}}`))
	unmatched := acctest.RandomName("vbaws-pc")
	fixtureRole(t, client, unmatched, "/", trust, inlineDocument(
		allowIf(`{"ArnLike":{"aws:PrincipalArn":"`+account+`:role/team-*"}}`)))
	unknown := acctest.RandomName("vbaws-pc")
	fixtureRole(t, client, unknown, "/", trust, inlineDocument(
		allowIf(`{"StringEquals":{"aws:PrincipalTag/team":"backup"}}`)))
	rescan := operationActions(t, "organization_rescan")
	config := acctest.ProviderConfig() + roleCheckBlock("matched", matched, appliance, "") +
		roleCheckBlock("unmatched", unmatched, appliance, "") + roleCheckBlock("unknown", unknown, appliance, "")
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
		checkValueOf("data.vbaws_role_check.matched", "ok", knownvalue.Bool(true)),
		checkValueOf("data.vbaws_role_check.matched", "missing_actions", knownvalue.SetSizeExact(0)),
		checkValueOf("data.vbaws_role_check.matched", "principal_can_assume", knownvalue.Bool(true)),
		checkValueOf("data.vbaws_role_check.unmatched", "missing_actions", stringSetExact(rescan)),
		checkValueOf("data.vbaws_role_check.unmatched", "problems", problemMatching(`^Inline policy inline allows .* `+
			`only under a condition that does not hold for role `+unmatched)),
		checkValueOf("data.vbaws_role_check.unknown", "missing_actions", stringSetExact(rescan)),
		checkValueOf("data.vbaws_role_check.unknown", "problems", problemMatching(`^Inline policy inline allows .* `+
			`only under a condition, which does not count as granted`)),
	}}))
}

// A trust statement that names the role as arn:aws:sts::<account>:role/<name> does not trust the role, and the
// problem says what it names and what to write instead.
func TestAccRoleCheck_trustNamingAnSTSARN(t *testing.T) {
	client := acctest.IAMClient(t)
	applianceName := acctest.RandomName("vbaws-imp")
	appliance := fixtureRole(t, client, applianceName, "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	sts := "arn:aws:sts::" + emulatorAccount + ":role/" + applianceName
	name := acctest.RandomName("vbaws-sts")
	fixtureRole(t, client, name, "/", trustOf(trustStatementFor(sts, `{"StringEquals":{"sts:ExternalId":"veeam-7"}}`)),
		map[string]string{"all": allowEverything})
	// Beside an Allow for the account whose condition fails, the STS ARN is still named.
	alsoAccount := acctest.RandomName("vbaws-sts")
	fixtureRole(t, client, alsoAccount, "/", trustOf(trustStatementFor(sts, ""),
		trustStatementFor("arn:aws:iam::"+emulatorAccount+":root", `{"StringEquals":{"sts:ExternalId":"other"}}`)),
		map[string]string{"all": allowEverything})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfig() + roleCheckBlock("test", name, appliance, "veeam-7") +
			roleCheckBlock("also_account", alsoAccount, appliance, "veeam-7"),
		ConfigStateChecks: []statecheck.StateCheck{
			checkValueOf("data.vbaws_role_check.also_account", "problems", problemMatching(regexp.QuoteMeta(
				fmt.Sprintf(`with external ID "veeam-7"; fix external_id or the conditions. It also names %s, an STS `+
					`ARN, which is not that role; write the IAM role ARN %s instead`, sts, appliance)))),
			checkValue("trusts_principal", knownvalue.Bool(false)),
			checkValue("ok", knownvalue.Bool(false)),
			checkValue("problems", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(fmt.Sprintf(
				"The trust policy of role %s does not let %s call sts:AssumeRole: it names %s, an STS ARN, which "+
					"is not that role; write the IAM role ARN %s instead (vbaws_trust_relationship does).",
				name, appliance, sts, appliance))})),
		},
	}))
}

// Issue 30, item 6: ok means nothing is wrong and nothing is left undecided. A trusted role in another account is
// trusted by the policy, but that account's own policies cannot be seen, so ok is false and problems says what to
// check by hand; the same for an account trusted as a whole, and a trusted role that does not exist. A
// postcondition on ok, as the docs recommend, fails with that sentence.
func TestAccRoleCheck_undecidedIsNotOK(t *testing.T) {
	client := acctest.IAMClient(t)
	crossAccount := "arn:aws:iam::210987654321:role/VeeamImpersonation"
	accountRoot := "arn:aws:iam::" + emulatorAccount + ":root"
	missing := "arn:aws:iam::" + emulatorAccount + ":role/" + acctest.RandomName("vbaws-gone")
	withExternalID := `{"StringEquals":{"sts:ExternalId":"veeam-7"}}`
	name := acctest.RandomName("vbaws-undecided")
	fixtureRole(t, client, name, "/", trustOf(trustStatementFor(crossAccount, withExternalID),
		trustStatementFor(accountRoot, withExternalID)), map[string]string{"all": allowEverything})
	config := acctest.ProviderConfig() + roleCheckBlock("cross", name, crossAccount, "veeam-7") +
		roleCheckBlock("root", name, accountRoot, "veeam-7") + roleCheckBlock("gone", name, missing, "veeam-7")
	checks := []statecheck.StateCheck{
		checkValueOf("data.vbaws_role_check.cross", "trusts_principal", knownvalue.Bool(true)),
		checkValueOf("data.vbaws_role_check.cross", "principal_can_assume", knownvalue.Null()),
		checkValueOf("data.vbaws_role_check.cross", "missing_actions", knownvalue.SetSizeExact(0)),
		checkValueOf("data.vbaws_role_check.cross", "ok", knownvalue.Bool(false)),
		checkValueOf("data.vbaws_role_check.cross", "problems", knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringRegexp(regexp.MustCompile(`^Check by hand: role ` + regexp.QuoteMeta(crossAccount) +
				` is in account 210987654321, .* allow sts:AssumeRole on arn:aws:iam::` + emulatorAccount +
				`:role/` + name + `\.$`))})),
		checkValueOf("data.vbaws_role_check.root", "trusts_principal", knownvalue.Bool(true)),
		checkValueOf("data.vbaws_role_check.root", "ok", knownvalue.Bool(false)),
		checkValueOf("data.vbaws_role_check.root", "problems", problemMatching(
			`^Check by hand: account `+emulatorAccount+` is trusted as a whole`)),
		checkValueOf("data.vbaws_role_check.gone", "principal_can_assume", knownvalue.Bool(false)),
		checkValueOf("data.vbaws_role_check.gone", "ok", knownvalue.Bool(false)),
		checkValueOf("data.vbaws_role_check.gone", "problems", problemMatching(
			`^The trusted role `+regexp.QuoteMeta(missing)+` does not exist`)),
	}
	postcondition := acctest.ProviderConfig() + fmt.Sprintf(`
data "vbaws_role_check" "cross" {
  role_name             = %q
  operations            = ["organization_rescan"]
  trusted_principal_arn = %q
  external_id           = "veeam-7"
  evaluator             = "local"
  lifecycle {
    postcondition {
      condition     = self.ok
      error_message = join("\n", self.problems)
    }
  }
}`, name, crossAccount)
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: checks},
		resource.TestStep{Config: postcondition,
			ExpectError: regexp.MustCompile(`(?s)postcondition failed.*Check by hand: role`)},
	))
}
