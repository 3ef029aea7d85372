// Command awsstandin is a test-only stand-in for the hashicorp/aws provider, built by the acceptance harness
// (acctest.NewMigrationCLI) and installed through dev_overrides under registry.terraform.io/hashicorp/aws and
// registry.opentofu.org/hashicorp/aws. Terraform refuses a state that names hashicorp/aws unless that provider is
// installed, and the tests cannot download it; they start from a state written the way hashicorp/aws writes it,
// to test the migration from it to vbaws.
//
// It is not hashicorp/aws and does nothing that provider does: it serves, over plugin protocol 5 as hashicorp/aws
// does, only the schemas of the types a migration of Veeam's roles meets (schema version 0): aws_iam_role with
// hashicorp/aws's attributes, types and inline_policy block, and aws_iam_policy, aws_iam_instance_profile,
// aws_iam_role_policy_attachment and aws_iam_role_policy with the attributes of their states (see keptResource).
// Reading a resource returns its state as it is; every other operation (create, update, delete, import) fails.
// It never calls AWS.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

func main() {
	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{
		Address:         "registry.terraform.io/hashicorp/aws",
		ProtocolVersion: 5,
	})
	if err != nil {
		log.Fatal(err)
	}
}
