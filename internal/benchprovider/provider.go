// Package benchprovider is a provider that does nothing, served by the same terraform-plugin-framework version as
// vbaws. `make bench` plans its resources beside vbaws_iam_role to measure the framework's own floor: what a
// resource costs per plan through gRPC and the framework's transforms, for a resource of three attributes
// (vbawsbench_noop) and for one as wide as vbaws_iam_role (vbawsbench_wide). It is never registered in the real
// provider.
package benchprovider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// TypeName is the provider's type name, and the prefix of its resources, vbawsbench_noop and vbawsbench_wide.
const TypeName = "vbawsbench"

// New returns a constructor for the benchmark provider.
func New() func() provider.Provider {
	return func() provider.Provider { return benchProvider{} }
}

type benchProvider struct{}

func (benchProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
}

func (benchProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (benchProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (benchProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return noopResource{} },
		func() resource.Resource { return wideResource{} },
	}
}

func (benchProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// Ensure the provider keeps satisfying the interface.
var _ provider.Provider = benchProvider{}
