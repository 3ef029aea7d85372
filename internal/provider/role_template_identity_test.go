package provider

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

const testTemplate = "vbaws_role_template.test"

// templateIdentityIs checks the identity of vbaws_role_template.test.
func templateIdentityIs(name string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(testTemplate, map[string]knownvalue.Check{
		"name": knownvalue.StringExact(name), "account_id": knownvalue.StringExact(emulatorAccount),
	})
}

// Create sets the identity and import blocks find the template by it, planning no change.
func TestAccRoleTemplate_identityOnCreateAndImport(t *testing.T) {
	name := acctest.RandomName("vbaws-tpl-ident")
	config := templateConfig(acctest.ProviderConfig(), name, []string{"organization_rescan"}, "")
	resource.ParallelTest(t, identityCase(t, createdAndImportedByIdentity(config, testTemplate, templateIdentityIs(name))))
}

// A state written before the identity existed gains it on the next refresh and plans no change; a template of
// such a state whose parts were all deleted leaves state with its identity set and is created again.
func TestAccRoleTemplate_identityForOldStates(t *testing.T) {
	name := acctest.RandomName("vbaws-tpl-old")
	operations := []string{"organization_rescan"}
	config := templateConfig(acctest.ProviderConfig(), name, operations, "")
	client := acctest.IAMClient(t)
	deleteParts := func() {
		for _, arn := range templateARNs(name, mustRender(t, operations...)) {
			if _, err := client.DeletePolicy(context.Background(),
				&iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
				t.Fatalf("deleting %s: %v", arn, err)
			}
		}
	}
	upgraded := fromOldState(config, nil, plancheck.ExpectEmptyPlan(), templateIdentityIs(name))
	vanished := fromOldState(config, deleteParts,
		plancheck.ExpectResourceAction(testTemplate, plancheck.ResourceActionCreate), templateIdentityIs(name))
	resource.ParallelTest(t, identityCase(t, append(upgraded, vanished...)))
}
