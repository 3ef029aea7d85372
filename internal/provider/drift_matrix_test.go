package provider

// The drift matrix: every change a user or another tool can make to what this provider manages or reads, made with
// the AWS SDK between two Terraform runs, and what the next plan, the apply and the plan after it do. Rows of one
// kind share one fixture and one apply: the first step creates every row's resource, the second makes every row's
// change, checks each row's plan and, after the apply, what IAM holds; the framework then requires the plan after
// the apply to be empty. A row whose plan must fail gets a case of its own.
//
// Which promise each row holds the code to (D: docs/resources/iam_role.md and the schema descriptions, T:
// docs/resources/trust_relationship.md, R: docs/resources/role_template.md, I: docs/data-sources/
// impersonation_role.md, C: docs/data-sources/role_check.md, P: docs/index.md; "diag" quotes a diagnostic or a
// Read comment):
//
//	vbaws_iam_role
//	  trust-add-sid, trust-add-nosid   D "authoritative for the role's trust policy ...: statements ... added outside
//	                                   Terraform show as drift and are removed on apply"
//	  trust-edit-extid, trust-edit-principal, veeam-removed, services-removed, extra-removed, extra-edited
//	                                   D the same, and "The trust policy is the statements generated from
//	                                   trusted_principal_arns, external_id and service_principals, followed by these"
//	  trust-equivalent                 D additional_trust_policy "compared by meaning"; PolicyType "never show as a diff"
//	  attach-foreign, detach-ours      D "... and its managed policy attachments: ... attachments added outside
//	                                   Terraform show as drift and are removed on apply"; managed_policy_arns "When set,
//	                                   it is authoritative: other attachments are detached on apply"
//	  attach-empty                     D managed_policy_arns "When set (also to []), it is authoritative"
//	  attach-unmanaged                 D managed_policy_arns "Left out, attachments are not managed"
//	  inline-add, inline-change, inline-delete, inline-add-empty
//	                                   D inline_policies "When set (also to {}), it is authoritative: an inline policy
//	                                   added outside Terraform shows as drift and apply removes it"
//	  inline-unmanaged                 D inline_policies "Left out, inline policies are not managed"
//	  tags, tags-unset                 D tags "Tags of the role"
//	  description, description-unset   D description "Role description"
//	  session                          D max_session_duration "Defaults to 3600"
//	  boundary-added, boundary-changed, boundary-removed
//	                                   D permissions_boundary "ARN of the managed policy used as permissions boundary"
//	  profile-deleted, profile-emptied D "for worker roles, an instance profile of the same name and path"; diag
//	                                   readInstanceProfile "create_instance_profile reads as false so that the plan
//	                                   creates it again"
//	  role-deleted                     diag "Role ... no longer exists; it is removed from state and the next apply
//	                                   creates it"
//	vbaws_trust_relationship
//	  tr-removed, tr-adopted-removed   T "The first shows in the next plan as the statement to add again (a refresh finds
//	                                   it missing), and the next apply restores it"
//	  tr-edit-condition, tr-edit-action, tr-edit-extid, tr-edit-principal, tr-services-removed
//	                                   T statement "The statements this resource manages"; external_id and
//	                                   service_principals
//	  tr-foreign-added, tr-foreign-edited, tr-foreign-removed
//	                                   T "leaves every other statement exactly as it is"
//	  tr-role-deleted (plan fails)     T role_arn "a role that does not exist fails the plan"
//	vbaws_role_template
//	  tpl-edited, tpl-switched         R "A changed selection becomes a new default policy version" (a part's default
//	                                   version is read, and written back as a new one)
//	  tpl-five-versions                R "when a policy already has five versions, the oldest non-default one is deleted
//	                                   first"
//	  tpl-version-added                R (only the default version counts: a non-default one is no change)
//	  tpl-tagged                       R "Each part is tagged with the operations, the product version and its part
//	                                   number"; tags "Tags of every part"
//	  tpl-part-deleted, tpl-deleted    R "one policy called name, or name-1, name-2, ..." (a missing part is created
//	                                   again)
//	provider default_tags (env = "prod") and ignore_tags (ext), in a group of their own
//	  dt-changed, dt-removed, tpl-dt-changed
//	                                   P default_tags "A default tag changed outside Terraform shows as drift in
//	                                   `tags_all` and is set back on apply"
//	  dt-overridden                    P default_tags "A resource's own `tags` win over these"
//	  dt-ignored                       P ignore_tags "Tag keys the provider neither writes, removes nor shows"
//	vbaws_impersonation_role
//	  imp-assume-removed, imp-assume-added
//	                                   I "can_assume_roles tells whether its policies allow sts:AssumeRole on *"
//	  imp-profile-added                I instance_profile_arns "Instance profiles that contain the role"
//	vbaws_role_check
//	  check-detached, check-version-switched, check-inline-added, check-boundary
//	                                   C "The local evaluator reads the role's inline policies, the default versions of
//	                                   its attached managed policies and its permissions boundary"
//	  check-trust-removed              C trusts_principal "Whether the trust policy lets trusted_principal_arn call
//	                                   sts:AssumeRole"
//	  check-profile-deleted            C instance_profile_ok "Whether the role is in at least one instance profile"
//	vbaws_role_template_document makes no AWS call, so nothing outside Terraform can change what it reads.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// The matrix runs in both refresh modes: role by role, and from the account snapshot (refresh_mode "auto" reads
// one way or the other).
func TestAccDriftMatrix(t *testing.T) {
	t.Parallel()
	runDriftMatrix(t, acctest.WithRefreshMode(acctest.ProviderConfig(), "per_resource"))
}

func TestAccDriftMatrix_snapshot(t *testing.T) {
	t.Parallel()
	runDriftMatrix(t, acctest.WithRefreshMode(acctest.ProviderConfig(), "snapshot"))
}

// runDriftMatrix runs every row of the matrix with the given provider block, one parallel subtest per group.
func runDriftMatrix(t *testing.T, providerConfig string) {
	fx := newDriftFixture(t)
	groups := map[string][]driftRow{
		"iam_role":           iamRoleDriftRows(),
		"trust_relationship": trustRelationshipDriftRows(),
		"role_template":      roleTemplateDriftRows(),
		"data_sources":       dataSourceDriftRows(),
	}
	for group, rows := range groups {
		var shared []driftRow
		for _, row := range rows {
			if row.planError != nil {
				t.Run(group+"/"+row.name, func(t *testing.T) { runDriftRows(t, providerConfig, fx, row) })
				continue
			}
			shared = append(shared, row)
		}
		t.Run(group, func(t *testing.T) { runDriftRows(t, providerConfig, fx, shared...) })
	}
	t.Run("default_tags", func(t *testing.T) {
		runDriftRows(t, withProviderBlocks(providerConfig, driftDefaultTags), fx, defaultTagsDriftRows()...)
	})
}

// driftRow is one out-of-band change. Each function gets the row's target: the names of its IAM entity and of its
// Terraform resource.
type driftRow struct {
	// name is the row's block label, and its IAM entity's name after the fixture's prefix.
	name string
	// kind is what precedes name in the row's address: "vbaws_iam_role." say, or "" for an output.
	kind   string
	config func(d driftTarget) string                  // the row's blocks
	setup  func(d driftTarget)                         // optional: what exists outside Terraform before the first apply
	first  func(d driftTarget) []statecheck.StateCheck // optional: what the first apply leaves
	change func(d driftTarget)                         // the out-of-band change
	plan   func(d driftTarget) []plancheck.PlanCheck   // what the next plan shows
	after  func(d driftTarget) []statecheck.StateCheck // what holds after the apply
	// planError, when set, is what the next plan fails with; then there is no apply.
	planError *regexp.Regexp
}

// driftTarget is what a row acts on.
type driftTarget struct {
	t       *testing.T
	fx      *driftFixture
	name    string // the row's role, template or (for a trust relationship) the role it targets
	local   string // the label of the row's block
	address string // the row's resource or output
}

// driftFixture is what every row may use: an Impersonation role and managed policies made outside Terraform.
type driftFixture struct {
	client    *iam.Client
	prefix    string
	appliance string // ARN of a role that may assume any role
	wanted    string // a managed policy a role's configuration attaches
	foreign   string // a managed policy someone else attaches
	boundary  string // a permissions boundary that allows s3:GetObject only
	other     string // another permissions boundary
}

const s3GetObjectOnly = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

func newDriftFixture(t *testing.T) *driftFixture {
	client := acctest.IAMClient(t)
	prefix := acctest.RandomName("vbaws-dm")
	return &driftFixture{
		client: client,
		prefix: prefix,
		appliance: fixtureRole(t, client, prefix+"-imp", "/", ec2TrustPolicy,
			map[string]string{"assume": assumeAnyRolePolicy}),
		wanted:   driftPolicy(t, client, allowDocument("ec2:DescribeInstances")),
		foreign:  driftPolicy(t, client, allowDocument("s3:*")),
		boundary: driftPolicy(t, client, s3GetObjectOnly),
		other:    driftPolicy(t, client, allowDocument("ec2:*")),
	}
}

// runDriftRows applies the rows' configuration, makes every row's change, checks each row's plan, applies and
// checks what IAM holds; the framework requires the plan after each apply to be empty.
func runDriftRows(t *testing.T, providerConfig string, fx *driftFixture, rows ...driftRow) {
	config := providerConfig
	targets := make([]driftTarget, len(rows))
	var first, after []statecheck.StateCheck
	var plan []plancheck.PlanCheck
	for i, row := range rows {
		targets[i] = driftTarget{t: t, fx: fx, name: fx.prefix + "-" + row.name, local: row.name,
			address: row.kind + row.name}
		if row.setup != nil {
			row.setup(targets[i])
		}
		config += row.config(targets[i])
		if row.first != nil {
			first = append(first, row.first(targets[i])...)
		}
		if row.planError == nil {
			plan = append(plan, row.plan(targets[i])...)
			after = append(after, row.after(targets[i])...)
		}
	}
	changed := resource.TestStep{
		PreConfig: func() {
			for i, row := range rows {
				row.change(targets[i])
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             plan,
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: after,
	}
	if len(rows) == 1 && rows[0].planError != nil {
		changed = resource.TestStep{PreConfig: changed.PreConfig, Config: config, PlanOnly: true,
			ExpectError: rows[0].planError}
	}
	resource.ParallelTest(t, testAccCase(t, resource.TestStep{Config: config, ConfigStateChecks: first}, changed))
}

func (d driftTarget) must(what string, err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatalf("%s (%s) outside Terraform: %v", what, d.name, err)
	}
}

// Plan checks.

func planAction(action plancheck.ResourceActionType) func(driftTarget) []plancheck.PlanCheck {
	return func(d driftTarget) []plancheck.PlanCheck {
		return []plancheck.PlanCheck{plancheck.ExpectResourceAction(d.address, action)}
	}
}

var (
	planUpdate = planAction(plancheck.ResourceActionUpdate)
	planNoOp   = planAction(plancheck.ResourceActionNoop)
	planCreate = planAction(plancheck.ResourceActionCreate)
)

// planUpdateFrom is an update whose prior value of attribute (what the refresh read from IAM) contains fragment.
func planUpdateFrom(attribute, fragment string) func(driftTarget) []plancheck.PlanCheck {
	return func(d driftTarget) []plancheck.PlanCheck {
		return append(planUpdate(d), expectPrior(d.address, attribute, func(v any) error {
			if !strings.Contains(fmt.Sprint(v), fragment) {
				return fmt.Errorf("is %v, which lacks %s", v, fragment)
			}
			return nil
		}))
	}
}

// remote turns checks against IAM into state checks.
func remote(checks ...func(d driftTarget) error) func(driftTarget) []statecheck.StateCheck {
	return func(d driftTarget) []statecheck.StateCheck {
		out := make([]statecheck.StateCheck, len(checks))
		for i, check := range checks {
			out[i] = expectRemote(func() error { return check(d) })
		}
		return out
	}
}

// vbaws_iam_role rows.

// foreignAccountStatement is the statement of issue 21's reproducer: another account may assume the role.
const foreignAccountStatement = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},` +
	`"Action":"sts:AssumeRole"}`

const (
	veeamSid    = `"Sid":"` + veeamTrustSid + `",`
	servicesSid = `"Sid":"` + veeamTrustSid + `Services",`
)

func (d driftTarget) veeamStatement(externalID string) string {
	condition := ""
	if externalID != "" {
		condition = `{"StringEquals":{"sts:ExternalId":"` + externalID + `"}}`
	}
	return strings.Replace(trustStatementFor(d.fx.appliance, condition), "{", "{"+veeamSid, 1)
}

const ec2ServicesStatement = `{` + servicesSid + `"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},` +
	`"Action":"sts:AssumeRole"}`

func roleRow(name, body string, change func(d driftTarget), plan func(driftTarget) []plancheck.PlanCheck,
	after func(driftTarget) []statecheck.StateCheck) driftRow {
	return driftRow{
		name: name,
		kind: "vbaws_iam_role.",
		config: func(d driftTarget) string {
			body := strings.NewReplacer("$WANTED", d.fx.wanted, "$BOUNDARY", d.fx.boundary).Replace(body)
			return fmt.Sprintf("resource \"vbaws_iam_role\" %q {\n  name = %q\n  trusted_principal_arns = [%q]\n%s\n}\n",
				d.local, d.name, d.fx.appliance, body)
		},
		change: change,
		plan:   plan,
		after:  after,
	}
}

func iamRoleDriftRows() []driftRow {
	breakGlass := "  additional_trust_policy = jsonencode({Version = \"2012-10-17\", Statement = [jsondecode(" +
		fmt.Sprintf("%q", breakGlassStatement) + ")]})"
	withBreakGlass := func(d driftTarget) error {
		return d.trustMeans(trustOf(d.veeamStatement(""), breakGlassStatement))
	}
	veeamOnly := func(d driftTarget) error { return d.trustMeans(trustOf(d.veeamStatement(""))) }
	inlineOwn := "  inline_policies = { own = jsonencode(jsondecode(" + fmt.Sprintf("%q", assumeAnyRolePolicy) + ")) }"
	ownOnly := func(d driftTarget) error { return d.inlineAre(map[string]string{"own": assumeAnyRolePolicy}) }
	noInline := func(d driftTarget) error { return d.inlineAre(map[string]string{}) }
	return []driftRow{
		roleRow("trust-add-sid", "", func(d driftTarget) {
			d.editTrust(appendStatement(strings.Replace(foreignAccountStatement, "{", `{"Sid":"Foreign",`, 1)))
		}, planUpdateFrom("assume_role_policy", "999999999999"), remote(veeamOnly)),
		roleRow("trust-add-nosid", "", func(d driftTarget) { d.editTrust(appendStatement(foreignAccountStatement)) },
			planUpdateFrom("assume_role_policy", "999999999999"), remote(veeamOnly)),
		roleRow("trust-edit-extid", `  external_id = "veeam-1"`, func(d driftTarget) {
			d.editTrust(editStatement(veeamTrustSid, func(s map[string]any) {
				s["Condition"] = map[string]any{"StringEquals": map[string]any{"sts:ExternalId": "guessable"}}
			}))
		}, planUpdateFrom("assume_role_policy", "guessable"), remote(func(d driftTarget) error {
			return d.trustMeans(trustOf(d.veeamStatement("veeam-1")))
		})),
		roleRow("trust-edit-principal", "", func(d driftTarget) {
			d.editTrust(editStatement(veeamTrustSid, func(s map[string]any) {
				s["Principal"] = map[string]any{"AWS": "arn:aws:iam::999999999999:root"}
			}))
		}, planUpdateFrom("assume_role_policy", "999999999999"), remote(veeamOnly)),
		roleRow("veeam-removed", breakGlass, func(d driftTarget) { d.editTrust(removeStatement(veeamTrustSid)) },
			planUpdate, remote(withBreakGlass)),
		roleRow("services-removed", `  service_principals = ["ec2.amazonaws.com"]`, func(d driftTarget) {
			d.editTrust(removeStatement(veeamTrustSid + "Services"))
		}, planUpdate, remote(func(d driftTarget) error {
			return d.trustMeans(trustOf(d.veeamStatement(""), ec2ServicesStatement))
		})),
		roleRow("extra-removed", breakGlass, func(d driftTarget) { d.editTrust(removeStatement("BreakGlass")) },
			planUpdate, remote(withBreakGlass)),
		roleRow("extra-edited", breakGlass, func(d driftTarget) {
			d.editTrust(editStatement("BreakGlass", func(s map[string]any) { delete(s, "Condition") }))
		}, planUpdate, remote(withBreakGlass)),
		roleRow("trust-equivalent", "", func(d driftTarget) {
			// No Sid, the account ID for its root ARN, one-element lists: the same meaning in other words.
			d.putTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],` +
				`"Principal":{"AWS":[` + fmt.Sprintf("%q", d.fx.appliance) + `]}}]}`)
		}, planNoOp, remote(func(d driftTarget) error {
			if _, found := d.remoteTrust().Find(veeamTrustSid); found {
				return fmt.Errorf("the equivalent trust policy was rewritten")
			}
			return nil
		})),
		roleRow("attach-foreign", "  managed_policy_arns = [\"$WANTED\"]", func(d driftTarget) {
			d.attach(d.fx.foreign)
		}, planUpdate, remote(
			func(d driftTarget) error { return attachmentsAre(d.fx.client, d.name, d.fx.wanted) },
			func(d driftTarget) error { return d.policyExists(d.fx.foreign) },
		)),
		roleRow("detach-ours", "  managed_policy_arns = [\"$WANTED\"]", func(d driftTarget) { d.detach(d.fx.wanted) },
			planUpdate, remote(func(d driftTarget) error { return attachmentsAre(d.fx.client, d.name, d.fx.wanted) })),
		roleRow("attach-empty", "  managed_policy_arns = []", func(d driftTarget) { d.attach(d.fx.foreign) },
			planUpdate, remote(func(d driftTarget) error { return attachmentsAre(d.fx.client, d.name) })),
		roleRow("attach-unmanaged", "", func(d driftTarget) { d.attach(d.fx.foreign) }, planNoOp,
			remote(func(d driftTarget) error { return attachmentsAre(d.fx.client, d.name, d.fx.foreign) })),
		roleRow("inline-add", inlineOwn, func(d driftTarget) { d.putInline("foreign", allowEverything) }, planUpdate,
			remote(ownOnly)),
		roleRow("inline-change", inlineOwn, func(d driftTarget) { d.putInline("own", allowEverything) }, planUpdate,
			remote(ownOnly)),
		roleRow("inline-delete", inlineOwn, func(d driftTarget) { d.deleteInline("own") }, planUpdate,
			remote(ownOnly)),
		roleRow("inline-add-empty", "  inline_policies = {}", func(d driftTarget) {
			d.putInline("foreign", allowEverything)
		}, planUpdate, remote(noInline)),
		roleRow("inline-unmanaged", "", func(d driftTarget) { d.putInline("foreign", allowEverything) }, planNoOp,
			remote(func(d driftTarget) error { return d.inlineAre(map[string]string{"foreign": allowEverything}) })),
		roleRow("tags", `  tags = { team = "platform" }`, func(d driftTarget) {
			d.tag(map[string]string{"team": "other", "added": "outside"})
		}, planUpdate, remote(func(d driftTarget) error { return d.tagsAre(map[string]string{"team": "platform"}) })),
		roleRow("tags-unset", "", func(d driftTarget) { d.tag(map[string]string{"added": "outside"}) }, planUpdate,
			remote(func(d driftTarget) error { return d.tagsAre(map[string]string{}) })),
		roleRow("description", `  description = "Veeam"`, func(d driftTarget) {
			d.updateRole(aws.String("changed"), nil)
		}, planUpdate, remote(func(d driftTarget) error { return d.roleIs("Veeam", 3600, "") })),
		roleRow("description-unset", "", func(d driftTarget) { d.updateRole(aws.String("added"), nil) }, planUpdate,
			remote(func(d driftTarget) error { return d.roleIs("", 3600, "") })),
		roleRow("session", `  max_session_duration = 7200`, func(d driftTarget) {
			d.updateRole(nil, aws.Int32(43200))
		}, planUpdate, remote(func(d driftTarget) error { return d.roleIs("", 7200, "") })),
		roleRow("boundary-added", "", func(d driftTarget) { d.putBoundary(d.fx.boundary) }, planUpdate,
			remote(func(d driftTarget) error { return d.roleIs("", 3600, "") })),
		roleRow("boundary-changed", "  permissions_boundary = \"$BOUNDARY\"", func(d driftTarget) {
			d.putBoundary(d.fx.other)
		}, planUpdate, remote(func(d driftTarget) error { return d.roleIs("", 3600, d.fx.boundary) })),
		roleRow("boundary-removed", "  permissions_boundary = \"$BOUNDARY\"", func(d driftTarget) {
			_, err := d.fx.client.DeleteRolePermissionsBoundary(context.Background(),
				&iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(d.name)})
			d.must("deleting the permissions boundary", err)
		}, planUpdate, remote(func(d driftTarget) error { return d.roleIs("", 3600, d.fx.boundary) })),
		roleRow("profile-deleted", "  create_instance_profile = true", func(d driftTarget) {
			deleteInstanceProfile(d.fx.client, d.name, d.name)
		}, planUpdate, remote(func(d driftTarget) error { return profileHasRole(d.fx.client, d.name) })),
		roleRow("profile-emptied", "  create_instance_profile = true", func(d driftTarget) {
			_, err := d.fx.client.RemoveRoleFromInstanceProfile(context.Background(),
				&iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String(d.name), RoleName: aws.String(d.name)})
			d.must("emptying the instance profile", err)
		}, planUpdate, remote(func(d driftTarget) error { return profileHasRole(d.fx.client, d.name) })),
		roleRow("role-deleted", "", func(d driftTarget) { deleteFixtureRole(d.fx.client, d.name, nil) }, planCreate,
			remote(veeamOnly)),
	}
}

// vbaws_trust_relationship rows. Each targets a role another team owns, with teamTrustPolicy.

func relationshipRow(name, body string, change func(d driftTarget), plan func(driftTarget) []plancheck.PlanCheck,
	after ...func(d driftTarget) error) driftRow {
	return driftRow{
		name:  name,
		kind:  "vbaws_trust_relationship.",
		setup: func(d driftTarget) { fixtureRole(d.t, d.fx.client, d.name, "/", teamTrustPolicy, nil) },
		config: func(d driftTarget) string {
			return fmt.Sprintf("resource \"vbaws_trust_relationship\" %q {\n  role_name = %q\n  principal_arn = %q\n%s\n}\n",
				d.local, d.name, d.fx.appliance, body)
		},
		change: change,
		plan:   plan,
		after:  remote(after...),
	}
}

// ours checks in IAM that the role holds the relationship's statements as configured.
func ours(externalID string, services ...string) func(d driftTarget) error {
	return func(d driftTarget) error {
		return trustStatementIs(d.t, d.fx.client, d.name, policy.TrustSpec{Sid: veeamTrustSid,
			AWSPrincipals: []string{d.fx.appliance}, ExternalID: externalID, ServicePrincipals: services})
	}
}

// othersAre checks in IAM that the statements not ours mean want.
func othersAre(want string) func(d driftTarget) error {
	return func(d driftTarget) error {
		return othersMean(d.t, d.fx.client, d.name, want, veeamTrustSid, veeamTrustSid+"Services")
	}
}

const ownerStatement = `{"Sid":"Owner2","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},` +
	`"Action":"sts:AssumeRole"}`

func trustRelationshipDriftRows() []driftRow {
	team := othersAre(teamTrustPolicy)
	partnerRemoved, _ := policy.Parse(teamTrustPolicy)
	adopted := relationshipRow("tr-adopted-removed", "", func(d driftTarget) { d.putTrust(teamTrustPolicy) },
		planCreate, ours(""), team)
	adopted.setup = func(d driftTarget) {
		sidless := strings.Replace(teamTrustPolicy, `"Statement":[`,
			`"Statement":[`+trustStatementFor(d.fx.appliance, "")+",", 1)
		fixtureRole(d.t, d.fx.client, d.name, "/", sidless, nil)
	}
	deleted := relationshipRow("tr-role-deleted", "", func(d driftTarget) {
		deleteFixtureRole(d.fx.client, d.name, nil)
	}, nil)
	deleted.planError = regexp.MustCompile(`Role not found`)
	return []driftRow{
		relationshipRow("tr-removed", "", func(d driftTarget) { d.editTrust(removeStatement(veeamTrustSid)) },
			planCreate, ours(""), team),
		adopted,
		relationshipRow("tr-edit-condition", "", func(d driftTarget) {
			d.editTrust(editStatement(veeamTrustSid, func(s map[string]any) {
				s["Condition"] = map[string]any{"IpAddress": map[string]any{"aws:SourceIp": "203.0.113.0/24"}}
			}))
		}, planUpdateFrom("statement", "203.0.113.0/24"), ours(""), team),
		relationshipRow("tr-edit-action", "", func(d driftTarget) {
			d.editTrust(editStatement(veeamTrustSid, func(s map[string]any) {
				s["Action"] = []any{"sts:AssumeRole", "sts:TagSession"}
			}))
		}, planUpdateFrom("statement", "sts:TagSession"), ours(""), team),
		relationshipRow("tr-edit-extid", `  external_id = "veeam-2"`, func(d driftTarget) {
			d.editTrust(editStatement(veeamTrustSid, func(s map[string]any) {
				s["Condition"] = map[string]any{"StringEquals": map[string]any{"sts:ExternalId": "guessable"}}
			}))
		}, planUpdate, ours("veeam-2"), team),
		relationshipRow("tr-edit-principal", "", func(d driftTarget) {
			d.editTrust(editStatement(veeamTrustSid, func(s map[string]any) {
				s["Principal"] = map[string]any{"AWS": "arn:aws:iam::999999999999:root"}
			}))
		}, planUpdate, ours(""), team),
		relationshipRow("tr-services-removed", `  service_principals = ["backup.amazonaws.com"]`, func(d driftTarget) {
			d.editTrust(removeStatement(veeamTrustSid + "Services"))
		}, planUpdate, ours("", "backup.amazonaws.com"), team),
		relationshipRow("tr-foreign-added", "", func(d driftTarget) { d.editTrust(appendStatement(ownerStatement)) },
			planNoOp, ours(""), othersAre(strings.Replace(teamTrustPolicy, `"Statement":[`,
				`"Statement":[`+ownerStatement+",", 1))),
		relationshipRow("tr-foreign-edited", "", func(d driftTarget) {
			d.editTrust(editStatement("AppServers", func(s map[string]any) {
				s["Principal"] = map[string]any{"Service": "lambda.amazonaws.com"}
			}))
		}, planNoOp, ours(""), othersAre(strings.Replace(teamTrustPolicy, "ec2.amazonaws.com",
			"lambda.amazonaws.com", 1))),
		relationshipRow("tr-foreign-removed", "", func(d driftTarget) {
			d.editTrust(removeStatement("PartnerAccount"))
		}, planNoOp, ours(""), othersAre(partnerRemoved.Remove("PartnerAccount").Marshal())),
		deleted,
	}
}

// vbaws_role_template rows. Each template has one part, except where a row needs two.

var twoPartOperations = []string{"production_worker", "rds_restore", "vpc_restore", "worker_deployment"}

func templateRow(name string, operations []string, change func(d driftTarget, parts []string),
	plan func(driftTarget) []plancheck.PlanCheck, after ...func(d driftTarget, parts []string) error) driftRow {
	checks := make([]func(driftTarget) error, 0, len(after)+1)
	checks = append(checks, func(d driftTarget) error {
		return partsAre(d.fx.client, d.name, mustRender(d.t, operations...))(nil)
	})
	for _, check := range after {
		checks = append(checks, func(d driftTarget) error { return check(d, d.parts(operations)) })
	}
	return driftRow{
		name: name,
		kind: "vbaws_role_template.",
		config: func(d driftTarget) string {
			return fmt.Sprintf("resource \"vbaws_role_template\" %q {\n  name = %q\n  path = \"/veeam/\"\n"+
				"  operations = [\"%s\"]\n  tags = { team = \"backup\" }\n}\n",
				d.local, d.name, strings.Join(operations, `", "`))
		},
		change: func(d driftTarget) { change(d, d.parts(operations)) },
		plan:   plan,
		after:  remote(checks...),
	}
}

// parts are the ARNs of the row's template parts.
func (d driftTarget) parts(operations []string) []string {
	return templateARNs(d.name, mustRender(d.t, operations...))
}

func roleTemplateDriftRows() []driftRow {
	one := []string{"repository"}
	versions := func(want ...string) func(d driftTarget, parts []string) error {
		return func(d driftTarget, parts []string) error {
			if got := d.versions(parts[0]); fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("part %s has versions %v, want %v", parts[0], got, want)
			}
			return nil
		}
	}
	return []driftRow{
		templateRow("tpl-edited", one, func(d driftTarget, parts []string) {
			d.newVersion(parts[0], s3GetObjectOnly, true)
		}, planUpdateFrom("documents", "s3:GetObject"), versions("v1", "v2", "v3")),
		templateRow("tpl-switched", one, func(d driftTarget, parts []string) {
			version := d.newVersion(parts[0], s3GetObjectOnly, false)
			_, err := d.fx.client.SetDefaultPolicyVersion(context.Background(), &iam.SetDefaultPolicyVersionInput{
				PolicyArn: aws.String(parts[0]), VersionId: aws.String(version)})
			d.must("switching the default version", err)
		}, planUpdateFrom("documents", "s3:GetObject"), versions("v1", "v2", "v3")),
		templateRow("tpl-version-added", one, func(d driftTarget, parts []string) {
			d.newVersion(parts[0], s3GetObjectOnly, false)
		}, planNoOp, versions("v1", "v2")),
		templateRow("tpl-five-versions", one, func(d driftTarget, parts []string) {
			for range 3 {
				d.newVersion(parts[0], allowDocument("s3:ListBucket"), false)
			}
			d.newVersion(parts[0], s3GetObjectOnly, true)
		}, planUpdate, versions("v2", "v3", "v4", "v5", "v6")),
		templateRow("tpl-tagged", one, func(d driftTarget, parts []string) {
			_, err := d.fx.client.TagPolicy(context.Background(), &iam.TagPolicyInput{PolicyArn: aws.String(parts[0]),
				Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("other")}}})
			d.must("tagging a part", err)
		}, planUpdate, func(d driftTarget, parts []string) error { return d.partTagIs(parts[0], "team", "backup") }),
		templateRow("tpl-part-deleted", twoPartOperations, func(d driftTarget, parts []string) {
			if len(parts) != 2 {
				d.t.Fatalf("the selection %v has %d parts; the row needs 2", twoPartOperations, len(parts))
			}
			d.deletePolicy(parts[1])
		}, planUpdate),
		templateRow("tpl-deleted", one, func(d driftTarget, parts []string) { d.deletePolicy(parts[0]) }, planCreate),
	}
}

// Data source rows: each reads a role made outside Terraform into an output, which the plan shows changing.

func dataRow(name, dataSource, body, value string, setup, change func(d driftTarget),
	before, after func(d driftTarget) knownvalue.Check) driftRow {
	return driftRow{
		name: name,
		config: func(d driftTarget) string {
			body := strings.NewReplacer("$NAME", d.name, "$APPLIANCE", d.fx.appliance).Replace(body)
			data := "data." + dataSource + "." + d.local
			return fmt.Sprintf("data %q %q {\n%s\n}\noutput %q {\n  value = %s\n}\n", dataSource, d.local, body,
				d.local, strings.ReplaceAll(value, "$DATA", data))
		},
		setup: setup,
		first: func(d driftTarget) []statecheck.StateCheck {
			return []statecheck.StateCheck{statecheck.ExpectKnownOutputValue(d.address, before(d))}
		},
		change: change,
		plan: func(d driftTarget) []plancheck.PlanCheck {
			return []plancheck.PlanCheck{plancheck.ExpectKnownOutputValue(d.address, after(d))}
		},
		after: func(d driftTarget) []statecheck.StateCheck {
			return []statecheck.StateCheck{statecheck.ExpectKnownOutputValue(d.address, after(d))}
		},
	}
}

// checkRow reads a role with vbaws_role_check for operations, as the appliance would assume it.
func checkRow(name string, operations []string, setup, change func(d driftTarget),
	before, after func(d driftTarget) knownvalue.Check) driftRow {
	body := fmt.Sprintf("  role_name = \"$NAME\"\n  operations = [\"%s\"]\n  trusted_principal_arn = \"$APPLIANCE\"\n"+
		"  evaluator = \"local\"", strings.Join(operations, `", "`))
	value := "{ ok = $DATA.ok, missing = length($DATA.missing_actions), trusts = $DATA.trusts_principal, " +
		"profile = $DATA.instance_profile_ok }"
	return dataRow(name, "vbaws_role_check", body, value, setup, change, before, after)
}

// checkResult is what the output of a checkRow holds; missing counts the missing actions.
func checkResult(ok bool, missing func(d driftTarget) int, trusts, profile bool) func(d driftTarget) knownvalue.Check {
	return func(d driftTarget) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"ok": knownvalue.Bool(ok), "missing": knownvalue.Int64Exact(int64(missing(d))),
			"trusts": knownvalue.Bool(trusts), "profile": knownvalue.Bool(profile),
		})
	}
}

func dataSourceDriftRows() []driftRow {
	rescan := []string{"organization_rescan"}
	none := func(driftTarget) int { return 0 }
	all := func(d driftTarget) int { return len(operationActions(d.t, rescan...)) }
	beyondBoundary := func(d driftTarget) int {
		return len(filter(operationActions(d.t, rescan...), func(a string) bool {
			return !strings.EqualFold(a, "s3:GetObject")
		}))
	}
	passes := checkResult(true, none, true, true)
	trusted := func(d driftTarget) string { return trustOf(trustStatementFor(d.fx.appliance, "")) }
	granted := func(d driftTarget) {
		fixtureRole(d.t, d.fx.client, d.name, "/", trusted(d), map[string]string{
			"grant": allowDocument(operationActions(d.t, rescan...)...)})
	}
	grantedByPolicy := func(d driftTarget) {
		fixtureRole(d.t, d.fx.client, d.name, "/", trusted(d), nil)
		driftPolicyNamed(d.t, d.fx.client, d.name, allowDocument(operationActions(d.t, rescan...)...))
		d.attach(d.ownPolicy())
	}
	assumer := func(inline map[string]string) func(d driftTarget) {
		return func(d driftTarget) { fixtureRole(d.t, d.fx.client, d.name, "/", ec2TrustPolicy, inline) }
	}
	canAssume := func(can bool) func(driftTarget) knownvalue.Check {
		return func(driftTarget) knownvalue.Check { return knownvalue.Bool(can) }
	}
	profiles := func(present bool) func(driftTarget) knownvalue.Check {
		return func(d driftTarget) knownvalue.Check {
			if !present {
				return knownvalue.ListSizeExact(0)
			}
			return knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("arn:aws:iam::" + d.account() + ":instance-profile/" + d.name)})
		}
	}
	worker := []string{"production_worker", "repository"}
	return []driftRow{
		dataRow("imp-assume-removed", "vbaws_impersonation_role", `  name = "$NAME"`, "$DATA.can_assume_roles",
			assumer(map[string]string{"assume": assumeAnyRolePolicy}), func(d driftTarget) { d.deleteInline("assume") },
			canAssume(true), canAssume(false)),
		dataRow("imp-assume-added", "vbaws_impersonation_role", `  name = "$NAME"`, "$DATA.can_assume_roles",
			assumer(nil), func(d driftTarget) { d.putInline("assume", assumeAnyRolePolicy) },
			canAssume(false), canAssume(true)),
		dataRow("imp-profile-added", "vbaws_impersonation_role", `  name = "$NAME"`, "$DATA.instance_profile_arns",
			assumer(nil), func(d driftTarget) { fixtureInstanceProfile(d.t, d.fx.client, d.name, d.name) },
			profiles(false), profiles(true)),
		checkRow("check-detached", rescan, grantedByPolicy, func(d driftTarget) { d.detach(d.ownPolicy()) },
			passes, checkResult(false, all, true, true)),
		checkRow("check-version-switched", rescan, grantedByPolicy, func(d driftTarget) {
			d.newVersion(d.ownPolicy(), s3GetObjectOnly, true)
		}, passes, checkResult(false, beyondBoundary, true, true)),
		checkRow("check-inline-added", rescan, func(d driftTarget) {
			fixtureRole(d.t, d.fx.client, d.name, "/", trusted(d), nil)
		}, func(d driftTarget) {
			d.putInline("grant", allowDocument(operationActions(d.t, rescan...)...))
		}, checkResult(false, all, true, true), passes),
		checkRow("check-boundary", rescan, granted, func(d driftTarget) { d.putBoundary(d.fx.boundary) },
			passes, checkResult(false, beyondBoundary, true, true)),
		checkRow("check-trust-removed", rescan, granted, func(d driftTarget) { d.putTrust(ec2TrustPolicy) },
			passes, checkResult(false, none, false, true)),
		checkRow("check-profile-deleted", worker, func(d driftTarget) {
			fixtureRole(d.t, d.fx.client, d.name, "/", trustOf(trustStatementFor(d.fx.appliance, ""),
				`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","batchoperations.s3.amazonaws.com"]},`+
					`"Action":"sts:AssumeRole"}`), map[string]string{"all": allowEverything})
			fixtureInstanceProfile(d.t, d.fx.client, d.name, d.name)
		}, func(d driftTarget) { deleteInstanceProfile(d.fx.client, d.name, d.name) },
			passes, checkResult(false, none, true, false)),
	}
}

// Changes outside Terraform, made with the AWS SDK.

// What IAM holds.

// driftDefaultTags are the provider blocks of the default_tags group.
const driftDefaultTags = `  default_tags {
    tags = { env = "prod" }
  }
  ignore_tags {
    keys = ["ext"]
  }`

func defaultTagsDriftRows() []driftRow {
	roleTags := func(want map[string]string) func(driftTarget) []statecheck.StateCheck {
		return remote(func(d driftTarget) error { return d.tagsAre(want) })
	}
	prod := map[string]string{"env": "prod"}
	return []driftRow{
		roleRow("dt-changed", "", func(d driftTarget) { d.tag(map[string]string{"env": "changed"}) },
			planUpdateFrom("tags_all", "changed"), roleTags(prod)),
		roleRow("dt-removed", "", func(d driftTarget) {
			_, err := d.fx.client.UntagRole(context.Background(), &iam.UntagRoleInput{RoleName: aws.String(d.name),
				TagKeys: []string{"env"}})
			d.must("untagging", err)
		}, planUpdateFrom("tags_all", "map[]"), roleTags(prod)),
		roleRow("dt-overridden", `  tags = { env = "own" }`, func(d driftTarget) {
			d.tag(map[string]string{"env": "changed"})
		}, planUpdateFrom("tags", "changed"), roleTags(map[string]string{"env": "own"})),
		roleRow("dt-ignored", "", func(d driftTarget) { d.tag(map[string]string{"ext": "theirs"}) }, planNoOp,
			roleTags(map[string]string{"env": "prod", "ext": "theirs"})),
		templateRow("tpl-dt-changed", []string{"repository"}, func(d driftTarget, parts []string) {
			_, err := d.fx.client.TagPolicy(context.Background(), &iam.TagPolicyInput{PolicyArn: aws.String(parts[0]),
				Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("changed")}}})
			d.must("tagging a part", err)
		}, planUpdateFrom("tags_all", "changed"), func(d driftTarget, parts []string) error {
			return d.partTagIs(parts[0], "env", "prod")
		}),
	}
}
