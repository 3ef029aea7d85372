package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/policy"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// assumeRoleAction is the one permission Veeam requires of the Impersonation role, on every resource.
const assumeRoleAction = "sts:AssumeRole"

var (
	_ datasource.DataSourceWithConfigure        = (*impersonationRoleDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*impersonationRoleDataSource)(nil)
)

func newImpersonationRoleDataSource() datasource.DataSource { return &impersonationRoleDataSource{} }

// impersonationRoleDataSource finds the backup appliance's Impersonation role and checks that it may assume roles.
type impersonationRoleDataSource struct {
	dataSourceClients
}

type impersonationRoleModel struct {
	Name                types.String `tfsdk:"name"`
	ARN                 types.String `tfsdk:"arn"`
	InstanceProfileName types.String `tfsdk:"instance_profile_name"`
	Path                types.String `tfsdk:"path"`
	UniqueID            types.String `tfsdk:"unique_id"`
	AccountID           types.String `tfsdk:"account_id"`
	Partition           types.String `tfsdk:"partition"`
	CreateDate          types.String `tfsdk:"create_date"`
	InstanceProfileARNs types.List   `tfsdk:"instance_profile_arns"`
	CanAssumeRoles      types.Bool   `tfsdk:"can_assume_roles"`
}

func (d *impersonationRoleDataSource) Metadata(
	_ context.Context,
	req datasource.MetadataRequest,
	resp *datasource.MetadataResponse,
) {
	resp.TypeName = req.ProviderTypeName + "_impersonation_role"
}

func (d *impersonationRoleDataSource) Schema(
	_ context.Context,
	_ datasource.SchemaRequest,
	resp *datasource.SchemaResponse,
) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the Impersonation role of a Veeam Backup for AWS appliance: the role attached to " +
			"the appliance that assumes every other role Veeam is given. Look it up by `name`, `arn` or " +
			"`instance_profile_name`; with none of them, the provider's own identity is used when Terraform runs as " +
			"that role. `can_assume_roles` tells whether its policies allow `sts:AssumeRole` on `*`, as Veeam " +
			"requires, evaluated locally from the policy documents.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Role name to look up, or the name found.",
				Validators:          []validator.String{roleNameValidator()},
			},
			"arn": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Role ARN to look up (`arn:aws:iam::123456789012:role/path/name`), or the ARN found.",
				Validators:          []validator.String{roleARNValidator()},
			},
			"instance_profile_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name of the appliance's instance profile; the role it contains is returned.",
			},
			"path": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Role path, `/` when none.",
			},
			"unique_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Stable role ID (`AROA…`).",
			},
			"account_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "AWS account that owns the role.",
			},
			"partition": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "AWS partition of the role ARN.",
			},
			"create_date": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the role was created (RFC 3339).",
			},
			"instance_profile_arns": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Instance profiles that contain the role.",
			},
			"can_assume_roles": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the role's inline or attached managed policies allow `sts:AssumeRole` " +
					"on `*` with no Deny overriding it. Allow statements with conditions do not count. When false, a " +
					"warning names the missing permission.",
			},
		},
	}
}

func (d *impersonationRoleDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(
			path.MatchRoot("name"),
			path.MatchRoot("arn"),
			path.MatchRoot("instance_profile_name"),
		),
	}
}

func (d *impersonationRoleDataSource) Read(
	ctx context.Context,
	req datasource.ReadRequest,
	resp *datasource.ReadResponse,
) {
	var m impersonationRoleModel
	if !readConfigured(ctx, req.Config, &m, d.client, &resp.Diagnostics) {
		return
	}
	role, err := d.findRole(ctx, m)
	var missing *lookupError
	switch {
	case errors.As(err, &missing):
		resp.Diagnostics.AddError("Impersonation role not found", err.Error())
		return
	case err != nil:
		addAWSError(&resp.Diagnostics, "Cannot read the Impersonation role", err)
		return
	}
	roleName := aws.ToString(role.RoleName)
	profiles, err := d.client.ReadInstanceProfilesForRole(ctx, roleName)
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot read the Impersonation role's instance profiles", err)
		return
	}
	canAssume, err := d.canAssumeRoles(ctx, roleName)
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot evaluate the Impersonation role's permissions", err)
		return
	}
	if !canAssume {
		resp.Diagnostics.AddWarning(
			"The Impersonation role cannot assume roles",
			fmt.Sprintf(
				"Role %s has no policy that allows sts:AssumeRole on \"*\" (or a Deny overrides it). "+
					"Veeam requires that permission to use any other role; add a policy statement "+
					"{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}.",
				aws.ToString(role.Arn),
			),
		)
	}
	resp.Diagnostics.Append(m.fill(ctx, role, profiles, canAssume)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// lookupError is a lookup that found no role, as opposed to one that could not look (unreachable, denied).
type lookupError struct{ message string }

func (e *lookupError) Error() string { return e.message }

func notFound(format string, args ...any) error { return &lookupError{fmt.Sprintf(format, args...)} }

// findRole looks the role up by whichever input is set, or from the caller identity when none is. A role that
// does not exist is a *lookupError.
func (d *impersonationRoleDataSource) findRole(ctx context.Context, m impersonationRoleModel) (*iamtypes.Role, error) {
	switch {
	case m.Name.ValueString() != "":
		return d.getRole(ctx, m.Name.ValueString(), "name "+m.Name.ValueString())
	case m.ARN.ValueString() != "":
		return d.roleByARN(ctx, m.ARN.ValueString())
	case m.InstanceProfileName.ValueString() != "":
		return d.roleByInstanceProfile(ctx, m.InstanceProfileName.ValueString())
	default:
		return d.roleFromCaller(ctx)
	}
}

func (d *impersonationRoleDataSource) getRole(ctx context.Context, name, searchedBy string) (*iamtypes.Role, error) {
	role, err := d.client.ReadRole(ctx, name, awsclient.RoleHint{})
	if awsclient.IsNoSuchEntity(err) {
		return nil, notFound("no IAM role with %s exists in account %s", searchedBy, orUnknown(d.client.AccountID))
	}
	if err != nil {
		return nil, fmt.Errorf("reading IAM role %s: %w", name, err)
	}
	return role, nil
}

func (d *impersonationRoleDataSource) roleByARN(ctx context.Context, roleARN string) (*iamtypes.Role, error) {
	p, problem := principal.ParseRoleARN(roleARN)
	if problem != nil {
		return nil, problem
	}
	if d.client.AccountID != "" && p.AccountID != d.client.AccountID {
		return nil, notFound(
			"role %s is in account %s, but the provider runs in account %s; "+
				"use a provider alias with assume_role for that account",
			roleARN,
			p.AccountID,
			d.client.AccountID,
		)
	}
	role, err := d.getRole(ctx, p.Name, "ARN "+roleARN)
	if err != nil {
		return nil, err
	}
	if aws.ToString(role.Arn) != roleARN {
		return nil, notFound(
			"no IAM role with ARN %s exists; a role named %s exists as %s",
			roleARN,
			p.Name,
			aws.ToString(role.Arn),
		)
	}
	return role, nil
}

func (d *impersonationRoleDataSource) roleByInstanceProfile(
	ctx context.Context,
	profileName string,
) (*iamtypes.Role, error) {
	profile, err := d.client.GetInstanceProfile(ctx, profileName)
	if awsclient.IsNoSuchEntity(err) {
		return nil, notFound(
			"no instance profile named %s exists in account %s",
			profileName,
			orUnknown(d.client.AccountID),
		)
	}
	if err != nil {
		return nil, fmt.Errorf("reading instance profile %s: %w", profileName, err)
	}
	if len(profile.Roles) == 0 {
		return nil, notFound("instance profile %s contains no role", profileName)
	}
	return d.getRole(
		ctx,
		aws.ToString(profile.Roles[0].RoleName),
		"the name found in instance profile "+profileName,
	)
}

// roleFromCaller maps the provider's assumed-role session (arn:aws:sts::123456789012:assumed-role/Name/session)
// to the role it belongs to.
func (d *impersonationRoleDataSource) roleFromCaller(ctx context.Context) (*iamtypes.Role, error) {
	caller, err := d.client.Caller(ctx)
	if err != nil {
		return nil, err
	}
	name, ok := assumedRoleName(caller)
	if !ok {
		return nil, notFound(
			"the provider does not run as a role (caller %s), so the Impersonation role cannot be derived from it; "+
				"set one of name, arn or instance_profile_name",
			orUnknown(caller),
		)
	}
	return d.getRole(ctx, name, "the name of the caller's session "+caller)
}

func assumedRoleName(callerARN string) (string, bool) {
	parsed, err := arn.Parse(callerARN)
	if err != nil || parsed.Service != "sts" {
		return "", false
	}
	parts := strings.Split(parsed.Resource, "/")
	if len(parts) != 3 || parts[0] != "assumed-role" {
		return "", false
	}
	return parts[1], true
}

func (d *impersonationRoleDataSource) canAssumeRoles(ctx context.Context, roleName string) (bool, error) {
	docs, err := d.client.RoleIdentityPolicies(ctx, roleName)
	if err != nil {
		return false, err
	}
	return policy.AllowsAction(docs, assumeRoleAction, "*")
}

func (m *impersonationRoleModel) fill(
	ctx context.Context,
	role *iamtypes.Role,
	profiles []iamtypes.InstanceProfile,
	canAssume bool,
) diag.Diagnostics {
	roleARN := aws.ToString(role.Arn)
	parsed, _ := arn.Parse(roleARN)
	m.Name = types.StringValue(aws.ToString(role.RoleName))
	m.ARN = types.StringValue(roleARN)
	m.Path = types.StringValue(aws.ToString(role.Path))
	m.UniqueID = types.StringValue(aws.ToString(role.RoleId))
	m.AccountID = types.StringValue(parsed.AccountID)
	m.Partition = types.StringValue(parsed.Partition)
	m.CreateDate = rfc3339(role.CreateDate)
	m.CanAssumeRoles = types.BoolValue(canAssume)
	var diags diag.Diagnostics
	profileARNs := make([]string, 0, len(profiles))
	for _, p := range profiles {
		profileARNs = append(profileARNs, aws.ToString(p.Arn))
	}
	m.InstanceProfileARNs, diags = types.ListValueFrom(ctx, types.StringType, profileARNs)
	return diags
}
