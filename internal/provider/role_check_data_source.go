package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// Evaluator names accepted by vbaws_role_check.
const (
	evaluatorAuto      = "auto"
	evaluatorSimulator = "simulator"
	evaluatorLocal     = "local"
)

// missingPolicySidPrefix names the statements of missing_permissions_policies.
const missingPolicySidPrefix = "VeeamMissing"

// problemListLimit is how many names one problem sentence lists before it says how many more there are.
const problemListLimit = 10

var _ datasource.DataSourceWithConfigure = (*roleCheckDataSource)(nil)

func newRoleCheckDataSource() datasource.DataSource { return &roleCheckDataSource{} }

// roleCheckDataSource is Veeam's "Check Permissions": which permissions, trust principals and instance profile a
// role lacks for a selection of operations. It only reads IAM.
type roleCheckDataSource struct {
	dataSourceClients
}

type roleCheckModel struct {
	roleCheckInputs
	OK                        types.Bool `tfsdk:"ok"`
	MissingActions            types.Set  `tfsdk:"missing_actions"`
	MissingActionsByOperation types.Map  `tfsdk:"missing_actions_by_operation"`
	TrustsPrincipal           types.Bool `tfsdk:"trusts_principal"`
	MissingServicePrincipals  types.Set  `tfsdk:"missing_service_principals"`
	InstanceProfileOK         types.Bool `tfsdk:"instance_profile_ok"`
	PrincipalCanAssume        types.Bool `tfsdk:"principal_can_assume"`
	MissingPermissionsPolicy  types.List `tfsdk:"missing_permissions_policies"`
	Problems                  types.List `tfsdk:"problems"`
}

func (d *roleCheckDataSource) Metadata(_ context.Context, req datasource.MetadataRequest,
	resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_check"
}

func (d *roleCheckDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: roleCheckDescription,
		Attributes: withAttributes(templateSelectionDataSourceAttributes(), map[string]schema.Attribute{
			"role_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the role to check, in the provider's account.",
				Validators:          []validator.String{roleNameValidator()},
			},
			"trusted_principal_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Who must be able to assume the role, usually the Impersonation role ARN; an " +
					"account as 12-digit ID or root ARN is accepted too.",
				Validators: []validator.String{principalValidator()},
			},
			"external_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The external ID the appliance sends when it assumes the role.",
				Validators:          externalIDValidators(),
			},
			"evaluator": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "`auto` (default) asks IAM's policy simulator and falls back to the local " +
					"evaluator when the simulator is not available or not permitted; `simulator` fails instead; " +
					"`local` evaluates the policy documents in the provider. After the read it holds the evaluator " +
					"that answered: `simulator` or `local`.",
				Validators: []validator.String{
					stringvalidator.OneOf(evaluatorAuto, evaluatorSimulator, evaluatorLocal),
				},
			},
			"ok": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "True only when nothing is wrong and nothing is left undecided: no action, " +
					"service principal, trust, instance profile or assume permission is missing, every policy could " +
					"be evaluated, and the trusted principal's own side could be checked. A `trusted_principal_arn` " +
					"in another account, or an account as a whole, makes it false, because that account's policies " +
					"cannot be seen from here: `problems` then says what to check by hand. Assert on this attribute.",
			},
			"missing_actions": schema.SetAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Required actions the role is not granted, spelled as in the Veeam catalog.",
			},
			"missing_actions_by_operation": schema.MapAttribute{
				Computed:    true,
				ElementType: types.SetType{ElemType: types.StringType},
				MarkdownDescription: "`missing_actions` per selected operation; operations with nothing missing " +
					"are absent.",
			},
			"trusts_principal": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the trust policy lets `trusted_principal_arn` call `sts:AssumeRole`: " +
					"an Allow names it, its account or `*` (an STS ARN such as `arn:aws:sts::<account>:role/<name>` " +
					"names no role) without condition or under one that holds, and no Deny may apply. Conditions " +
					"on `sts:ExternalId` (`external_id`, or absent when it is null), `aws:PrincipalAccount` and, for " +
					"a role, `aws:PrincipalArn` are decided; an Allow under any other condition does not count, and " +
					"a Deny under one may apply. Null when `trusted_principal_arn` is not set.",
			},
			"missing_service_principals": schema.SetAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Service principals the operations need in the trust policy (as " +
					"`vbaws_role_template.service_principals`) that it does not allow without condition.",
			},
			"instance_profile_ok": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the role is in at least one instance profile, or the operations do " +
					"not need one.",
			},
			"principal_can_assume": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "When `trusted_principal_arn` is a role in the provider's account: whether it " +
					"may call `sts:AssumeRole` on this role, evaluated locally. When the trust policy names its role " +
					"ARN or everyone (`\"*\"`), that is enough without an Allow of its own, as AWS decides within " +
					"one account, but no policy of its own may deny it and its permissions boundary must allow it; " +
					"otherwise its own policies must allow the action on this role's ARN (Resource patterns count). Null when that " +
					"cannot be known: no principal, an account, or another account.",
			},
			"missing_permissions_policies": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Policy documents that grant exactly `missing_actions` on `*`, each within " +
					"IAM's 6,144-character limit for a managed policy (Veeam's \"Export Missing Permissions\").",
			},
			"problems": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "One plain sentence per finding: what is wrong and what to change.",
			},
		}),
	}
}

const roleCheckDescription = "Veeam's **Check Permissions** at plan time, for any role in the provider's account: " +
	"the actions, trust-policy principals and instance profile a role lacks for a selection of Veeam operations, " +
	"with policy documents that grant exactly the missing actions. The required actions are those " +
	"`vbaws_role_template` renders for the same selection.\n\n" +
	"It never writes to IAM. It needs `iam:GetRole`, `iam:ListRolePolicies`, `iam:GetRolePolicy`, " +
	"`iam:ListAttachedRolePolicies`, `iam:GetPolicy`, `iam:GetPolicyVersion`, " +
	"`iam:ListInstanceProfilesForRole` and, for the simulator, `iam:SimulatePrincipalPolicy`.\n\n" +
	"The local evaluator reads the role's inline policies, the default versions of its attached managed " +
	"policies and its permissions boundary. An explicit Deny wins, also when it has a condition that may hold; an " +
	"Allow with a condition counts only when the condition holds. Conditions on `aws:PrincipalArn` and " +
	"`aws:PrincipalAccount` are decided with the checked role's values, with the String and ARN operators, " +
	"`...IfExists` and `Null` as IAM defines them; a condition on any other key depends on the request, so such " +
	"an Allow does not count as granted and such a Deny may deny, unless the condition compares that key in " +
	"ways no request satisfies together (`StringEquals` with two different values, say), which never holds. " +
	"Wildcards, `NotAction`, `NotResource` and " +
	"case-insensitive action names " +
	"behave as IAM documents them; the boundary limits what the policies grant; actions are checked against " +
	"`Resource` `*`. A policy that cannot be parsed grants nothing and is reported in `problems`. Service control " +
	"policies, resource control policies, session policies and resource-based policies cannot be seen from the " +
	"account and are not evaluated locally: an action only they deny is still reported as granted. The simulator " +
	"takes service control policies into account, except those with conditions, as Veeam documents for its own " +
	"check. For a trusted principal in another account, or an account trusted as a whole, `ok` is false and " +
	"`problems` says what to check by hand in that account."

func (d *roleCheckDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m roleCheckModel
	if !readConfigured(ctx, req.Config, &m, d.client, &resp.Diagnostics) {
		return
	}
	tpl, diags := m.render(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	result, err := d.check(ctx, m, tpl)
	if err != nil {
		addRoleCheckError(&resp.Diagnostics, m.RoleName.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(m.fill(ctx, tpl, result)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// roleCheck is everything the check found out about one role.
type roleCheck struct {
	role               *iamtypes.Role
	evaluator          string
	permissions        policy.Evaluation
	trust              policy.Document
	trustErr           error
	principalARN       string
	externalID         string
	trustResult        policy.TrustResult
	trustsPrincipal    *bool
	missingServices    []string
	needsProfile       bool
	inProfile          bool
	principalCanAssume *bool
	assumeFindings     []policy.Finding
	principalMissing   bool
	principalNote      string
}

// check reads the role and evaluates it against the template's requirements.
func (d *roleCheckDataSource) check(ctx context.Context, m roleCheckModel, tpl template.Template) (roleCheck, error) {
	role, err := d.client.ReadRole(ctx, m.RoleName.ValueString(), awsclient.RoleHint{})
	if awsclient.IsNoSuchEntity(err) {
		return roleCheck{}, &roleNotFoundError{err: err}
	}
	if err != nil {
		return roleCheck{}, err
	}
	c := roleCheck{role: role, needsProfile: tpl.RequiresInstanceProfile}
	if c.evaluator, c.permissions, err = d.evaluate(ctx, m.Evaluator.ValueString(), role, tpl.Actions); err != nil {
		return roleCheck{}, err
	}
	c.trust, c.trustErr = policy.Parse(aws.ToString(role.AssumeRolePolicyDocument))
	c.missingServices = slices.Clone(tpl.ServicePrincipals)
	if c.trustErr == nil {
		c.missingServices = policy.MissingServicePrincipals(c.trust, tpl.ServicePrincipals)
	}
	if c.needsProfile {
		profiles, err := d.client.ReadInstanceProfilesForRole(ctx, m.RoleName.ValueString())
		if err != nil {
			return roleCheck{}, err
		}
		c.inProfile = len(profiles) > 0
	}
	if !m.TrustedPrincipalARN.IsNull() {
		if err := d.checkPrincipal(ctx, &c, m.TrustedPrincipalARN.ValueString(), m.ExternalID.ValueString()); err != nil {
			return roleCheck{}, err
		}
	}
	return c, nil
}

// evaluate answers which actions the role lacks with the chosen evaluator, reporting which one answered.
func (d *roleCheckDataSource) evaluate(ctx context.Context, choice string, role *iamtypes.Role, actions []string) (
	string, policy.Evaluation, error) {
	if choice != evaluatorLocal {
		e, err := d.simulate(ctx, aws.ToString(role.Arn), actions)
		switch {
		case err == nil:
			return evaluatorSimulator, e, nil
		case choice == evaluatorSimulator || !awsclient.IsSimulatorUnavailable(err):
			return "", policy.Evaluation{}, &simulatorError{err: err}
		}
		tflog.Info(ctx, "IAM policy simulator not available, evaluating locally", map[string]any{"error": err.Error()})
	}
	policies, err := d.client.RolePolicies(ctx, role)
	if err != nil {
		return "", policy.Evaluation{}, err
	}
	request := policy.RoleContext(aws.ToString(role.Arn))
	return evaluatorLocal, policy.Evaluate(policies, actions, policy.AllResources, request), nil
}

// simulate asks IAM's policy simulator and turns its decisions into findings.
func (d *roleCheckDataSource) simulate(ctx context.Context, roleARN string, actions []string) (
	policy.Evaluation, error) {
	decisions, err := d.client.SimulateActions(ctx, roleARN, actions)
	if err != nil {
		return policy.Evaluation{}, err
	}
	verdicts := map[string]policy.Verdict{}
	for _, decision := range decisions {
		switch decision.Decision {
		case string(iamtypes.PolicyEvaluationDecisionTypeAllowed):
		case string(iamtypes.PolicyEvaluationDecisionTypeExplicitDeny):
			verdicts[strings.ToLower(decision.Action)] = policy.Denied
		default:
			verdicts[strings.ToLower(decision.Action)] = policy.NotGranted
		}
	}
	var e policy.Evaluation
	for _, action := range actions {
		if verdict, missing := verdicts[strings.ToLower(action)]; missing {
			e.Findings = append(e.Findings, policy.Finding{Action: action, Verdict: verdict})
		}
	}
	return e, nil
}

// roleNotFoundError says that the role to check does not exist.
type roleNotFoundError struct{ err error }

func (e *roleNotFoundError) Error() string { return e.err.Error() }

func (e *roleNotFoundError) Unwrap() error { return e.err }

// simulatorError is a simulator failure that the chosen evaluator does not allow to fall back from.
type simulatorError struct{ err error }

func (e *simulatorError) Error() string { return e.err.Error() }

func (e *simulatorError) Unwrap() error { return e.err }

// checkPrincipal fills what the check says about the trusted principal: whether the trust policy lets it in, and,
// for a role of this account, whether it may assume the role, by its own policies or because the trust policy
// names it.
func (d *roleCheckDataSource) checkPrincipal(ctx context.Context, c *roleCheck, value, externalID string) error {
	p, problem := principal.Parse(value, d.client.Partition)
	if problem != nil {
		return problem
	}
	c.principalARN, c.externalID = p.ARN(), externalID
	if c.trustErr == nil {
		c.trustResult = policy.CheckTrust(c.trust, policy.Caller{ARN: p.ARN(), ExternalID: externalID})
	}
	trusted := c.trustErr == nil && c.trustResult.Trusted()
	c.trustsPrincipal = &trusted
	switch {
	case p.IsAccountRoot():
		c.principalNote = fmt.Sprintf("Check by hand: account %s is trusted as a whole, so which of its "+
			"principals may assume role %s depends on their own policies, which this check does not evaluate; "+
			"make sure the appliance's role in that account is allowed sts:AssumeRole on %s.", p.AccountID,
			aws.ToString(c.role.RoleName), aws.ToString(c.role.Arn))
		return nil
	case d.client.AccountID == "" || p.AccountID != d.client.AccountID:
		c.principalNote = fmt.Sprintf("Check by hand: role %s is in account %s, whose policies, service control "+
			"policies and boundaries cannot be seen from here; make sure its own policies allow sts:AssumeRole on %s.",
			p.ARN(), p.AccountID, aws.ToString(c.role.Arn))
		return nil
	}
	can, err := d.roleMayAssume(ctx, c, p)
	c.principalCanAssume = &can
	return err
}

// roleMayAssume evaluates locally whether role p of the provider's account may call sts:AssumeRole on the checked
// role, keeping the findings that say why not.
func (d *roleCheckDataSource) roleMayAssume(ctx context.Context, c *roleCheck, p principal.Principal) (bool, error) {
	role, err := d.client.ReadRole(ctx, p.Name, awsclient.RoleHint{Path: p.Path})
	if awsclient.IsNoSuchEntity(err) {
		c.principalMissing = true
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading trusted role %s: %w", p.Name, err)
	}
	policies, err := d.client.RolePolicies(ctx, role)
	if err != nil {
		return false, err
	}
	e := policy.MayAssumeRole(policies, aws.ToString(c.role.Arn), policy.RoleContext(aws.ToString(role.Arn)),
		c.trustResult.NamesRole)
	c.assumeFindings = e.Findings
	return len(e.Findings) == 0 && len(e.Unparsed) == 0, nil
}

// addRoleCheckError reports why the check could not run: the role is missing, the simulator was required but
// is not available, or an AWS call failed.
func addRoleCheckError(diags *diag.Diagnostics, roleName string, err error) {
	var missing *roleNotFoundError
	var simulator *simulatorError
	var problem *principal.Problem
	switch {
	case errors.As(err, &missing):
		diags.AddAttributeError(path.Root("role_name"), "Role not found",
			fmt.Sprintf("No IAM role named %s exists in the provider's account: %s", roleName, err))
	case errors.As(err, &simulator) && awsclient.IsSimulatorUnavailable(err):
		diags.AddAttributeError(path.Root("evaluator"), "IAM policy simulator not available",
			"evaluator = \"simulator\" needs iam:SimulatePrincipalPolicy, but the call failed: "+err.Error()+
				". Grant that permission, or use evaluator = \"auto\" or \"local\" to evaluate the policies locally.")
	case errors.As(err, &problem):
		diags.AddAttributeError(path.Root("trusted_principal_arn"), problem.Summary, problem.Detail)
	default:
		addAWSError(diags, "Cannot check role "+roleName, err)
	}
}

// fill sets the computed attributes from the check's result.
func (m *roleCheckModel) fill(ctx context.Context, tpl template.Template, c roleCheck) diag.Diagnostics {
	missing := c.permissions.Missing()
	documents, err := policy.SplitActions(missing, missingPolicySidPrefix, policy.ManagedPolicyMaxSize)
	var diags diag.Diagnostics
	if err != nil {
		diags.AddError("Cannot build the missing-permissions policies", err.Error())
		return diags
	}
	byOperation, more := missingByOperation(ctx, tpl, missing)
	diags.Append(more...)
	problems := c.problems()
	m.Evaluator = types.StringValue(c.evaluator)
	m.MissingActions = stringSet(missing)
	m.MissingActionsByOperation = byOperation
	m.MissingServicePrincipals = stringSet(c.missingServices)
	m.InstanceProfileOK = types.BoolValue(!c.needsProfile || c.inProfile)
	m.TrustsPrincipal = types.BoolPointerValue(c.trustsPrincipal)
	m.PrincipalCanAssume = types.BoolPointerValue(c.principalCanAssume)
	m.MissingPermissionsPolicy = stringList(documents)
	m.Problems = stringList(problems)
	m.OK = types.BoolValue(c.ok())
	return diags
}

// ok reports whether nothing is missing and nothing is left to check by hand.
func (c roleCheck) ok() bool {
	return len(c.permissions.Findings) == 0 && len(c.permissions.Unparsed) == 0 && c.trustErr == nil &&
		c.principalNote == "" &&
		len(c.missingServices) == 0 && (!c.needsProfile || c.inProfile) &&
		(c.trustsPrincipal == nil || *c.trustsPrincipal) && (c.principalCanAssume == nil || *c.principalCanAssume)
}

// missingByOperation maps each selected operation to its missing actions, leaving out operations with none.
func missingByOperation(ctx context.Context, tpl template.Template, missing []string) (types.Map, diag.Diagnostics) {
	byOperation := map[string][]string{}
	for _, name := range tpl.Operations {
		selection, err := catalog.Resolve(tpl.Version, []string{name}, tpl.ProductionWorkers)
		if err != nil {
			continue // every name was resolved before, as part of tpl
		}
		for _, action := range missing {
			if slices.ContainsFunc(selection.Actions, func(a string) bool { return strings.EqualFold(a, action) }) {
				byOperation[name] = append(byOperation[name], action)
			}
		}
	}
	return types.MapValueFrom(ctx, types.SetType{ElemType: types.StringType}, byOperation)
}

// problems renders one sentence per finding.
func (c roleCheck) problems() []string {
	roleName := aws.ToString(c.role.RoleName)
	problems := permissionProblems(roleName, c.evaluator, c.permissions)
	if c.trustErr != nil {
		problems = append(problems, fmt.Sprintf("The trust policy of role %s cannot be evaluated (%s), so it counts "+
			"as trusting nobody; fix the document.", roleName, c.trustErr))
	}
	if len(c.missingServices) > 0 {
		problems = append(problems, fmt.Sprintf("Trust Policy: the following services must be added to the trust "+
			"policy of role %s, in an Allow statement for sts:AssumeRole without condition: %s.", roleName,
			strings.Join(c.missingServices, ", ")))
	}
	if c.needsProfile && !c.inProfile {
		problems = append(problems, fmt.Sprintf("Role %s is in no instance profile, but the selected operations run "+
			"worker instances with it; add it to one (create_instance_profile of vbaws_iam_role does).", roleName))
	}
	if c.trustErr == nil && c.trustsPrincipal != nil && !*c.trustsPrincipal {
		problems = append(problems, fmt.Sprintf("The trust policy of role %s does not let %s call sts:AssumeRole: %s",
			roleName, c.principalARN, c.untrustedBecause()))
	}
	if c.principalCanAssume != nil && !*c.principalCanAssume {
		problems = append(problems, c.cannotAssumeProblem())
	}
	if c.principalNote != "" {
		problems = append(problems, c.principalNote)
	}
	return problems
}

// untrustedBecause says why the trust policy does not let the trusted principal in, and what to change; a trust
// that also names the principal by an STS ARN says so whatever else keeps the principal out.
func (c roleCheck) untrustedBecause() string {
	r := c.trustResult
	if r.Reason == policy.NotNamed || len(r.STSNames) == 0 {
		return c.untrustedReason()
	}
	return c.untrustedReason() + " It also names " + c.stsAdvice()
}

// stsAdvice names the STS ARNs of the trusted role that the trust policy holds and the IAM role ARN to write.
func (c roleCheck) stsAdvice() string {
	return fmt.Sprintf("%s, an STS ARN, which is not that role; write the IAM role ARN %s instead "+
		"(vbaws_trust_relationship does).", strings.Join(c.trustResult.STSNames, " and "), c.principalARN)
}

// untrustedReason says what keeps the trusted principal out.
func (c roleCheck) untrustedReason() string {
	r := c.trustResult
	switch {
	case r.Reason == policy.NotNamed && len(r.STSNames) > 0:
		return "it names " + c.stsAdvice()
	case r.Reason == policy.TrustConditionNotMet && c.externalID == "":
		return "the Allow statements that name it have conditions that do not hold when no external ID is sent; " +
			"set external_id to the one the appliance sends, or fix the conditions."
	case r.Reason == policy.TrustConditionNotMet:
		return fmt.Sprintf("the Allow statements that name it have conditions that do not hold for it with "+
			"external ID %q; fix external_id or the conditions.", c.externalID)
	case r.Reason == policy.TrustConditionUnknown:
		return "the Allow statements that name it have conditions that depend on more of the request than the " +
			"principal and the external ID, which do not count as trusted; allow it with at most an " +
			"sts:ExternalId condition (vbaws_trust_relationship does)."
	case r.Reason == policy.TrustDenied:
		return "a Deny statement applies to it; remove or narrow that statement."
	case r.Reason == policy.TrustMaybeDenied:
		return "a Deny statement applies to it under a condition that may hold; remove the Deny or make sure its " +
			"condition cannot match the appliance's requests."
	case r.Reason == policy.TrustUnreadable:
		return "a statement cannot be read, so it counts as denying everyone; fix the document."
	}
	return "no Allow statement for sts:AssumeRole names it, its account or \"*\"; add one " +
		"(vbaws_trust_relationship does)."
}

// cannotAssumeProblem says why the trusted role may not assume the checked role.
func (c roleCheck) cannotAssumeProblem() string {
	target := aws.ToString(c.role.Arn)
	if c.principalMissing {
		return fmt.Sprintf("The trusted role %s does not exist, so nothing can assume %s through it; create it, or "+
			"set trusted_principal_arn to the appliance's Impersonation role.", c.principalARN, target)
	}
	if len(c.assumeFindings) > 0 {
		f := c.assumeFindings[0]
		switch f.Verdict {
		case policy.Denied, policy.MaybeDenied:
			return fmt.Sprintf("The trusted role's own policies deny sts:AssumeRole on %s (%s); remove or narrow "+
				"that Deny.", target, f.Policy)
		case policy.OutsideBoundary:
			return fmt.Sprintf("The permissions boundary %s of the trusted role does not allow sts:AssumeRole on %s; "+
				"add it to the boundary.", f.Policy, target)
		}
	}
	return fmt.Sprintf("The trusted role's own policies do not allow sts:AssumeRole on %s; "+
		"allow that action on this role's ARN or on \"*\", or name the trusted role's ARN in the trust policy.", target)
}

// findingGroup collects the actions that share a verdict and a deciding policy.
type findingGroup struct {
	verdict policy.Verdict
	policy  string
	actions []string
}

// permissionProblems renders the evaluation's findings, one sentence per verdict and policy, and one per policy
// that could not be parsed.
func permissionProblems(roleName, evaluator string, e policy.Evaluation) []string {
	var groups []*findingGroup
	for _, f := range e.Findings {
		i := slices.IndexFunc(
			groups,
			func(g *findingGroup) bool { return g.verdict == f.Verdict && g.policy == f.Policy },
		)
		if i < 0 {
			groups = append(groups, &findingGroup{verdict: f.Verdict, policy: f.Policy})
			i = len(groups) - 1
		}
		groups[i].actions = append(groups[i].actions, f.Action)
	}
	var problems []string
	for _, g := range groups {
		problems = append(problems, g.sentence(roleName, evaluator))
	}
	for _, u := range e.Unparsed {
		problems = append(problems, fmt.Sprintf("%s of role %s cannot be evaluated (%s), so it counts as "+
			"granting nothing; fix the document.", capitalised(u.Policy), roleName, u.Err))
	}
	return problems
}

func (g findingGroup) sentence(roleName, evaluator string) string {
	actions := listed(g.actions)
	switch {
	case g.verdict == policy.Denied && g.policy == "":
		return fmt.Sprintf("The policy simulator reports an explicit Deny for %s on role %s; an explicit Deny wins "+
			"over any Allow, so remove or narrow that statement.", actions, roleName)
	case g.verdict == policy.Denied:
		return fmt.Sprintf("%s explicitly denies %s; an explicit Deny wins over any Allow, so remove or narrow that "+
			"statement.", capitalised(g.policy), actions)
	case g.verdict == policy.MaybeDenied:
		return fmt.Sprintf("%s denies %s under a condition, which may hold; remove the Deny or make sure its "+
			"condition cannot match Veeam's requests.", capitalised(g.policy), actions)
	case g.verdict == policy.OnlyConditional:
		return fmt.Sprintf("%s allows %s only under a condition, which does not count as granted; allow them "+
			"without condition.", capitalised(g.policy), actions)
	case g.verdict == policy.ConditionNotMet:
		return fmt.Sprintf("%s allows %s only under a condition that does not hold for role %s (its ARN or "+
			"account); change the condition or allow them without it.", capitalised(g.policy), actions, roleName)
	case g.verdict == policy.OutsideBoundary:
		return fmt.Sprintf("The permissions boundary %s of role %s does not allow %s; add them to the boundary or "+
			"remove it.", g.policy, roleName, actions)
	case evaluator == evaluatorSimulator:
		return fmt.Sprintf("The policy simulator reports that role %s is not allowed %s; %s", roleName, actions,
			attachAdvice)
	}
	return fmt.Sprintf("No policy of role %s grants %s; %s", roleName, actions, attachAdvice)
}

// attachAdvice says what to attach for missing actions, in words that hold for the data source and the action.
const attachAdvice = "attach the policies of a vbaws_role_template for these operations, or the documents in " +
	"vbaws_role_check's missing_permissions_policies."

// listed names up to problemListLimit actions and says how many more there are.
func listed(actions []string) string {
	if len(actions) <= problemListLimit {
		return strings.Join(actions, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(actions[:problemListLimit], ", "), len(actions)-problemListLimit)
}

func capitalised(policyName string) string {
	if strings.HasPrefix(policyName, "inline policy ") {
		return "Inline policy " + strings.TrimPrefix(policyName, "inline policy ")
	}
	return "Policy " + policyName
}
