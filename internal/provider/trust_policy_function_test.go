package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// breakGlassTrust is an additional trust statement, as a module would pass it through jsonencode.
const breakGlassTrust = `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::210987654321:role/BreakGlass"},"Sid":"BreakGlass"}],"Version":"2012-10-17"}`

// trust_policy renders the statements vbaws_iam_role writes, in its order and through its own code: the result
// is byte for byte what roleTrustInputs.render gives the resource for the same attribute values.
func TestTrustPolicyFunction_rendersTheRolesTrust(t *testing.T) {
	principals := stringSet([]string{"arn:aws:iam::111111111111:role/veeam/Impersonation", "222222222222"})
	got := trustPolicyOf(t, principals, dynamicObject(map[string]attr.Value{
		"external_id":             types.StringValue("tenant-1"),
		"service_principals":      tuple("ec2.amazonaws.com", "backup.amazonaws.com", "ec2.amazonaws.com"),
		"additional_trust_policy": types.StringValue(breakGlassTrust),
	}))
	doc, err := policy.Parse(got)
	if err != nil {
		t.Fatalf("trust_policy returned no policy: %v\n%s", err, got)
	}
	spec := policy.TrustInputs(doc, veeamTrustSid)
	wantPrincipals := []string{"arn:aws:iam::111111111111:role/veeam/Impersonation", "arn:aws:iam::222222222222:root"}
	if !slices.Equal(spec.AWSPrincipals, wantPrincipals) || spec.ExternalID != "tenant-1" ||
		!slices.Equal(spec.ServicePrincipals, []string{"backup.amazonaws.com", "ec2.amazonaws.com"}) {
		t.Errorf("trust_policy wrote %+v:\n%s", spec, got)
	}
	if last := doc.Statements[len(doc.Statements)-1]; len(doc.Statements) != 3 || last.Sid() != "BreakGlass" {
		t.Errorf("want Veeam's two statements followed by BreakGlass:\n%s", got)
	}
	resourceInputs := roleTrustInputs{
		TrustedPrincipalARNs:  principals,
		ExternalID:            types.StringValue("tenant-1"),
		ServicePrincipals:     stringSet([]string{"backup.amazonaws.com", "ec2.amazonaws.com"}),
		AdditionalTrustPolicy: NewPolicyValue(breakGlassTrust),
	}
	want, diags := resourceInputs.render(context.Background(), "")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if got != want {
		t.Errorf("trust_policy differs from the resource's rendering:\n got %s\nwant %s", got, want)
	}
}

// Every option may be left out: null options, {} and an object of nulls all give the trust of the principals
// alone, and options may also come as a map.
func TestTrustPolicyFunction_optionsAreOptional(t *testing.T) {
	principals := stringSet([]string{"arn:aws:iam::111111111111:role/Impersonation"})
	want := trustPolicyOf(t, principals, types.DynamicNull())
	if spec := policy.TrustInputs(mustParse(t, want), veeamTrustSid); spec.ExternalID != "" ||
		len(spec.ServicePrincipals) != 0 || len(spec.AWSPrincipals) != 1 {
		t.Fatalf("null options gave %s", want)
	}
	for name, options := range map[string]types.Dynamic{
		"empty object": dynamicObject(map[string]attr.Value{}),
		"nulls": dynamicObject(map[string]attr.Value{
			"external_id":        types.DynamicNull(),
			"service_principals": types.ListNull(types.StringType),
		}),
		"no services": dynamicObject(map[string]attr.Value{"service_principals": tuple()}),
		"map": types.DynamicValue(types.MapValueMust(types.StringType, map[string]attr.Value{
			"external_id": types.StringNull(),
		})),
	} {
		if got := trustPolicyOf(t, principals, options); got != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
	withID := trustPolicyOf(t, principals, types.DynamicValue(types.MapValueMust(types.StringType,
		map[string]attr.Value{"external_id": types.StringValue("from-a-map")})))
	if spec := policy.TrustInputs(mustParse(t, withID), veeamTrustSid); spec.ExternalID != "from-a-map" {
		t.Errorf("an external ID in a map was lost: %s", withID)
	}
}

// With a partition, a bare account ID becomes that partition's root ARN and a principal of another partition
// is refused, as vbaws_iam_role does with its provider's partition.
func TestTrustPolicyFunction_partition(t *testing.T) {
	got := trustPolicyOf(t, stringSet([]string{"222222222222"}), dynamicObject(map[string]attr.Value{
		"partition": types.StringValue("aws-cn"),
	}))
	spec := policy.TrustInputs(mustParse(t, got), veeamTrustSid)
	if !slices.Equal(spec.AWSPrincipals, []string{"arn:aws-cn:iam::222222222222:root"}) {
		t.Errorf("a bare account ID in aws-cn became %v", spec.AWSPrincipals)
	}
}

// Whatever vbaws_iam_role refuses while planning, trust_policy refuses with the same message, on the argument
// that holds the value.
func TestTrustPolicyFunction_refusesWhatTheRoleRefuses(t *testing.T) {
	roles := stringSet([]string{"arn:aws:iam::111111111111:role/Impersonation"})
	option := func(name string, v attr.Value) types.Dynamic {
		return dynamicObject(map[string]attr.Value{name: v})
	}
	none := types.DynamicNull()
	takenSid := `{"Statement":[{"Sid":"` + veeamTrustSid + `","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":"sts:AssumeRole"}]}`
	cases := map[string]struct {
		principals types.Set
		options    types.Dynamic
		argument   int64
		message    string
	}{
		"wildcard":      {stringSet([]string{"*"}), none, 0, `^Wildcard principal not allowed: "\*" contains`},
		"user":          {stringSet([]string{"arn:aws:iam::111111111111:user/a"}), none, 0, `an IAM user`},
		"none":          {stringSet(nil), none, 0, `at least 1`},
		"duplicate":     {stringSet([]string{"111111111111", "arn:aws:iam::111111111111:root"}), none, 0, `Duplicate`},
		"partition":     {roles, option("partition", types.StringValue("aws-cn")), 0, `Partition mismatch`},
		"bad partition": {roles, option("partition", types.StringValue("mars")), 1, `options.partition`},
		"external ID": {roles, option("external_id", types.StringValue("x")), 1,
			`Invalid external ID length: .* IAM takes 2 to 1,224`},
		"service":   {roles, option("service_principals", tuple("backup")), 1, `Invalid service principal`},
		"taken Sid": {roles, option("additional_trust_policy", types.StringValue(takenSid)), 1, `Statement ID taken`},
		"not JSON":  {roles, option("additional_trust_policy", types.StringValue("{")), 1, `Invalid additional`},
		"typo":      {roles, option("externalid", types.StringValue("abc")), 1, `no attribute "externalid"`},
		"number":    {roles, option("external_id", types.Int64Value(5)), 1, `options.external_id must be a string`},
		"no object": {roles, types.DynamicValue(types.StringValue("abc")), 1, `must be an object`},
	}
	for name, c := range cases {
		_, funcErr := runFunction(t, newTrustPolicyFunction(), c.principals, c.options)
		switch {
		case funcErr == nil:
			t.Errorf("%s: no error", name)
		case funcErr.FunctionArgument == nil || *funcErr.FunctionArgument != c.argument:
			t.Errorf("%s: error on argument %v, want %d: %s", name, funcErr.FunctionArgument, c.argument, funcErr)
		case !regexp.MustCompile(c.message).MatchString(funcErr.Text):
			t.Errorf("%s: error %q does not match %q", name, funcErr.Text, c.message)
		}
	}
}

func mustParse(t *testing.T, text string) policy.Document {
	t.Helper()
	doc, err := policy.Parse(text)
	if err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	return doc
}

// trust_policy returns byte for byte the trust policy vbaws_iam_role plans, stores and writes to IAM for the same
// inputs, principals of both forms, external ID, services and additional statements included.
func TestAccTrustPolicyFunction_matchesTheRoleByteForByte(t *testing.T) {
	client := acctest.IAMClient(t)
	name := acctest.RandomName("vbaws-fn-trust")
	principals := stringSet([]string{"arn:aws:iam::" + emulatorAccount + ":role/veeam/Impersonation", "210987654321"})
	want := trustPolicyOf(t, principals, dynamicObject(map[string]attr.Value{
		"external_id":             types.StringValue("tenant-1"),
		"service_principals":      tuple("ec2.amazonaws.com", "backup.amazonaws.com"),
		"additional_trust_policy": types.StringValue(breakGlassTrust),
	}))
	resource.ParallelTest(t, testAccFunctionCase(t, resource.TestStep{
		Config: acctest.RequiredProviders() + acctest.ProviderConfig() + fmt.Sprintf(`
locals {
  principals = ["arn:aws:iam::%[2]s:role/veeam/Impersonation", "210987654321"]
  trust = {
    external_id        = "tenant-1"
    service_principals = ["ec2.amazonaws.com", "backup.amazonaws.com"]
    additional_trust_policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{
        Sid       = "BreakGlass"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::210987654321:role/BreakGlass" }
        Action    = "sts:AssumeRole"
      }]
    })
  }
}

resource "vbaws_iam_role" "test" {
  name                     = %[1]q
  trusted_principal_arns   = local.principals
  external_id              = local.trust.external_id
  service_principals       = local.trust.service_principals
  additional_trust_policy  = local.trust.additional_trust_policy
  acknowledge_account_root = true
}

output "function" {
  value = provider::vbaws::trust_policy(local.principals, local.trust)
}

output "role" {
  value = vbaws_iam_role.test.assume_role_policy
}
`, name, emulatorAccount),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownOutputValue("function", knownvalue.StringExact(want)),
			plancheck.ExpectKnownValue("vbaws_iam_role.test", tfjsonpath.New("assume_role_policy"),
				knownvalue.StringExact(want)),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("function", knownvalue.StringExact(want)),
			statecheck.ExpectKnownOutputValue("role", knownvalue.StringExact(want)),
			expectRemote(func() error {
				if written := rawTrust(t, client, name); written != want {
					return fmt.Errorf("IAM holds %s, trust_policy returned %s", written, want)
				}
				return nil
			}),
		},
	}))
}

// A principal the role refuses fails the function call with the role's plan-time message.
func TestAccTrustPolicyFunction_refusesWithThePlanMessage(t *testing.T) {
	resource.ParallelTest(t, testAccFunctionCase(t, resource.TestStep{
		Config: functionConfig() + `
output "trust" {
  value = provider::vbaws::trust_policy(["arn:aws:iam::123456789012:user/alice"], { external_id = "abc" })
}
`,
		ExpectError: regexp.MustCompile(`(?s)Not a role or account principal.*an IAM user`),
	}, resource.TestStep{
		Config: functionConfig() + `
output "trust" {
  value = provider::vbaws::trust_policy(["123456789012"], { external_ids = "abc" })
}
`,
		ExpectError: regexp.MustCompile(`(?s)options has no attribute\s+"external_ids"`),
	}))
}
