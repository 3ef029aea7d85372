package provider

import (
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// Trust-policy pieces that vbaws_iam_role, vbaws_trust_relationship and the data sources share.

// veeamTrustSid is the Sid of the statement that lets the appliance assume a role; the service principals get
// a second statement, policy.ServicesSid(veeamTrustSid).
const veeamTrustSid = "VeeamBackupImpersonation"

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
