package provider

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// clientFrom takes the configured AWS client out of the provider data handed to Configure. The data is nil
// before the provider is configured, for example while its configuration is still unknown.
func clientFrom(providerData any, diags *diag.Diagnostics) *awsclient.Client {
	if providerData == nil {
		return nil
	}
	data, ok := providerData.(*providerClients)
	if !ok {
		diags.AddError(
			"Unexpected provider data",
			fmt.Sprintf("Expected *providerClients, got %T. Please report this bug.", providerData),
		)
		return nil
	}
	return data.aws
}

// modelSource is a plan, state or configuration a model is read from.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// readConfigured is the common start of an operation that calls AWS: it reads the model from source into target
// and reports whether the operation can go on, that is the model was read and the provider is configured.
func readConfigured(ctx context.Context, source modelSource, target any, client *awsclient.Client,
	diags *diag.Diagnostics) bool {
	diags.Append(source.Get(ctx, target)...)
	return !diags.HasError() && requireClient(client, diags)
}

// requireClient reports whether the provider is configured, adding an error when it is not. AWS calls need it.
func requireClient(client *awsclient.Client, diags *diag.Diagnostics) bool {
	if client == nil {
		diags.AddError(
			"Provider not configured",
			"The vbaws provider has no AWS connection yet, "+
				"usually because its configuration depends on values known only after apply. Apply those first.",
		)
		return false
	}
	return true
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func rfc3339(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// stringOrNull maps an absent or empty AWS string to null.
func stringOrNull(s *string) types.String {
	if aws.ToString(s) == "" {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

// stringsOf returns the known string elements of a set; a null or unknown set has none.
func stringsOf(ctx context.Context, set types.Set) []string {
	var values []string
	_ = set.ElementsAs(ctx, &values, false)
	sort.Strings(values)
	return values
}

// setOrNull returns values as a set, or null when there are none and the prior value was null, so that an
// unset optional set never shows an empty set as drift.
func setOrNull(prior types.Set, values []string) types.Set {
	if len(values) == 0 && prior.IsNull() {
		return types.SetNull(types.StringType)
	}
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}
