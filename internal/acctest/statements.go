package acctest

import "github.com/vbaws/terraform-provider-vbaws/internal/policy"

// HoldsStatements reports whether doc holds statements equivalent to want under the Sids of want, whatever else
// doc holds: how a test checks in IAM that a writer's statements survived.
func HoldsStatements(doc policy.Document, want []policy.Statement) bool {
	found := make([]policy.Statement, 0, len(want))
	for _, w := range want {
		s, ok := doc.Find(w.Sid())
		if !ok {
			return false
		}
		found = append(found, s)
	}
	equivalent, err := policy.Equivalent(policy.NewDocument(found...).Marshal(), policy.NewDocument(want...).Marshal())
	return err == nil && equivalent
}
