package provider

import (
	"context"

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

// tagsAttribute is the tags attribute of a role or a template, checked at plan time against IAM's limits: at most
// 50 tags, keys of 1 to 128 characters, values of at most 256; more adds validators of the resource's own.
func tagsAttribute(description string, more ...validator.Map) schema.MapAttribute {
	return schema.MapAttribute{
		Optional:            true,
		ElementType:         types.StringType,
		MarkdownDescription: description,
		Validators: append([]validator.Map{
			mapvalidator.SizeAtMost(maxTags),
			mapvalidator.KeysAre(stringvalidator.LengthBetween(1, maxTagKeyLength)),
			mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(maxTagValueLength)),
		}, more...),
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
