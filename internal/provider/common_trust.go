package provider

import (
	"regexp"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// Trust-policy pieces that vbaws_iam_role, vbaws_trust_relationship and the data sources share.

// veeamTrustSid is the Sid of the statement that lets the appliance assume a role; the service principals get
// a second statement, policy.ServicesSid(veeamTrustSid).
const veeamTrustSid = "VeeamBackupImpersonation"

// externalIDPattern is the characters IAM accepts in an sts:ExternalId value.
var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

// keepEquivalent returns prior when it means the same as document, so that an equivalent text is never a change.
func keepEquivalent(prior PolicyValue, document string) PolicyValue {
	if !prior.IsNull() && !prior.IsUnknown() {
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
