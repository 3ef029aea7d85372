package acctest

import (
	"context"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// ExpectCalls is a state check that hands the proxy's per-action call counts to check after a step is applied.
func ExpectCalls(p *Proxy, check func(counts map[string]int) error) statecheck.StateCheck {
	return callCheck{proxy: p, check: check}
}

type callCheck struct {
	proxy *Proxy
	check func(map[string]int) error
}

func (c callCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.check(c.proxy.Counts())
}

// CheckCalls is ExpectCalls for steps that take a TestCheckFunc, such as RefreshState steps.
func CheckCalls(p *Proxy, check func(counts map[string]int) error) resource.TestCheckFunc {
	return func(*terraform.State) error { return check(p.Counts()) }
}
