package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func stringMap(values map[string]string) types.Map {
	if values == nil {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(values))
	for k, v := range values {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func TestTagChanges(t *testing.T) {
	cases := map[string]struct {
		plan, state map[string]string
		set         []string
		remove      []string
	}{
		"nothing to do": {map[string]string{"a": "1"}, map[string]string{"a": "1"}, nil, nil},
		"new tag": {
			map[string]string{"a": "1", "b": "2"},
			map[string]string{"a": "1"},
			[]string{"b=2"},
			nil,
		},
		"changed value":        {map[string]string{"a": "2"}, map[string]string{"a": "1"}, []string{"a=2"}, nil},
		"removed tags, sorted": {map[string]string{}, map[string]string{"z": "1", "a": "1"}, nil, []string{"a", "z"}},
		"tags set to null":     {nil, map[string]string{"a": "1"}, nil, []string{"a"}},
		"first tags on a role": {map[string]string{"a": "1"}, nil, []string{"a=1"}, nil},
		"rename of a key": {
			map[string]string{"b": "1"},
			map[string]string{"a": "1"},
			[]string{"b=1"},
			[]string{"a"},
		},
		"both null":              {nil, nil, nil, nil},
		"empty and null are one": {map[string]string{}, nil, nil, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			set, remove := tagChanges(context.Background(), stringMap(tc.plan), stringMap(tc.state))
			var got []string
			for _, tag := range set {
				got = append(got, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.set) || !slices.Equal(remove, tc.remove) {
				t.Errorf("tagChanges = set %v, remove %v; want set %v, remove %v", got, remove, tc.set, tc.remove)
			}
		})
	}
}

func TestSetOrNull(t *testing.T) {
	empty := types.SetValueMust(types.StringType, []attr.Value{})
	cases := map[string]struct {
		prior  types.Set
		values []string
		want   types.Set
	}{
		"none after null stays null": {types.SetNull(types.StringType), nil, types.SetNull(types.StringType)},
		"none after empty is empty":  {empty, nil, empty},
		"values after null":          {types.SetNull(types.StringType), []string{"a"}, setOf("a")},
		"values after other values":  {setOf("b"), []string{"a", "c"}, setOf("a", "c")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := setOrNull(tc.prior, tc.values); !got.Equal(tc.want) {
				t.Errorf("setOrNull = %v, want %v", got, tc.want)
			}
		})
	}
}

func setOf(values ...string) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

func TestAssumedRoleName(t *testing.T) {
	cases := map[string]struct {
		arn, name string
		ok        bool
	}{
		"assumed role": {
			"arn:aws:sts::123456789012:assumed-role/VeeamImpersonation/i-0abc",
			"VeeamImpersonation",
			true,
		},
		"other partition":           {"arn:aws-cn:sts::123456789012:assumed-role/Veeam/session", "Veeam", true},
		"IAM user":                  {"arn:aws:iam::123456789012:user/ci", "", false},
		"role ARN, not a session":   {"arn:aws:iam::123456789012:role/Veeam", "", false},
		"federated user":            {"arn:aws:sts::123456789012:federated-user/bob", "", false},
		"session name with a slash": {"arn:aws:sts::123456789012:assumed-role/Veeam/a/b", "", false},
		"not an ARN":                {"VeeamImpersonation", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := assumedRoleName(tc.arn)
			if got != tc.name || ok != tc.ok {
				t.Errorf("assumedRoleName(%q) = %q, %v; want %q, %v", tc.arn, got, ok, tc.name, tc.ok)
			}
		})
	}
}
