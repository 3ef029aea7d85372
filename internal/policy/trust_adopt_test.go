package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// veeamFilter accepts what vbaws_iam_role accepts in trusted_principal_arns and service_principals.
func veeamFilter() PrincipalFilter {
	return PrincipalFilter{
		AWS: func(s string) bool {
			_, problem := principal.Parse(s, "")
			return problem == nil
		},
		Service: func(s string) bool { return principal.ValidateServicePrincipal(s) == nil },
	}
}

// adoptionCase is the part of a fixture in testdata/adopt this package checks: the trust policy as Veeam's
// automation writes it and what it means.
type adoptionCase struct {
	Trust  json.RawMessage `json:"trust"`
	Expect struct {
		TrustedPrincipalARNs []string `json:"trusted_principal_arns"`
		ExternalID           string   `json:"external_id"`
		ServicePrincipals    []string `json:"service_principals"`
		AdditionalStatements int      `json:"additional_statements"`
	} `json:"expect"`
}

// Every trust policy Veeam's automation writes splits into the Veeam spec and the statements that are not
// Veeam's; put back together they mean exactly the original, and the original already grants the spec, so
// neither vbaws_iam_role nor vbaws_trust_relationship has anything to write.
func TestReadTrustOfRolesVeeamAutomationMakes(t *testing.T) {
	files, err := filepath.Glob("testdata/adopt/*.json")
	if err != nil || len(files) < 10 {
		t.Fatalf("want the 10 adoption fixtures, found %d (%v)", len(files), err)
	}
	fill := strings.NewReplacer("{{account}}", "111111111111", "{{appliance_name}}", "VeeamImpersonationRoleV1",
		"{{appliance_arn}}", "arn:aws:iam::111111111111:role/VeeamImpersonationRoleV1")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c adoptionCase
			if err := json.Unmarshal([]byte(fill.Replace(string(text))), &c); err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(string(c.Trust))
			if err != nil {
				t.Fatal(err)
			}
			spec, others := ReadTrust(doc, "Veeam", veeamFilter())
			if !slices.Equal(spec.AWSPrincipals, nilIfEmpty(c.Expect.TrustedPrincipalARNs)) ||
				spec.ExternalID != c.Expect.ExternalID ||
				!slices.Equal(spec.ServicePrincipals, nilIfEmpty(c.Expect.ServicePrincipals)) ||
				len(others) != c.Expect.AdditionalStatements {
				t.Fatalf("read %+v and %d other statements, want %+v", spec, len(others), c.Expect)
			}
			merged := MergeTrust(spec, others).Marshal()
			if same, err := SameTrustMeaning(merged, string(c.Trust), veeamFilter()); err != nil || !same {
				t.Errorf("the trust is not recognised as the same (%v):\n%s", err, merged)
			}
			if !CoversTrust(doc, spec, veeamFilter()) {
				t.Errorf("the trust does not cover what it was read as")
			}
		})
	}
}
