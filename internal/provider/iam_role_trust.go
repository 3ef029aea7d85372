package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// The trust policy of vbaws_iam_role. Adopting roles made elsewhere (Veeam's CloudFormation, the console, another
// team): the resource reads its inputs back from what the trust policy means, never from our Sids, and compares
// trust policies the same way, so that an imported role plans no changes.

// sameTrust reports whether two trust policies grant the same, whatever their Sids and however Veeam's part is
// split into statements. Unparsable documents are never the same.
func sameTrust(a, b string) bool {
	same, err := policy.SameTrustMeaning(a, b, trustFilter())
	return err == nil && same
}

// importTrust fills trusted_principal_arns, external_id, service_principals and additional_trust_policy from the
// trust policy of an imported role by what its statements mean, so that a role made by Veeam's CloudFormation
// (Sid-less statements) imports as well as one this resource made. A trust naming no principal the appliance can
// use (the Impersonation role itself, a service role) leaves trusted_principal_arns null, which plans with a
// warning; every statement that is not Veeam's goes, unchanged, into additional_trust_policy, and when one of them
// lets anyone in, allow_public_trust is true, so that the configuration generated on import plans.
func (m *iamRoleModel) importTrust(trust string) diag.Diagnostics {
	var diags diag.Diagnostics
	doc, err := policy.Parse(trust)
	if err != nil {
		diags.AddError("Cannot parse the role's trust policy", err.Error())
		return diags
	}
	spec, others := policy.ReadTrust(doc, veeamTrustSid, trustFilter())
	m.TrustedPrincipalARNs = setOrNull(types.SetNull(types.StringType), spec.AWSPrincipals)
	m.ExternalID = stringOrNull(aws.String(spec.ExternalID))
	m.ServicePrincipals = setOrNull(types.SetNull(types.StringType), spec.ServicePrincipals)
	m.AdditionalTrustPolicy = PolicyValue{StringValue: types.StringNull()}
	if len(others) > 0 {
		m.AdditionalTrustPolicy = NewPolicyValue(jsonencodeForm(policy.NewDocument(others...).Marshal()))
	}
	m.AllowPublicTrust = types.BoolNull()
	if len(policy.OpenStatements(policy.NewDocument(others...))) > 0 {
		m.AllowPublicTrust = types.BoolValue(true) // the generated configuration then states what the role trusts
	}
	return diags
}

// jsonencodeForm rewrites a JSON document the way Terraform's jsonencode writes it: compact, object keys sorted.
// Values read on import get this form, so that a configuration written with jsonencode, as Terraform generates
// it, matches them exactly: Terraform compares configuration and state by text while planning.
func jsonencodeForm(text string) string {
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return text
	}
	out, err := json.Marshal(value)
	if err != nil {
		return text
	}
	return string(out)
}

// additionalTrustStatements returns the statements of additional_trust_policy; none when it is null.
func (in roleTrustInputs) additionalTrustStatements() ([]policy.Statement, diag.Diagnostics) {
	var diags diag.Diagnostics
	if in.AdditionalTrustPolicy.IsNull() {
		return nil, diags
	}
	doc, err := policy.Parse(in.AdditionalTrustPolicy.ValueString())
	if err != nil {
		diags.AddAttributeError(pathAdditionalTrust, "Invalid additional trust policy", err.Error())
		return nil, diags
	}
	return doc.Statements, diags
}

// updateTrust replaces the role's own trust policy.
func (r *iamRoleResource) updateTrust(ctx context.Context, name, current, trust string) error {
	if sameTrust(current, trust) {
		return nil
	}
	if err := r.client.UpdateTrustPolicy(ctx, name, trust); err != nil {
		return fmt.Errorf("updating the trust policy of role %s: %w", name, err)
	}
	return nil
}
