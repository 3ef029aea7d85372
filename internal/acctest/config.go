package acctest

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// Static credentials the emulator accepts. Against real AWS the SDK's default chain is used instead.
const (
	testAccessKey = "AKIAVBAWSTESTING0001"
	testSecretKey = "vbaws-acceptance-test-secret-key"
)

// ProviderConfig returns a provider block for the shared emulator, or an empty one against real AWS.
func ProviderConfig() string { return ProviderConfigFor(Endpoint()) }

// ProviderConfigFor returns a provider block that sends IAM and STS calls to endpoint (a Proxy's URL, say).
func ProviderConfigFor(endpoint string) string {
	if RealAWS() {
		return "provider \"vbaws\" {}\n"
	}
	return fmt.Sprintf(`
provider "vbaws" {
  region     = %[2]q
  access_key = %[3]q
  secret_key = %[4]q
  endpoints {
    iam = %[1]q
    sts = %[1]q
  }
}
`, endpoint, Region, testAccessKey, testSecretKey)
}

// ProviderConfigInAccount returns a provider block like ProviderConfigFor that assumes MemberAccessRole in another
// account of the emulator first, so that the provider acts in that account (see IAMClientIn).
func ProviderConfigInAccount(endpoint, accountID string) string {
	assume := fmt.Sprintf("  assume_role {\n    role_arn = \"arn:aws:iam::%s:role/%s\"\n  }\n  endpoints {",
		accountID, MemberAccessRole)
	return strings.Replace(ProviderConfigFor(endpoint), "  endpoints {", assume, 1)
}

// WithRefreshMode sets refresh_mode ("auto", "snapshot" or "per_resource") in the provider block of config, so
// that one test can read the same state in each mode.
func WithRefreshMode(config, mode string) string {
	block := `provider "vbaws" {`
	return strings.Replace(config, block, fmt.Sprintf("%s\n  refresh_mode = %q\n", block, mode), 1)
}

// IAMClient returns an IAM client for arranging fixtures outside Terraform (roles someone else owns, drift).
func IAMClient(t *testing.T) *iam.Client {
	t.Helper()
	PreCheck(t)
	opts := []func(*config.LoadOptions) error{config.WithRegion(Region), config.WithRetryer(awsclient.DefaultRetryer)}
	if !RealAWS() {
		opts = append(
			opts,
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")),
		)
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatalf("loading AWS config: %v", err)
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		if !RealAWS() {
			o.BaseEndpoint = aws.String(Endpoint())
		}
	})
}

// RandomName returns prefix followed by a random suffix, so parallel tests sharing one account never collide.
func RandomName(prefix string) string {
	return prefix + "-" + strings.ToLower(rand.Text()[:10])
}
