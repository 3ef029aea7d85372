package principal

// ListResult is the outcome of checking a list of trust principals.
type ListResult struct {
	// Principals are the accepted principals, in input order, without duplicates.
	Principals []Principal
	// Errors maps the index of each rejected input to its problem.
	Errors map[int]*Problem
	// Warnings maps the index of each accepted input that deserves a warning to it.
	Warnings map[int]*Problem
}

// ParseList checks every value with Parse, reports a value whose normalised ARN repeats an earlier one (an
// account ID and its root ARN, say), and warns about account roots.
func ParseList(values []string, providerPartition string) ListResult {
	result := ListResult{Errors: map[int]*Problem{}, Warnings: map[int]*Problem{}}
	firstIndex := map[string]int{}
	for i, value := range values {
		p, problem := Parse(value, providerPartition)
		if problem != nil {
			result.Errors[i] = problem
			continue
		}
		if j, seen := firstIndex[p.ARN()]; seen {
			result.Errors[i] = newProblem("Duplicate principal",
				"%q is the same principal as %q (both mean %s). List it once.", value, values[j], p.ARN())
			continue
		}
		firstIndex[p.ARN()] = i
		result.Principals = append(result.Principals, p)
		if warning := RootWarning(p); warning != nil {
			result.Warnings[i] = warning
		}
	}
	return result
}
