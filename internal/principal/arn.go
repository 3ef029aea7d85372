package principal

import (
	"regexp"
	"strings"
)

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	roleNamePattern  = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern      = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)
	uniqueIDPattern  = regexp.MustCompile(`^(AROA|AIDA|AGPA|ANPA|AIPA|ASIA|AKIA)[A-Z0-9]{12,}$`)
	servicePattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$`)
)

const (
	maxRoleNameLength = 64
	maxPathLength     = 512
)

// arnParts are the six colon-separated fields of an ARN; the resource keeps any further colons.
type arnParts struct {
	partition, service, region, account, resource string
}

// splitARN cuts value into its fields, or reports that it is not shaped like an ARN.
func splitARN(value string) (arnParts, *Problem) {
	fields := strings.SplitN(value, ":", 6)
	if len(fields) != 6 {
		return arnParts{}, newProblem(
			"Malformed ARN",
			"%q does not have the six colon-separated parts of an ARN (arn:partition:service:region:account:resource). "+
				"A role ARN looks like %s.",
			value,
			exampleRoleARN(defaultPartition, ""),
		)
	}
	return arnParts{
		partition: fields[1],
		service:   fields[2],
		region:    fields[3],
		account:   fields[4],
		resource:  fields[5],
	}, nil
}

// parseARN checks an ARN that should name an IAM role or an account root.
func parseARN(value string) (Principal, *Problem) {
	a, problem := splitARN(value)
	if problem != nil {
		return Principal{}, problem
	}
	if !isPartition(a.partition) {
		return Principal{}, unknownPartition(value, a.partition)
	}
	if problem := checkService(value, a); problem != nil {
		return Principal{}, problem
	}
	if a.region != "" {
		return Principal{}, newProblem("Region in IAM ARN",
			"%q names region %q, but IAM is global and its ARNs have an empty region field: %s.",
			value, a.region, "arn:"+a.partition+":iam::"+orPlaceholder(a.account)+":"+a.resource)
	}
	if problem := checkAccountID(value, a.account); problem != nil {
		return Principal{}, problem
	}
	return parseIAMResource(value, a)
}

// checkService rejects ARNs of services other than IAM, with a dedicated hint for STS session ARNs.
func checkService(value string, a arnParts) *Problem {
	switch {
	case a.service == "sts" && strings.HasPrefix(a.resource, "assumed-role/"):
		roleName, _, _ := strings.Cut(strings.TrimPrefix(a.resource, "assumed-role/"), "/")
		return newProblem("Session ARN is not a role ARN",
			"%q is an assumed-role session, which ends when the session expires and cannot be trusted by a role. "+
				"Use the role's IAM ARN instead: %s (add the role's path if it has one).",
			value, roleARN(a.partition, a.account, roleName))
	case a.service != "iam":
		return newProblem("Not an IAM principal",
			"%q is a %s ARN. A trust principal must be an IAM role ARN or an account, such as %s.",
			value, a.service, exampleRoleARN(a.partition, a.account))
	}
	return nil
}

// checkAccountID requires exactly 12 digits.
func checkAccountID(value, account string) *Problem {
	if accountIDPattern.MatchString(account) {
		return nil
	}
	return newProblem("Invalid account ID",
		"%q has account ID %q, but an AWS account ID is exactly 12 digits, such as 123456789012.", value, account)
}

// iamResourceHints explains, per IAM resource type, why it cannot be a trust principal here.
var iamResourceHints = map[string]string{
	"user":             "an IAM user; Veeam assumes roles with its Impersonation role, so trust that role",
	"group":            "an IAM group, and groups can never be principals",
	"policy":           "a managed policy, not a principal",
	"instance-profile": "an instance profile; trust the role inside it instead",
	"oidc-provider": "an OIDC identity provider, which needs sts:AssumeRoleWithWebIdentity " +
		"rather than sts:AssumeRole",
	"saml-provider":      "a SAML provider, which needs sts:AssumeRoleWithSAML rather than sts:AssumeRole",
	"server-certificate": "a server certificate, not a principal",
	"mfa":                "an MFA device, not a principal",
	"federated-user":     "a federated user session, which cannot be trusted by a role",
	"assumed-role":       "a session, which belongs in an sts ARN and cannot be trusted by a role",
}

// parseIAMResource reads the resource part of an IAM ARN: root or role/<path/>name.
func parseIAMResource(value string, a arnParts) (Principal, *Problem) {
	if a.resource == "root" {
		return Principal{Partition: a.partition, AccountID: a.account, Path: "/", Kind: KindAccountRoot}, nil
	}
	resourceType, rest, _ := strings.Cut(a.resource, "/")
	if resourceType != "role" {
		return Principal{}, notARole(value, a, resourceType)
	}
	return parseRolePath(value, a, rest)
}

// notARole explains an IAM ARN of a type that cannot be trusted.
func notARole(value string, a arnParts, resourceType string) *Problem {
	why, known := iamResourceHints[resourceType]
	if !known {
		why = "not an IAM role or account root"
	}
	return newProblem(
		"Not a role or account principal",
		"%q is %s. Trust the Veeam Impersonation role instead, such as %s.",
		value,
		why,
		exampleRoleARN(a.partition, a.account),
	)
}

// parseRolePath splits "<path/>name" and checks both parts.
func parseRolePath(value string, a arnParts, rest string) (Principal, *Problem) {
	slash := strings.LastIndex(rest, "/")
	rolePath, name := "/"+rest[:slash+1], rest[slash+1:]
	if problem := ValidatePath(rolePath); problem != nil {
		return Principal{}, withValue(value, problem)
	}
	if problem := ValidateRoleName(name); problem != nil {
		return Principal{}, withValue(value, problem)
	}
	return Principal{Partition: a.partition, AccountID: a.account, Path: rolePath, Name: name, Kind: KindRole}, nil
}

// withValue prefixes a problem's detail with the principal it was found in.
func withValue(value string, p *Problem) *Problem {
	return &Problem{Summary: p.Summary, Detail: "In " + quote(value) + ": " + p.Detail}
}

func quote(s string) string {
	return `"` + s + `"`
}

func orPlaceholder(account string) string {
	if account == "" {
		return "<ACCOUNT_ID>"
	}
	return account
}

// parseBare checks a value that is not an ARN: only a 12-digit account ID is accepted.
func parseBare(value, partition string) (Principal, *Problem) {
	switch {
	case accountIDPattern.MatchString(value):
		return Principal{Partition: partition, AccountID: value, Path: "/", Kind: KindAccountRoot}, nil
	case isAllDigits(value):
		return Principal{}, newProblem(
			"Invalid account ID",
			"%q has %d digits, but an AWS account ID is exactly 12 digits, such as 123456789012. Keep any leading zeros.",
			value,
			len(value),
		)
	case ValidateServicePrincipal(value) == nil:
		return Principal{}, newProblem(
			"Service principal in trusted principals",
			"%q is an AWS service principal. Put it in service_principals, which adds the separate statement services need.",
			value,
		)
	case uniqueIDPattern.MatchString(value):
		return Principal{}, newProblem(
			"Unique ID is not a principal",
			"%q looks like an IAM unique ID. IAM shows unique IDs in a trust policy only after the role "+
				"they named was deleted; give the role ARN instead, such as %s.",
			value,
			exampleRoleARN(partition, ""),
		)
	case roleNamePattern.MatchString(value):
		return Principal{}, newProblem(
			"Bare role name is not a principal",
			"%q looks like a role name. A trust policy needs the full role ARN, such as %s.",
			value,
			roleARN(partition, "", value),
		)
	}
	return Principal{}, newProblem("Unrecognised principal",
		"%q is neither an IAM role ARN, an account root ARN nor a 12-digit account ID. A role ARN looks like %s.",
		value, exampleRoleARN(partition, ""))
}

func isAllDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// ValidateRoleName checks IAM's rules for a role name: 1 to 64 characters of letters, digits and +=,.@_-.
func ValidateRoleName(name string) *Problem {
	switch {
	case name == "":
		return newProblem(
			"Invalid role name",
			"The role name is empty; IAM role names have 1 to %d characters.",
			maxRoleNameLength,
		)
	case len(name) > maxRoleNameLength:
		return newProblem("Invalid role name",
			"The role name %q has %d characters; IAM allows at most %d.", name, len(name), maxRoleNameLength)
	case !roleNamePattern.MatchString(name):
		return newProblem("Invalid role name",
			"The role name %q contains characters IAM does not allow; use only letters, digits and +=,.@_-.", name)
	}
	return nil
}

// ValidatePath checks IAM's rules for a path: at most 512 printable ASCII characters, starting and ending with "/".
func ValidatePath(p string) *Problem {
	switch {
	case len(p) > maxPathLength:
		return newProblem("Invalid path", "The path has %d characters; IAM allows at most %d.", len(p), maxPathLength)
	case !pathPattern.MatchString(p):
		return newProblem(
			"Invalid path",
			"The path %q must start and end with \"/\" and contain only printable ASCII characters, such as /veeam/.",
			p,
		)
	case strings.Contains(p, "//"):
		return newProblem("Invalid path", "The path %q contains an empty segment (\"//\").", p)
	}
	return nil
}

// ValidateServicePrincipal checks the form of an AWS service principal such as backup.amazonaws.com.
func ValidateServicePrincipal(value string) *Problem {
	if servicePattern.MatchString(value) {
		return nil
	}
	return newProblem(
		"Invalid service principal",
		"%q is not an AWS service principal. Service principals look like backup.amazonaws.com or ec2.amazonaws.com.",
		value,
	)
}
