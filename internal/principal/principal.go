// Package principal parses and validates the AWS principals that the provider's role trust policies may name,
// and the IAM rules for role names, paths and service principals. The provider promises that a wrong principal
// fails while planning, before any AWS call, so every rule IAM would enforce is enforced here.
package principal

import (
	"fmt"
	"strings"
)

// Kind tells what a Principal refers to.
type Kind int

const (
	// KindRole is an IAM role, written arn:<partition>:iam::<account-id>:role/<path/>name.
	KindRole Kind = iota + 1
	// KindAccountRoot is a whole AWS account, written arn:<partition>:iam::<account-id>:root.
	KindAccountRoot
)

// Principal is a trusted principal accepted by Parse.
type Principal struct {
	// Partition is the AWS partition, such as aws or aws-cn.
	Partition string
	// AccountID is the 12-digit AWS account ID.
	AccountID string
	// Path is the role path, "/" when the role has none and for account roots.
	Path string
	// Name is the role name, empty for account roots.
	Name string
	// Kind tells whether the principal is a role or an account root.
	Kind Kind
}

// ARN returns the form a trust policy names: the role ARN, or arn:<partition>:iam::<account-id>:root.
func (p Principal) ARN() string {
	prefix := "arn:" + p.Partition + ":iam::" + p.AccountID + ":"
	if p.IsAccountRoot() {
		return prefix + "root"
	}
	return prefix + "role" + p.Path + p.Name
}

// IsAccountRoot reports whether the principal is a whole account rather than one role.
func (p Principal) IsAccountRoot() bool {
	return p.Kind == KindAccountRoot
}

// Problem is a validation error or warning, shaped for a Terraform diagnostic.
type Problem struct {
	// Summary is one line naming the rule that was broken, such as "Wildcard principal not allowed".
	Summary string
	// Detail says what was given, why it is wrong and what to write instead.
	Detail string
}

// Error returns the summary and the detail on one line, so a Problem can travel as an error.
func (p *Problem) Error() string {
	return p.Summary + ": " + p.Detail
}

// newProblem builds a Problem whose detail is formatted like fmt.Sprintf.
func newProblem(summary, format string, args ...any) *Problem {
	return &Problem{Summary: summary, Detail: fmt.Sprintf(format, args...)}
}

// defaultPartition is where bare account IDs go when the provider's partition is not known.
const defaultPartition = "aws"

// Parse checks one trust principal: an IAM role ARN, an account root ARN or a bare 12-digit account ID, which
// becomes the account root ARN in providerPartition. providerPartition may be empty when it is not known yet; then
// bare account IDs use "aws" and principals from any supported partition are accepted.
func Parse(value, providerPartition string) (Principal, *Problem) {
	if problem := checkProviderPartition(providerPartition); problem != nil {
		return Principal{}, problem
	}
	if problem := checkShape(value); problem != nil {
		return Principal{}, problem
	}
	p, problem := parseForm(value, providerPartition)
	if problem != nil {
		return Principal{}, problem
	}
	if problem := checkSamePartition(value, p.Partition, providerPartition); problem != nil {
		return Principal{}, problem
	}
	return p, nil
}

// parseForm dispatches on whether value is written as an ARN.
func parseForm(value, providerPartition string) (Principal, *Problem) {
	if strings.HasPrefix(value, "arn:") {
		return parseARN(value)
	}
	if providerPartition == "" {
		providerPartition = defaultPartition
	}
	return parseBare(value, providerPartition)
}

// wildcardConsequence says what a wildcard principal would do: "*" alone lets anyone assume the role, while IAM
// refuses a wildcard inside a principal ARN (it cannot match part of a principal's name or ARN).
func wildcardConsequence(value string) string {
	if value == "*" {
		return "A lone * lets anyone assume the role, from any account."
	}
	return "IAM refuses a wildcard inside a principal ARN: it cannot match part of a principal's name. " +
		"To trust several roles, list each ARN; to trust roles by a name pattern, trust their account and add " +
		"an ArnLike condition on aws:PrincipalArn in additional_trust_policy."
}

// checkShape rejects what is wrong whatever form the value takes: emptiness, wildcards and surrounding whitespace.
func checkShape(value string) *Problem {
	switch {
	case value == "":
		return newProblem(
			"Empty principal",
			"The principal is an empty string. Name the Veeam Impersonation role ARN, such as %s.",
			exampleRoleARN(defaultPartition, ""),
		)
	case strings.ContainsAny(value, "*?"):
		return newProblem(
			"Wildcard principal not allowed",
			"%q contains a wildcard (* or ?). %s Name the Veeam Impersonation role ARN instead, such as %s.",
			value,
			wildcardConsequence(value),
			exampleRoleARN(defaultPartition, ""),
		)
	case strings.TrimSpace(value) != value:
		return newProblem(
			"Principal has leading or trailing whitespace",
			"%q starts or ends with whitespace, which IAM does not match. Remove it: %q.",
			value,
			strings.TrimSpace(value),
		)
	}
	return nil
}

// RootWarning returns the warning for an account-root principal, or nil for a role.
func RootWarning(p Principal) *Problem {
	if !p.IsAccountRoot() {
		return nil
	}
	return newProblem(
		"Account root principal trusts the whole account",
		"%s trusts all of account %s: every principal in that account allowed to call sts:AssumeRole "+
			"could assume this role. Prefer the Veeam Impersonation role ARN, such as %s.",
		p.ARN(),
		p.AccountID,
		exampleRoleARN(p.Partition, p.AccountID),
	)
}

// ParseRoleARN accepts only an IAM role ARN, such as the arn input of a data source. Everything else gets the
// same problem Parse reports, and account roots are rejected as well.
func ParseRoleARN(value string) (Principal, *Problem) {
	p, problem := Parse(value, "")
	if problem != nil {
		return Principal{}, problem
	}
	if p.IsAccountRoot() {
		return Principal{}, newProblem("Not a role ARN",
			"%q names all of account %s, not one role. Give the role ARN, such as %s.",
			value, p.AccountID, exampleRoleARN(p.Partition, p.AccountID))
	}
	return p, nil
}

// exampleRoleARN returns a role ARN to show in hints, with placeholders for what is not known.
func exampleRoleARN(partition, accountID string) string {
	return roleARN(partition, accountID, "<IMPERSONATION_ROLE_NAME>")
}

// roleARN returns arn:<partition>:iam::<account-id>:role/<name>, with a placeholder for an empty account ID.
func roleARN(partition, accountID, name string) string {
	if accountID == "" {
		accountID = "<ACCOUNT_ID>"
	}
	return "arn:" + partition + ":iam::" + accountID + ":role/" + name
}
