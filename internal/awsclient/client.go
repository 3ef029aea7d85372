// Package awsclient builds the AWS IAM and STS clients the provider uses and owns every cross-cutting AWS concern:
// credential resolution, endpoints, SDK retries, call logging and the retries that IAM's eventual consistency needs.
package awsclient

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/vbaws/terraform-provider-vbaws/internal/principal"
)

// identityAttempts bounds the attempts of the one STS call made while configuring (GetCallerIdentity, or
// AssumeRole when the provider assumes a role), so that an endpoint that answers with errors fails in seconds
// instead of after max_retries back-offs.
const identityAttempts = 3

// Settings is everything the provider block can say about how to reach AWS. Empty values mean "not set", so the
// SDK's own chain (environment, shared files, SSO, web identity, IMDS) decides.
type Settings struct {
	Region                    string
	Profile                   string
	SharedConfigFiles         []string
	SharedCredentialsFiles    []string
	AccessKey                 string
	SecretKey                 string
	Token                     string
	AssumeRole                *AssumeRoleSettings
	IAMEndpoint               string
	STSEndpoint               string
	MaxRetries                int
	RetryMode                 string
	SkipCredentialsValidation bool
	SkipRequestingAccountID   bool
	// RefreshMode says whether a refresh may read from an account snapshot; "" means RefreshAuto.
	RefreshMode RefreshMode
}

// AssumeRoleSettings describes the role the provider assumes before making any IAM call.
type AssumeRoleSettings struct {
	RoleARN     string
	SessionName string
	ExternalID  string
	Duration    time.Duration
}

// Client is the configured provider's connection to AWS, shared by every resource and data source.
type Client struct {
	IAM *iam.Client
	STS *sts.Client

	// AccountID, Partition and CallerARN describe the identity Terraform runs as. AccountID and CallerARN are
	// empty when the provider was told to skip requesting them. With assume_role, AccountID and Partition come
	// from the role's ARN and CallerARN stays empty: no sts:GetCallerIdentity is needed.
	AccountID string
	Partition string
	CallerARN string
	// callerOnce and callerErr make Caller ask STS at most once.
	callerOnce sync.Once
	callerErr  error
	Region     string

	roleLocks   keyedMutex
	trustSeen   trustHistory
	retired     retiredCache
	snap        *snapshot
	maxAttempts int
	retryMode   aws.RetryMode
}

// ConfigError is a configuration problem with a one-line summary and a detail that names what to set.
type ConfigError struct {
	Summary string
	Detail  string
}

func (e *ConfigError) Error() string { return e.Summary + ": " + e.Detail }

// New resolves credentials, builds the clients and, unless skipped, learns the caller's identity.
func New(ctx context.Context, s Settings) (*Client, error) {
	cfg, err := loadConfig(ctx, s)
	if err != nil {
		return nil, err
	}
	c := &Client{
		STS:         newSTSClient(cfg, s.STSEndpoint),
		Region:      cfg.Region,
		Partition:   principal.PartitionForRegion(cfg.Region),
		maxAttempts: maxAttempts(s.MaxRetries),
		retryMode:   aws.RetryMode(s.RetryMode),
	}
	c.snap = newSnapshot(s.RefreshMode, c.snapshotSource())
	if s.AssumeRole != nil {
		roleProvider := stscreds.NewAssumeRoleProvider(configuringAttempts{c.STS}, s.AssumeRole.RoleARN,
			assumeRoleOptions(*s.AssumeRole))
		cfg.Credentials = aws.NewCredentialsCache(roleProvider)
		c.STS = newSTSClient(cfg, s.STSEndpoint)
	}
	c.IAM = newIAMClient(cfg, s.IAMEndpoint, c.snap.invalidationMiddleware)
	if s.AssumeRole != nil {
		if err := c.learnAssumedIdentity(ctx, s, cfg.Credentials); err != nil {
			return nil, err
		}
		return c, nil
	}
	if err := c.learnIdentity(ctx, s); err != nil {
		return nil, err
	}
	return c, nil
}

func loadConfig(ctx context.Context, s Settings) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithAPIOptions(append(loggingAPIOptions(), errorMiddleware)),
		config.WithRetryer(func() aws.Retryer {
			return newRetryer(maxAttempts(s.MaxRetries), aws.RetryMode(s.RetryMode), anyRetryables())
		}),
		config.WithHTTPClient(
			awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }),
		),
	}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if len(s.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(s.SharedConfigFiles))
	}
	if len(s.SharedCredentialsFiles) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(s.SharedCredentialsFiles))
	}
	if s.AccessKey != "" || s.SecretKey != "" {
		opts = append(
			opts,
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, s.Token)),
		)
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, &ConfigError{"Cannot load the AWS configuration", err.Error() +
			". Check profile, shared_config_files and shared_credentials_files in the provider block, " +
			"or AWS_PROFILE and AWS_CONFIG_FILE."}
	}
	if cfg.Region == "" {
		return cfg, &ConfigError{"No AWS region configured",
			"IAM is global, but AWS signs every request for a region. Set region in the provider block, " +
				"the AWS_REGION environment variable, or region in your AWS profile."}
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return cfg, &ConfigError{"No usable AWS credentials",
			"The provider looked in the provider block, the environment, shared files, SSO, web identity " +
				"and the instance metadata service: " + err.Error() +
				". Set access_key and secret_key or profile in the provider block, " +
				"or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE in the environment."}
	}
	return cfg, nil
}

func maxAttempts(maxRetries int) int {
	if maxRetries <= 0 {
		return DefaultMaxRetries
	}
	return maxRetries
}

func newIAMClient(cfg aws.Config, endpoint string, apiOptions ...func(*middleware.Stack) error) *iam.Client {
	return iam.NewFromConfig(
		cfg,
		withBaseEndpoint[iam.Options](endpoint, func(o *iam.Options, u *string) { o.BaseEndpoint = u }),
		func(o *iam.Options) { o.APIOptions = append(o.APIOptions, apiOptions...) },
	)
}

func newSTSClient(cfg aws.Config, endpoint string) *sts.Client {
	return sts.NewFromConfig(
		cfg,
		withBaseEndpoint[sts.Options](endpoint, func(o *sts.Options, u *string) { o.BaseEndpoint = u }),
	)
}

// withBaseEndpoint returns a client option that points a client at endpoint, or does nothing when it is empty
// (so AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> keep working).
func withBaseEndpoint[O any](endpoint string, set func(*O, *string)) func(*O) {
	return func(o *O) {
		if endpoint != "" {
			set(o, aws.String(endpoint))
		}
	}
}

func assumeRoleOptions(a AssumeRoleSettings) func(*stscreds.AssumeRoleOptions) {
	return func(o *stscreds.AssumeRoleOptions) {
		if a.SessionName != "" {
			o.RoleSessionName = a.SessionName
		}
		if a.ExternalID != "" {
			o.ExternalID = aws.String(a.ExternalID)
		}
		if a.Duration > 0 {
			o.Duration = a.Duration
		}
	}
}

// learnIdentity calls sts:GetCallerIdentity once, unless both validation and the account lookup are skipped. A
// failure is fatal only when credentials are to be validated.
func (c *Client) learnIdentity(ctx context.Context, s Settings) error {
	if s.SkipCredentialsValidation && s.SkipRequestingAccountID {
		return nil
	}
	out, err := c.STS.GetCallerIdentity(
		ctx,
		&sts.GetCallerIdentityInput{},
		func(o *sts.Options) { o.RetryMaxAttempts = identityAttempts },
	)
	if err != nil {
		if s.SkipCredentialsValidation {
			return nil
		}
		return identityError(err, s, "sts:GetCallerIdentity")
	}
	c.CallerARN = aws.ToString(out.Arn)
	if !s.SkipRequestingAccountID {
		c.AccountID = aws.ToString(out.Account)
	}
	if parsed, err := arn.Parse(c.CallerARN); err == nil {
		c.Partition = parsed.Partition
	}
	return nil
}

// learnAssumedIdentity takes the account and partition from the ARN of the role to assume, which names them, so
// that a provider configuration per member account costs one STS call (AssumeRole, whose credentials the IAM
// client then uses) instead of two. Unless validation is skipped, that AssumeRole is made now, so bad credentials
// or a role that cannot be assumed fail the configuration as GetCallerIdentity would.
func (c *Client) learnAssumedIdentity(ctx context.Context, s Settings, credentials aws.CredentialsProvider) error {
	role, err := arn.Parse(s.AssumeRole.RoleARN)
	if err != nil {
		return &ConfigError{"Invalid assume_role.role_arn", err.Error()}
	}
	c.Partition = role.Partition
	if !s.SkipRequestingAccountID {
		c.AccountID = role.AccountID
	}
	if s.SkipCredentialsValidation {
		return nil
	}
	if _, err := credentials.Retrieve(context.WithValue(ctx, configuringKey{}, true)); err != nil {
		return identityError(err, s, "sts:AssumeRole of "+s.AssumeRole.RoleARN)
	}
	return nil
}

// Caller returns the ARN of the identity Terraform runs as. Configuring with assume_role learns the account from
// the role's ARN and leaves CallerARN empty; the first call here then asks sts:GetCallerIdentity once.
func (c *Client) Caller(ctx context.Context) (string, error) {
	c.callerOnce.Do(func() {
		if c.CallerARN != "" {
			return
		}
		out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			c.callerErr = err
			return
		}
		c.CallerARN = aws.ToString(out.Arn)
	})
	return c.CallerARN, c.callerErr
}

// configuringKey marks the context of the AssumeRole made while configuring.
type configuringKey struct{}

// configuringAttempts is the STS client the assume-role credentials use: the AssumeRole made while configuring
// gets identityAttempts, like GetCallerIdentity; later ones, when the credentials expire during a long apply, get
// the provider's retries.
type configuringAttempts struct{ *sts.Client }

// AssumeRole calls STS, with identityAttempts when ctx is the configuring one.
func (c configuringAttempts) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput,
	optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	if configuring, _ := ctx.Value(configuringKey{}).(bool); configuring {
		optFns = append(optFns, func(o *sts.Options) { o.RetryMaxAttempts = identityAttempts })
	}
	return c.Client.AssumeRole(ctx, in, optFns...)
}

func identityError(err error, s Settings, call string) error {
	var unreachable *EndpointError
	if errors.As(err, &unreachable) {
		if unreachable.Endpoint == "" {
			unreachable.Endpoint = s.STSEndpoint
		}
		return &ConfigError{"Cannot reach AWS STS", unreachable.Error() +
			". Check endpoints.sts in the provider block or AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL, and your network."}
	}
	return &ConfigError{"AWS rejected the credentials", call + " failed: " + err.Error() +
		". Check access_key/secret_key/token, profile or assume_role in the provider block, or set " +
		"skip_credentials_validation for emulators that do not implement STS."}
}

// LockRole serialises read-modify-write cycles on one role's trust policy inside this provider process. The caller
// must call the returned function to release the lock.
func (c *Client) LockRole(roleName string) (unlock func()) {
	return c.roleLocks.lock(roleName)
}

type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	m, ok := k.locks[key]
	if !ok {
		m = &sync.Mutex{}
		k.locks[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}
