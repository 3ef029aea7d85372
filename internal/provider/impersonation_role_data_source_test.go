package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

func TestAccImpersonationRoleDataSource_lookupModes(t *testing.T) {
	client := acctest.IAMClient(t)
	name, profile := acctest.RandomName("vbaws-imp"), acctest.RandomName("vbaws-imp-profile")
	roleARN := fixtureRole(t, client, name, "/veeam/", ec2TrustPolicy, map[string]string{"assume": assumeAnyRolePolicy})
	profileARN := fixtureInstanceProfile(t, client, profile, name)
	config := acctest.ProviderConfig() + fmt.Sprintf(`
data "vbaws_impersonation_role" "by_name" { name = %[1]q }
data "vbaws_impersonation_role" "by_arn" { arn = %[2]q }
data "vbaws_impersonation_role" "by_profile" { instance_profile_name = %[3]q }
`, name, roleARN, profile)
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(
			"data.vbaws_impersonation_role.by_name",
			tfjsonpath.New("path"),
			knownvalue.StringExact("/veeam/"),
		),
		statecheck.ExpectKnownValue(
			"data.vbaws_impersonation_role.by_name",
			tfjsonpath.New("account_id"),
			knownvalue.StringExact(emulatorAccount),
		),
		statecheck.ExpectKnownValue(
			"data.vbaws_impersonation_role.by_name",
			tfjsonpath.New("partition"),
			knownvalue.StringExact("aws"),
		),
		statecheck.ExpectKnownValue(
			"data.vbaws_impersonation_role.by_name",
			tfjsonpath.New("unique_id"),
			knownvalue.StringRegexp(regexp.MustCompile(`^AROA`)),
		),
		statecheck.ExpectKnownValue(
			"data.vbaws_impersonation_role.by_name",
			tfjsonpath.New("create_date"),
			knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)),
		),
		statecheck.ExpectKnownValue(
			"data.vbaws_impersonation_role.by_name",
			tfjsonpath.New("instance_profile_arns"),
			knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(profileARN)}),
		),
		statecheck.ExpectKnownValue(
			"data.vbaws_impersonation_role.by_name",
			tfjsonpath.New("can_assume_roles"),
			knownvalue.Bool(true),
		),
	}
	for _, mode := range []string{"by_name", "by_arn", "by_profile"} {
		checks = append(
			checks,
			statecheck.ExpectKnownValue(
				"data.vbaws_impersonation_role."+mode,
				tfjsonpath.New("arn"),
				knownvalue.StringExact(roleARN),
			),
			statecheck.ExpectKnownValue(
				"data.vbaws_impersonation_role."+mode,
				tfjsonpath.New("name"),
				knownvalue.StringExact(name),
			),
		)
	}
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, ConfigStateChecks: checks}))
}

// With no input, the role comes from the caller identity: the provider assumes the role, as it would when
// Terraform runs on the appliance.
func TestAccImpersonationRoleDataSource_fromCallerIdentity(t *testing.T) {
	if acctest.RealAWS() {
		t.Skip("needs a role the test may assume; covered by the emulator")
	}
	name := acctest.RandomName("vbaws-self")
	roleARN := fixtureRole(
		t,
		acctest.IAMClient(t),
		name,
		"/",
		ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy},
	)
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "vbaws" {
  region     = %[1]q
  access_key = "AKIAVBAWSTESTING0005"
  secret_key = "x"
  endpoints {
    iam = %[2]q
    sts = %[2]q
  }
  assume_role {
    role_arn     = %[3]q
    session_name = "vbaws-acceptance"
    duration     = "30m"
  }
}
data "vbaws_impersonation_role" "self" {}
`, acctest.Region, acctest.Endpoint(), roleARN),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(
				"data.vbaws_impersonation_role.self",
				tfjsonpath.New("arn"),
				knownvalue.StringExact(roleARN),
			),
		},
	}))
}

func TestAccImpersonationRoleDataSource_noInputWithoutRoleCaller(t *testing.T) {
	if acctest.RealAWS() {
		t.Skip("the caller may be a role in a real account")
	}
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{
		Config:      acctest.ProviderConfig() + `data "vbaws_impersonation_role" "self" {}`,
		ExpectError: regexp.MustCompile(`does not run as a role[\s\S]*name, arn or\s+instance_profile_name`),
	}))
}

func TestAccImpersonationRoleDataSource_canAssumeRoles(t *testing.T) {
	client := acctest.IAMClient(t)
	inline := acctest.RandomName("vbaws-inline")
	fixtureRole(t, client, inline, "/", ec2TrustPolicy, map[string]string{"assume": assumeAnyRolePolicy})
	managed := acctest.RandomName("vbaws-managed")
	fixtureRole(t, client, managed, "/", ec2TrustPolicy, nil)
	fixtureManagedPolicy(
		t,
		client,
		managed,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:Assume*"],"Resource":["*"]}]}`,
	)
	without := acctest.RandomName("vbaws-without")
	fixtureRole(
		t,
		client,
		without,
		"/",
		ec2TrustPolicy,
		map[string]string{
			"s3": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		},
	)
	denied := acctest.RandomName("vbaws-denied")
	fixtureRole(t, client, denied, "/", ec2TrustPolicy, map[string]string{
		"assume": assumeAnyRolePolicy,
		"deny":   `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:*","Resource":"*"}]}`,
	})
	config := acctest.ProviderConfig()
	expect := map[string]bool{inline: true, managed: true, without: false, denied: false}
	var checks []statecheck.StateCheck
	for name, want := range expect {
		config += fmt.Sprintf("data \"vbaws_impersonation_role\" %q { name = %q }\n", name, name)
		checks = append(
			checks,
			statecheck.ExpectKnownValue(
				"data.vbaws_impersonation_role."+name,
				tfjsonpath.New("can_assume_roles"),
				knownvalue.Bool(want),
			),
		)
	}
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, ConfigStateChecks: checks}))
}

func TestAccImpersonationRoleDataSource_errors(t *testing.T) {
	missing := acctest.RandomName("vbaws-missing")
	cases := map[string]struct {
		config string
		err    string
	}{
		"not found":       {fmt.Sprintf(`name = %q`, missing), `no IAM role with name ` + missing},
		"profile missing": {fmt.Sprintf(`instance_profile_name = %q`, missing), `no instance profile named ` + missing},
		"several inputs": {
			`name = "a"` + "\n" + `arn = "arn:aws:iam::123456789012:role/a"`,
			`cannot be configured together`,
		},
		"session ARN": {
			`arn = "arn:aws:sts::123456789012:assumed-role/Veeam/session"`,
			`arn:aws:iam::123456789012:role/Veeam`,
		},
		"malformed ARN": {`arn = "arn:aws:iam::12345:role/Veeam"`, `12`},
		"invalid name":  {`name = "bad name!"`, `name`},
		"wrong account": {`arn = "arn:aws:iam::210987654321:role/Veeam"`, `account 210987654321`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, testAccCase(t, resource.TestStep{
				Config:      acctest.ProviderConfig() + "data \"vbaws_impersonation_role\" \"test\" {\n" + tc.config + "\n}",
				ExpectError: regexp.MustCompile(tc.err),
			}))
		})
	}
}

// fixtureManagedPolicy creates a managed policy and attaches it to role; cleanup runs before the role's.
func fixtureManagedPolicy(t *testing.T, client *iam.Client, role, document string) string {
	t.Helper()
	ctx := context.Background()
	out, err := client.CreatePolicy(
		ctx,
		&iam.CreatePolicyInput{
			PolicyName:     aws.String(acctest.RandomName("vbaws-fixture")),
			PolicyDocument: aws.String(document),
		},
	)
	if err != nil {
		t.Fatalf("creating managed policy: %v", err)
	}
	policyARN := out.Policy.Arn
	if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
		RoleName:  aws.String(role),
		PolicyArn: policyARN,
	}); err != nil {
		t.Fatalf("attaching managed policy: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DetachRolePolicy(
			ctx,
			&iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: policyARN},
		)
		_, _ = client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: policyARN})
	})
	return aws.ToString(policyARN)
}
