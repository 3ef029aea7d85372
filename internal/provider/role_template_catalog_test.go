package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// A part that holds what an earlier catalog rendered (production_worker with Veeam's FLR worker list, and
// iam:ListInstanceProfiles in Veeam's spelling iam:listInstanceProfiles) re-renders, as the CHANGELOG promises
// for templates written by earlier provider versions: the plan updates the template in place, apply writes this
// catalog's document, and the plan after is empty.
func TestAccRoleTemplate_earlierCatalogReRenders(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-tpl")
	operations := []string{"ec2_restore", "production_worker"}
	current := mustRender(t, operations...)
	earlier := mustRender(t, "ec2_restore", "flr_worker")
	if len(current.Documents) != 1 || len(earlier.Documents) != 1 {
		t.Fatalf("fixture assumption broken: %d and %d parts", len(current.Documents), len(earlier.Documents))
	}
	earlierDocument := strings.Replace(earlier.Documents[0], `"iam:ListInstanceProfiles"`,
		`"iam:listInstanceProfiles"`, 1)
	if earlierDocument == earlier.Documents[0] || !strings.Contains(current.Documents[0], `"iam:ListInstanceProfiles"`) {
		t.Fatal("fixture assumption broken: ec2_restore no longer grants iam:ListInstanceProfiles")
	}
	config := templateConfig(acctest.ProviderConfig(), name, operations, "")
	resource.ParallelTest(t, testAccCase(t,
		resource.TestStep{Config: config, Check: partsAre(client, name, current)},
		resource.TestStep{
			PreConfig: func() {
				_, err := client.CreatePolicyVersion(context.Background(), &iam.CreatePolicyVersionInput{
					PolicyArn:      aws.String(templateARNs(name, current)[0]),
					PolicyDocument: aws.String(earlierDocument),
					SetAsDefault:   true,
				})
				if err != nil {
					t.Fatalf("writing the earlier document: %v", err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("vbaws_role_template.test", plancheck.ResourceActionUpdate),
			}},
			Check: partsAre(client, name, current),
		},
	))
}
