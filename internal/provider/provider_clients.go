package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// What the provider's Configure hands to resources and data sources, the one Configure they all share, and the
// checks an operation makes before it calls AWS or the appliance.

// withClients is embedded in every resource (as resourceClients), data source (as dataSourceClients) and action
// (as actionClients): its
// Configure takes the clients the provider configured. Before the provider is configured, for example while its
// configuration is still unknown, the clients are nil and configured is false.
type withClients[Req resource.ConfigureRequest | datasource.ConfigureRequest | action.ConfigureRequest,
	Resp *resource.ConfigureResponse | *datasource.ConfigureResponse | *action.ConfigureResponse] struct {
	client     *awsclient.Client
	appliance  *appliance.Client // nil when the provider has no appliance block
	tags       *tagRules         // the provider's default_tags and ignore_tags; nil until configured
	configured bool
}

// resourceClients is the withClients of a resource.
type resourceClients = withClients[resource.ConfigureRequest, *resource.ConfigureResponse]

// dataSourceClients is the withClients of a data source.
type dataSourceClients = withClients[datasource.ConfigureRequest, *datasource.ConfigureResponse]

// actionClients is the withClients of an action.
type actionClients = withClients[action.ConfigureRequest, *action.ConfigureResponse]

// Configure takes the clients out of the provider data.
func (w *withClients[Req, Resp]) Configure(_ context.Context, req Req, resp Resp) {
	data, diags := configureParts(req, resp)
	if data == nil {
		return
	}
	clients, ok := data.(*providerClients)
	if !ok || clients == nil {
		diags.AddError(
			"Unexpected provider data",
			fmt.Sprintf("Expected *providerClients, got %T. Please report this bug.", data),
		)
		return
	}
	w.client, w.appliance, w.tags, w.configured = clients.aws, clients.appliance, clients.tags, true
}

// tagRules are the provider's default_tags and ignore_tags, or none before the provider is configured.
func (w *withClients[Req, Resp]) tagRules() tagRules {
	if w.tags == nil {
		return tagRules{}
	}
	return *w.tags
}

// configureParts returns the provider data of a resource's or data source's Configure request and the
// diagnostics of its response.
func configureParts(req, resp any) (any, *diag.Diagnostics) {
	var data any
	var diags *diag.Diagnostics
	switch r := req.(type) {
	case resource.ConfigureRequest:
		data = r.ProviderData
	case datasource.ConfigureRequest:
		data = r.ProviderData
	case action.ConfigureRequest:
		data = r.ProviderData
	}
	switch r := resp.(type) {
	case *resource.ConfigureResponse:
		diags = &r.Diagnostics
	case *datasource.ConfigureResponse:
		diags = &r.Diagnostics
	case *action.ConfigureResponse:
		diags = &r.Diagnostics
	}
	return data, diags
}

// providerClients is what Configure hands to resources and data sources: the AWS client and, when the provider has
// an appliance block, the appliance client.
type providerClients struct {
	aws       *awsclient.Client
	appliance *appliance.Client
	tags      *tagRules
}

// requireAppliance reports whether an operation can reach the appliance, adding an error that says what is
// missing when it cannot.
func requireAppliance(client *appliance.Client, configured bool, diags *diag.Diagnostics) bool {
	switch {
	case !configured:
		return requireClient(nil, diags)
	case client == nil:
		diags.AddError("No appliance configured",
			"Appliance records need the provider's appliance block: appliance { url = \"https://<host>:11005\" } "+
				"with username and password (or "+envApplianceUsername+" and "+envAppliancePassword+").")
		return false
	}
	return true
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
