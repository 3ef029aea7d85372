package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	tfjson "github.com/hashicorp/terraform-json"
	"golang.org/x/sync/errgroup"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// refreshVariant is one way of refreshing the same state: a refresh_mode, and what the proxy does meanwhile.
type refreshVariant struct {
	name, mode string
	faults     []acctest.Fault
	// snapshot says whether the variant must have read from the account snapshot.
	snapshot bool
}

// refreshVariants are the modes expectRefreshModesAgree compares with per_resource.
var refreshVariants = []refreshVariant{
	{name: "snapshot", mode: "snapshot", snapshot: true},
	{name: "auto", mode: "auto"},
	{name: "snapshot, GetAccountAuthorizationDetails denied", mode: "snapshot", faults: []acctest.Fault{{
		Action: "GetAccountAuthorizationDetails", Code: "AccessDenied", Status: 403,
		Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: " +
			"iam:GetAccountAuthorizationDetails"}}},
}

// expectRefreshModesAgree refreshes the CLI's current state once per refresh mode, each time from the same saved
// state, and fails unless every mode leaves exactly the state refresh_mode = "per_resource" leaves. config renders
// the configuration for a mode (see acctest.WithRefreshMode); the proxy must be the provider's endpoint. It
// returns the per_resource state, for the caller to check that the drift was seen at all.
func expectRefreshModesAgree(t *testing.T, cli *acctest.CLI, proxy *acctest.Proxy, config func(mode string) string,
) *tfjson.State {
	t.Helper()
	statePath := filepath.Join(cli.Dir, "terraform.tfstate")
	saved, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatalf("saving the state: %v", err)
	}
	refresh := func(mode string, faults []acctest.Fault) (*tfjson.State, map[string]int) {
		t.Helper()
		if err := os.WriteFile(statePath, saved, 0o600); err != nil {
			t.Fatal(err)
		}
		cli.WriteConfig(config(mode))
		proxy.Reset()
		for _, f := range faults {
			proxy.Inject(f)
		}
		defer proxy.ClearFaults()
		cli.MustRun("apply", "-refresh-only", "-auto-approve", "-no-color")
		return cli.State(), iamCalls(proxy.Calls())
	}
	want, perResource := refresh("per_resource", nil)
	t.Logf("per_resource refresh: %d IAM calls %v", total(perResource), perResource)
	for _, v := range refreshVariants {
		got, calls := refresh(v.mode, v.faults)
		t.Logf("%s refresh: %d IAM calls %v", v.name, total(calls), calls)
		if v.snapshot && calls["GetAccountAuthorizationDetails"] == 0 {
			t.Errorf("%s: the refresh did not read from the account snapshot", v.name)
		}
		for _, difference := range stateDifferences(want, got) {
			t.Errorf("%s: %s", v.name, difference)
		}
	}
	return want
}

// stateDifferences lists, per resource and attribute, where got differs from want.
func stateDifferences(want, got *tfjson.State) []string {
	wanted, gotten := resourceValues(want), resourceValues(got)
	var differences []string
	for _, address := range slices.Sorted(mapsKeys(wanted, gotten)) {
		w, g := wanted[address], gotten[address]
		switch {
		case w == nil:
			differences = append(differences, address+" is in state, but not per_resource")
		case g == nil:
			differences = append(differences, address+" is not in state, but is per_resource")
		default:
			for _, attribute := range slices.Sorted(mapsKeys(w, g)) {
				if !reflect.DeepEqual(w[attribute], g[attribute]) {
					differences = append(differences, fmt.Sprintf("%s.%s = %s, per_resource %s", address,
						attribute, jsonText(g[attribute]), jsonText(w[attribute])))
				}
			}
		}
	}
	return differences
}

func resourceValues(state *tfjson.State) map[string]map[string]any {
	values := map[string]map[string]any{}
	if state.Values != nil {
		for _, r := range allResources(state.Values.RootModule) {
			values[r.Address] = r.AttributeValues
		}
	}
	return values
}

func allResources(module *tfjson.StateModule) []*tfjson.StateResource {
	if module == nil {
		return nil
	}
	resources := slices.Clone(module.Resources)
	for _, child := range module.ChildModules {
		resources = append(resources, allResources(child)...)
	}
	return resources
}

func mapsKeys[V any](maps ...map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range maps {
			for key := range m {
				if !seen[key] {
					seen[key] = true
					if !yield(key) {
						return
					}
				}
			}
		}
	}
}

func jsonText(v any) string {
	text, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(text)
}

// Out-of-band changes of every kind a refresh reports, read in every refresh mode: each mode leaves the state
// refresh_mode = "per_resource" leaves, also when the snapshot is denied and the provider falls back.
func TestAccSnapshot_sameStateAsPerResource(t *testing.T) {
	account := acctest.RandomAccountID()
	client := acctest.IAMClientIn(t, account)
	proxy := acctest.NewProxy(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	e := newDriftEstate(t, client)
	config := func(mode string) string {
		return e.config(acctest.WithRefreshMode(acctest.ProviderConfigInAccount(proxy.URL, account), mode))
	}
	cli.WriteConfig(config("per_resource"))
	cli.MustRun("init", "-no-color")
	cli.MustRun("apply", "-auto-approve", "-no-color")
	e.drift(t, cli.State())

	refreshed := expectRefreshModesAgree(t, cli, proxy, config)
	values := resourceValues(refreshed)
	if values["vbaws_iam_role.gone"] != nil {
		t.Error("the role deleted out of band is still in state: the refresh missed the drift")
	}
	if description := values["vbaws_iam_role.plain"]["description"]; description != "changed out of band" {
		t.Errorf("description of the plain role reads %v: the refresh missed the drift", description)
	}
	cli.WriteConfig(config("per_resource"))
	cli.MustRun("destroy", "-auto-approve", "-no-color")
}

// A read after a write in the same provider process sees IAM, not the snapshot taken before the write.
func TestAccSnapshot_readAfterWriteSeesIAM(t *testing.T) {
	ctx := context.Background()
	fixtures := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	name := acctest.RandomName("vbaws-written")
	fixtureRole(t, fixtures, name, "/", ec2TrustPolicy, nil)
	accessKey, secretKey := acctest.EmulatorCredentials()
	client, err := awsclient.New(ctx, awsclient.Settings{Region: acctest.Region, AccessKey: accessKey,
		SecretKey: secretKey, IAMEndpoint: proxy.URL, STSEndpoint: proxy.URL,
		RefreshMode: awsclient.RefreshSnapshot})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ReadRole(ctx, name, awsclient.RoleHint{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(name),
		Description: aws.String("written")}); err != nil {
		t.Fatal(err)
	}
	proxy.Reset()
	role, err := client.ReadRole(ctx, name, awsclient.RoleHint{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(role.Description) != "written" || proxy.Count("GetRole") != 1 {
		t.Errorf("after the write the role reads with description %q from %v, want \"written\" from GetRole",
			aws.ToString(role.Description), proxy.Counts())
	}
	if _, err := client.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ReadRole(ctx, name, awsclient.RoleHint{}); !awsclient.IsNoSuchEntity(err) {
		t.Errorf("after the delete the role reads with error %v, want NoSuchEntity", err)
	}
}

// A state of a few roles in a large account reads role by role: the account is never scanned.
func TestAccSnapshot_smallStateInLargeAccountReadsRoleByRole(t *testing.T) {
	account := acctest.RandomAccountID()
	client := acctest.IAMClientIn(t, account)
	proxy := acctest.NewProxy(t)
	cli := acctest.NewCLI(t, NewServer("test"))
	createRoles(t, client, acctest.RandomName("vbaws-other"), 400)
	prefix := acctest.RandomName("vbaws-few")
	cli.WriteConfig(acctest.ProviderConfigInAccount(proxy.URL, account) + fmt.Sprintf(`
resource "vbaws_iam_role" "few" {
  count                  = %d
  name                   = "%s-${count.index}"
  trusted_principal_arns = ["arn:aws:iam::%s:root"]
  acknowledge_account_root = true
}`, gatherReadsInTests, prefix, account))
	cli.MustRun("init", "-no-color")
	cli.MustRun("apply", "-auto-approve", "-no-color")
	proxy.Reset()
	cli.MustRun("plan", "-refresh-only", "-no-color")
	calls := iamCalls(proxy.Calls())
	t.Logf("bench: IAM calls to refresh %d roles in an account of %d more: %d (%v)", gatherReadsInTests, 400,
		total(calls), calls)
	if calls["ListRoles"]+calls["GetAccountAuthorizationDetails"] > 0 || calls["GetRole"] != gatherReadsInTests ||
		total(calls) > gatherReadsInTests+1 {
		t.Errorf("refresh calls %v, want %d GetRole and at most one GetAccountSummary", calls, gatherReadsInTests)
	}
	cli.MustRun("destroy", "-auto-approve", "-no-color")
}

// gatherReadsInTests is enough role reads to make the provider measure the account, too few to pay for a
// snapshot of 400 roles.
const gatherReadsInTests = 5

// createRoles makes n roles named prefix-N outside Terraform, a few at a time, and deletes them when the test ends.
func createRoles(t *testing.T, client *iam.Client, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	err := forEachRole(prefix, n, func(name string) error {
		_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
			AssumeRolePolicyDocument: aws.String(ec2TrustPolicy)})
		return err
	})
	if err != nil {
		t.Fatalf("creating roles: %v", err)
	}
	t.Cleanup(func() {
		_ = forEachRole(prefix, n, func(name string) error {
			_, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
			return err
		})
	})
}

// forEachRole calls do for prefix-0 to prefix-(n-1), eight at a time, and returns the first error.
func forEachRole(prefix string, n int, do func(name string) error) error {
	var group errgroup.Group
	group.SetLimit(8)
	for i := range n {
		group.Go(func() error { return do(fmt.Sprintf("%s-%d", prefix, i)) })
	}
	return group.Wait()
}

// driftEstate is a state with something of every kind a refresh reads, and the out-of-band changes made to it.
type driftEstate struct {
	client                      *iam.Client
	prefix, appliance, boundary string
	extra                       string
	foreignChanged, foreignGone string
}

func newDriftEstate(t *testing.T, client *iam.Client) *driftEstate {
	e := &driftEstate{client: client, prefix: acctest.RandomName("vbaws-drift")}
	e.appliance = fixtureRole(t, client, e.prefix+"-appliance", "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
	e.boundary = fixturePolicy(t, client, allowEverything)
	e.extra = fixturePolicy(t, client,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)
	e.foreignChanged, e.foreignGone = e.prefix+"-foreign-a", e.prefix+"-foreign-b"
	fixtureRole(t, client, e.foreignChanged, "/team/", teamTrustPolicy, nil)
	fixtureRole(t, client, e.foreignGone, "/", teamTrustPolicy, nil)
	return e
}

func (e *driftEstate) config(provider string) string {
	return provider + fmt.Sprintf(`
resource "vbaws_role_template" "tpl" {
  name       = "%[1]s-tpl"
  operations = ["ec2_backup"]
}
resource "vbaws_iam_role" "plain" {
  name                   = "%[1]s-plain"
  description            = "as configured"
  trusted_principal_arns = [%[2]q]
  tags                   = { a = "1" }
}
resource "vbaws_iam_role" "templated" {
  name                    = "%[1]s-templated"
  path                    = "/veeam/"
  trusted_principal_arns  = [%[2]q]
  managed_policy_arns     = vbaws_role_template.tpl.policy_arns
  service_principals      = vbaws_role_template.tpl.service_principals
  create_instance_profile = true
}
resource "vbaws_iam_role" "inline" {
  name                   = "%[1]s-inline"
  trusted_principal_arns = [%[2]q]
  inline_policies        = { read = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Action = "ec2:Describe*", Resource = "*" }] }) }
}
resource "vbaws_iam_role" "bounded" {
  name                   = "%[1]s-bounded"
  trusted_principal_arns = [%[2]q]
  permissions_boundary   = %[3]q
}
resource "vbaws_iam_role" "unbounded" {
  name                   = "%[1]s-unbounded"
  trusted_principal_arns = [%[2]q]
}
resource "vbaws_iam_role" "gone" {
  name                   = "%[1]s-gone"
  trusted_principal_arns = [%[2]q]
}
resource "vbaws_iam_role" "unprofiled" {
  name                    = "%[1]s-unprofiled"
  trusted_principal_arns  = [%[2]q]
  create_instance_profile = true
}
resource "vbaws_iam_role" "profileless" {
  name                    = "%[1]s-profileless"
  trusted_principal_arns  = [%[2]q]
  create_instance_profile = true
}
resource "vbaws_trust_relationship" "changed" {
  role_name     = %[4]q
  principal_arn = %[2]q
  external_id   = "veeam-1"
}
resource "vbaws_trust_relationship" "gone" {
  role_name     = %[5]q
  principal_arn = %[2]q
}
data "vbaws_impersonation_role" "appliance" {
  arn = %[2]q
}
data "vbaws_role_check" "templated" {
  role_name  = vbaws_iam_role.templated.name
  operations = ["ec2_backup"]
  evaluator  = "local"
}
`, e.prefix, e.appliance, e.boundary, e.foreignChanged, e.foreignGone)
}

// drift changes, outside Terraform, every kind of thing the state holds.
func (e *driftEstate) drift(t *testing.T, state *tfjson.State) {
	t.Helper()
	ctx, c, p := context.Background(), e.client, e.prefix
	part := fmt.Sprint(resourceValues(state)["vbaws_role_template.tpl"]["policy_arns"].([]any)[0])
	changedTrust := strings.Replace(policyText(t, c, e.foreignChanged), "veeam-1", "veeam-rotated", 1)
	done := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("changing the estate out of band: %v", err)
		}
	}
	done(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(p + "-plain"),
		Description: aws.String("changed out of band")}))
	done(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(p + "-plain"),
		Tags: []iamtypes.Tag{{Key: aws.String("b"), Value: aws.String("2")}}}))
	done(c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(p + "-plain"), TagKeys: []string{"a"}}))
	done(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(p + "-templated"),
		PolicyDocument: aws.String(ec2TrustPolicy)}))
	done(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(p + "-templated"),
		PolicyArn: aws.String(part)}))
	done(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(p + "-templated"),
		PolicyArn: aws.String(e.extra)}))
	done(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(p + "-inline"),
		PolicyName: aws.String("read"), PolicyDocument: aws.String(allowEverything)}))
	done(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(p + "-inline"),
		PolicyName: aws.String("added"), PolicyDocument: aws.String(assumeAnyRolePolicy)}))
	done(c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{
		RoleName: aws.String(p + "-bounded")}))
	done(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
		RoleName: aws.String(p + "-unbounded"), PermissionsBoundary: aws.String(e.boundary)}))
	done(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(p + "-gone")}))
	done(c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
		InstanceProfileName: aws.String(p + "-unprofiled"), RoleName: aws.String(p + "-unprofiled")}))
	done(c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
		InstanceProfileName: aws.String(p + "-profileless"), RoleName: aws.String(p + "-profileless")}))
	done(c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{
		InstanceProfileName: aws.String(p + "-profileless")}))
	done(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(part),
		PolicyDocument: aws.String(allowEverything), SetAsDefault: true}))
	done(c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(part),
		Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("someone")}}}))
	done(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(e.foreignChanged),
		PolicyDocument: aws.String(changedTrust)}))
	done(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(e.foreignGone),
		PolicyDocument: aws.String(teamTrustPolicy)}))
}

// policyText is a role's trust policy as IAM holds it, decoded.
func policyText(t *testing.T, client *iam.Client, roleName string) string {
	t.Helper()
	return remoteTrust(t, client, roleName).Marshal()
}
