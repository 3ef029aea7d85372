package acctest

import (
	"context"
	"crypto/rand"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// MemberAccessRole is the role tests assume in other accounts of the emulator, as in an AWS Organization.
const MemberAccessRole = "OrganizationAccountAccessRole"

// RandomAccountID returns a 12-digit account ID no other test uses, so that a test can own a whole account of the
// emulator and check that nothing at all is left in it.
func RandomAccountID() string {
	n, err := rand.Int(rand.Reader, big.NewInt(900_000_000_000))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(100_000_000_000)).String()
}

// IAMClientIn returns an IAM client acting in another account of the emulator: moto makes the caller act in the
// account of any role ARN it assumes. Tests that need several accounts skip against real AWS.
func IAMClientIn(t *testing.T, accountID string) *iam.Client {
	t.Helper()
	PreCheck(t)
	if RealAWS() {
		t.Skip("this test needs several accounts, which only the emulator provides")
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(Region),
		config.WithRetryer(awsclient.DefaultRetryer),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")))
	if err != nil {
		t.Fatalf("loading AWS config: %v", err)
	}
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(Endpoint()) })
	roleARN := "arn:aws:iam::" + accountID + ":role/" + MemberAccessRole
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, roleARN))
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(Endpoint()) })
}

// EmulatorCredentials returns the static access key and secret key the emulator accepts, for configurations that
// cannot use ProviderConfig, such as a module directory under test.
func EmulatorCredentials() (accessKey, secretKey string) { return testAccessKey, testSecretKey }
