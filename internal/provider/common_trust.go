package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// Trust-policy pieces that vbaws_iam_role, vbaws_trust_relationship and the data sources share.

// veeamTrustSid is the Sid of the statement that lets the appliance assume a role; the service principals get
// a second statement, policy.ServicesSid(veeamTrustSid).
const veeamTrustSid = "VeeamBackupImpersonation"

// externalIDPattern is the characters IAM accepts in an sts:ExternalId value.
var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

// externalIDValidators check an sts:ExternalId value at plan time as IAM does, with one wording wherever an
// external_id is taken.
func externalIDValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(2, 1224),
		stringvalidator.RegexMatches(externalIDPattern, "must contain only letters, digits and +=,.@:/-"),
	}
}

// keepEquivalent returns prior when it means the same as document, so that an equivalent text is never a change.
// The same text decides without parsing either.
func keepEquivalent(prior PolicyValue, document string) PolicyValue {
	if !prior.IsNull() && !prior.IsUnknown() {
		if prior.ValueString() == document {
			return prior
		}
		if equivalent, err := policy.Equivalent(prior.ValueString(), document); err == nil && equivalent {
			return prior
		}
	}
	return NewPolicyValue(document)
}

// trustFilter accepts the principals trusted_principal_arns and service_principals accept, so that a statement
// is read as Veeam's only when this resource could have written it.
func trustFilter() policy.PrincipalFilter {
	return policy.PrincipalFilter{
		AWS: func(s string) bool {
			_, problem := principal.Parse(s, "")
			return problem == nil
		},
		Service: func(s string) bool { return principal.ValidateServicePrincipal(s) == nil },
	}
}
