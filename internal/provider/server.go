package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/vbaws/terraform-provider-vbaws/internal/tuning"
)

// NewServer returns the factory of the provider's protocol 6 server: the framework's server for New(version),
// wrapped so that every call releases its request context when it returns (see tuning.ReleaseContexts).
func NewServer(version string) func() tfprotov6.ProviderServer {
	return tuning.ReleaseContexts(providerserver.NewProtocol6(New(version)()))
}
