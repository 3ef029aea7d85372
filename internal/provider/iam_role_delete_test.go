package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// rolesPerKind is how many roles of each kind (plain, policy, profile, full) TestAccIAMRole_callsPerRole manages.
const rolesPerKind = 4

// IAM calls per role, counted through the recording proxy, with refresh_mode = "per_resource": apply creates a
// plain role with one call, a role with a managed policy (such as a template part) with one more, and one with an
// instance profile with two more (IAM has no fewer); refresh costs one call for a plain role and one more per
// feature in use; destroy (-refresh=false) deletes a plain role with its one DeleteRole, and a role with an
// attached policy and an instance profile with the deletes it must make plus at most two reads, the policy's
// retired tag being read once per apply for every role that shares it. `make bench` prints the "bench:" lines.
func TestAccIAMRole_callsPerRole(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	prefix := acctest.RandomName("vbaws-calls")
	part := fixturePolicy(t, client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)
	cli.WriteConfig(acctest.WithRefreshMode(acctest.ProviderConfigFor(proxy.URL), "per_resource") +
		rolesOfEachKind(prefix, part))
	cli.MustRun("init", "-no-color")
	cli.MustRun("apply", "-auto-approve", "-no-color")
	apply := callsPerKind(proxy.Calls(), prefix)

	proxy.Reset()
	cli.MustRun("plan", "-refresh-only", "-no-color")
	refresh := callsPerKind(proxy.Calls(), prefix)
	proxy.Reset()
	cli.MustRun("destroy", "-auto-approve", "-refresh=false", "-no-color")
	destroy := callsPerKind(proxy.Calls(), prefix)

	t.Logf("bench: IAM calls per role, apply: plain %.2f, with a policy %.2f, with an instance profile %.2f, "+
		"with both %.2f", apply.perRole("plain"), apply.perRole("policy"), apply.perRole("profile"),
		apply.perRole("full"))
	t.Logf("bench: IAM calls per role, refresh: plain %.2f, with a policy %.2f, with an instance profile %.2f, "+
		"with both %.2f", refresh.perRole("plain"), refresh.perRole("policy"), refresh.perRole("profile"),
		refresh.perRole("full"))
	t.Logf("bench: IAM calls per role, destroy -refresh=false: plain %.2f, with a policy %.2f, with an instance "+
		"profile %.2f, with both %.2f (%d deletes)", destroy.perRole("plain"), destroy.perRole("policy"),
		destroy.perRole("profile"), destroy.perRole("full"), destroy.writes["full"]/rolesPerKind)
	expectCalls(t, "apply, plain role", apply.byAction["plain"], map[string]int{"CreateRole": rolesPerKind})
	expectCalls(t, "apply, role with a policy", apply.byAction["policy"], map[string]int{
		"CreateRole": rolesPerKind, "AttachRolePolicy": rolesPerKind})
	expectCalls(t, "apply, role with an instance profile", apply.byAction["profile"], map[string]int{
		"CreateRole": rolesPerKind, "CreateInstanceProfile": rolesPerKind, "AddRoleToInstanceProfile": rolesPerKind})
	expectCalls(t, "refresh, plain role", refresh.byAction["plain"], map[string]int{"GetRole": rolesPerKind})
	expectCalls(t, "refresh, role with a policy", refresh.byAction["policy"], map[string]int{
		"GetRole": rolesPerKind, "ListAttachedRolePolicies": rolesPerKind})
	expectCalls(t, "refresh, role with an instance profile", refresh.byAction["profile"], map[string]int{
		"GetRole": rolesPerKind, "GetInstanceProfile": rolesPerKind})
	expectCalls(t, "refresh, full role", refresh.byAction["full"], map[string]int{
		"GetRole": rolesPerKind, "ListAttachedRolePolicies": rolesPerKind, "GetInstanceProfile": rolesPerKind})
	expectCalls(t, "destroy, plain role", destroy.byAction["plain"], map[string]int{"DeleteRole": rolesPerKind})
	expectCalls(t, "destroy, full role", destroy.byAction["full"], map[string]int{
		"GetInstanceProfile": rolesPerKind, "RemoveRoleFromInstanceProfile": rolesPerKind,
		"DeleteInstanceProfile": rolesPerKind, "DetachRolePolicy": rolesPerKind, "GetPolicy": 1,
		"DeleteRole": rolesPerKind})
	if err := acctest.CheckNothingLeft(client, prefix)(nil); err != nil {
		t.Error(err)
	}
}

// The same roles refreshed from the account snapshot, in an account of their own: the whole refresh costs one
// ListRoles and one GetAccountAuthorizationDetails, whatever the number of roles, and leaves the plan empty.
func TestAccIAMRole_callsPerRoleBatched(t *testing.T) {
	account := acctest.RandomAccountID()
	client := acctest.IAMClientIn(t, account)
	proxy := acctest.NewProxy(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	prefix := acctest.RandomName("vbaws-batched")
	part := fixturePolicy(t, client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)
	cli.WriteConfig(acctest.WithRefreshMode(acctest.ProviderConfigInAccount(proxy.URL, account), "snapshot") +
		rolesOfEachKind(prefix, part))
	cli.MustRun("init", "-no-color")
	cli.MustRun("apply", "-auto-approve", "-no-color")

	proxy.Reset()
	out := cli.MustRun("plan", "-refresh-only", "-no-color")
	refresh := iamCalls(proxy.Calls())
	if !strings.Contains(out, "No changes.") {
		t.Errorf("the refresh from the snapshot found changes:\n%s", out)
	}
	t.Logf("bench: IAM calls to refresh %d roles of each kind from the account snapshot: %d (%v)", rolesPerKind,
		total(refresh), refresh)
	expectCalls(t, "refresh from the snapshot", refresh, map[string]int{"ListRoles": 1,
		"GetAccountAuthorizationDetails": 1})
	cli.MustRun("destroy", "-auto-approve", "-no-color")
	if err := acctest.CheckNothingLeft(client, prefix)(nil); err != nil {
		t.Error(err)
	}
}

// rolesOfEachKind configures rolesPerKind roles of each kind: plain, with the managed policy part, with an
// instance profile, and with both.
func rolesOfEachKind(prefix, part string) string {
	return fmt.Sprintf(`
resource "vbaws_iam_role" "plain" {
  count                  = %[1]d
  name                   = "%[2]s-plain-${count.index}"
  trusted_principal_arns = ["%[3]s"]
}
resource "vbaws_iam_role" "policy" {
  count                  = %[1]d
  name                   = "%[2]s-policy-${count.index}"
  trusted_principal_arns = ["%[3]s"]
  managed_policy_arns    = [%[4]q]
}
resource "vbaws_iam_role" "profile" {
  count                   = %[1]d
  name                    = "%[2]s-profile-${count.index}"
  trusted_principal_arns  = ["%[3]s"]
  create_instance_profile = true
}
resource "vbaws_iam_role" "full" {
  count                   = %[1]d
  name                    = "%[2]s-full-${count.index}"
  trusted_principal_arns  = ["%[3]s"]
  managed_policy_arns     = [%[4]q]
  create_instance_profile = true
}`, rolesPerKind, prefix, emulatorAccount, part)
}

// iamCalls counts the IAM calls by action.
func iamCalls(calls []acctest.Call) map[string]int {
	counts := map[string]int{}
	for _, c := range calls {
		if c.Service == "iam" {
			counts[c.Action]++
		}
	}
	return counts
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// kindCalls are the IAM calls of one operation, per kind of role ("plain", "policy", "profile" or "full") and
// action.
type kindCalls struct {
	byAction map[string]map[string]int
	writes   map[string]int
}

// callsPerKind sorts calls by the role or profile they name; calls naming only a policy belong to the full roles.
func callsPerKind(calls []acctest.Call, prefix string) kindCalls {
	k := kindCalls{byAction: map[string]map[string]int{"plain": {}, "policy": {}, "profile": {}, "full": {}},
		writes: map[string]int{}}
	for _, c := range calls {
		if c.Service != "iam" {
			continue
		}
		name := c.Params.Get("RoleName") + c.Params.Get("InstanceProfileName")
		kind := "full"
		for _, named := range []string{"plain", "policy", "profile"} {
			if strings.HasPrefix(name, prefix+"-"+named+"-") {
				kind = named
			}
		}
		k.byAction[kind][c.Action]++
		if !strings.HasPrefix(c.Action, "Get") && !strings.HasPrefix(c.Action, "List") {
			k.writes[kind]++
		}
	}
	return k
}

func (k kindCalls) perRole(kind string) float64 {
	return float64(total(k.byAction[kind])) / rolesPerKind
}

func expectCalls(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: calls %v, want %v", what, got, want)
	}
}

// Issue 16, defect 2: a role taken out of its own instance profile (by hand, or by a destroy interrupted between
// the two deletes) still gets that profile deleted on destroy.
func TestAccIAMRole_destroyDeletesOwnProfileTheRoleLeft(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-left")
	config := roleConfig(acctest.ProviderConfig(), fmt.Sprintf(`
  name                    = %q
  path                    = "/workers/"
  trusted_principal_arns  = ["%s"]
  create_instance_profile = true`, name, emulatorAccount))
	tc := testAccCase(t,
		resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("create_instance_profile"), knownvalue.Bool(true)),
			expectRemote(func() error { return profileHasRole(client, name) }),
		}},
		resource.TestStep{
			PreConfig: func() { removeFromProfile(t, client, name, name) },
			Config:    config,
			Destroy:   true,
		},
	)
	tc.CheckDestroy = checkRoleGone(client, name)
	resource.ParallelTest(t, tc)
}

// Destroy with -refresh=false, where state still says the role is in its profile: a profile the role was taken
// out of is deleted, a profile that now holds another role is left with that role.
func TestAccIAMRole_destroyNeverDeletesProfileOfAnotherRole(t *testing.T) {
	client := acctest.IAMClient(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	prefix := acctest.RandomName("vbaws-owner")
	emptied, taken := prefix+"-emptied", prefix+"-taken"
	other := acctest.RandomName("vbaws-other")
	fixtureRole(t, client, other, "/", ec2TrustPolicy, nil)
	cli.WriteConfig(acctest.ProviderConfig() + fmt.Sprintf(`
resource "vbaws_iam_role" "worker" {
  for_each                = toset([%q, %q])
  name                    = each.key
  trusted_principal_arns  = ["%s"]
  create_instance_profile = true
}`, emptied, taken, emulatorAccount))
	cli.MustRun("init", "-no-color")
	cli.MustRun("apply", "-auto-approve", "-no-color")
	removeFromProfile(t, client, emptied, emptied)
	removeFromProfile(t, client, taken, taken)
	if _, err := client.AddRoleToInstanceProfile(context.Background(), &iam.AddRoleToInstanceProfileInput{
		InstanceProfileName: aws.String(taken), RoleName: aws.String(other)}); err != nil {
		t.Fatalf("adding %s to profile %s: %v", other, taken, err)
	}
	t.Cleanup(func() {
		removeFromProfile(t, client, taken, other)
		_, _ = client.DeleteInstanceProfile(context.Background(), &iam.DeleteInstanceProfileInput{
			InstanceProfileName: aws.String(taken)})
	})

	cli.MustRun("destroy", "-auto-approve", "-refresh=false", "-no-color")
	if err := checkRoleGone(client, emptied)(nil); err != nil {
		t.Error(err)
	}
	out, err := client.GetInstanceProfile(context.Background(), &iam.GetInstanceProfileInput{
		InstanceProfileName: aws.String(taken)})
	if err != nil {
		t.Fatalf("the profile %s that holds role %s was deleted: %v", taken, other, err)
	}
	if len(out.InstanceProfile.Roles) != 1 || aws.ToString(out.InstanceProfile.Roles[0].RoleName) != other {
		t.Errorf("profile %s holds %v, want only %s", taken, out.InstanceProfile.Roles, other)
	}
	if _, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(taken)}); err == nil {
		t.Errorf("role %s still exists after destroy", taken)
	}
}

func removeFromProfile(t *testing.T, client *iam.Client, profile, role string) {
	t.Helper()
	_, err := client.RemoveRoleFromInstanceProfile(context.Background(), &iam.RemoveRoleFromInstanceProfileInput{
		InstanceProfileName: aws.String(profile), RoleName: aws.String(role)})
	if err != nil {
		t.Errorf("removing role %s from instance profile %s: %v", role, profile, err)
	}
}
