package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

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

// veeamTrustSpec is how vbaws_iam_role and vbaws_trust_relationship both turn their known inputs into the Veeam
// statements under sid: the principals parsed for the partition (a problem is reported on principalsAt), the
// external ID the principals must send, and the service principals.
func veeamTrustSpec(ctx context.Context, sid string, principalsAt path.Path, principals []string,
	externalID types.String, services types.Set, partition string) (policy.TrustSpec, diag.Diagnostics) {
	arns, diags := principalARNs(principalsAt, principals, partition)
	var serviceNames []string
	diags.Append(services.ElementsAs(ctx, &serviceNames, false)...)
	return policy.TrustSpec{Sid: sid, AWSPrincipals: arns, ExternalID: externalID.ValueString(),
		ServicePrincipals: serviceNames}, diags
}
