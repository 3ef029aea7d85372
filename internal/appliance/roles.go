package appliance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// accountsPath is the collection of IAM role records in every revision seen (verified: /accounts/amazon, the
// "IAM Roles" tag).
const accountsPath = "/accounts/amazon"

// pageSize is the Limit of each list request; the appliance's default page size is not documented.
const pageSize = 100

// Role is an IAM role record of the appliance (console: IAM Roles).
type Role struct {
	ID          string
	Name        string
	Description string
	// AccountID is the AWS account the role lives in.
	AccountID string
	// RoleName is the role's name as the appliance holds it, with its path when it has one (/dept/name).
	RoleName string
	// CrossAccount is true for the "IAM role from another account" mode.
	CrossAccount bool
	// IsDefault marks the record the appliance made at installation ("Default Backup Restore").
	IsDefault bool
	// Partition follows the record's region type: aws, aws-us-gov or aws-cn.
	Partition string
	// RegionType is the record's region type as the appliance spells it (verified: Global, Emulator,
	// Government, China).
	RegionType string
	// Permissions are the appliance's permission names of the record; nil when its revision has none.
	Permissions []string
	// AccessKeys is true for a record of the "create a new IAM role" mode, made with one-time access keys.
	AccessKeys bool
}

// ARN is the role's ARN, built from the record's account and role name.
func (r Role) ARN() string {
	return "arn:" + r.Partition + ":iam::" + r.AccountID + ":role/" + strings.TrimPrefix(r.RoleName, "/")
}

// RoleNameOf is the role name the appliance takes for a role with this path and name: the bare name for path
// "/", otherwise the path and the name, as the console's "/dept_1/backup_role" (verified in the user guide; that
// the REST API takes the same form is inferred).
func RoleNameOf(path, name string) string {
	if path == "" || path == "/" {
		return name
	}
	return path + name
}

// RoleSpec is what a create or update sends: the whole record.
type RoleSpec struct {
	Name        string
	Description string
	AccountID   string
	RoleName    string
	// CrossAccount picks the "IAM role from another account" mode, which carries AccountID and ExternalID; the
	// "IAM role from current account" mode carries only RoleName.
	CrossAccount bool
	ExternalID   string
	// Permissions are appliance permission names; empty means all (verified: the console's "nothing selected").
	Permissions []string
}

// wireSpec is AmazonAccountCreateSpec, which equals AmazonAccountUpdateSpec (verified: 1.0-rev0).
type wireSpec struct {
	Name string `json:"name"`
	// Description is always sent: omitting it on PUT sets it to null (verified).
	Description               string          `json:"description"`
	IAMRole                   *wireRoleRef    `json:"IAMRole,omitempty"`
	IAMRoleFromAnotherAccount *wireForeignRef `json:"IAMRoleFromAnotherAccount,omitempty"`
	// RequestedPermissions exists from 1.5-rev0 (verified: a permission property was added); its name is
	// inferred from a client written against 1.8-rev0. It is omitted for "all".
	RequestedPermissions []string `json:"requestedPermissions,omitempty"`
}

type wireRoleRef struct {
	RoleName string `json:"roleName"`
}

type wireForeignRef struct {
	AccountID  string `json:"accountId"`
	RoleName   string `json:"roleName"`
	ExternalID string `json:"externalId,omitempty"`
}

// wireAccount is AmazonAccount, a record as the appliance returns it. Go matches JSON keys regardless of case,
// so IAMRole also reads the iamRole spelling a 1.8-rev0 client uses (inferred).
type wireAccount struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	// AWSID is the account field of 1.0-rev0 (verified); AWSAccountID its name in 1.8-rev0 (inferred).
	AWSID        string `json:"awsid"`
	AWSAccountID string `json:"awsAccountId"`
	RegionType   string `json:"regionType"`
	IAMRole      *struct {
		RoleName  string `json:"roleName"`
		IsDefault bool   `json:"isDefault"`
	} `json:"IAMRole"`
	IAMRoleFromAnotherAccount *struct {
		AccountID string `json:"accountId"`
		RoleName  string `json:"roleName"`
	} `json:"IAMRoleFromAnotherAccount"`
	AccessKeys *struct{} `json:"accessKeys"`
	// AccountPermissions is read from 1.5-rev0 on; name and element shape are inferred (strings, or objects
	// with a name).
	AccountPermissions []json.RawMessage `json:"accountPermissions"`
}

// wirePage is AmazonAccountsPage (verified).
type wirePage struct {
	Results    []wireAccount `json:"results"`
	TotalCount int           `json:"totalCount"`
}

// ValidationMessage is one finding of validateName or validateDelete (verified: severity Warning or Error,
// message, contextId).
type ValidationMessage struct {
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	ContextID string `json:"contextId"`
}

// Errors returns the messages of severity Error.
func Errors(messages []ValidationMessage) []string {
	var errs []string
	for _, m := range messages {
		if strings.EqualFold(m.Severity, "Error") {
			errs = append(errs, m.Message)
		}
	}
	return errs
}

func (w wireAccount) role() Role {
	r := Role{ID: w.ID, Name: w.Name, AccountID: firstOf(w.AWSAccountID, w.AWSID),
		Partition: regionTypePartition(w.RegionType), RegionType: w.RegionType, AccessKeys: w.AccessKeys != nil}
	if w.Description != nil {
		r.Description = *w.Description
	}
	switch {
	case w.IAMRoleFromAnotherAccount != nil:
		r.CrossAccount = true
		r.AccountID = firstOf(w.IAMRoleFromAnotherAccount.AccountID, r.AccountID)
		r.RoleName = w.IAMRoleFromAnotherAccount.RoleName
	case w.IAMRole != nil:
		r.RoleName, r.IsDefault = w.IAMRole.RoleName, w.IAMRole.IsDefault
	}
	if w.AccountPermissions != nil {
		r.Permissions = permissionNames(w.AccountPermissions)
	}
	return r
}

// permissionNames reads permission entries that are strings or objects with a name-like field (inferred).
func permissionNames(raw []json.RawMessage) []string {
	names := []string{}
	for _, entry := range raw {
		var s string
		if json.Unmarshal(entry, &s) == nil {
			names = append(names, s)
			continue
		}
		var obj map[string]any
		if json.Unmarshal(entry, &obj) == nil {
			for _, key := range []string{"name", "permission", "type"} {
				if v, ok := obj[key].(string); ok {
					names = append(names, v)
					break
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

// regionTypePartition maps RegionTypes (verified: Global, Emulator, Government, China) to a partition.
func regionTypePartition(regionType string) string {
	switch regionType {
	case "Government":
		return "aws-us-gov"
	case "China":
		return "aws-cn"
	}
	return "aws"
}

// PermissionsUnsupportedError says that the revision spoken has no permission selection.
type PermissionsUnsupportedError struct {
	Revision string
}

func (e *PermissionsUnsupportedError) Error() string {
	return fmt.Sprintf("the appliance speaks REST revision %s, which has no permission selection; "+
		"permissions need %s or later", e.Revision, permissionsSince)
}

// wire encodes spec for the revision the client speaks.
func (c *Client) wire(ctx context.Context, spec RoleSpec) (wireSpec, error) {
	w := wireSpec{Name: spec.Name, Description: spec.Description}
	if spec.CrossAccount {
		w.IAMRoleFromAnotherAccount = &wireForeignRef{AccountID: spec.AccountID, RoleName: spec.RoleName,
			ExternalID: spec.ExternalID}
	} else {
		w.IAMRole = &wireRoleRef{RoleName: spec.RoleName}
	}
	if len(spec.Permissions) == 0 {
		return w, nil
	}
	rev, err := c.Revision(ctx)
	if err != nil {
		return w, err
	}
	if !rev.SupportsPermissions() {
		return w, &PermissionsUnsupportedError{Revision: rev.String()}
	}
	w.RequestedPermissions = append([]string(nil), spec.Permissions...)
	sort.Strings(w.RequestedPermissions)
	return w, nil
}

// Create registers a role (POST, 201, verified). When the answer is lost, it looks the record up by name before
// it sends the request again, so that a lost answer never makes a second record.
func (c *Client) Create(ctx context.Context, spec RoleSpec) (*Role, error) {
	body, err := c.wire(ctx, spec)
	if err != nil {
		return nil, err
	}
	var out wireAccount
	var found *Role
	lost := func(ctx context.Context) (bool, error) {
		r, err := c.FindByName(ctx, spec.Name)
		if err != nil || r == nil {
			return false, err
		}
		if (spec.AccountID != "" && r.AccountID != spec.AccountID) || !sameRoleName(r.RoleName, spec.RoleName) {
			return false, fmt.Errorf("record %q appeared while it was being created, but for role %s", spec.Name, r.ARN())
		}
		found = r
		return true, nil
	}
	err = c.do(ctx, call{method: http.MethodPost, path: accountsPath, body: body, auth: true, lost: lost}, &out)
	switch {
	case err != nil:
		return nil, err
	case found != nil:
		return found, nil
	}
	r := out.role()
	return &r, nil
}

func sameRoleName(a, b string) bool { return strings.TrimPrefix(a, "/") == strings.TrimPrefix(b, "/") }

// Update replaces a record with spec (PUT, 200, verified). Sending it again is harmless.
func (c *Client) Update(ctx context.Context, id string, spec RoleSpec) (*Role, error) {
	body, err := c.wire(ctx, spec)
	if err != nil {
		return nil, err
	}
	var out wireAccount
	err = c.do(ctx, call{method: http.MethodPut, path: accountsPath + "/" + url.PathEscape(id), body: body,
		auth: true, safe: true}, &out)
	if err != nil {
		return nil, err
	}
	if out.ID == "" { // inferred tolerance: an answer without the record
		return c.Get(ctx, id)
	}
	r := out.role()
	return &r, nil
}

// Get reads one record; a missing one is an error for which IsNotFound is true (404, verified).
func (c *Client) Get(ctx context.Context, id string) (*Role, error) {
	var out wireAccount
	err := c.do(ctx, call{method: http.MethodGet, path: accountsPath + "/" + url.PathEscape(id), auth: true,
		safe: true}, &out)
	if err != nil {
		return nil, err
	}
	r := out.role()
	return &r, nil
}

// Delete removes a record (DELETE; 200 in the spec, 204 in the reference, verified). A record that is already
// gone counts as removed, so a retry after a lost answer succeeds.
func (c *Client) Delete(ctx context.Context, id string) error {
	err := c.do(ctx, call{method: http.MethodDelete, path: accountsPath + "/" + url.PathEscape(id), auth: true,
		safe: true}, nil)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// ValidateName asks whether a new record may take name (verified: 200 with an empty list, or messages).
func (c *Client) ValidateName(ctx context.Context, name string) ([]ValidationMessage, error) {
	var out []ValidationMessage
	err := c.do(ctx, call{method: http.MethodPost, path: accountsPath + "/validateName",
		body: map[string]string{"name": name}, auth: true, safe: true}, &out)
	return out, err
}

// ValidateDelete asks whether a record may be removed; messages of severity Error name what still uses it.
func (c *Client) ValidateDelete(ctx context.Context, id string) ([]ValidationMessage, error) {
	var out []ValidationMessage
	err := c.do(ctx, call{method: http.MethodPost, path: accountsPath + "/" + url.PathEscape(id) + "/validateDelete",
		auth: true, safe: true}, &out)
	return out, err
}

// List returns every record whose name matches pattern (the appliance's SearchPattern, whose semantics are not
// documented; "" lists all), paging through with Offset and Limit (verified) in name order.
func (c *Client) List(ctx context.Context, pattern string) ([]Role, error) {
	var roles []Role
	pages := newPager(c.base)
	for offset := 0; ; {
		q := url.Values{"Offset": {strconv.Itoa(offset)}, "Limit": {strconv.Itoa(pageSize)}, "Sort": {"nameAsc"}}
		if pattern != "" {
			q.Set("SearchPattern", pattern)
		}
		var page wirePage
		if err := c.do(ctx, call{method: http.MethodGet, path: accountsPath, query: q, auth: true, safe: true,
			maxBody: maxListPageBytes}, &page); err != nil {
			return nil, err
		}
		done, err := pages.add(page, offset, &roles)
		if done || err != nil {
			return roles, err
		}
		offset += len(page.Results)
	}
}

// FindByName returns the record named exactly name, or nil. It narrows the listing with SearchPattern unless the
// name holds characters a pattern might treat specially.
func (c *Client) FindByName(ctx context.Context, name string) (*Role, error) {
	pattern := name
	if strings.ContainsAny(name, "*?%_[]\\") {
		pattern = ""
	}
	roles, err := c.List(ctx, pattern)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if r.Name == name {
			return &r, nil
		}
	}
	return nil, nil
}

// ApplianceAccountID returns the AWS account of the appliance itself, learned once from its default record
// (verified: "Default Backup Restore" carries isDefault and the appliance's account). It is "" when the
// appliance has no default record, and an *AccountFieldError when the default record carries the account in no
// field this client reads: every role would otherwise be registered as a role from another account.
func (c *Client) ApplianceAccountID(ctx context.Context) (string, error) {
	c.accountMu.Lock()
	defer c.accountMu.Unlock()
	if c.account != nil {
		return *c.account, nil
	}
	roles, err := c.List(ctx, "")
	if err != nil {
		return "", err
	}
	account := ""
	for _, r := range roles {
		if r.IsDefault {
			if r.AccountID == "" {
				return "", c.accountFieldError(ctx, r)
			}
			account = r.AccountID
			break
		}
	}
	c.account = &account
	return account, nil
}

// AccountFieldError says that the appliance's default record carries its AWS account in no field this client
// reads (awsid, awsAccountId).
type AccountFieldError struct {
	Record   string
	Revision string
}

func (e *AccountFieldError) Error() string {
	return fmt.Sprintf("the appliance's default record %q carries its AWS account in none of the fields this "+
		"provider reads for REST revision %s (awsid, awsAccountId), so the provider cannot tell a role of the "+
		"appliance's account from one of another account", e.Record, e.Revision)
}

func (c *Client) accountFieldError(ctx context.Context, r Role) error {
	rev, err := c.Revision(ctx)
	if err != nil {
		return err
	}
	return &AccountFieldError{Record: r.Name, Revision: rev.String()}
}

// DefaultRecordFacts returns the region type of the appliance's default record and the permission names it
// reports, which are those the appliance offers (verified: the default record is registered with nothing selected,
// which means all; inferred: that it reports them). Both are empty when the appliance has no default record;
// the names are nil when its revision has no permissions.
func (c *Client) DefaultRecordFacts(ctx context.Context) (string, []string, error) {
	roles, err := c.List(ctx, "")
	if err != nil {
		return "", nil, err
	}
	for _, r := range roles {
		if r.IsDefault {
			return r.RegionType, r.Permissions, nil
		}
	}
	return "", nil, nil
}

// Pauses between attempts of WhileNotAssumable.
const (
	firstAssumePause = time.Second
	maxAssumePause   = 5 * time.Second
)

// WhileNotAssumable calls fn until it succeeds or fails otherwise than IsNotAssumable, for at most wait: the
// appliance cannot assume a role whose trust policy changed moments ago (up to 5 minutes, verified). Before each
// pause it calls waiting with the attempt that failed, the pause and the refusal. The pauses end early when ctx
// ends; fn runs with a context of its own.
func WhileNotAssumable(ctx context.Context, wait time.Duration, waiting func(attempt int, pause time.Duration,
	refusal error), fn func() error) error {
	deadline := time.Now().Add(wait)
	pause := firstAssumePause
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !IsNotAssumable(err) {
			return err
		}
		if time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("the appliance still could not assume the role after %d attempts within %s: %w",
				attempt, wait, err)
		}
		waiting(attempt, pause, err)
		if serr := sleep(ctx, pause); serr != nil {
			return fmt.Errorf("interrupted while waiting for the role to become assumable: %w", err)
		}
		pause = min(2*pause, maxAssumePause)
	}
}
