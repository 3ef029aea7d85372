package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// phrases matches each group of words, in order, as Terraform prints them, wrapped over lines.
func phrases(groups ...string) *regexp.Regexp {
	patterns := make([]string, len(groups))
	for i, words := range groups {
		patterns[i] = strings.Join(strings.Fields(regexp.QuoteMeta(words)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(patterns, ".*"))
}

// planFails is a plan-only step of vbaws_iam_role with body that fails with a diagnostic whose summary, attribute
// (as Terraform quotes the configuration line) and detail are these, in order.
func planFails(body, summary, attribute, detail string) tfresource.TestStep {
	return tfresource.TestStep{Config: roleConfig(acctest.ProviderConfig(), body), PlanOnly: true,
		ExpectError: phrases(summary, attribute+" =", detail)}
}

// planPasses is a plan-only step of vbaws_iam_role with body whose plan creates the role.
func planPasses(body string) tfresource.TestStep {
	return tfresource.TestStep{Config: roleConfig(acctest.ProviderConfig(), body), PlanOnly: true,
		ExpectNonEmptyPlan: true}
}

func roleBody(name, more string) string {
	return fmt.Sprintf(`  name                   = %q
  trusted_principal_arns = ["arn:aws:iam::%s:role/appliance"]
%s`, name, emulatorAccount, more)
}

func additionalTrust(statement string) string {
	return `  additional_trust_policy = jsonencode({ Version = "2012-10-17", Statement = [` + statement + `] })
`
}

// Issue 30, item 5: an additional_trust_policy statement that lets anyone in fails the plan, in every form, also
// beside external_id, until allow_public_trust = true acknowledges it; the role then applies with it.
func TestAccIAMRole_publicTrustNeedsAcknowledgement(t *testing.T) {
	name := acctest.RandomName("vbaws-public")
	open := map[string]string{
		"star":     `{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole" }`,
		"aws star": `{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }`,
		"wildcard": `{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::*:root" }, Action = "sts:AssumeRole" }`,
		"not principal": `{ Effect = "Allow", NotPrincipal = { AWS = "arn:aws:iam::111122223333:root" }, ` +
			`Action = "sts:AssumeRole" }`,
		"oidc": `{ Effect = "Allow", Principal = { Federated = "cognito-identity.amazonaws.com" }, ` +
			`Action = "sts:AssumeRoleWithWebIdentity" }`,
	}
	var steps []tfresource.TestStep
	for _, statement := range open {
		steps = append(steps, planFails(roleBody(name, `  external_id = "veeam-7"
`+additionalTrust(statement)), "Trust open to everyone", "additional_trust_policy",
			"anyone could assume this role"))
	}
	star := additionalTrust(open["star"])
	steps = append(steps,
		planFails(roleBody(name, star), "Trust open to everyone", "additional_trust_policy",
			`statement 1 lets in "*"`),
		planFails(roleBody(name, star+"  allow_public_trust = false\n"), "Trust open to everyone",
			"additional_trust_policy", "set allow_public_trust = true"),
		planPasses(roleBody(name, additionalTrust(`{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole",
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abc123" } } }`))),
		tfresource.TestStep{Config: roleConfig(acctest.ProviderConfig(), roleBody(name, star+
			"  allow_public_trust = true\n")), ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("allow_public_trust"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue(testRole, tfjsonpath.New("assume_role_policy"),
				knownvalue.StringRegexp(regexp.MustCompile(`"Principal":"\*"`))),
		}},
	)
	tfresource.ParallelTest(t, testAccCase(t, steps...))
}

// Issue 30, item 10: limits moto does not enforce fail at plan, on the attribute: a statement without Principal,
// tag keys with characters IAM refuses or that differ only in case, more managed policies than the quota, and a
// trust policy longer than the quota; a raised quota, when set, lets the same configuration plan.
func TestAccIAMRole_planTimeIAMLimits(t *testing.T) {
	name := acctest.RandomName("vbaws-limits")
	policies := make([]string, 11)
	for i := range policies {
		policies[i] = fmt.Sprintf(`"arn:aws:iam::%s:policy/p%d"`, emulatorAccount, i)
	}
	eleven := "  managed_policy_arns = [" + strings.Join(policies, ", ") + "]\n"
	principals := make([]string, 60)
	for i := range principals {
		principals[i] = fmt.Sprintf(`"arn:aws:iam::%s:role/veeam-appliance-%02d"`, emulatorAccount, i)
	}
	long := fmt.Sprintf("  name = %q\n  trusted_principal_arns = [%s]\n", name, strings.Join(principals, ", "))
	tfresource.ParallelTest(t, testAccCase(t,
		planFails(roleBody(name, additionalTrust(`{ Effect = "Allow", Action = "sts:AssumeRole" }`)),
			"Trust statement without Principal", "additional_trust_policy", "Statement 1 has no Principal"),
		planFails(roleBody(name, `  tags = { "a#b" = "x" }`), "Invalid Attribute Value Match", "tags",
			"must contain only letters, digits, spaces and"),
		planFails(roleBody(name, `  tags = { "aws:team" = "x" }`), "Invalid Attribute Value Match", "tags",
			"must not begin with aws:"),
		planFails(roleBody(name, `  tags = { Team = "a", team = "b" }`), "Tag keys differ only in case", "tags",
			"so Team and team are one key"),
		planFails(roleBody(name, eleven), "Too many managed policies", "managed_policy_arns",
			"A role may have 10 managed policies"),
		planPasses(roleBody(name, eleven+"  managed_policies_quota = 20\n")),
		planFails(long, "Trust policy too large", "trusted_principal_arns",
			"IAM allows 2048 for a role's trust policy (quota \"Role trust policy length\": 2048 by default, "+
				"which can be raised to 8192"),
		planPasses(long+"  trust_policy_quota = 4096\n"),
	))
}

// Issue 30, item 10: one rule for external_id: not sensitive where the provider writes it into a trust policy
// (vbaws_iam_role, vbaws_trust_relationship), sensitive where it only hands it to the appliance
// (vbaws_appliance_role, whose TRACE log TestAccApplianceRole_noSecretsInTraceLogs checks); each description says
// so, and no data source marks it sensitive.
func TestExternalIDSensitivityRule(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	want := map[string]bool{"vbaws_iam_role": false, "vbaws_trust_relationship": false, "vbaws_appliance_role": true}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "vbaws"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		a, ok := resp.Schema.Attributes["external_id"].(resourceschema.StringAttribute)
		sensitive, listed := want[meta.TypeName]
		if ok != listed {
			t.Errorf("%s: has external_id %v, want %v", meta.TypeName, ok, listed)
			continue
		}
		words := map[bool]string{false: "Not sensitive", true: "Sensitive: it is handed to the appliance only"}
		if ok && (a.Sensitive != sensitive || !strings.Contains(a.MarkdownDescription, words[sensitive])) {
			t.Errorf("%s.external_id: sensitive %v, want %v; description %q", meta.TypeName, a.Sensitive, sensitive,
				a.MarkdownDescription)
		}
	}
	for _, newDataSource := range p.DataSources(ctx) {
		var resp datasource.SchemaResponse
		newDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
		if a, ok := resp.Schema.Attributes["external_id"]; ok && a.IsSensitive() {
			t.Errorf("a data source marks external_id sensitive")
		}
	}
}
