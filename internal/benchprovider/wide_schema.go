package benchprovider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// wideAttributes are vbaws_iam_role's attributes: the same names, Terraform types, and required, optional or
// computed, without the validators, plan modifiers, defaults and custom types. They are written out rather than
// taken from vbaws's schema so that the floor's binary does not link vbaws (its catalog, its AWS SDK clients and
// their package initialisation) and so stays the floor of any framework provider. TestWideSchemaIsIAMRoles keeps
// them equal to vbaws_iam_role's.
func wideAttributes() map[string]schema.Attribute {
	computed := schema.StringAttribute{Computed: true}
	optionalString := schema.StringAttribute{Optional: true}
	optionalBool := schema.BoolAttribute{Optional: true}
	optionalInt64 := schema.Int64Attribute{Optional: true}
	optionalStringSet := schema.SetAttribute{ElementType: types.StringType, Optional: true}
	optionalComputedString := schema.StringAttribute{Optional: true, Computed: true}
	return map[string]schema.Attribute{
		"account_id":               computed,
		"acknowledge_account_root": optionalBool,
		"additional_trust_policy":  optionalString,
		"allow_public_trust":       optionalBool,
		"arn":                      computed,
		"assume_role_policy":       computed,
		"create_date":              computed,
		"create_instance_profile":  schema.BoolAttribute{Optional: true, Computed: true},
		"description":              optionalString,
		"external_id":              optionalString,
		"id":                       computed,
		"inline_policies":          schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"instance_profile_arn":     computed,
		"managed_policies_quota":   optionalInt64,
		"managed_policy_arns":      optionalStringSet,
		"max_session_duration":     schema.Int64Attribute{Optional: true, Computed: true},
		"name":                     optionalComputedString,
		"name_prefix":              optionalComputedString,
		"path":                     optionalComputedString,
		"permissions_boundary":     optionalString,
		"service_principals":       optionalStringSet,
		"tags":                     schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"tags_all":                 schema.MapAttribute{ElementType: types.StringType, Computed: true},
		"timeouts": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
			"create": optionalString, "read": optionalString, "update": optionalString, "delete": optionalString,
		}},
		"trust_policy_quota":     optionalInt64,
		"trusted_principal_arns": optionalStringSet,
		"unique_id":              computed,
	}
}

// wideIdentityAttributes are vbaws_iam_role's identity attributes (TestWideSchemaIsIAMRoles checks them too).
func wideIdentityAttributes() map[string]identityschema.Attribute {
	return map[string]identityschema.Attribute{
		"account_id": identityschema.StringAttribute{OptionalForImport: true},
		"name":       identityschema.StringAttribute{RequiredForImport: true},
	}
}
