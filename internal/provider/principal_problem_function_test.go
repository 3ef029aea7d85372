package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// principal_problem returns null for every principal parse_principal accepts and, without failing, the plan's
// own message for every principal it refuses.
func TestPrincipalProblemFunction_verdicts(t *testing.T) {
	for _, value := range []string{"arn:aws-cn:iam::111111111111:role/veeam/Impersonation", "222222222222",
		"arn:aws:iam::333333333333:root"} {
		result, funcErr := runFunction(t, newPrincipalProblemFunction(), types.StringValue(value))
		if funcErr != nil || !result.IsNull() {
			t.Errorf("%q: %v, error %v; want null", value, result, funcErr)
		}
	}
	for value, pattern := range invalidPrincipalCases() {
		if strings.HasPrefix(value, "arn:aws-cn:") {
			continue
		}
		result, funcErr := runFunction(t, newPrincipalProblemFunction(), types.StringValue(value))
		_, problem := principal.Parse(value, "")
		got, ok := result.(types.String)
		switch {
		case funcErr != nil || problem == nil || !ok:
			t.Errorf("%q: result %v, function error %v, plan problem %v", value, result, funcErr, problem)
		case got.ValueString() != problem.Error():
			t.Errorf("%q: the function says %q, the plan %q", value, got.ValueString(), problem.Error())
		case !regexp.MustCompile(pattern).MatchString(got.ValueString()):
			t.Errorf("%q: %q does not match %q", value, got.ValueString(), pattern)
		}
	}
}
