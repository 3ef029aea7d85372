package applianceemu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
)

// RoleChecker looks roles up in AWS, as the appliance does when it assumes a role it is given.
type RoleChecker interface {
	// Role returns the role named name in accountID, or nil when there is none.
	Role(ctx context.Context, accountID, name string) (*RoleInfo, error)
	// Policies returns the permission policies of the role named name in accountID: its inline and attached
	// managed policies and its permissions boundary.
	Policies(ctx context.Context, accountID, name string) (policy.Policies, error)
}

// RoleInfo is what the emulator needs to know about a role.
type RoleInfo struct {
	Path        string
	TrustPolicy string // the decoded JSON document
}

// trustSeen is when the emulator first saw a role's current trust policy.
type trustSeen struct {
	policy string
	since  time.Time
}

// checkAssumable answers 400 when the appliance could not assume the record's role: the role does not exist in
// its account or under its path, its trust policy does not let the Impersonation role in (Deny statements and
// conditions included, sts:ExternalId being the record's external ID), the Impersonation role's own policies do
// not allow sts:AssumeRole on it, or its trust policy changed less than AssumeDelay ago. AWS answers
// AccessDenied in every one of these cases, so the appliance cannot tell them apart and neither does the answer.
// Inferred: the status and the text; Veeam does not publish what registration answers when the assume fails.
func (s *Server) checkAssumable(w http.ResponseWriter, r *http.Request, rec Record) bool {
	if s.opts.Roles == nil {
		return true
	}
	problem, err := s.assumeProblem(r.Context(), rec)
	switch {
	case err != nil:
		writeProblem(w, http.StatusInternalServerError, "unknownError", "Internal Server Error", "UnknownError",
			"Checking the role in AWS failed: "+err.Error())
		return false
	case problem != "":
		writeProblem(w, http.StatusBadRequest, "validationError", "Cannot assume the IAM role", "UnexpectedContent",
			fmt.Sprintf("Failed to assume role %s: AccessDenied: the appliance is not authorized to perform "+
				"sts:AssumeRole on this role (%s).", roleARN(rec), problem))
		return false
	}
	return true
}

// roleARN is the ARN of a record's role.
func roleARN(rec Record) string {
	return "arn:aws:iam::" + rec.AccountID + ":role/" + strings.TrimPrefix(rec.RoleName, "/")
}

// assumeProblem says why the record's role cannot be assumed now, or "" when it can. The reason is for the
// emulator's user; a real appliance sees only AccessDenied.
func (s *Server) assumeProblem(ctx context.Context, rec Record) (string, error) {
	rolePath, name := splitRoleName(rec.RoleName)
	info, err := s.opts.Roles.Role(ctx, rec.AccountID, name)
	switch {
	case err != nil:
		return "", err
	case info == nil:
		return "no such role in account " + rec.AccountID, nil
	case info.Path != rolePath:
		return fmt.Sprintf("the role's path is %s, not %s", info.Path, rolePath), nil
	}
	problem, err := s.trustProblem(ctx, rec, info.TrustPolicy)
	if problem != "" || err != nil {
		return problem, err
	}
	key := rec.AccountID + "/" + rec.RoleName
	s.mu.Lock()
	seen, ok := s.trust[key]
	if !ok || seen.policy != info.TrustPolicy {
		seen = trustSeen{policy: info.TrustPolicy, since: time.Now()}
		s.trust[key] = seen
	}
	s.mu.Unlock()
	if wait := s.opts.AssumeDelay - time.Since(seen.since); wait > 0 {
		return fmt.Sprintf("its trust policy changed moments ago and is still propagating for about %s",
			wait.Round(time.Second)), nil
	}
	return "", nil
}

// impersonationPolicy is the Impersonation role's only permission as Veeam documents it (verified): the
// emulator's caller has it when Options name no Impersonation role.
const impersonationPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],` +
	`"Resource":"*"}]}`

// trustProblem decides with the provider's own evaluator whether the Impersonation role may assume the record's
// role: its trust policy must let the role in (policy.CheckTrust) and the role's own policies must allow
// sts:AssumeRole on it, unless a trust policy in the same account names the role itself (policy.MayAssumeRole).
func (s *Server) trustProblem(ctx context.Context, rec Record, trust string) (string, error) {
	doc, err := policy.Parse(trust)
	if err != nil {
		return "its trust policy does not read: " + err.Error(), nil //nolint:nilerr // the refusal is the answer
	}
	caller, policies, err := s.impersonation(ctx)
	if err != nil {
		return "", err
	}
	result := policy.CheckTrust(doc, policy.Caller{ARN: caller, ExternalID: rec.ExternalID})
	if !result.Trusted() {
		return fmt.Sprintf("its trust policy does not let %s in (%s)", caller, trustReasons[result.Reason]), nil
	}
	sameAccount := rec.AccountID == s.opts.AccountID
	e := policy.MayAssumeRole(policies, roleARN(rec), policy.RoleContext(caller), sameAccount && result.NamesRole)
	if len(e.Findings) > 0 || len(e.Unparsed) > 0 {
		return fmt.Sprintf("the policies of %s do not allow sts:AssumeRole on it", caller), nil
	}
	return "", nil
}

// trustReasons words policy.TrustReason for the emulator's message.
var trustReasons = map[policy.TrustReason]string{
	policy.NotNamed:              "it is not named",
	policy.TrustConditionNotMet:  "a condition does not hold, such as another external ID",
	policy.TrustConditionUnknown: "a condition depends on more than the request carries",
	policy.TrustDenied:           "a Deny statement applies",
	policy.TrustMaybeDenied:      "a Deny statement may apply",
	policy.TrustUnreadable:       "a statement does not read",
}

// impersonation is the role the appliance assumes roles as and its policies: Options.ImpersonationRoleARN read
// from AWS, or, without one, the root of the appliance's account with the documented Impersonation policy.
func (s *Server) impersonation(ctx context.Context) (string, policy.Policies, error) {
	arn := s.opts.ImpersonationRoleARN
	if arn == "" {
		return "arn:aws:iam::" + s.opts.AccountID + ":root",
			policy.Policies{Identity: []policy.NamedDocument{{Name: "documented", Text: impersonationPolicy}}}, nil
	}
	account, name := accountAndName(arn)
	policies, err := s.opts.Roles.Policies(ctx, account, name)
	if err != nil {
		return "", policy.Policies{}, fmt.Errorf("reading the policies of the Impersonation role %s: %w", arn, err)
	}
	return arn, policies, nil
}

// accountAndName reads the account and the role name (without its path) of a role ARN.
func accountAndName(arn string) (string, string) {
	fields := strings.SplitN(arn, ":", 6)
	if len(fields) != 6 {
		return "", arn
	}
	return fields[4], path.Base(fields[5])
}

// splitRoleName splits "/dept/name" into "/dept/" and "name"; a bare name has path "/".
func splitRoleName(roleName string) (string, string) {
	i := strings.LastIndex(roleName, "/")
	if i < 0 {
		return "/", roleName
	}
	p := roleName[:i+1]
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p, roleName[i+1:]
}

// MotoRoles looks roles up in moto_server (or any IAM endpoint): in DefaultAccount with the static keys, in
// any other account through the role MemberRole there, which moto lets the keys assume, as an AWS Organization's
// OrganizationAccountAccessRole.
type MotoRoles struct {
	Endpoint       string
	Region         string
	AccessKey      string
	SecretKey      string
	DefaultAccount string
	MemberRole     string

	mu      sync.Mutex
	clients map[string]*iam.Client
}

// Role reads the role with GetRole in its account.
func (m *MotoRoles) Role(ctx context.Context, accountID, name string) (*RoleInfo, error) {
	out, err := m.client(accountID).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var missing *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &missing):
		return nil, nil
	case err != nil:
		return nil, err
	}
	trust, err := policy.Decode(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		return nil, err
	}
	return &RoleInfo{Path: aws.ToString(out.Role.Path), TrustPolicy: trust}, nil
}

// Policies reads the inline and attached managed policies and the permissions boundary of a role.
func (m *MotoRoles) Policies(ctx context.Context, accountID, name string) (policy.Policies, error) {
	client := m.client(accountID)
	var p policy.Policies
	inline, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return p, err
	}
	for _, policyName := range inline.PolicyNames {
		out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name),
			PolicyName: aws.String(policyName)})
		if err != nil {
			return p, err
		}
		text, err := policy.Decode(aws.ToString(out.PolicyDocument))
		if err != nil {
			return p, err
		}
		p.Identity = append(p.Identity, policy.NamedDocument{Name: "inline policy " + policyName, Text: text})
	}
	attached, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return p, err
	}
	for _, a := range attached.AttachedPolicies {
		doc, err := managedPolicy(ctx, client, aws.ToString(a.PolicyArn))
		if err != nil {
			return p, err
		}
		p.Identity = append(p.Identity, doc)
	}
	role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil || role.Role.PermissionsBoundary == nil {
		return p, err
	}
	boundary, err := managedPolicy(ctx, client, aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn))
	p.Boundary = &boundary
	return p, err
}

// managedPolicy reads the default version of a managed policy.
func managedPolicy(ctx context.Context, client *iam.Client, arn string) (policy.NamedDocument, error) {
	got, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return policy.NamedDocument{}, err
	}
	version, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn),
		VersionId: got.Policy.DefaultVersionId})
	if err != nil {
		return policy.NamedDocument{}, err
	}
	text, err := policy.Decode(aws.ToString(version.PolicyVersion.Document))
	return policy.NamedDocument{Name: arn, Text: text}, err
}

func (m *MotoRoles) client(accountID string) *iam.Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.clients[accountID]; ok {
		return c
	}
	if m.clients == nil {
		m.clients = map[string]*iam.Client{}
	}
	region := m.Region
	if region == "" {
		region = "us-east-1"
	}
	cfg := aws.Config{Region: region,
		Credentials: credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, "")}
	endpoint := aws.String(m.Endpoint)
	if accountID != m.DefaultAccount {
		stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpoint })
		roleARN := "arn:aws:iam::" + accountID + ":role/" + m.MemberRole
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, roleARN))
	}
	c := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = endpoint })
	m.clients[accountID] = c
	return c
}
