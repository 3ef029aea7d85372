package provider

// Helpers that acceptance and unit tests in several files share: fixtures made outside Terraform, configuration
// builders and state or plan checks. A helper used by one test file only stays in that file.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"vbaws": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

// emulatorAccount is the account moto_server answers with.
const emulatorAccount = "123456789012"

// testAccCase fills in what every acceptance test case shares.
func testAccCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    steps,
	}
}

// testAccFunctionCase is testAccCase for configurations that call provider functions, skipped on CLIs without
// them (Terraform before 1.8).
func testAccFunctionCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	c := testAccCase(t, steps...)
	c.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}
	return c
}

// functionConfig starts a configuration that only calls provider functions: the provider required and configured,
// because OpenTofu configures a provider before it calls its functions (Terraform does not).
func functionConfig() string {
	return acctest.RequiredProviders() + acctest.ProviderConfig()
}

// fixtureRole creates a role outside Terraform, as an appliance deployment or another team would, and deletes it
// when the test ends. inline maps policy names to documents.
func fixtureRole(t *testing.T, client *iam.Client, name, path, trust string, inline map[string]string) string {
	t.Helper()
	ctx := context.Background()
	out, err := client.CreateRole(
		ctx,
		&iam.CreateRoleInput{
			RoleName:                 aws.String(name),
			Path:                     aws.String(path),
			AssumeRolePolicyDocument: aws.String(trust),
		},
	)
	if err != nil {
		t.Fatalf("creating fixture role %s: %v", name, err)
	}
	for policyName, doc := range inline {
		if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName:       aws.String(name),
			PolicyName:     aws.String(policyName),
			PolicyDocument: aws.String(doc),
		}); err != nil {
			t.Fatalf("adding inline policy %s to %s: %v", policyName, name, err)
		}
	}
	t.Cleanup(func() { deleteFixtureRole(client, name, inline) })
	return aws.ToString(out.Role.Arn)
}

func deleteFixtureRole(client *iam.Client, name string, inline map[string]string) {
	ctx := context.Background()
	for policyName := range inline {
		_, _ = client.DeleteRolePolicy(
			ctx,
			&iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)},
		)
	}
	listInput := &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)}
	if attached, err := client.ListAttachedRolePolicies(ctx, listInput); err == nil {
		for _, p := range attached.AttachedPolicies {
			_, _ = client.DetachRolePolicy(
				ctx,
				&iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn},
			)
		}
	}
	_, _ = client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
}

const ec2TrustPolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const assumeAnyRolePolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

// estateConfig is a small estate: a template, roles that use it (every third with an instance profile) and two
// Veeam trust statements on each foreign role.
func estateConfig(provider, prefix, appliance string, roles int, foreign []string) string {
	return provider + fmt.Sprintf(`
locals {
  foreign = ["%[4]s"]
}

resource "vbaws_role_template" "estate" {
  name       = "%[1]s-tpl"
  operations = ["ec2_backup", "efs_backup"]
}

resource "vbaws_iam_role" "estate" {
  count                   = %[2]d
  name                    = "%[1]s-${count.index}"
  trusted_principal_arns  = [%[3]q]
  managed_policy_arns     = vbaws_role_template.estate.policy_arns
  service_principals      = vbaws_role_template.estate.service_principals
  create_instance_profile = count.index %% 3 == 0
  tags                    = { index = tostring(count.index) }
}

resource "vbaws_trust_relationship" "estate" {
  count         = length(local.foreign) * 2
  role_name     = local.foreign[floor(count.index / 2)]
  sid           = "VeeamEstate${count.index %% 2}"
  principal_arn = %[3]q
}
`, prefix, roles, appliance, strings.Join(foreign, `", "`))
}

// foreignRoles creates n roles someone else owns.
func foreignRoles(t *testing.T, client *iam.Client, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = acctest.RandomName("vbaws-foreign")
		fixtureRole(t, client, names[i], "/", teamTrustPolicy, nil)
	}
	return names
}

// foreignStatementsAre checks in IAM that each foreign role holds both Veeam statements exactly once, and that
// its owner's statements mean what they meant.
func foreignStatementsAre(t *testing.T, client *iam.Client, foreign []string) error {
	sids := []string{"VeeamEstate0", "VeeamEstate1"}
	for _, name := range foreign {
		for _, sid := range sids {
			count := 0
			for _, s := range remoteTrust(t, client, name).Statements {
				if s.Sid() == sid {
					count++
				}
			}
			if count != 1 {
				return fmt.Errorf("role %s has %d trust statements %s, want 1", name, count, sid)
			}
		}
		if err := othersMeanTeamPolicy(t, client, name, sids...); err != nil {
			return err
		}
	}
	return nil
}

// expectPrior is a plan check on the value state holds for an attribute before the plan's change.
func expectPrior(address, attribute string, check func(any) error) plancheck.PlanCheck {
	return priorCheck{address: address, attribute: attribute, check: check}
}

type priorCheck struct {
	address, attribute string
	check              func(any) error
}

func (c priorCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		if err := c.check(before[c.attribute]); err != nil {
			resp.Error = fmt.Errorf("%s.%s in state: %w", c.address, c.attribute, err)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}

func equalTo(want any) func(any) error {
	return func(got any) error {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("is %v, want %v", got, want)
		}
		return nil
	}
}

// cfnExternalID is a 12-character external ID as Veeam's RandomExtIdGenerator makes them.
const cfnExternalID = "x7Kq2mZp9LwB"

// cfnWorkerTrust is the trust policy of VeeamWorkerRole as Veeam's aws-org-roles StackSet writes it: Sid-less
// statements, the Impersonation role with the external-ID condition and ec2.amazonaws.com on its own, plus a
// break-glass statement someone added.
func cfnWorkerTrust(appliance string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole",
  "Condition":{"StringEquals":{"sts:ExternalId":%q}}},
 {"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]},
 %s]}`, appliance, cfnExternalID, breakGlassStatement)
}

const testRole = "vbaws_iam_role.test"

// roleConfig renders a vbaws_iam_role named "test" with the given body after the provider block.
func roleConfig(provider, body string) string {
	return provider + "resource \"vbaws_iam_role\" \"test\" {\n" + body + "\n}\n"
}

// remoteTrust reads a role's trust policy straight from IAM.
func remoteTrust(t *testing.T, client *iam.Client, name string) policy.Document {
	t.Helper()
	out, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("reading role %s: %v", name, err)
	}
	doc, err := policy.Parse(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatalf("parsing trust policy of %s: %v", name, err)
	}
	return doc
}

func checkRoleGone(client *iam.Client, name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		_, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)})
		if err == nil {
			return fmt.Errorf("role %s still exists after destroy", name)
		}
		if _, err := client.GetInstanceProfile(context.Background(), &iam.GetInstanceProfileInput{
			InstanceProfileName: aws.String(name),
		}); err == nil {
			return fmt.Errorf("instance profile %s still exists after destroy", name)
		}
		return nil
	}
}

// attachmentsAre checks the role's managed policy attachments against want, read straight from IAM.
func attachmentsAre(client *iam.Client, name string, want ...string) error {
	out, err := client.ListAttachedRolePolicies(
		context.Background(),
		&iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)},
	)
	if err != nil {
		return err
	}
	var got []string
	for _, p := range out.AttachedPolicies {
		got = append(got, aws.ToString(p.PolicyArn))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) && (len(got) != 0 || len(want) != 0) {
		return fmt.Errorf("role %s has attachments %v, want %v", name, got, want)
	}
	return nil
}

func profileHasRole(client *iam.Client, name string) error {
	out, err := client.GetInstanceProfile(
		context.Background(),
		&iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)},
	)
	if err != nil {
		return err
	}
	if len(out.InstanceProfile.Roles) != 1 || aws.ToString(out.InstanceProfile.Roles[0].RoleName) != name {
		return fmt.Errorf("instance profile %s does not contain role %s", name, name)
	}
	return nil
}

// invalidPrincipalCases maps each rejected principal to a pattern its diagnostic must match. Both trust
// resources use it.
func invalidPrincipalCases() map[string]string {
	return map[string]string{
		"*":                                `(?i)wildcard`,
		"arn:aws:iam::123456789012:role/*": `(?i)wildcard`,
		"arn:aws:sts::123456789012:assumed-role/Veeam/session": `arn:aws:iam::123456789012:role/Veeam`,
		"arn:aws:iam::123456789012:user/alice":                 `(?i)user`,
		"arn:aws:iam::123456789012:group/admins":               `(?i)group`,
		"arn:aws:iam::123456789012:policy/p":                   `(?i)policy`,
		"arn:aws:iam::123456789012:instance-profile/p":         `(?i)instance.profile`,
		"arn:aws:iam::123456789012:oidc-provider/example.com":  `(?i)oidc`,
		"arn:aws:iam::123456789012:saml-provider/corp":         `(?i)saml`,
		"ec2.amazonaws.com":                                    `service_principals`,
		"VeeamImpersonationRole":                               `(?i)role name`,
		"AROAEXAMPLEUNIQUEID1":                                 `(?i)unique ID`,
		"12345678901":                                          `12 digits`,
		"arn:aws:iam::123456789012:role/bad name":              `(?i)name`,
		"arn:aws:iam::123456789012:role/my path/x":             `(?i)path`,
		"arn:aws:iam:us-east-1:123456789012:role/x":            `(?i)region`,
		"arn:aws:s3:::bucket":                                  `(?i)s3`,
		"arn:aws-cn:iam::123456789012:role/x":                  `(?i)partition`,
		" arn:aws:iam::123456789012:role/x":                    `(?i)whitespace`,
	}
}

// expectRemote is a state check that runs an assertion against IAM itself.
func expectRemote(check func() error) statecheck.StateCheck {
	return remoteCheck(check)
}

type remoteCheck func() error

func (c remoteCheck) CheckState(
	_ context.Context,
	_ statecheck.CheckStateRequest,
	resp *statecheck.CheckStateResponse,
) {
	resp.Error = c()
}

// fixturePolicy creates a managed policy outside Terraform and deletes it when the test ends.
func fixturePolicy(t *testing.T, client *iam.Client, document string) string {
	t.Helper()
	out, err := client.CreatePolicy(
		context.Background(),
		&iam.CreatePolicyInput{
			PolicyName:     aws.String(acctest.RandomName("vbaws-fixture")),
			PolicyDocument: aws.String(document),
		},
	)
	if err != nil {
		t.Fatalf("creating policy: %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeletePolicy(context.Background(), &iam.DeletePolicyInput{PolicyArn: out.Policy.Arn})
	})
	return aws.ToString(out.Policy.Arn)
}

func fixtureInstanceProfile(t *testing.T, client *iam.Client, profile, role string) string {
	t.Helper()
	ctx := context.Background()
	out, err := client.CreateInstanceProfile(
		ctx,
		&iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(profile)},
	)
	if err != nil {
		t.Fatalf("creating instance profile: %v", err)
	}
	if _, err := client.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{
		InstanceProfileName: aws.String(profile),
		RoleName:            aws.String(role),
	}); err != nil {
		t.Fatalf("adding role to instance profile: %v", err)
	}
	t.Cleanup(func() { deleteInstanceProfile(client, profile, role) })
	return aws.ToString(out.InstanceProfile.Arn)
}

// deleteInstanceProfile takes role out of an instance profile and deletes the profile, outside Terraform; errors
// are ignored, because either may be gone already.
func deleteInstanceProfile(client *iam.Client, profile, role string) {
	ctx := context.Background()
	_, _ = client.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
		InstanceProfileName: aws.String(profile),
		RoleName:            aws.String(role),
	})
	_, _ = client.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(profile)})
}

// stringChecks are exact checks for values, in order.
func stringChecks(values []string) []knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return checks
}

// templateConfig renders a vbaws_role_template named "test" for operations, with extra lines in its body.
func templateConfig(provider, name string, operations []string, extra string) string {
	return provider + fmt.Sprintf(`
resource "vbaws_role_template" "test" {
  name       = %q
  path       = "/veeam/"
  operations = ["%s"]
%s
}
`, name, strings.Join(operations, `", "`), extra)
}

// mustRender renders a selection of the default version or fails the test.
func mustRender(t *testing.T, operations ...string) template.Template {
	t.Helper()
	tpl, err := template.Render(catalog.DefaultVersion, operations, false)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// templateARNs are the part ARNs a template called name in /veeam/ has for tpl.
func templateARNs(name string, tpl template.Template) []string {
	var arns []string
	for _, part := range template.PartNames(name, len(tpl.Documents)) {
		arns = append(arns, "arn:aws:iam::"+emulatorAccount+":policy/veeam/"+part)
	}
	return arns
}

// partsAre checks in IAM that the template's parts hold exactly the documents of tpl.
func partsAre(client *iam.Client, name string, tpl template.Template) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, arn := range templateARNs(name, tpl) {
			out, err := client.GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
			if err != nil {
				return fmt.Errorf("part %d: %w", i+1, err)
			}
			version, err := client.GetPolicyVersion(
				context.Background(),
				&iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: out.Policy.DefaultVersionId},
			)
			if err != nil {
				return err
			}
			document, _ := policy.Decode(aws.ToString(version.PolicyVersion.Document))
			if equivalent, err := policy.Equivalent(document, tpl.Documents[i]); err != nil || !equivalent {
				return fmt.Errorf("part %s holds another document", arn)
			}
		}
		return nil
	}
}

// policiesGone checks in IAM that none of arns exists.
func policiesGone(client *iam.Client, arns func() []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, arn := range arns() {
			if _, err := client.GetPolicy(context.Background(), &iam.GetPolicyInput{PolicyArn: aws.String(arn)}); err == nil {
				return fmt.Errorf("policy %s still exists", arn)
			}
		}
		return nil
	}
}

func exactStrings(values []string) knownvalue.Check {
	return knownvalue.ListExact(stringChecks(values))
}

// teamTrustPolicy is what another team wrote: a service, another account with two conditions, and an OIDC
// federation statement without a Sid.
const teamTrustPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AppServers","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
 {"Sid":"PartnerAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},
  "Action":"sts:AssumeRole",
  "Condition":{"StringEquals":{"sts:ExternalId":"partner-42"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
 {"Effect":"Allow",
  "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
  "Action":"sts:AssumeRoleWithWebIdentity",
  "Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:example/*"}}}]}`

// trustConfig renders a vbaws_trust_relationship named "test" with the given body after the provider block.
func trustConfig(provider, body string) string {
	return provider + "resource \"vbaws_trust_relationship\" \"test\" {\n" + body + "\n}\n"
}

// othersMeanTeamPolicy checks that, leaving out the statements named by sids, the role's trust policy means
// exactly what the other team wrote.
func othersMeanTeamPolicy(t *testing.T, client *iam.Client, roleName string, sids ...string) error {
	return othersMean(t, client, roleName, teamTrustPolicy, sids...)
}

// othersMean checks that, leaving out the statements named by sids, the role's trust policy means exactly want.
func othersMean(t *testing.T, client *iam.Client, roleName, want string, sids ...string) error {
	doc := remoteTrust(t, client, roleName)
	for _, sid := range sids {
		doc, _ = policy.RemoveTrust(doc, sid)
	}
	if equivalent, err := policy.Equivalent(doc.Marshal(), want); err != nil || !equivalent {
		return fmt.Errorf("the foreign statements changed:\n%s", doc.Marshal())
	}
	return nil
}

// trustStatementIs checks the statement under sid, read straight from IAM.
func trustStatementIs(t *testing.T, client *iam.Client, roleName string, spec policy.TrustSpec) error {
	doc := remoteTrust(t, client, roleName)
	if !acctest.HoldsStatements(doc, policy.TrustStatements(spec)) {
		return fmt.Errorf("statement %s is not as configured:\n%s", spec.Sid, doc.Marshal())
	}
	return nil
}

// breakGlassStatement is a statement that is not Veeam's: another account's root, with MFA.
const breakGlassStatement = `{"Sid":"BreakGlass","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::210987654321:root"},` +
	`"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`

// countWarnings counts the warnings whose summary contains summary in the output of terraform validate -json.
func countWarnings(t *testing.T, out, summary string) int {
	t.Helper()
	return countDiagnostics(t, out, "warning", summary)
}

// countDiagnostics counts the diagnostics of a severity ("error", "warning") whose summary contains summary in the
// output of terraform validate -json.
func countDiagnostics(t *testing.T, out, severity, summary string) int {
	t.Helper()
	var result struct {
		Diagnostics []struct{ Severity, Summary string } `json:"diagnostics"`
	}
	// The CLI may print a warning about its own configuration before the JSON.
	if err := json.Unmarshal([]byte(out[max(strings.Index(out, "{"), 0):]), &result); err != nil {
		t.Fatalf("reading terraform validate -json: %v\n%s", err, out)
	}
	n := 0
	for _, d := range result.Diagnostics {
		if d.Severity == severity && strings.Contains(d.Summary, summary) {
			n++
		}
	}
	return n
}

// applianceTrustFixture makes a role outside Terraform whose trust policy is trust with {{appliance}} replaced by
// appliance, and returns the role's name and its trust policy.
func applianceTrustFixture(t *testing.T, client *iam.Client, prefix, trust, appliance string) (role, original string) {
	t.Helper()
	role = acctest.RandomName(prefix)
	original = strings.ReplaceAll(trust, "{{appliance}}", appliance)
	fixtureRole(t, client, role, "/", original, nil)
	return role, original
}

// trustTextIs checks that the role's trust policy is still exactly text, as IAM holds it.
func trustTextIs(t *testing.T, client *iam.Client, role, text string) error {
	if have := rawTrust(t, client, role); have != text {
		return fmt.Errorf("the trust policy of %s was rewritten:\n%s\nwas\n%s", role, have, text)
	}
	return nil
}

// runFunction calls a provider function as the framework does, with arguments of its parameters' types, and
// returns the result and the error.
func runFunction(t *testing.T, f function.Function, args ...attr.Value) (attr.Value, *function.FuncError) {
	t.Helper()
	ctx := context.Background()
	var definition function.DefinitionResponse
	f.Definition(ctx, function.DefinitionRequest{}, &definition)
	result, funcErr := definition.Definition.Return.NewResultData(ctx)
	if funcErr != nil {
		t.Fatal(funcErr)
	}
	resp := function.RunResponse{Result: result}
	f.Run(ctx, function.RunRequest{Arguments: function.NewArgumentsData(args)}, &resp)
	return resp.Result.Value(), resp.Error
}

// impersonationFixture creates a role in the emulator's default account that stands for the appliance's
// Impersonation role, with its documented permission (sts:AssumeRole on every role).
func impersonationFixture(t *testing.T) string {
	t.Helper()
	return fixtureRole(t, acctest.IAMClient(t), acctest.RandomName("vbaws-appl-imp"), "/", ec2TrustPolicy,
		map[string]string{"assume": assumeAnyRolePolicy})
}

// applianceWithImpersonation starts an emulated appliance that assumes roles as a new Impersonation role, and
// returns the role's ARN: the appliance registers only roles whose trust policy lets that role in.
func applianceWithImpersonation(t *testing.T, opts applianceemu.Options) (*applianceemu.Server, string) {
	t.Helper()
	opts.ImpersonationRoleARN = impersonationFixture(t)
	return acctest.NewAppliance(t, opts), opts.ImpersonationRoleARN
}

// applianceTrust is a trust policy that lets principal assume a role, with one of externalIDs when any is given.
func applianceTrust(principal string, externalIDs ...string) string {
	condition := ""
	if len(externalIDs) > 0 {
		ids, _ := json.Marshal(externalIDs)
		condition = fmt.Sprintf(`,"Condition":{"StringEquals":{"sts:ExternalId":%s}}`, ids)
	}
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},`+
		`"Action":"sts:AssumeRole"%s}]}`, principal, condition)
}

// registeredRecords are the appliance's records without its default one.
func registeredRecords(emu *applianceemu.Server) []applianceemu.Record {
	var records []applianceemu.Record
	for _, r := range emu.Records() {
		if !r.IsDefault {
			records = append(records, r)
		}
	}
	return records
}

// expectRecords is a state check on the appliance's records without its default one.
func expectRecords(emu *applianceemu.Server, check func([]applianceemu.Record) error) statecheck.StateCheck {
	return expectRemote(func() error { return check(registeredRecords(emu)) })
}

// onlyDefaultRecordLeft is a CheckDestroy: the appliance holds its default record and nothing else.
func onlyDefaultRecordLeft(emu *applianceemu.Server) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if left := registeredRecords(emu); len(left) > 0 || len(emu.Records()) != 1 {
			return fmt.Errorf("after destroy the appliance holds %+v", emu.Records())
		}
		return nil
	}
}

// manyApplianceRoles registers the same role n times under the names <prefix>-<i>.
func manyApplianceRoles(provider, prefix, roleARN string, n int) string {
	return provider + fmt.Sprintf(`
resource "vbaws_appliance_role" "many" {
  count       = %[3]d
  name        = "%[1]s-${count.index}"
  description = "role ${count.index}"
  role_arn    = %[2]q
}
`, prefix, roleARN, n)
}

// uniqueNames checks that the records carry exactly the names <prefix>-0 to <prefix>-<n-1>, each once.
func uniqueNames(prefix string, n int) func([]applianceemu.Record) error {
	return func(records []applianceemu.Record) error {
		seen := map[string]int{}
		for _, r := range records {
			seen[r.Name]++
		}
		for i := range n {
			if name := fmt.Sprintf("%s-%d", prefix, i); seen[name] != 1 {
				return fmt.Errorf("record %s is there %d times", name, seen[name])
			}
		}
		if len(records) != n {
			return fmt.Errorf("%d records, want %d", len(records), n)
		}
		return nil
	}
}

// applianceFixture is an emulated appliance and a role in moto it accepts.
func applianceFixture(t *testing.T, opts applianceemu.Options) (*applianceemu.Server, string, string) {
	t.Helper()
	emu, impersonation := applianceWithImpersonation(t, opts)
	name := acctest.RandomName("vbaws-applf")
	roleARN := fixtureRole(t, acctest.IAMClient(t), name, "/", applianceTrust(impersonation), nil)
	return emu, name, roleARN
}

// applianceCase is testAccCase for tests that register roles in emu: after destroy only its default record is left.
func applianceCase(t *testing.T, emu *applianceemu.Server, steps []resource.TestStep) resource.TestCase {
	c := testAccCase(t, steps...)
	c.CheckDestroy = onlyDefaultRecordLeft(emu)
	return c
}

// recordCount checks how many records the test registered.
func recordCount(n int) func([]applianceemu.Record) error {
	return func(records []applianceemu.Record) error {
		if len(records) != n {
			return fmt.Errorf("%d records, want %d: %+v", len(records), n, records)
		}
		return nil
	}
}

// dynamicObject is an object literal as Terraform passes it to a dynamic parameter.
func dynamicObject(attributes map[string]attr.Value) types.Dynamic {
	ctx := context.Background()
	attributeTypes := make(map[string]attr.Type, len(attributes))
	for name, v := range attributes {
		attributeTypes[name] = v.Type(ctx)
	}
	return types.DynamicValue(types.ObjectValueMust(attributeTypes, attributes))
}

// tuple is a list literal such as ["a", "b"] as Terraform passes it inside a dynamic value.
func tuple(values ...string) types.Tuple {
	elementTypes := make([]attr.Type, len(values))
	elements := make([]attr.Value, len(values))
	for i, v := range values {
		elementTypes[i], elements[i] = types.StringType, types.StringValue(v)
	}
	return types.TupleValueMust(elementTypes, elements)
}

// trustPolicyOf calls trust_policy and fails the test on an error.
func trustPolicyOf(t *testing.T, principals types.Set, options types.Dynamic) string {
	t.Helper()
	result, funcErr := runFunction(t, newTrustPolicyFunction(), principals, options)
	if funcErr != nil {
		t.Fatalf("trust_policy: %v", funcErr)
	}
	return result.(types.String).ValueString()
}

// permissionDocumentsOf calls permission_documents and fails the test on an error.
func permissionDocumentsOf(t *testing.T, operations []string, version types.String) []string {
	t.Helper()
	result, funcErr := runFunction(t, newPermissionDocumentsFunction(), stringSet(operations), version)
	if funcErr != nil {
		t.Fatalf("permission_documents(%v, %v): %v", operations, version, funcErr)
	}
	var documents []string
	if diags := result.(types.List).ElementsAs(context.Background(), &documents, false); diags.HasError() {
		t.Fatal(diags)
	}
	return documents
}
