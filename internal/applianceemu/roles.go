package applianceemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
// its account or under its path, its trust policy does not let the appliance's account in, it requires another
// external ID, or its trust policy changed less than AssumeDelay ago. AWS answers AccessDenied in every one of
// these cases, so the appliance cannot tell them apart and neither does the answer. Inferred: the status and the
// text; Veeam does not publish what registration answers when the assume fails.
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
		arn := "arn:aws:iam::" + rec.AccountID + ":role/" + strings.TrimPrefix(rec.RoleName, "/")
		writeProblem(w, http.StatusBadRequest, "validationError", "Cannot assume the IAM role", "UnexpectedContent",
			fmt.Sprintf("Failed to assume role %s: AccessDenied: the appliance is not authorized to perform "+
				"sts:AssumeRole on this role (%s).", arn, problem))
		return false
	}
	return true
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
	if problem := trustProblem(info.TrustPolicy, s.opts.AccountID, rec.ExternalID); problem != "" {
		return problem, nil
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

// trustStatement is the part of a trust policy statement the emulator reads.
type trustStatement struct {
	Effect    string                     `json:"Effect"`
	Principal json.RawMessage            `json:"Principal"`
	Action    json.RawMessage            `json:"Action"`
	Condition map[string]json.RawMessage `json:"Condition"`
}

// trustProblem says why the appliance's account (or a role in it) may not assume a role with this trust
// policy and external ID, or "" when it may. It reads Allow statements only; a Deny is not evaluated.
func trustProblem(policy, applianceAccount, externalID string) string {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return "its trust policy is not JSON"
	}
	var statements []trustStatement
	if json.Unmarshal(doc.Statement, &statements) != nil {
		var one trustStatement
		if json.Unmarshal(doc.Statement, &one) != nil {
			return "its trust policy has no statements"
		}
		statements = []trustStatement{one}
	}
	wrongID := false
	for _, st := range statements {
		if st.Effect != "Allow" || !allowsAssume(st.Action) || !trustsAccount(st.Principal, applianceAccount) {
			continue
		}
		required := externalIDs(st.Condition)
		if len(required) == 0 || slices.Contains(required, externalID) {
			return ""
		}
		wrongID = true
	}
	if wrongID {
		return "its trust policy requires another external ID"
	}
	return "its trust policy does not trust the appliance's account " + applianceAccount
}

func allowsAssume(action json.RawMessage) bool {
	for _, a := range stringOrList(action) {
		if a == "*" || strings.EqualFold(a, "sts:*") || strings.EqualFold(a, "sts:AssumeRole") {
			return true
		}
	}
	return false
}

func trustsAccount(principal json.RawMessage, account string) bool {
	var byType map[string]json.RawMessage
	if json.Unmarshal(principal, &byType) != nil {
		return false
	}
	for _, p := range stringOrList(byType["AWS"]) {
		if p == "*" || p == account || strings.Contains(p, ":iam::"+account+":") {
			return true
		}
	}
	return false
}

// externalIDs are the values of StringEquals sts:ExternalId in a condition block.
func externalIDs(condition map[string]json.RawMessage) []string {
	var equals map[string]json.RawMessage
	if json.Unmarshal(condition["StringEquals"], &equals) != nil {
		return nil
	}
	for key, values := range equals {
		if strings.EqualFold(key, "sts:ExternalId") {
			return stringOrList(values)
		}
	}
	return nil
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
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
