// Command terraform-provider-vbaws serves the vbaws Terraform provider.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/vbaws/terraform-provider-vbaws/internal/provider"
	"github.com/vbaws/terraform-provider-vbaws/internal/tuning"
)

// version is set by goreleaser at build time.
var version = "dev"

// address is the provider's address; Terraform and OpenTofu find it under their own registry host.
const address = "registry.terraform.io/vbaws/vbaws"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	tuning.QuietLogging(address)
	tuning.TuneGarbageCollector()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve(address, provider.NewServer(version), opts...)
	provider.CloseAppliances() // Terraform has stopped the provider: log out of every appliance
	if err != nil {
		log.Fatal(err)
	}
}
