// Command operationsguide writes the operations guide (see package operationsguide) to the file named by its only
// argument, templates/guides/operations.md when run from the repository root by `make docs`.
package main

import (
	"log"
	"os"

	"github.com/vbaws/terraform-provider-vbaws/internal/operationsguide"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) != 2 {
		log.Fatalf("usage: operationsguide %s", operationsguide.Path)
	}
	guide, err := operationsguide.Render()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(os.Args[1], guide, 0o644); err != nil {
		log.Fatal(err)
	}
}
