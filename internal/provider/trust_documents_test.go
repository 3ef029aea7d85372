package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// Trust policies of roles someone else owns that a rewrite could change the meaning of.

// unversionedTrust has no Version, so IAM reads it as 2008-10-17; it uses no policy variables.
const unversionedTrust = `{"Statement":[{"Sid":"AppServers","Effect":"Allow",` +
	`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// unversionedTrustWithVariable has no Version and a ${...} that 2008-10-17 reads as literal text.
const unversionedTrustWithVariable = `{"Statement":[{"Sid":"Tagged","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole",` +
	`"Condition":{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}}]}`

// repeatedConditionTrust repeats StringEquals in one Condition, so a JSON reader keeps only the last block.
const repeatedConditionTrust = `{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole","Condition":{` +
	`"StringEquals":{"sts:ExternalId":"partner-42"},"StringEquals":{"aws:PrincipalTag/team":"backup"}}}]}`

// rawTrust is the role's trust policy exactly as IAM holds it, decoded from IAM's URL encoding.
func rawTrust(t *testing.T, client *iam.Client, name string) string {
	t.Helper()
	out, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("reading role %s: %v", name, err)
	}
	text, err := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		return aws.ToString(out.Role.AssumeRolePolicyDocument)
	}
	return text
}

// A trust policy without Version gets 2012-10-17 when the statement is added, never an empty Version, and keeps
// what its owner's statement means through the whole lifecycle.
func TestAccTrustRelationship_trustWithoutVersion(t *testing.T) {
	client := acctest.IAMClient(t)
	role := acctest.RandomName("vbaws-noversion")
	fixtureRole(t, client, role, "/", unversionedTrust, nil)
	versioned := strings.Replace(unversionedTrust, `{"Statement"`, `{"Version":"2012-10-17","Statement"`, 1)
	versionIs := func() error {
		if doc := remoteTrust(t, client, role); doc.Version != policy.DefaultVersion {
			return fmt.Errorf("the trust policy has Version %q, want %s: %s", doc.Version, policy.DefaultVersion,
				rawTrust(t, client, role))
		}
		return othersMean(t, client, role, versioned, veeamTrustSid)
	}
	tc := testAccCase(t, resource.TestStep{
		Config: trustConfig(acctest.ProviderConfig(), fmt.Sprintf("  role_name = %q\n  principal_arn = %q",
			role, emulatorAccount)),
		ConfigStateChecks: []statecheck.StateCheck{expectRemote(versionIs)},
	})
	tc.CheckDestroy = func(*terraform.State) error { return othersMean(t, client, role, versioned) }
	resource.ParallelTest(t, tc)
}

// Trust policies a rewrite would change the meaning of are refused with an error that names the role and the
// statement, and nothing is written.
func TestAccTrustRelationship_refusesDocumentsARewriteWouldChange(t *testing.T) {
	cases := map[string]struct{ trust, message string }{
		"no Version and a policy variable": {unversionedTrustWithVariable, `statement\s+"Tagged".*2008-10-17`},
		"a repeated condition operator": {repeatedConditionTrust,
			`statement\s+"Partner"\s+repeats\s+the\s+key\s+"StringEquals"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			client := acctest.IAMClient(t)
			proxy := acctest.NewProxy(t)
			role := acctest.RandomName("vbaws-odd")
			fixtureRole(t, client, role, "/", tc.trust, nil)
			before := rawTrust(t, client, role)
			resource.ParallelTest(t, testAccCase(t, resource.TestStep{
				Config: trustConfig(acctest.ProviderConfigFor(proxy.URL),
					fmt.Sprintf("  role_name = %q\n  principal_arn = %q", role, emulatorAccount)),
				ExpectError: regexp.MustCompile(`(?s)role ` + role + `.*` + tc.message),
			}))
			if writes := proxy.IAMWrites(); len(writes) > 0 {
				t.Errorf("the refused document was still written: %v", writes)
			}
			if after := rawTrust(t, client, role); after != before {
				t.Errorf("the trust policy changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
