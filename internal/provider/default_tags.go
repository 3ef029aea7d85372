package provider

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The provider's default_tags and ignore_tags blocks, and how a taggable resource merges them into tags_all: the
// tags it writes to IAM. tags keeps what the resource's configuration says; tags_all is the defaults overlaid with
// those tags, without the ignored keys, derived while planning so that plans show the final tags.

// pathTagsAll is the computed attribute of every taggable resource that holds the tags written to IAM.
var pathTagsAll = path.Root("tags_all")

// pathTags is the attribute of every taggable resource that holds its own configured tags.
var pathTags = path.Root("tags")

// defaultTagsModel is the provider's default_tags block.
type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

// ignoreTagsModel is the provider's ignore_tags block.
type ignoreTagsModel struct {
	Keys        types.Set `tfsdk:"keys"`
	KeyPrefixes types.Set `tfsdk:"key_prefixes"`
}

// tagRules are the provider's default tags and ignored keys, as resources apply them.
type tagRules struct {
	defaults    map[string]string
	ignoredKeys map[string]bool
	prefixes    []string
}

// newTagRules reads the provider's default_tags and ignore_tags blocks; either may be absent.
func newTagRules(ctx context.Context, defaults *defaultTagsModel, ignore *ignoreTagsModel) (
	tagRules, diag.Diagnostics) {
	rules := tagRules{defaults: map[string]string{}, ignoredKeys: map[string]bool{}}
	var diags diag.Diagnostics
	if defaults != nil {
		diags.Append(defaults.Tags.ElementsAs(ctx, &rules.defaults, false)...)
	}
	if ignore != nil {
		var keys []string
		diags.Append(ignore.Keys.ElementsAs(ctx, &keys, false)...)
		for _, k := range keys {
			rules.ignoredKeys[k] = true
		}
		diags.Append(ignore.KeyPrefixes.ElementsAs(ctx, &rules.prefixes, false)...)
	}
	return rules, diags
}

// ignored reports whether key is one the provider never writes, removes or shows.
func (t tagRules) ignored(key string) bool {
	if t.ignoredKeys[key] {
		return true
	}
	for _, p := range t.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// merge returns tags_all for the resource's own tags: the defaults overlaid with tags, the resource's values
// winning, without ignored keys. It is unknown while tags is.
func (t tagRules) merge(ctx context.Context, tags types.Map) types.Map {
	if tags.IsUnknown() {
		return types.MapUnknown(types.StringType)
	}
	own := map[string]string{}
	_ = tags.ElementsAs(ctx, &own, false) // a null map has no elements
	elems := map[string]attr.Value{}
	for k, v := range t.defaults {
		if !t.ignored(k) {
			elems[k] = types.StringValue(v)
		}
	}
	for k, v := range own {
		if !t.ignored(k) {
			elems[k] = types.StringValue(v)
		}
	}
	return types.MapValueMust(types.StringType, elems)
}

// read splits the tags IAM holds into tags_all (all of them but the ignored ones) and tags: the keys the prior
// tags held, the ignored keys the prior tags held (kept as they were), and every key that is not a default. A
// default tag whose value changed outside Terraform thus shows in tags_all, which the next plan sets back.
func (t tagRules) read(held []iamtypes.Tag, prior types.Map) (tags, tagsAll types.Map) {
	all, own := map[string]attr.Value{}, map[string]attr.Value{}
	priorElems := prior.Elements()
	for _, tag := range held {
		k, v := aws.ToString(tag.Key), types.StringValue(aws.ToString(tag.Value))
		if t.ignored(k) {
			continue
		}
		all[k] = v
		if _, isDefault := t.defaults[k]; !isDefault || priorElems[k] != nil {
			own[k] = v
		}
	}
	for k, v := range priorElems {
		if t.ignored(k) {
			own[k] = v
		}
	}
	tagsAll = types.MapValueMust(types.StringType, all)
	if len(own) == 0 && prior.IsNull() {
		return types.MapNull(types.StringType), tagsAll
	}
	return types.MapValueMust(types.StringType, own), tagsAll
}

// tagsAllAttribute is the computed tags_all attribute of a taggable resource.
func tagsAllAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		Computed:    true,
		ElementType: types.StringType,
		MarkdownDescription: "The tags written to IAM: the provider's `default_tags` overlaid with `tags` (this " +
			"resource's values win), without the keys `ignore_tags` names. Unknown while planning when the " +
			"provider's configuration is.",
	}
}

// planTagsAll sets tags_all in the plan (see plannedTagsAll).
func planTagsAll(ctx context.Context, rules *tagRules, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var tags types.Map
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, pathTags, &tags)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setIfChanged(ctx, &resp.Plan, pathTagsAll, plannedTagsAll(ctx, rules, tags))...)
}

// plannedTagsAll is the merge of the provider's default tags and the planned tags, or unknown while the provider
// is not configured (its default tags are then unknown).
func plannedTagsAll(ctx context.Context, rules *tagRules, tags types.Map) types.Map {
	if rules == nil {
		return types.MapUnknown(types.StringType)
	}
	return rules.merge(ctx, tags)
}

// appliedTagsAll is tags_all at apply time: the planned value, or the merge when the plan left it unknown.
func appliedTagsAll(ctx context.Context, rules *tagRules, planned, tags types.Map) types.Map {
	if !planned.IsUnknown() || rules == nil {
		return planned
	}
	return rules.merge(ctx, tags)
}

// defaultTagsBlock is the provider's default_tags block.
func defaultTagsBlock() providerschema.SingleNestedBlock {
	return providerschema.SingleNestedBlock{
		MarkdownDescription: "Tags every taggable resource (`vbaws_iam_role` with its instance profile, " +
			"`vbaws_role_template`) gets. A resource's own `tags` win over these; its `tags_all` shows the merge, " +
			"and plans show it. A default tag changed outside Terraform shows as drift in `tags_all` and is set " +
			"back on apply.",
		Attributes: map[string]providerschema.Attribute{
			"tags": providerschema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Default tags, by key.",
				Validators: []validator.Map{
					mapvalidator.SizeAtMost(maxTags),
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, maxTagKeyLength)),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(maxTagValueLength)),
				},
			},
		},
	}
}

// ignoreTagsBlock is the provider's ignore_tags block.
func ignoreTagsBlock() providerschema.SingleNestedBlock {
	return providerschema.SingleNestedBlock{
		MarkdownDescription: "Tag keys the provider neither writes, removes nor shows, for tags other tools manage.",
		Attributes: map[string]providerschema.Attribute{
			"keys": providerschema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Keys to ignore.",
			},
			"key_prefixes": providerschema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Key prefixes to ignore.",
			},
		},
	}
}
