package awsclient

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/sync/errgroup"
)

// roleIndex is a snapshot of the account's roles under one path, by exact name.
type roleIndex struct {
	byName map[string]*snapshotRole
}

// snapshotRole is one role as the snapshot holds it: the role as ListRoles describes it, with the tags and boundary
// GetAccountAuthorizationDetails gives, and its attachments, inline policies (as IAM sent them, URL-encoded) and
// the instance profiles that hold it.
type snapshotRole struct {
	role     iamtypes.Role
	attached []string
	inline   map[string]string
	profiles []iamtypes.InstanceProfile
}

// policyIndex is a snapshot of the account's customer managed policies, by ARN.
type policyIndex struct {
	byARN map[string]snapshotPolicy
}

// snapshotPolicy is one policy's identity and the documents of its versions, by version ID, as IAM sent them.
type snapshotPolicy struct {
	id       string
	created  *time.Time
	versions map[string]string
}

func (c *Client) snapshotSource() snapshotSource {
	return snapshotSource{measure: c.measureAccount, loadRoles: c.loadRoles, loadPolicies: c.loadPolicies}
}

// measureAccount counts the account's roles and customer managed policies with one GetAccountSummary call.
func (c *Client) measureAccount(ctx context.Context) (accountSize, error) {
	out, err := c.IAM.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return accountSize{}, fmt.Errorf("reading the account summary: %w", err)
	}
	return accountSize{roles: int(out.SummaryMap["Roles"]), policies: int(out.SummaryMap["Policies"])}, nil
}

// loadRoles takes the role snapshot: ListRoles under pathPrefix and GetAccountAuthorizationDetails for roles,
// side by side, joined by name. A role the two answers disagree about (made again in between) is left out, so
// that it is read with GetRole.
func (c *Client) loadRoles(ctx context.Context, pathPrefix string) (*roleIndex, error) {
	var listed []iamtypes.Role
	var details []iamtypes.RoleDetail
	group, ctx := errgroup.WithContext(ctx)
	group.Go(func() (err error) {
		listed, err = c.listRoles(ctx, pathPrefix)
		return err
	})
	group.Go(func() error {
		return c.authorizationDetails(ctx, iamtypes.EntityTypeRole,
			func(page *iam.GetAccountAuthorizationDetailsOutput) {
				details = append(details, page.RoleDetailList...)
			})
	})
	if err := group.Wait(); err != nil {
		return nil, err
	}
	byName := make(map[string]*snapshotRole, len(listed))
	for _, role := range listed {
		byName[aws.ToString(role.RoleName)] = &snapshotRole{role: role}
	}
	index := &roleIndex{byName: map[string]*snapshotRole{}}
	for _, d := range details {
		name := aws.ToString(d.RoleName)
		entry, ok := byName[name]
		if !ok || aws.ToString(entry.role.RoleId) != aws.ToString(d.RoleId) {
			continue
		}
		entry.role.Tags, entry.role.PermissionsBoundary = d.Tags, d.PermissionsBoundary
		entry.attached = make([]string, 0, len(d.AttachedManagedPolicies))
		for _, p := range d.AttachedManagedPolicies {
			entry.attached = append(entry.attached, aws.ToString(p.PolicyArn))
		}
		entry.inline = make(map[string]string, len(d.RolePolicyList))
		for _, p := range d.RolePolicyList {
			entry.inline[aws.ToString(p.PolicyName)] = aws.ToString(p.PolicyDocument)
		}
		entry.profiles = d.InstanceProfileList
		index.byName[name] = entry
	}
	return index, nil
}

func (c *Client) listRoles(ctx context.Context, pathPrefix string) ([]iamtypes.Role, error) {
	var roles []iamtypes.Role
	err := c.EachRole(ctx, pathPrefix, func(role iamtypes.Role) bool {
		roles = append(roles, role)
		return true
	})
	if err != nil {
		return nil, err
	}
	return roles, nil
}

// authorizationDetails pages through GetAccountAuthorizationDetails for one kind of entity.
func (c *Client) authorizationDetails(ctx context.Context, kind iamtypes.EntityType,
	each func(*iam.GetAccountAuthorizationDetailsOutput)) error {
	pages := iam.NewGetAccountAuthorizationDetailsPaginator(c.IAM, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{kind}, MaxItems: aws.Int32(authorizationDetailsPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("reading the account's authorization details (%s): %w", kind, err)
		}
		each(page)
	}
	return nil
}

// loadPolicies takes the policy snapshot: GetAccountAuthorizationDetails for customer managed policies.
func (c *Client) loadPolicies(ctx context.Context) (*policyIndex, error) {
	index := &policyIndex{byARN: map[string]snapshotPolicy{}}
	err := c.authorizationDetails(ctx, iamtypes.EntityTypeLocalManagedPolicy,
		func(page *iam.GetAccountAuthorizationDetailsOutput) {
			for _, p := range page.Policies {
				entry := snapshotPolicy{id: aws.ToString(p.PolicyId), created: p.CreateDate,
					versions: make(map[string]string, len(p.PolicyVersionList))}
				for _, v := range p.PolicyVersionList {
					entry.versions[aws.ToString(v.VersionId)] = aws.ToString(v.Document)
				}
				index.byARN[aws.ToString(p.Arn)] = entry
			}
		})
	if err != nil {
		return nil, err
	}
	return index, nil
}

// document returns the snapshot's document of the default version GetPolicy reported for p, if the snapshot
// holds that very policy: same ID or, where IAM left the ID out, the same creation date.
func (x *policyIndex) document(p *iamtypes.Policy) (string, bool) {
	entry, ok := x.byARN[aws.ToString(p.Arn)]
	if !ok {
		return "", false
	}
	sameID := entry.id != "" && entry.id == aws.ToString(p.PolicyId)
	sameDate := entry.id == "" && entry.created != nil && p.CreateDate != nil && entry.created.Equal(*p.CreateDate)
	if !sameID && !sameDate {
		return "", false
	}
	document, ok := entry.versions[aws.ToString(p.DefaultVersionId)]
	return document, ok
}
