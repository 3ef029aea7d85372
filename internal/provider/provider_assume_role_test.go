package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// With assume_role, the provider takes the account from the role's ARN: the plan of a new role in a member account
// knows the role's ARN in that account, after one STS call (the AssumeRole that also validates the credentials)
// and no sts:GetCallerIdentity.
func TestAccProvider_assumeRoleTakesTheAccountFromItsARN(t *testing.T) {
	proxy := acctest.NewProxy(t)
	account := acctest.RandomAccountID()
	name := acctest.RandomName("vbaws-assumed")
	wantARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", account, name)
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: memberRoleConfig(proxy.URL, account, name, ""),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownValue(testRole, tfjsonpath.New("arn"), knownvalue.StringExact(wantARN)),
			callsSoFar(proxy, map[string]int{"AssumeRole": 1}),
		}},
	}))
}

// skip_requesting_account_id still leaves the account unknown under assume_role: the role's ARN is known only
// after apply, and the plan makes the AssumeRole alone.
func TestAccProvider_assumeRoleSkipRequestingAccountID(t *testing.T) {
	proxy := acctest.NewProxy(t)
	account := acctest.RandomAccountID()
	name := acctest.RandomName("vbaws-assumed")
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: memberRoleConfig(proxy.URL, account, name, "skip_requesting_account_id = true"),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectUnknownValue(testRole, tfjsonpath.New("arn")),
			callsSoFar(proxy, map[string]int{"AssumeRole": 1}),
		}},
	}))
}

// A role that cannot be assumed fails the configuration, naming the AssumeRole that failed, as the identity check
// did before; with skip_credentials_validation the plan goes on without any STS call.
func TestAccProvider_assumeRoleValidatesCredentials(t *testing.T) {
	proxy := acctest.NewProxy(t)
	proxy.Inject(acctest.Fault{Action: "AssumeRole", Code: "AccessDenied", Status: 403, Times: 1})
	account := acctest.RandomAccountID()
	name := acctest.RandomName("vbaws-assumed")
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{
			Config:      memberRoleConfig(proxy.URL, account, name, ""),
			ExpectError: regexp.MustCompile(`AWS rejected the credentials[\s\S]*sts:AssumeRole of[\s\S]*access\s+denied`),
		},
		resource.TestStep{
			Config:             memberRoleConfig(proxy.URL, account, name, "skip_credentials_validation = true"),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		},
	))
	if n := proxy.Count("GetCallerIdentity"); n != 0 {
		t.Errorf("%d sts:GetCallerIdentity calls under assume_role, want none", n)
	}
}

// memberRoleConfig is a provider that assumes acctest.MemberAccessRole in account through endpoint, with extra
// provider arguments, and a new role in that account.
func memberRoleConfig(endpoint, account, name, extra string) string {
	provider := strings.Replace(acctest.ProviderConfigInAccount(endpoint, account), `provider "vbaws" {`,
		"provider \"vbaws\" {\n  "+extra+"\n", 1)
	return roleConfig(provider, fmt.Sprintf(`
  name                   = %q
  trusted_principal_arns = ["arn:aws:iam::123456789012:role/VeeamImpersonationRole"]`, name))
}

// callsSoFar is a plan check that the proxy has seen exactly the given calls per action, and no other, by the time
// the plan is made.
func callsSoFar(proxy *acctest.Proxy, want map[string]int) plancheck.PlanCheck {
	return callsCheck{proxy: proxy, want: want}
}

type callsCheck struct {
	proxy *acctest.Proxy
	want  map[string]int
}

func (c callsCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	got := c.proxy.Counts()
	for action, n := range got {
		if n != c.want[action] {
			resp.Error = fmt.Errorf("during the plan the provider made %v, want %v", got, c.want)
			return
		}
	}
	for action, n := range c.want {
		if got[action] != n {
			resp.Error = fmt.Errorf("during the plan the provider made %v, want %v", got, c.want)
			return
		}
	}
}
