package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// An access key without its secret, or a secret without its key, fails validation with a message that names the
// missing argument, before the provider is configured: not one AWS call is made.
func TestAccProvider_accessKeyAndSecretKeyRequireEachOther(t *testing.T) {
	cases := map[string]struct{ given, present, missing string }{
		"access_key only": {given: `access_key = "AKIAVBAWSTESTING0001"`, present: "access_key", missing: "secret_key"},
		"secret_key only": {given: `secret_key = "vbaws-test-secret"`, present: "secret_key", missing: "access_key"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			proxy := acctest.NewProxy(t)
			resource.ParallelTest(t, testAccCase(t, resource.TestStep{
				Config: fmt.Sprintf(`
provider "vbaws" {
  region = %q
  %s
  endpoints {
    iam = %q
    sts = %q
  }
}
data "vbaws_impersonation_role" "test" { name = "VeeamImpersonationRole" }
`, acctest.Region, c.given, proxy.URL, proxy.URL),
				// Terraform wraps long messages, so any space may be a line break.
				ExpectError: regexp.MustCompile(strings.ReplaceAll(fmt.Sprintf(
					`Attribute "%s" must be specified when "%s" is specified`, c.missing, c.present), " ", `\s+`)),
			}))
			if calls := proxy.Calls(); len(calls) > 0 {
				t.Errorf("an invalid provider configuration still called AWS: %v", calls)
			}
		})
	}
}
