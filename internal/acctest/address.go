package acctest

import (
	"fmt"
	"os"
)

// ProviderSource is the source address under which terraform-plugin-testing serves the provider named "vbaws":
// TF_ACC_PROVIDER_HOST (default registry.terraform.io) / TF_ACC_PROVIDER_NAMESPACE (default hashicorp) / vbaws.
func ProviderSource() string {
	host, namespace := "registry.terraform.io", "hashicorp"
	if v := os.Getenv("TF_ACC_PROVIDER_HOST"); v != "" {
		host = v
	}
	if v := os.Getenv("TF_ACC_PROVIDER_NAMESPACE"); v != "" {
		namespace = v
	}
	return host + "/" + namespace + "/vbaws"
}

// RequiredProviders returns a terraform block that requires the provider from ProviderSource. Steps whose Config
// terraform-plugin-testing uses as written, such as import-only steps, need it whenever TF_ACC_PROVIDER_NAMESPACE
// or TF_ACC_PROVIDER_HOST moves the provider away from the CLI's default address.
func RequiredProviders() string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    vbaws = {
      source = %q
    }
  }
}
`, ProviderSource())
}
