package awsclient

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TagMap returns IAM tags as a map from key to value.
func TagMap(tags []iamtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func hasTag(tags []iamtypes.Tag, key string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return true
		}
	}
	return false
}

// IAMTags returns key-value pairs as IAM tags sorted by key, so that requests are deterministic.
func IAMTags(values map[string]string) []iamtypes.Tag {
	tags := make([]iamtypes.Tag, 0, len(values))
	for _, key := range slices.Sorted(maps.Keys(values)) {
		tags = append(tags, iamtypes.Tag{Key: aws.String(key), Value: aws.String(values[key])})
	}
	return tags
}

// TagChanges returns the tags to set (new or changed), sorted by key, and the keys to remove, sorted, to go from
// have to want.
func TagChanges(have, want map[string]string) (set []iamtypes.Tag, remove []string) {
	for _, t := range IAMTags(want) {
		if v, ok := have[aws.ToString(t.Key)]; !ok || v != aws.ToString(t.Value) {
			set = append(set, t)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[key]; !ok {
			remove = append(remove, key)
		}
	}
	return set, remove
}
