package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
	"github.com/vbaws/terraform-provider-vbaws/internal/template"
)

// maxTemplateNameLength leaves room in IAM's 128-character policy names for the "-N" suffix of split parts.
const maxTemplateNameLength = 125

var (
	_                 resource.ResourceWithConfigure      = (*roleTemplateResource)(nil)
	_                 resource.ResourceWithImportState    = (*roleTemplateResource)(nil)
	_                 resource.ResourceWithModifyPlan     = (*roleTemplateResource)(nil)
	_                 resource.ResourceWithValidateConfig = (*roleTemplateResource)(nil)
	policyNamePattern                                     = regexp.MustCompile(`^[\w+=,.@-]+$`)
)

func newRoleTemplateResource() resource.Resource { return &roleTemplateResource{} }

// roleTemplateResource keeps Veeam's permissions for a selection of operations as customer managed policies.
type roleTemplateResource struct {
	resourceClients
}

type roleTemplateModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	Path        types.String   `tfsdk:"path"`
	Description types.String   `tfsdk:"description"`
	Tags        types.Map      `tfsdk:"tags"`
	TagsAll     types.Map      `tfsdk:"tags_all"`
	PolicyARNs  types.List     `tfsdk:"policy_arns"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
	templateSelection
	templateOutputs
}

func (r *roleTemplateResource) Metadata(
	_ context.Context,
	req resource.MetadataRequest,
	resp *resource.MetadataResponse,
) {
	resp.TypeName = req.ProviderTypeName + "_role_template"
}

func (r *roleTemplateResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Veeam's IAM permissions for a selection of operations as customer managed policies, split " +
			"into parts that fit IAM's limit of 6,144 characters: one policy called `name`, or `name-1`, `name-2`, ... when " +
			"the permissions need several. Every value is known at plan time, so `policy_arns`, `service_principals` and " +
			"`requires_instance_profile` can feed a `vbaws_iam_role` directly.\n\n" +
			"Each part is tagged with the operations, the product version and its part number, which is how import " +
			"rebuilds the selection. A changed selection becomes a new default policy version; when a policy already has " +
			"five versions, the oldest non-default one is deleted first.\n\n" +
			"**Fewer parts.** When a change needs fewer parts, or parts with other names, a part that is no longer needed " +
			"is deleted if nothing uses it. If something still has it attached, typically a `vbaws_iam_role` of the same " +
			"configuration that Terraform updates after this template, the part is tagged `" + awsclient.RetiredTagKey +
			"` instead and left in place; `vbaws_iam_role` deletes a retired policy as soon as it detaches its last " +
			"user. The apply therefore converges in one run. Nothing is ever detached from a role this provider does " +
			"not manage: a retired part attached elsewhere stays until its user detaches it.\n\n**New description or " +
			"path.** IAM can change neither on a policy, and policy names are unique in an account whatever the " +
			"path. So a new `description` or `path` is an in-place update that creates the parts under the other of " +
			"two name sets, `name.1`, `name.2`, ... instead of `name` or `name-1`, `name-2`, ... (and back again on " +
			"the next such change), then retires or deletes the old parts as above. `policy_arns` is known at plan " +
			"time, so a `vbaws_iam_role` of the same configuration attaches the new parts and detaches the old ones " +
			"in the same apply, and nothing is left behind. A `name` change replaces the template; with " +
			"`create_before_destroy` the new parts exist before roles move to them.\n\n**Destroy** refuses, listing " +
			"the users, while any part is still attached to something.",
		Attributes: withAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The template name.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:      true,
				PlanModifiers: replace,
				MarkdownDescription: fmt.Sprintf(
					"Name of the managed policy, at most %d characters of letters, digits and `+=,.@_-`; "+
						"parts of a split template get `-1`, `-2`, ... appended.",
					maxTemplateNameLength,
				),
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, maxTemplateNameLength),
					stringvalidator.RegexMatches(policyNamePattern, "must contain only letters, digits and +=,.@_-"),
				},
			},
			"path": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("/"),
				MarkdownDescription: "Path of the policies, such as `/veeam/`. Defaults to `/`.",
				Validators: []validator.String{
					ruleValidator{description: "an IAM path", rule: principal.ValidatePath},
				},
			},
			"description": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Description of the policies. IAM cannot change it in place; see **New " +
					"description or path** above.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1000)},
			},
			"tags_all": tagsAllAttribute(),
			"tags": tagsAttribute(
				"Tags of every part. Keys starting with `"+template.TagPrefix+"` are the provider's own, and "+
					"count toward IAM's 50 tags per policy together with yours.",
				mapvalidator.KeysAre(ruleValidator{
					description: "a key not starting with " + template.TagPrefix,
					rule:        reservedTagKey,
				}),
			),
			"policy_arns": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "ARNs of the parts, in order; known at plan time, for `managed_policy_arns` of " +
					"`vbaws_iam_role`.",
			},
			"timeouts": timeoutsAttribute(ctx),
		}, templateSelectionResourceAttributes(), templateOutputResourceAttributes()),
	}
}

// ValidateConfig checks that the user's tags leave room for the provider's own on every part: IAM allows 50 tags
// per policy, and each part also carries the vbaws:* tags that record the selection and, once retired,
// awsclient.RetiredTagKey.
func (r *roleTemplateResource) ValidateConfig(
	ctx context.Context,
	req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse,
) {
	var config roleTemplateModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.Tags.IsUnknown() || config.Tags.IsNull() || !config.selectionKnown() {
		return
	}
	tpl, diags := config.render(ctx)
	if diags.HasError() {
		return // the operations' own validators report what is wrong
	}
	own := ownTagCount(tpl)
	if user := len(config.Tags.Elements()); user+own > maxTags {
		resp.Diagnostics.AddAttributeError(path.Root("tags"), "Too many tags", fmt.Sprintf(
			"IAM allows %d tags per policy. Each part of this template also carries %d tags of the provider's own "+
				"(%s* tags recording the selection, and %s once retired), so at most %d of yours fit; got %d.",
			maxTags, own, template.TagPrefix, awsclient.RetiredTagKey, maxTags-own, user))
	}
}

// ModifyPlan renders the documents and the part ARNs while planning, so that everything derived from the
// configuration is known at plan time. Unlike the role's, it renders even when the configuration has not changed,
// because the catalog a new provider version carries may correct the documents; and it reads and writes the whole
// model, because it reads the selection, name, path and description and sets the id, the part ARNs and all four
// outputs. A state holds a handful of templates against hundreds of roles, so this costs little.
func (r *roleTemplateResource) ModifyPlan(
	ctx context.Context,
	req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse,
) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan roleTemplateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = plan.Name
	plan.TagsAll = plannedTagsAll(ctx, r.tags, plan.Tags)
	plan.setUnknownOutputs()
	if plan.selectionKnown() {
		tpl, diags := renderTemplate(ctx, plan.Operations, plan.ProductVersion, plan.WorkersInProduction)
		resp.Diagnostics.Append(diags...)
		if diags.HasError() {
			return
		}
		resp.Diagnostics.Append(plan.setOutputs(ctx, tpl)...)
		var state *roleTemplateModel
		if !req.State.Raw.IsNull() {
			state = &roleTemplateModel{}
			resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		}
		plan.PolicyARNs = r.plannedARNs(plan, partNames(ctx, plan, state, len(tpl.Documents)))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *roleTemplateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan roleTemplateModel
	if !readConfigured(ctx, req.Plan, &plan, r.client, &resp.Diagnostics) {
		return
	}
	tpl, diags := plan.renderOutputs(ctx)
	resp.Diagnostics.Append(diags...)
	plan.TagsAll = appliedTagsAll(ctx, r.tags, plan.TagsAll, plan.Tags)
	ctx, cancel, ok := startWriting(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	names := partNames(ctx, plan, nil, len(tpl.Documents))
	var created []string
	for i := range tpl.Documents {
		arn, err := r.createPart(ctx, plan, tpl, i, names[i])
		if err != nil {
			addAWSError(&resp.Diagnostics, "Cannot create role template", err)
			break
		}
		created = append(created, arn)
	}
	if len(created) == 0 {
		return
	}
	// Parts created before a failure are saved, so nothing is orphaned and the next apply creates the rest.
	plan.PolicyARNs = stringList(created)
	plan.Documents = stringList(tpl.Documents[:len(created)])
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setTemplateIdentity(ctx, resp.Identity, plan, r.client)...)
}

// Read costs GetPolicy and GetPolicyVersion per part, or only GetPolicy when the account snapshot holds the
// version. A changed document shows as a diff, a missing part as a part to create, and all parts missing removes
// the template from state.
func (r *roleTemplateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleTemplateModel
	if !readConfigured(ctx, req.State, &state, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := readContext(ctx, state.Timeouts, &resp.Diagnostics)
	defer cancel()
	if state.Operations.IsNull() {
		resp.Diagnostics.Append(r.readImported(ctx, &state)...)
	} else if gone := r.readParts(ctx, &state, &resp.Diagnostics); gone {
		// Terraform 1.12+ wants an identity after every read, also one that removes the resource.
		resp.Diagnostics.Append(setTemplateIdentity(ctx, resp.Identity, state, r.client)...)
		resp.State.RemoveResource(ctx)
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setTemplateIdentity(ctx, resp.Identity, state, r.client)...)
}

// Update writes changed documents as new default versions, creates parts that are new or missing, updates the
// tags, and retires or deletes parts that are no longer needed.
func (r *roleTemplateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state roleTemplateModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if !readConfigured(ctx, req.Plan, &plan, r.client, &resp.Diagnostics) {
		return
	}
	tpl, diags := plan.renderOutputs(ctx)
	resp.Diagnostics.Append(diags...)
	plan.TagsAll = appliedTagsAll(ctx, r.tags, plan.TagsAll, plan.Tags)
	ctx, cancel, ok := startWriting(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	current := currentDocuments(ctx, state)
	arns, err := r.syncParts(ctx, plan, state, tpl, current)
	var dropped []string
	if err == nil {
		dropped, err = r.dropObsolete(ctx, slices.Collect(maps.Keys(current)), arns)
	}
	if err != nil {
		addAWSError(&resp.Diagnostics, "Cannot update role template", err)
		state.setPartsAfterFailure(ctx, arns, tpl.Documents[:len(arns)], dropped)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		resp.Diagnostics.Append(setTemplateIdentity(ctx, resp.Identity, state, r.client)...)
		return
	}
	plan.PolicyARNs = stringList(arns)
	plan.Documents = stringList(tpl.Documents[:len(arns)])
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setTemplateIdentity(ctx, resp.Identity, plan, r.client)...)
}

// Delete removes every part with all its versions, but refuses, listing the users, while any part is attached.
func (r *roleTemplateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleTemplateModel
	if !readConfigured(ctx, req.State, &state, r.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel, ok := startWriting(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	arns := listStrings(ctx, state.PolicyARNs)
	var inUse []string
	for _, arn := range arns {
		users, err := r.client.PolicyUsers(ctx, arn)
		if err != nil && !awsclient.IsNoSuchEntity(err) {
			resp.Diagnostics.AddError("Cannot delete role template", err.Error())
			return
		}
		if len(users) > 0 {
			inUse = append(inUse, fmt.Sprintf("%s is attached to %s", arn, strings.Join(users, ", ")))
		}
	}
	if len(inUse) > 0 {
		resp.Diagnostics.AddError("Role template is still in use", "IAM deletes only policies that nothing uses, "+
			"and these are still attached; nothing was detached or deleted. Detach them from the roles listed "+
			"(in Terraform, by removing them from the role's managed_policy_arns), then apply again:\n- "+
			strings.Join(inUse, "\n- "))
		return
	}
	for _, arn := range arns {
		if err := r.client.DeleteManagedPolicy(ctx, arn); err != nil {
			resp.Diagnostics.AddError("Cannot delete role template", err.Error())
			return
		}
	}
}

// ImportState takes the template name, as import ID or identity; the path and the selection come from the parts'
// tags.
func (r *roleTemplateResource) ImportState(
	ctx context.Context,
	req resource.ImportStateRequest,
	resp *resource.ImportStateResponse,
) {
	importTemplate(ctx, r.client, req, resp)
}

// reservedTagKey rejects user tags in the provider's own namespace.
func reservedTagKey(key string) *principal.Problem {
	if !strings.HasPrefix(key, template.TagPrefix) {
		return nil
	}
	return &principal.Problem{
		Summary: "Reserved tag key",
		Detail: fmt.Sprintf(
			"%q starts with %q, which the provider uses to record the selection.",
			key,
			template.TagPrefix,
		),
	}
}

// ownTagCount is the most tags the provider itself puts on one part of tpl: the selection's record and the
// retired mark.
func ownTagCount(tpl template.Template) int {
	most := 0
	for i := range tpl.Documents {
		most = max(most, len(tpl.Tags(i)))
	}
	return most + 1
}

func (m *roleTemplateModel) setUnknownOutputs() {
	m.PolicyARNs = types.ListUnknown(types.StringType)
	m.Documents = types.ListUnknown(types.StringType)
	m.Actions = types.SetUnknown(types.StringType)
	m.ServicePrincipals = types.SetUnknown(types.StringType)
	m.RequiresInstanceProfile = types.BoolUnknown()
}

// renderOutputs renders the selection and fills the outputs from it.
func (m *roleTemplateModel) renderOutputs(ctx context.Context) (template.Template, diag.Diagnostics) {
	tpl, diags := m.render(ctx)
	diags.Append(m.setOutputs(ctx, tpl)...)
	return tpl, diags
}

// plannedARNs returns the part ARNs, or unknown while the account, name, path or description is not known.
func (r *roleTemplateResource) plannedARNs(plan roleTemplateModel, names []string) types.List {
	if r.client == nil || r.client.AccountID == "" || plan.Name.IsUnknown() || plan.Path.IsUnknown() ||
		plan.Description.IsUnknown() {
		return types.ListUnknown(types.StringType)
	}
	return stringList(r.partARNs(plan, names))
}

// partNames names the parts of the planned template: the same name set as the prior parts (state, nil while
// creating), or the other set when the description or path changes, since IAM can change neither in place.
func partNames(ctx context.Context, plan roleTemplateModel, state *roleTemplateModel, parts int) []string {
	name := plan.Name.ValueString()
	revised := false
	if state != nil && state.Name.Equal(plan.Name) {
		revised = usesRevisedNames(ctx, *state)
		if !state.Description.Equal(plan.Description) || !state.Path.Equal(plan.Path) {
			revised = !revised
		}
	}
	if revised {
		return template.RevisedPartNames(name, parts)
	}
	return template.PartNames(name, parts)
}

// usesRevisedNames reports whether the template's parts in state are named by template.RevisedPartNames.
func usesRevisedNames(ctx context.Context, m roleTemplateModel) bool {
	arns := listStrings(ctx, m.PolicyARNs)
	if len(arns) == 0 {
		return false
	}
	return template.IsRevisedPartName(m.Name.ValueString(), arns[0][strings.LastIndex(arns[0], "/")+1:])
}

func (r *roleTemplateResource) partARNs(m roleTemplateModel, names []string) []string {
	arns := make([]string, len(names))
	for i, name := range names {
		arns[i] = r.client.ARN("policy", m.Path.ValueString(), name)
	}
	return arns
}

func (r *roleTemplateResource) createPart(
	ctx context.Context,
	m roleTemplateModel,
	tpl template.Template,
	index int,
	name string,
) (string, error) {
	created, err := r.client.CreatePolicy(ctx, awsclient.NewPolicy{
		Name:        name,
		Path:        m.Path.ValueString(),
		Description: m.Description.ValueStringPointer(),
		Document:    tpl.Documents[index],
		Tags:        partTags(ctx, m.TagsAll, tpl, index),
	})
	if err != nil {
		return "", fmt.Errorf("creating policy %s (part %d of %d): %w", name, index+1, len(tpl.Documents), err)
	}
	return aws.ToString(created.Arn), nil
}

// partTags are the user's tags plus the provider's record of the selection.
func partTags(ctx context.Context, userTags types.Map, tpl template.Template, index int) []iamtypes.Tag {
	return append(iamTags(ctx, userTags), sortedTags(tpl.Tags(index))...)
}

// readParts refreshes the documents and tags of the parts in state and reports whether every part is gone.
func (r *roleTemplateResource) readParts(
	ctx context.Context,
	m *roleTemplateModel,
	diags *diag.Diagnostics,
) (gone bool) {
	arns, prior := listStrings(ctx, m.PolicyARNs), listStrings(ctx, m.Documents)
	documents := make([]string, len(arns))
	partTags := make([]types.Map, 0, len(arns))
	missing := 0
	for i, arn := range arns {
		part, document, err := r.client.ReadManagedPolicy(ctx, arn)
		if awsclient.IsNoSuchEntity(err) {
			missing++ // an empty document makes the next plan restore the part
			continue
		}
		if err != nil {
			diags.AddError("Cannot read role template", err.Error())
			return false
		}
		documents[i] = document
		if i < len(prior) {
			documents[i] = NewPolicyValue(prior[i]).keepEquivalent(document, equivalentPolicies).ValueString()
		}
		_, held := r.tagRules().read(userTags(part.Tags), m.Tags)
		partTags = append(partTags, held)
	}
	m.Documents = stringList(documents)
	if len(partTags) > 0 {
		m.TagsAll = partsTags(partTags)
		m.Tags, _ = r.tagRules().read(iamTags(ctx, m.TagsAll), m.Tags)
	}
	return missing == len(arns)
}

// partsTags returns the tags every part holds. When the parts disagree (one was tagged out of band, or an update
// stopped part-way), it returns tags that differ from the configuration the parts last agreed on, so that the next
// plan tags every part again: the entries all parts share, or, when some part holds exactly those, the tags of a
// part that holds more.
func partsTags(parts []types.Map) types.Map {
	shared := sharedTags(parts)
	for _, tags := range parts {
		if !tags.Equal(shared) {
			continue
		}
		for _, other := range parts {
			if !other.Equal(shared) {
				return other
			}
		}
	}
	return shared
}

// sharedTags returns the entries with the same value in every part, or the first part's tags when all are equal.
func sharedTags(parts []types.Map) types.Map {
	shared := parts[0]
	for _, tags := range parts[1:] {
		if tags.Equal(shared) {
			continue
		}
		common := map[string]attr.Value{}
		for key, value := range shared.Elements() {
			if other, ok := tags.Elements()[key]; ok && other.Equal(value) {
				common[key] = value
			}
		}
		shared = types.MapValueMust(types.StringType, common)
	}
	return shared
}

// userTags drops the provider's own tags.
func userTags(tags []iamtypes.Tag) []iamtypes.Tag {
	return slices.DeleteFunc(slices.Clone(tags), func(t iamtypes.Tag) bool {
		return strings.HasPrefix(aws.ToString(t.Key), template.TagPrefix) ||
			aws.ToString(t.Key) == awsclient.RetiredTagKey
	})
}

// readImported finds the parts of an imported template by name and rebuilds the selection from their tags.
func (r *roleTemplateResource) readImported(ctx context.Context, m *roleTemplateModel) diag.Diagnostics {
	var diags diag.Diagnostics
	parts, err := r.findParts(ctx, m.Name.ValueString())
	if err != nil {
		diags.AddError("Cannot import role template", err.Error())
		return diags
	}
	recorded, err := template.ParseTags(awsclient.TagMap(parts[0].Tags))
	if err != nil {
		diags.AddError(
			"Cannot import role template",
			fmt.Sprintf("Policy %s: %s. Only templates created by vbaws_role_template can be imported.",
				aws.ToString(parts[0].Arn), err),
		)
		return diags
	}
	tpl, err := template.Render(recorded.Version, recorded.Operations, recorded.ProductionWorkers)
	if err != nil {
		diags.AddError("Cannot import role template", err.Error())
		return diags
	}
	m.Path = types.StringValue(aws.ToString(parts[0].Path))
	m.Description = stringOrNull(parts[0].Description)
	m.ProductVersion = types.StringValue(recorded.Version)
	m.WorkersInProduction = types.BoolValue(recorded.ProductionWorkers)
	m.Operations = stringSet(recorded.Operations)
	diags.Append(m.setOutputs(ctx, tpl)...)
	var arns []string
	for _, p := range parts {
		arns = append(arns, aws.ToString(p.Arn))
	}
	m.PolicyARNs = stringList(arns)
	m.Documents = types.ListNull(types.StringType)
	r.readParts(ctx, m, &diags)
	return diags
}

// findParts lists the local managed policies named name, name-N or name.N that are not retired, ordered by the
// part number in their tags.
func (r *roleTemplateResource) findParts(ctx context.Context, name string) ([]iamtypes.Policy, error) {
	partName := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `([-.]\d+)?$`)
	var parts []iamtypes.Policy
	local, err := r.client.LocalPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing managed policies: %w", err)
	}
	for _, p := range local {
		if !partName.MatchString(aws.ToString(p.PolicyName)) {
			continue
		}
		got, err := r.client.GetPolicy(ctx, aws.ToString(p.Arn))
		if err != nil {
			return nil, fmt.Errorf("reading policy %s: %w", aws.ToString(p.Arn), err)
		}
		if !awsclient.IsRetired(got.Tags) {
			parts = append(parts, *got)
		}
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("no customer managed policy is named %s or %s-<number>", name, name)
	}
	slices.SortFunc(parts, func(a, b iamtypes.Policy) int { return partNumber(a) - partNumber(b) })
	return parts, nil
}

func partNumber(p iamtypes.Policy) int {
	recorded, err := template.ParseTags(awsclient.TagMap(p.Tags))
	if err != nil {
		return 0
	}
	return recorded.Part
}

// setPartsAfterFailure makes the prior state tell what IAM holds after an update stopped part-way: every part of
// the prior state that was not dropped, with its new document when the update got to it, then the parts the update
// created. The selection and tags keep their prior values, so the next plan, even without refresh, shows the
// update that is still to do.
func (m *roleTemplateModel) setPartsAfterFailure(ctx context.Context, done, doneDocuments, dropped []string) {
	written := make(map[string]string, len(done))
	for i, arn := range done {
		written[arn] = doneDocuments[i]
	}
	var arns, documents []string
	priorDocuments := listStrings(ctx, m.Documents)
	for i, arn := range listStrings(ctx, m.PolicyARNs) {
		if slices.Contains(dropped, arn) {
			continue
		}
		document, updated := written[arn]
		if !updated && i < len(priorDocuments) {
			document = priorDocuments[i]
		}
		delete(written, arn)
		arns, documents = append(arns, arn), append(documents, document)
	}
	for i, arn := range done {
		if _, created := written[arn]; created {
			arns, documents = append(arns, arn), append(documents, doneDocuments[i])
		}
	}
	m.PolicyARNs = stringList(arns)
	m.Documents = stringList(documents)
}

// currentDocuments maps each part ARN in state to its document as last read ("" when the part is missing).
func currentDocuments(ctx context.Context, state roleTemplateModel) map[string]string {
	arns, documents := listStrings(ctx, state.PolicyARNs), listStrings(ctx, state.Documents)
	current := make(map[string]string, len(arns))
	for i, arn := range arns {
		current[arn] = ""
		if i < len(documents) {
			current[arn] = documents[i]
		}
	}
	return current
}

// syncParts brings every wanted part up to date and returns the ARNs of the parts that are, in order.
func (r *roleTemplateResource) syncParts(
	ctx context.Context,
	plan, state roleTemplateModel,
	tpl template.Template,
	current map[string]string,
) ([]string, error) {
	names := partNames(ctx, plan, &state, len(tpl.Documents))
	wanted := r.partARNs(plan, names)
	var done []string
	for i, arn := range wanted {
		document, exists := current[arn]
		var err error
		switch {
		case !exists || document == "":
			_, err = r.createPart(ctx, plan, tpl, i, names[i])
		default:
			err = r.updatePart(ctx, arn, document, plan, state, tpl, i)
		}
		if err != nil {
			return done, err
		}
		done = append(done, arn)
	}
	return done, nil
}

// updatePart writes a new default version when the document changed and refreshes the part's tags.
func (r *roleTemplateResource) updatePart(
	ctx context.Context,
	arn, current string,
	plan, state roleTemplateModel,
	tpl template.Template,
	index int,
) error {
	if !equivalentPolicies(current, tpl.Documents[index]) {
		if err := r.client.SetPolicyDocument(ctx, arn, tpl.Documents[index]); err != nil {
			return err
		}
	}
	if err := r.client.TagPolicy(ctx, arn, partTags(ctx, plan.TagsAll, tpl, index)); err != nil {
		return fmt.Errorf("tagging policy %s: %w", arn, err)
	}
	stale := staleKeys(ctx, plan.TagsAll, state.TagsAll, tpl, index)
	if len(stale) == 0 {
		return nil
	}
	if err := r.client.UntagPolicy(ctx, arn, stale); err != nil {
		return fmt.Errorf("removing tags from policy %s: %w", arn, err)
	}
	return nil
}

// staleKeys are user tags removed from the configuration and operation tags a shorter selection no longer uses.
func staleKeys(ctx context.Context, planTags, stateTags types.Map, tpl template.Template, index int) []string {
	_, removed := tagChanges(ctx, planTags, stateTags)
	return append(removed, tpl.UnusedTagKeys(index)...)
}

// dropObsolete retires or deletes the parts in old that are not in kept, and returns those it dropped. It never
// detaches anything.
func (r *roleTemplateResource) dropObsolete(ctx context.Context, old, kept []string) ([]string, error) {
	slices.Sort(old)
	var dropped []string
	for _, arn := range old {
		if slices.Contains(kept, arn) {
			continue
		}
		if err := r.client.RetireOrDeletePolicy(ctx, arn); err != nil {
			return dropped, err
		}
		dropped = append(dropped, arn)
	}
	return dropped, nil
}
