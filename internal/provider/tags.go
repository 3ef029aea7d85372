package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// Tag limits IAM enforces on a role or a managed policy.
const (
	maxTags           = 50
	maxTagKeyLength   = 128
	maxTagValueLength = 256
)

// tagCharacters are the characters IAM accepts in tag keys and values: letters, digits, spaces and _.:/=+-@.
var tagCharacters = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// tagLimits says what IAM accepts in tags, for the attribute's description.
const tagLimits = " At most 50 tags; keys of 1 to 128 characters, values of at most 256, both of letters, digits, " +
	"spaces and `_.:/=+-@`; keys may not begin with `aws:`, and IAM treats keys that differ only in case as the " +
	"same key, so such keys are refused. Checked during plan."

// tagsAttribute is the tags attribute of a role or a template, checked at plan time against IAM's limits: at most
// 50 tags, keys of 1 to 128 characters, values of at most 256, IAM's characters, no aws: prefix and no keys that
// differ only in case; more adds validators of the resource's own.
func tagsAttribute(description string, more ...validator.Map) schema.MapAttribute {
	characters := stringvalidator.RegexMatches(tagCharacters, "must contain only letters, digits, spaces and _.:/=+-@")
	return schema.MapAttribute{
		Optional:            true,
		ElementType:         types.StringType,
		MarkdownDescription: description + tagLimits,
		Validators: append([]validator.Map{
			mapvalidator.SizeAtMost(maxTags),
			mapvalidator.KeysAre(stringvalidator.LengthBetween(1, maxTagKeyLength), characters,
				stringvalidator.RegexMatches(notAWSPrefix, "must not begin with aws:, which AWS reserves")),
			mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(maxTagValueLength), characters),
			tagKeyCaseValidator{},
		}, more...),
	}
}

// notAWSPrefix matches a key that does not begin with aws:, in any case.
var notAWSPrefix = regexp.MustCompile(`^(?i:[^a]|a[^w]|aw[^s]|aws[^:]|.{0,3}$)`)

// tagKeyCaseValidator refuses tag keys that differ only in case: IAM keeps one tag for them.
type tagKeyCaseValidator struct{}

func (tagKeyCaseValidator) Description(context.Context) string {
	return "no two tag keys that differ only in case"
}

func (v tagKeyCaseValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (tagKeyCaseValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	byFold := map[string][]string{}
	for key := range req.ConfigValue.Elements() {
		byFold[strings.ToLower(key)] = append(byFold[strings.ToLower(key)], key)
	}
	for _, keys := range byFold {
		if len(keys) < 2 {
			continue
		}
		sort.Strings(keys)
		resp.Diagnostics.AddAttributeError(req.Path, "Tag keys differ only in case", fmt.Sprintf(
			"IAM treats tag keys case-insensitively, so %s are one key and the apply would fail or keep only "+
				"one of them. Keep one.", strings.Join(keys, " and ")))
	}
}

// iamTags converts a tags map into IAM tags, sorted by key so that requests are deterministic.
func iamTags(ctx context.Context, tags types.Map) []iamtypes.Tag {
	values := map[string]string{}
	_ = tags.ElementsAs(ctx, &values, false) // a null or unknown map has no elements
	return sortedTags(values)
}

// sortedTags converts key-value pairs into IAM tags sorted by key.
func sortedTags(values map[string]string) []iamtypes.Tag { return awsclient.IAMTags(values) }

// tagsMap converts IAM tags into a tags map. No tags read as null when the prior value was null, so that an
// untagged resource never shows `tags = {}` as drift.
func tagsMap(tags []iamtypes.Tag, prior types.Map) types.Map {
	if len(tags) == 0 && prior.IsNull() {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(tags))
	for _, t := range tags {
		elems[aws.ToString(t.Key)] = types.StringValue(aws.ToString(t.Value))
	}
	return types.MapValueMust(types.StringType, elems)
}

// tagChanges returns the tags to set (new or changed) and the keys to remove to go from state to plan.
func tagChanges(ctx context.Context, plan, state types.Map) (set []iamtypes.Tag, remove []string) {
	want, have := map[string]string{}, map[string]string{}
	_ = plan.ElementsAs(ctx, &want, false)
	_ = state.ElementsAs(ctx, &have, false)
	return awsclient.TagChanges(have, want)
}
