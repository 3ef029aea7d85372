package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// ruleValidator adapts a rule that returns a *principal.Problem (nil when the value is fine) into a framework
// string validator that reports the problem on the attribute. Unknown and null values are not checked at plan
// time; resources check them again before calling AWS.
type ruleValidator struct {
	description string
	rule        func(string) *principal.Problem
}

func (v ruleValidator) Description(context.Context) string         { return v.description }
func (v ruleValidator) MarkdownDescription(context.Context) string { return v.description }

func (v ruleValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if p := v.rule(req.ConfigValue.ValueString()); p != nil {
		resp.Diagnostics.AddAttributeError(req.Path, p.Summary, p.Detail)
	}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-\d+$`)

func regionValidator() validator.String {
	return stringvalidator.RegexMatches(regionPattern, "must be an AWS region name such as us-east-1 or eu-central-1")
}

func durationValidator() validator.String {
	return ruleValidator{
		description: "a duration between 15m and 12h such as 1h",
		rule: func(s string) *principal.Problem {
			d, err := time.ParseDuration(s)
			if err != nil {
				return &principal.Problem{
					Summary: "Invalid duration",
					Detail:  fmt.Sprintf("%q is not a duration; write it like 1h, 45m or 1h30m.", s),
				}
			}
			if d < 15*time.Minute || d > 12*time.Hour {
				return &principal.Problem{
					Summary: "Invalid duration",
					Detail:  fmt.Sprintf("%s is outside what STS allows for a role session: 15m to 12h.", s),
				}
			}
			return nil
		},
	}
}

func urlValidator() validator.String {
	return ruleValidator{description: "an absolute http or https URL", rule: func(s string) *principal.Problem {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &principal.Problem{Summary: "Invalid endpoint URL",
				Detail: fmt.Sprintf(
					"%q is not an absolute URL; write it like https://iam.amazonaws.com or http://127.0.0.1:5000.",
					s,
				)}
		}
		return nil
	}}
}

func roleNameValidator() validator.String {
	return ruleValidator{
		description: "an IAM role name: 1 to 64 characters of letters, digits and +=,.@_-",
		rule: func(name string) *principal.Problem {
			p := principal.ValidateRoleName(name)
			if p != nil && len(name) > maxRoleNameLength {
				p.Detail += fmt.Sprintf(" Shorten it, or set `name_prefix` (at most %d characters) instead of `name` "+
					"to have a unique name of 64 characters made from it.", maxRoleNameLength-nameSuffixLength)
			}
			return p
		},
	}
}

// productVersionValidator accepts the Veeam Backup for AWS versions whose permission lists the catalog embeds, and
// names them, with the default, for any other value.
func productVersionValidator() validator.String {
	return ruleValidator{
		description: "a Veeam Backup for AWS version of the catalog: " + strings.Join(catalog.Versions(), ", "),
		rule: func(version string) *principal.Problem {
			if slices.Contains(catalog.Versions(), version) {
				return nil
			}
			return &principal.Problem{
				Summary: "Unknown Veeam Backup for AWS version",
				Detail: fmt.Sprintf("This provider has Veeam's permission lists for product versions %s, not %q. "+
					"Write one of them, such as product_version = %q, or leave product_version out to use the "+
					"default; a later provider version adds newer product versions.",
					strings.Join(catalog.Versions(), " and "), version, catalog.DefaultVersion),
			}
		},
	}
}

func roleARNValidator() validator.String {
	return ruleValidator{
		description: "an IAM role ARN such as arn:aws:iam::123456789012:role/name",
		rule: func(s string) *principal.Problem {
			_, p := principal.ParseRoleARN(s)
			return p
		},
	}
}
