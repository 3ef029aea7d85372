package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// ruleValidator adapts a rule that returns a *principal.Problem (nil when the value is fine) into a framework
// string validator that reports the problem on the attribute. Unknown and null values are not checked at plan
// time; resources check them again before calling AWS.
type ruleValidator struct {
	description string
	rule        func(string) *principal.Problem
}

func (v ruleValidator) Description(context.Context) string         { return v.description }
func (v ruleValidator) MarkdownDescription(context.Context) string { return v.description }

func (v ruleValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if p := v.rule(req.ConfigValue.ValueString()); p != nil {
		resp.Diagnostics.AddAttributeError(req.Path, p.Summary, p.Detail)
	}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-\d+$`)

func regionValidator() validator.String {
	return stringvalidator.RegexMatches(regionPattern, "must be an AWS region name such as us-east-1 or eu-central-1")
}

func durationValidator() validator.String {
	return ruleValidator{
		description: "a duration between 15m and 12h such as 1h",
		rule: func(s string) *principal.Problem {
			d, err := time.ParseDuration(s)
			if err != nil {
				return &principal.Problem{
					Summary: "Invalid duration",
					Detail:  fmt.Sprintf("%q is not a duration; write it like 1h, 45m or 1h30m.", s),
				}
			}
			if d < 15*time.Minute || d > 12*time.Hour {
				return &principal.Problem{
					Summary: "Invalid duration",
					Detail:  fmt.Sprintf("%s is outside what STS allows for a role session: 15m to 12h.", s),
				}
			}
			return nil
		},
	}
}

func urlValidator() validator.String {
	return ruleValidator{description: "an absolute http or https URL", rule: func(s string) *principal.Problem {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &principal.Problem{Summary: "Invalid endpoint URL",
				Detail: fmt.Sprintf(
					"%q is not an absolute URL; write it like https://iam.amazonaws.com or http://127.0.0.1:5000.",
					s,
				)}
		}
		return nil
	}}
}

func roleNameValidator() validator.String {
	return ruleValidator{
		description: "an IAM role name: 1 to 64 characters of letters, digits and +=,.@_-",
		rule: func(name string) *principal.Problem {
			p := principal.ValidateRoleName(name)
			if p != nil && len(name) > maxRoleNameLength {
				p.Detail += fmt.Sprintf(" Shorten it, or set `name_prefix` (at most %d characters) instead of `name` "+
					"to have a unique name of 64 characters made from it.", maxRoleNameLength-nameSuffixLength)
			}
			return p
		},
	}
}

// productVersionValidator accepts the Veeam Backup for AWS versions whose permission lists the catalog embeds, and
// names them, with the default, for any other value.
func productVersionValidator() validator.String {
	return ruleValidator{
		description: "a Veeam Backup for AWS version of the catalog: " + strings.Join(catalog.Versions(), ", "),
		rule: func(version string) *principal.Problem {
			if slices.Contains(catalog.Versions(), version) {
				return nil
			}
			return &principal.Problem{
				Summary: "Unknown Veeam Backup for AWS version",
				Detail: fmt.Sprintf("This provider has Veeam's permission lists for product versions %s, not %q. "+
					"Write one of them, such as product_version = %q, or leave product_version out to use the "+
					"default; a later provider version adds newer product versions.",
					strings.Join(catalog.Versions(), " and "), version, catalog.DefaultVersion),
			}
		},
	}
}

func roleARNValidator() validator.String {
	return ruleValidator{
		description: "an IAM role ARN such as arn:aws:iam::123456789012:role/name",
		rule: func(s string) *principal.Problem {
			_, p := principal.ParseRoleARN(s)
			return p
		},
	}
}

func policyARNValidator() validator.String {
	return stringvalidator.RegexMatches(
		policyARNPattern,
		"must be a managed policy ARN such as arn:aws:iam::123456789012:policy/name",
	)
}

// policyARNPattern matches a managed policy ARN.
var policyARNPattern = regexp.MustCompile(
	`^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/([\x21-\x7E]*/)?[\w+=,.@-]{1,128}$`,
)

// additionalTrustValidator checks that additional_trust_policy is a policy document whose statements each have a
// Principal (IAM refuses a trust statement without one) and whose Sids do not collide with the statements this
// resource writes.
type additionalTrustValidator struct{}

func (additionalTrustValidator) Description(context.Context) string {
	return "a trust policy document whose statements each have a Principal and do not use the Sids " +
		veeamTrustSid + " or " + policy.ServicesSid(veeamTrustSid)
}

func (v additionalTrustValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (additionalTrustValidator) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	doc, err := policy.Parse(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid additional trust policy", err.Error())
		return
	}
	for _, i := range policy.MissingPrincipal(doc) {
		resp.Diagnostics.AddAttributeError(req.Path, "Trust statement without Principal", fmt.Sprintf(
			"Statement %d has no Principal: a trust policy statement must say who may assume the role, and IAM "+
				"refuses the policy otherwise. Add a Principal, such as {\"AWS\" = \"arn:aws:iam::<ACCOUNT_ID>:role/"+
				"<NAME>\"}.", i+1))
	}
	for _, sid := range []string{veeamTrustSid, policy.ServicesSid(veeamTrustSid)} {
		if _, taken := doc.Find(sid); taken {
			resp.Diagnostics.AddAttributeError(req.Path, "Statement ID taken", fmt.Sprintf(
				"Sid %s names a statement generated from trusted_principal_arns or service_principals; "+
					"use another Sid or none.", sid))
		}
	}
}

// publicTrustValidator refuses trust statements that let anyone in (policy.OpenStatements) unless the boolean
// attribute at acknowledgement is true.
type publicTrustValidator struct {
	acknowledgement path.Path
}

func (v publicTrustValidator) Description(context.Context) string {
	return "no statement that lets anyone assume the role, unless " + v.acknowledgement.String() + " is true"
}

func (v publicTrustValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v publicTrustValidator) ValidateString(ctx context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	doc, err := policy.Parse(req.ConfigValue.ValueString())
	if err != nil {
		return // additionalTrustValidator reports it
	}
	open := policy.OpenStatements(doc)
	if len(open) == 0 {
		return
	}
	var acknowledged types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, v.acknowledgement, &acknowledged)...)
	if acknowledged.IsUnknown() || acknowledged.ValueBool() {
		return
	}
	for _, o := range open {
		resp.Diagnostics.AddAttributeError(req.Path, "Trust open to everyone", fmt.Sprintf(
			"The %s: anyone could assume this role. Name the principals (a role or account ARN), or add a "+
				"condition on who the caller is (such as aws:PrincipalOrgID or aws:PrincipalArn; for a web "+
				"identity provider, its aud or sub claim). If the role really is meant to be open, set %s = true.",
			o, v.acknowledgement))
	}
}

// IAM's default quotas for a role and the most they can be raised to (Service Quotas, service IAM).
const (
	defaultTrustPolicyQuota     = 2048
	maxTrustPolicyQuota         = 8192
	defaultManagedPoliciesQuota = 10
	maxManagedPoliciesQuota     = 20
)

// quotaOf reads an optional quota attribute from configuration or plan, with its default when it is null or
// unknown.
func quotaOf(ctx context.Context, get func(context.Context, path.Path, any) diag.Diagnostics, at path.Path,
	fallback int64) (int64, diag.Diagnostics) {
	var quota types.Int64
	diags := get(ctx, at, &quota)
	if quota.IsNull() || quota.IsUnknown() {
		return fallback, diags
	}
	return quota.ValueInt64(), diags
}

// managedPoliciesQuotaValidator refuses more managed policies than the role's quota, read from the attribute at
// quota (IAM's default when it is null).
type managedPoliciesQuotaValidator struct {
	quota path.Path
}

func (v managedPoliciesQuotaValidator) Description(context.Context) string {
	return fmt.Sprintf("at most %s managed policies (%d unless set)", v.quota, defaultManagedPoliciesQuota)
}

func (v managedPoliciesQuotaValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v managedPoliciesQuotaValidator) ValidateSet(ctx context.Context, req validator.SetRequest,
	resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	quota, diags := quotaOf(ctx, req.Config.GetAttribute, v.quota, defaultManagedPoliciesQuota)
	resp.Diagnostics.Append(diags...)
	if n := len(req.ConfigValue.Elements()); int64(n) > quota {
		resp.Diagnostics.AddAttributeError(req.Path, "Too many managed policies", fmt.Sprintf(
			"A role may have %d managed policies attached (IAM's quota \"Managed policies per role\"; the default "+
				"is %d and it can be raised to %d in Service Quotas); these are %d. Combine policies, or raise the "+
				"quota and set %s to it.", quota, defaultManagedPoliciesQuota, maxManagedPoliciesQuota, n, v.quota))
	}
}

// checkTrustSize refuses a trust policy larger than quota characters, not counting whitespace as IAM does. The
// diagnostic goes on additional_trust_policy when it is set, else on trusted_principal_arns.
func checkTrustSize(trust PolicyValue, in roleTrustInputs, quota int64) diag.Diagnostics {
	var diags diag.Diagnostics
	if trust.IsNull() || trust.IsUnknown() {
		return diags
	}
	size := policy.Size(trust.ValueString())
	if int64(size) <= quota {
		return diags
	}
	at := pathTrustedPrincipals
	if !in.AdditionalTrustPolicy.IsNull() {
		at = pathAdditionalTrust
	}
	diags.AddAttributeError(at, "Trust policy too large", fmt.Sprintf(
		"The trust policy would have %d characters, not counting whitespace, but IAM allows %d for a role's trust "+
			"policy (quota \"Role trust policy length\": %d by default, which can be raised to %d in Service "+
			"Quotas). Trust fewer principals, shorten additional_trust_policy, or raise the quota and set %s to it.",
		size, quota, defaultTrustPolicyQuota, maxTrustPolicyQuota, pathTrustPolicyQuota))
	return diags
}

// namePrefixValidator lets name and name_prefix appear together only when name is made from name_prefix, as in a
// configuration Terraform generates on import.
type namePrefixValidator struct{}

func (namePrefixValidator) Description(context.Context) string {
	return "name_prefix may accompany name only when name begins with it and ends with the generated suffix"
}

func (v namePrefixValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (namePrefixValidator) ValidateString(ctx context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathRoleName, &name)...)
	if name.IsNull() || name.IsUnknown() {
		return
	}
	match := generatedName.FindStringSubmatch(name.ValueString())
	if match == nil || match[1] != req.ConfigValue.ValueString() {
		resp.Diagnostics.AddAttributeError(req.Path, "Conflicting name and name_prefix", fmt.Sprintf(
			"Set one of them. Both may be set only when name was made from name_prefix (%q followed by a "+
				"timestamp and 12 hex digits), as Terraform writes them for an imported role; got name %q.",
			req.ConfigValue.ValueString(), name.ValueString()))
	}
}

// inlinePoliciesMaxSize is IAM's quota for the inline policies of one role together, in characters excluding
// whitespace.
const inlinePoliciesMaxSize = 10240

// inlinePolicyNamePattern is the characters IAM accepts in a policy name; inlinePoliciesValidators checks the
// length apart, because a counted repetition compiles to a regular expression a hundred times larger.
var inlinePolicyNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// inlinePoliciesValidators check the names and the combined size of inline_policies at plan time.
func inlinePoliciesValidators() []validator.Map {
	return []validator.Map{
		mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128),
			stringvalidator.RegexMatches(inlinePolicyNamePattern, "must be 1 to 128 letters, digits or +=,.@_-")),
		inlineSizeValidator{},
	}
}

// inlineSizeValidator enforces IAM's quota on the combined size of a role's inline policies.
type inlineSizeValidator struct{}

func (inlineSizeValidator) Description(context.Context) string {
	return fmt.Sprintf("inline policies together at most %d characters, not counting whitespace",
		inlinePoliciesMaxSize)
}

func (v inlineSizeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (inlineSizeValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	total := 0
	for _, value := range req.ConfigValue.Elements() {
		if doc, ok := value.(PolicyValue); ok && !doc.IsUnknown() && !doc.IsNull() {
			total += policy.Size(doc.ValueString())
		}
	}
	if total > inlinePoliciesMaxSize {
		resp.Diagnostics.AddAttributeError(req.Path, "Inline policies too large", fmt.Sprintf(
			"IAM allows %d characters (not counting whitespace) for all inline policies of a role together; "+
				"these have %d. Move permissions into managed policies, such as vbaws_role_template.",
			inlinePoliciesMaxSize, total))
	}
}

// externalIDPattern is the characters IAM accepts in an sts:ExternalId value.
var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

// The one rule for external_id, stated in each one's description: sensitive where the provider only hands it to
// the appliance, not sensitive where the provider writes it into a trust policy, which shows it anyway.
const (
	externalIDRule = " Not sensitive: the provider writes it into the role's trust policy, which " +
		"`assume_role_policy` and `statement` show, as IAM shows it to anyone allowed `iam:GetRole`; an external ID " +
		"guards against the confused deputy problem and is not a secret. Only `vbaws_appliance_role`, which hands " +
		"it to the appliance and writes no trust policy, marks it sensitive."
	externalIDSensitiveRule = " Sensitive: it is handed to the appliance only, so plans and logs never show it; " +
		"`vbaws_iam_role` and `vbaws_trust_relationship`, which write it into a trust policy that shows it, do not " +
		"mark it sensitive."
)

// externalIDValidators check an sts:ExternalId value at plan time as IAM does, with one wording wherever an
// external_id is taken.
func externalIDValidators() []validator.String {
	return []validator.String{ruleValidator{
		description: "2 to 1,224 characters: letters, digits, underscores (_) and +=,.@:/-",
		rule:        externalIDProblem,
	}}
}

// externalIDProblem says what is wrong with an external ID IAM would refuse, and nil for one it accepts.
func externalIDProblem(s string) *principal.Problem {
	switch {
	case len(s) < 2 || len(s) > 1224:
		return &principal.Problem{Summary: "Invalid external ID length", Detail: fmt.Sprintf(
			"The external ID has %d characters; IAM takes 2 to 1,224.", len(s))}
	case !externalIDPattern.MatchString(s):
		return &principal.Problem{Summary: "Invalid character in external ID", Detail: fmt.Sprintf(
			"%q has a character IAM does not take in an external ID; use only letters, digits, underscores (_) "+
				"and +=,.@:/-.", s)}
	}
	return nil
}

func applianceURLValidator() validator.String {
	return ruleValidator{description: "an https URL such as https://backup.example.com:11005",
		rule: func(s string) *principal.Problem {
			if _, err := appliance.NormalizeURL(s); err != nil {
				return &principal.Problem{Summary: "Invalid appliance URL", Detail: err.Error()}
			}
			return nil
		}}
}

func nonNegativeDurationValidator() validator.String {
	return ruleValidator{description: "a duration of zero or more", rule: func(s string) *principal.Problem {
		if d, err := time.ParseDuration(s); err == nil && d < 0 {
			return &principal.Problem{Summary: "Negative duration", Detail: s + " is negative; write 0s to try once."}
		}
		return nil
	}}
}

// operationValidator checks an operation name during plan against the operations of the configured product
// version, and suggests the closest one for a typo.
type operationValidator struct {
	// version, when set, is the product_version to check against (a function's argument); otherwise the
	// configuration's product_version attribute is read.
	version *types.String
}

func (operationValidator) Description(context.Context) string {
	return "one of: " + strings.Join(catalog.AllOperations(), ", ")
}

func (v operationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v operationValidator) ValidateString(ctx context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	version, known := v.productVersion(ctx, req)
	valid, err := catalog.Operations(version)
	if !known || err != nil {
		valid = catalog.AllOperations() // the version is unknown yet, or productVersionValidator reports it
	}
	if slices.Contains(valid, name) {
		return
	}
	if in := catalog.VersionsOf(name); len(in) > 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Operation not in this product version",
			fmt.Sprintf("%q is not an operation of Veeam Backup for AWS version %s, only of %s. Set "+
				"product_version to one of them, or choose from: %s.", name, version, versionsList(in),
				strings.Join(valid, ", ")))
		return
	}
	unknownOperation(req, resp, name, valid)
}

// versionsList names product versions in words: "version 12", "versions 10 and 11".
func versionsList(versions []string) string {
	if len(versions) == 1 {
		return "version " + versions[0]
	}
	last := len(versions) - 1
	return "versions " + strings.Join(versions[:last], ", ") + " and " + versions[last]
}

// productVersion is the product version to check against, and whether it is known yet; the default when
// product_version is null.
func (v operationValidator) productVersion(ctx context.Context, req validator.StringRequest) (string, bool) {
	value := types.StringNull()
	if v.version != nil {
		value = *v.version
	} else {
		req.Config.GetAttribute(ctx, path.Root("product_version"), &value)
	}
	if value.IsNull() {
		return catalog.DefaultVersion, true
	}
	return value.ValueString(), !value.IsUnknown()
}

// unknownOperation reports a name that is no operation of any version, with a "did you mean" hint.
func unknownOperation(req validator.StringRequest, resp *validator.StringResponse, name string, valid []string) {
	detail := fmt.Sprintf("%q is not a Veeam operation.", name)
	if suggestion := catalog.Suggest(name); suggestion != "" {
		detail += fmt.Sprintf(" Did you mean %q?", suggestion)
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Unknown operation",
		detail+" Valid operations: "+strings.Join(valid, ", ")+".")
}

// applianceOperationValidator checks, during plan, that the appliance's console can grant an operation: an
// operation with no appliance permission (flr_worker) is refused with the operation to register instead.
type applianceOperationValidator struct{}

func (applianceOperationValidator) Description(context.Context) string {
	return "one of: " + strings.Join(catalog.ApplianceOperations(), ", ")
}

func (v applianceOperationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (applianceOperationValidator) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	_, err := catalog.AppliancePermission(name)
	var none *catalog.NoAppliancePermissionError
	switch {
	case err == nil:
	case errors.As(err, &none):
		resp.Diagnostics.AddAttributeError(req.Path, "Operation the appliance cannot grant",
			fmt.Sprintf("The appliance's console has no check box and its REST API no permission for %q. Write "+
				"%q instead: the appliance offers a role registered with it for %s too. The role's IAM policies "+
				"can still be built for %q (vbaws_role_template).", name, none.Instead, name, name))
	default:
		unknownOperation(req, resp, name, catalog.ApplianceOperations())
	}
}

// applianceOperationsDescription lists the operations the appliance can grant, and what to write instead of each
// one it cannot: "`a`, `b` (`flr_worker` has none: write `production_worker`)".
func applianceOperationsDescription() string {
	text := strings.Join(codeSpans(catalog.ApplianceOperations()), ", ")
	var instead []string
	for _, name := range catalog.AllOperations() {
		var none *catalog.NoAppliancePermissionError
		if _, err := catalog.AppliancePermission(name); errors.As(err, &none) {
			instead = append(instead, fmt.Sprintf("`%s` has none: write `%s`", name, none.Instead))
		}
	}
	if len(instead) > 0 {
		text += " (" + strings.Join(instead, "; ") + ")"
	}
	return text
}

// operationsValidators and productVersionValidators check a selection wherever one is taken: the operations
// against the configuration's product_version.
func operationsValidators() []validator.Set {
	return []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(operationValidator{})}
}

// operationsValidatorsFor checks a function's operations argument against its product_version argument.
func operationsValidatorsFor(version types.String) []validator.Set {
	return []validator.Set{setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(operationValidator{version: &version})}
}

func productVersionValidators() []validator.String {
	return []validator.String{productVersionValidator()}
}
