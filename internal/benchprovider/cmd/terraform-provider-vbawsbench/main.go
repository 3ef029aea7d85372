// Command terraform-provider-vbawsbench serves the benchmark-only no-op provider (see package benchprovider). It
// leaves the framework's logging as the environment says, so that `make bench` can measure both settings.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/vbaws/terraform-provider-vbaws/internal/benchprovider"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "serve in debug mode and print TF_REATTACH_PROVIDERS")
	flag.Parse()
	err := providerserver.Serve(context.Background(), benchprovider.New(), providerserver.ServeOpts{
		Address: "registry.terraform.io/vbaws/" + benchprovider.TypeName,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
