package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

func TestAccRoleCheck_smoke(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-check")
	fixtureRole(t, client, name, "/", ec2TrustPolicy, map[string]string{"all": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`})
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: acctest.ProviderConfig() + fmt.Sprintf(`
data "vbaws_role_check" "test" {
  role_name  = %q
  operations = ["ec2_backup"]
  evaluator  = "auto"
}`, name),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.vbaws_role_check.test", tfjsonpath.New("ok"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("data.vbaws_role_check.test", tfjsonpath.New("evaluator"), knownvalue.StringExact("local")),
		},
	}))
}
