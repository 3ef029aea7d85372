// Command terraform-provider-vbawsbench serves the benchmark-only no-op provider (see package benchprovider). It
// leaves the framework's logging as the environment says, so that `make bench` can measure both settings; with
// VBAWSBENCH_TUNED=1 it runs with the process-wide settings vbaws's main applies (internal/tuning: the framework's
// and the provider's logging off unless asked for, the garbage collector's target, request contexts released, the
// start-up garbage returned once configured), so that the floor differs from vbaws only in what its resources do.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/vbaws/terraform-provider-vbaws/internal/benchprovider"
	"github.com/vbaws/terraform-provider-vbaws/internal/tuning"
)

const address = "registry.terraform.io/vbaws/" + benchprovider.TypeName

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "serve in debug mode and print TF_REATTACH_PROVIDERS")
	flag.Parse()
	if os.Getenv("VBAWSBENCH_TUNED") == "1" {
		serveTuned(debug)
		return
	}
	err := providerserver.Serve(context.Background(), benchprovider.New(), providerserver.ServeOpts{
		Address: address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// serveTuned serves the provider as vbaws's main serves vbaws.
func serveTuned(debug bool) {
	tuning.QuietLogging(address)
	tuning.TuneGarbageCollector()
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	server := tuning.ReleaseContexts(providerserver.NewProtocol6(benchprovider.New()()))
	if err := tf6server.Serve(address, server, opts...); err != nil {
		log.Fatal(err)
	}
}
