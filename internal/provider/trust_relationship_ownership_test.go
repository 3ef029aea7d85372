package provider

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// appServicesStatement is another team's statement whose Sid is the services Sid of sid "App".
const appServicesStatement = `{"Sid":"AppServices","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},` +
	`"Action":"sts:AssumeRole"}`

// sidTakenError matches the refusal of a create under a Sid that statement uses, with the statement quoted and
// import named.
func sidTakenError(role, sid, quoted string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)Statement already in the trust policy.*` + role + `.*Sid\s+` + sid + `.*` +
		regexp.QuoteMeta(quoted) + `.*terraform\s+import`)
}

// A relationship creates its statements only under Sids nobody uses: a statement it did not write under its Sid,
// under its services Sid, or whose services Sid its sid would be, fails the create with the statement quoted and
// import named; nothing is written, and the trust policy stays exactly as it was.
func TestAccTrustRelationship_refusesStatementItDidNotWrite(t *testing.T) {
	cases := map[string]struct{ sid, taken, quoted string }{
		"its Sid":                       {sid: "AppServers", taken: "AppServers", quoted: `"ec2.amazonaws.com"`},
		"its services Sid":              {sid: "App", taken: "AppServices", quoted: `"lambda.amazonaws.com"`},
		"the Sid it is the services of": {sid: "PartnerAccountServices", taken: "PartnerAccount", quoted: "partner-42"},
	}
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	original := strings.Replace(teamTrustPolicy, `"Statement":[`, `"Statement":[`+appServicesStatement+",", 1)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			proxy := acctest.NewProxy(t)
			team := acctest.RandomName("vbaws-owned")
			fixtureRole(t, client, team, "/", original, nil)
			resource.ParallelTest(t, testAccCase(t, resource.TestStep{
				Config: trustConfig(acctest.ProviderConfigFor(proxy.URL),
					fmt.Sprintf("  role_name = %q\n  principal_arn = %q\n  sid = %q", team, appliance, c.sid)),
				ExpectError: sidTakenError(team, c.taken, c.quoted),
			}))
			if n := proxy.Count("UpdateAssumeRolePolicy"); n != 0 {
				t.Errorf("the refused create wrote the trust policy %d times", n)
			}
			if err := trustTextIs(t, client, team, original); err != nil {
				t.Error(err)
			}
		})
	}
}

// A statement under the relationship's Sid that this configuration wrote, but whose state was lost, is refused like
// any other; import takes it over explicitly, after which the plan is empty and destroy removes it.
func TestAccTrustRelationship_importTakesOverRefusedStatement(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-lost-state")
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}}
	left := policy.ApplyTrust(mustParse(t, teamTrustPolicy), spec)
	fixtureRole(t, client, team, "/", left.Marshal(), nil)
	// The import step runs its configuration as written, so the configuration requires the provider by its source.
	config := acctest.RequiredProviders() +
		trustConfig(acctest.ProviderConfig(), fmt.Sprintf("  role_name = %q\n  principal_arn = %q", team, appliance))
	tc := testAccCase(t,
		resource.TestStep{Config: config, ExpectError: sidTakenError(team, veeamTrustSid, appliance)},
		resource.TestStep{Config: config, ResourceName: testTrust, ImportState: true, ImportStatePersist: true,
			ImportStateId: team + "/" + veeamTrustSid},
		resource.TestStep{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
	)
	tc.CheckDestroy = func(*terraform.State) error { return trustMeansExactly(t, team, teamTrustPolicy) }
	resource.ParallelTest(t, tc)
}

// Two states that both use the default sid on one role do not take each other's statement: the second create is
// refused, destroying the second state leaves the first one's statement, and destroying the first removes it.
func TestAccTrustRelationship_secondStateWithSameSidIsRefused(t *testing.T) {
	client := acctest.IAMClient(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-two-states")
	fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
	config := trustConfig(acctest.ProviderConfig(), fmt.Sprintf("  role_name = %q\n  principal_arn = %q", team, appliance))
	first, second := newCLIWith(t, config), newCLIWith(t, config)
	first.MustRun("apply", "-auto-approve", "-no-color")
	if code, out := second.Run("apply", "-auto-approve", "-no-color"); code == 0 ||
		!sidTakenError(team, veeamTrustSid, appliance).MatchString(out) {
		t.Fatalf("the second state's create was not refused (exit code %d):\n%s", code, out)
	}
	second.MustRun("destroy", "-auto-approve", "-no-color")
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}}
	if err := trustStatementIs(t, client, team, spec); err != nil {
		t.Fatalf("after the second state's destroy: %v", err)
	}
	first.MustRun("destroy", "-auto-approve", "-no-color")
	if err := trustMeansExactly(t, team, teamTrustPolicy); err != nil {
		t.Error(err)
	}
}

// IAM may answer a read with the trust policy as it was before the latest write. Under reads that lag 500 ms, a
// relationship, and 16 on one role in one apply, are each written once, succeed, are not tainted (the next plan
// is empty), and no statement is dropped; destroy leaves the role as it was.
func TestAccTrustRelationship_staleReads(t *testing.T) {
	for _, n := range []int{1, 16} {
		t.Run(fmt.Sprintf("%d relationships", n), func(t *testing.T) {
			client := acctest.IAMClient(t)
			proxy := acctest.NewProxy(t)
			proxy.SetStaleReads(500 * time.Millisecond)
			appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
			team := acctest.RandomName("vbaws-stale")
			fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
			sids := relationshipSids("Stale", n)
			tc := testAccCase(t, resource.TestStep{
				Config: acctest.ProviderConfigFor(proxy.URL) + manyRelationships(team, appliance, "Stale", n),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectCalls(proxy, expectCount("UpdateAssumeRolePolicy", n)),
					expectRemote(func() error { return relationshipsHeld(t, team, appliance, sids) }),
					expectRemote(func() error { return staleAnswersServed(proxy) }),
				},
			})
			tc.CheckDestroy = func(*terraform.State) error { return trustMeansExactly(t, team, teamTrustPolicy) }
			resource.ParallelTest(t, tc)
		})
	}
}

// Two states with 16 relationships each on one role, applied one after the other (both plans empty afterwards)
// and destroyed at the same time by two provider servers: no Allow statement of theirs survives, while the other
// team's statements stay exactly as they were; with fresh reads and with reads that lag 500 ms.
func TestAccTrustRelationship_concurrentDestroyLeavesNoGrant(t *testing.T) {
	for name, lag := range map[string]time.Duration{"fresh reads": 0, "stale reads": 500 * time.Millisecond} {
		t.Run(name, func(t *testing.T) {
			client := acctest.IAMClient(t)
			proxy := acctest.NewProxy(t)
			proxy.SetStaleReads(lag)
			appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
			team := acctest.RandomName("vbaws-concurrent")
			fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
			var states []*acctest.CLI
			for _, prefix := range []string{"First", "Second"} {
				cli := newCLIWith(t, acctest.ProviderConfigFor(proxy.URL)+manyRelationships(team, appliance, prefix, 16))
				cli.MustRun("apply", "-auto-approve", "-no-color")
				states = append(states, cli)
			}
			for i, cli := range states {
				if code, out := cli.Run("plan", "-detailed-exitcode", "-no-color"); code != 0 {
					t.Fatalf("state %d plans changes after both applies (exit code %d):\n%s", i+1, code, out)
				}
			}
			sids := append(relationshipSids("First", 16), relationshipSids("Second", 16)...)
			if err := relationshipsHeld(t, team, appliance, sids); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for _, cli := range states {
				wg.Go(func() { cli.MustRun("destroy", "-auto-approve", "-no-color") })
			}
			wg.Wait()
			if err := trustMeansExactly(t, team, teamTrustPolicy); err != nil {
				t.Error(err)
			}
		})
	}
}

// newCLIWith is a CLI working directory with config, initialised.
func newCLIWith(t *testing.T, config string) *acctest.CLI {
	cli := acctest.NewCLI(t, NewServer("test"))
	cli.WriteConfig(config)
	cli.MustRun("init", "-no-color")
	return cli
}

// manyRelationships is n relationships on role with the Sids relationshipSids(prefix, n).
func manyRelationships(role, appliance, prefix string, n int) string {
	return fmt.Sprintf(`
resource "vbaws_trust_relationship" "many" {
  count         = %d
  role_name     = %q
  principal_arn = %q
  sid           = format("%s%%02d", count.index)
}
`, n, role, appliance, prefix)
}

// relationshipSids are <prefix>00 to <prefix><n-1>.
func relationshipSids(prefix string, n int) []string {
	sids := make([]string, n)
	for i := range sids {
		sids[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return sids
}

// relationshipsHeld checks in IAM that role holds the statement of each sid for appliance, and that the other
// team's statements mean what they meant.
func relationshipsHeld(t *testing.T, role, appliance string, sids []string) error {
	client := acctest.IAMClient(t)
	for _, sid := range sids {
		if err := trustStatementIs(t, client, role, policy.TrustSpec{Sid: sid,
			AWSPrincipals: []string{appliance}}); err != nil {
			return err
		}
	}
	return othersMeanTeamPolicy(t, client, role, sids...)
}

// staleAnswersServed checks that the proxy did answer reads with an old trust policy.
func staleAnswersServed(proxy *acctest.Proxy) error {
	if n := proxy.Injected()["stale GetRole"]; n == 0 {
		return fmt.Errorf("no read was answered with an old trust policy: %v", proxy.Injected())
	}
	return nil
}

// A destroy whose statements another writer keeps writing back after each removal removes them again after each
// settle time, a bounded number of times, and then fails and says so instead of reporting success.
func TestAccTrustRelationship_destroyFailsWhenStatementKeepsComingBack(t *testing.T) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	appliance := fixtureRole(t, client, acctest.RandomName("vbaws-appliance"), "/", ec2TrustPolicy, nil)
	team := acctest.RandomName("vbaws-restored")
	fixtureRole(t, client, team, "/", teamTrustPolicy, nil)
	var restoring atomic.Bool
	var lastWrite atomic.Int64
	proxy.Before("UpdateAssumeRolePolicy", func() { lastWrite.Store(time.Now().UnixNano()) })
	spec := policy.TrustSpec{Sid: veeamTrustSid, AWSPrincipals: []string{appliance}}
	proxy.Before("GetRole", func() { // a writer that restores the statement a second after each removal
		if !restoring.Load() || time.Since(time.Unix(0, lastWrite.Load())) <= time.Second {
			return
		}
		if doc := remoteTrust(t, client, team); !holds(doc, veeamTrustSid) {
			updateTrust(t, client, team, policy.ApplyTrust(doc, spec).Marshal())
		}
	})
	config := trustConfig(acctest.ProviderConfigFor(proxy.URL),
		fmt.Sprintf("  role_name = %q\n  principal_arn = %q", team, appliance))
	tc := testAccCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{PreConfig: func() { restoring.Store(true) }, Config: config, Destroy: true,
			ExpectError: regexp.MustCompile(`(?s)Cannot remove the Veeam trust statement.*came\s+back\s+after\s+each`)},
		resource.TestStep{PreConfig: func() { restoring.Store(false) }, Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectRemote(func() error { return trustStatementIs(t, client, team, spec) })}},
	)
	tc.CheckDestroy = func(*terraform.State) error { return trustMeansExactly(t, team, teamTrustPolicy) }
	resource.ParallelTest(t, tc)
}

// holds reports whether doc has a statement with sid.
func holds(doc policy.Document, sid string) bool {
	_, found := doc.Find(sid)
	return found
}
