package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// The provider's appliance block and the connection it configures, shared by vbaws_appliance_role and
// vbaws_appliance_roles.

// Environment variables the appliance block reads when username or password are not set.
const (
	envApplianceUsername = "VBAWS_APPLIANCE_USERNAME"
	envAppliancePassword = "VBAWS_APPLIANCE_PASSWORD"
)

// ApplianceLogSubsystem is the terraform-plugin-log subsystem of appliance calls
// (TF_LOG_PROVIDER_VBAWS_APPLIANCE=DEBUG).
const ApplianceLogSubsystem = "appliance"

type applianceModel struct {
	URL                types.String         `tfsdk:"url"`
	Username           types.String         `tfsdk:"username"`
	Password           types.String         `tfsdk:"password"`
	CAFile             types.String         `tfsdk:"ca_file"`
	CAPEM              types.String         `tfsdk:"ca_pem"`
	InsecureSkipVerify types.Bool           `tfsdk:"insecure_skip_verify"`
	APIVersion         types.String         `tfsdk:"api_version"`
	Timeout            timetypes.GoDuration `tfsdk:"timeout"`
}

var pathAppliance = path.Root("appliance")

// revisionsChecked says which REST revisions the appliance code was written against and what rests on inference.
var revisionsChecked = "Request and response shapes of revision 1.0-rev0 follow Veeam's published OpenAPI " +
	"specification; the token flow, the error body, paging and the x-api-version window follow Veeam's REST " +
	"documentation up to 1.7-rev0. The permission property (`requestedPermissions`/`accountPermissions`), the " +
	"`awsAccountId` and `iamRole` spellings of 1.8-rev0 and later, the status of a refused login, a taken name, " +
	"a role in use and a role the appliance cannot assume yet are inferred and read tolerantly."

func applianceBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "The Veeam Backup for AWS appliance whose IAM role records `vbaws_appliance_role` and " +
			"`vbaws_appliance_roles` manage, through its REST API. Without this block nothing contacts an " +
			"appliance. Use one provider alias per appliance. The provider logs in on first use, with a user that " +
			"has the Portal Administrator role and no multi-factor authentication, and logs out when it stops. " +
			revisionsChecked,
		Validators: []validator.Object{objectvalidator.AlsoRequires(path.MatchRelative().AtName("url"))},
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "HTTPS address of the appliance's REST API, such as " +
					"`https://backup.example.com:11005`; port `11005` when none is given. Required in this block.",
				Validators: []validator.String{applianceURLValidator()},
			},
			"username": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "User name. Defaults to `" + envApplianceUsername + "`.",
			},
			"password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Password. Defaults to `" + envAppliancePassword + "`. It is never logged.",
			},
			"ca_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "File with the PEM certificate(s) to trust instead of the system's, such as " +
					"the appliance's own self-signed certificate.",
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().
					AtName("ca_pem"))},
			},
			"ca_pem": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM certificate(s) to trust, as text; the alternative to `ca_file`.",
			},
			"insecure_skip_verify": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Do not verify the appliance's certificate. Allowed, with a warning: " +
					"prefer `ca_file` or `ca_pem` with the appliance's certificate.",
			},
			"timeout": schema.StringAttribute{
				Optional:   true,
				CustomType: timetypes.GoDurationType{},
				MarkdownDescription: fmt.Sprintf("How long one appliance operation may take, every attempt, the "+
					"pauses between them and the login included, such as `90s`; `%s` when not set. Each attempt "+
					"waits at most a third of it (and at most %s). An appliance that does not answer within it "+
					"fails the operation with a message that names its address.",
					shortDuration(appliance.DefaultCallTimeout), shortDuration(appliance.DefaultRequestTimeout)),
				Validators: []validator.String{minimumDuration{least: minimumApplianceTimeout}},
			},
			"api_version": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "REST revision sent in `x-api-version`. `auto` (the default) negotiates " +
					"once per provider process: it tries " + codeList(appliance.KnownRevisions) + " in this order " +
					"and steps down whenever the appliance refuses one, whatever the wording of the refusal, " +
					"checking revisions with requests that carry no credentials where the appliance allows it. A " +
					"revision such as `1.8-rev0` is sent as is; one newer than " + appliance.KnownRevisions[0] +
					" is spoken with the shapes of " + appliance.KnownRevisions[0] + ".",
				Validators: []validator.String{stringvalidator.RegexMatches(apiVersionPattern,
					"must be auto or a revision such as 1.8-rev0")},
			},
		},
	}
}

var apiVersionPattern = regexp.MustCompile(`^(auto|\d+\.\d+-rev\d+)$`)

// minimumApplianceTimeout is the shortest timeout the appliance block takes: a login needs a few round trips.
const minimumApplianceTimeout = time.Second

// minimumDuration refuses a duration shorter than least (the value's own type checks that it parses).
type minimumDuration struct{ least time.Duration }

func (v minimumDuration) Description(context.Context) string {
	return "must be at least " + shortDuration(v.least)
}

func (v minimumDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v minimumDuration) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err == nil && d < v.least {
		resp.Diagnostics.AddAttributeError(req.Path, "Appliance timeout too short", fmt.Sprintf(
			"timeout %s is shorter than %s, too short for a login; write a duration such as \"90s\" or \"3m\".",
			req.ConfigValue.ValueString(), shortDuration(v.least)))
	}
}

// shortDuration writes d as "3m" rather than "3m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func codeList(values []string) string { return strings.Join(codeSpans(values), ", ") }

// newProviderClients builds what resources get from Configure: the AWS client and the appliance client of the
// appliance block, when there is one. It does not contact the appliance.
func newProviderClients(client *awsclient.Client, m *applianceModel, diags *diag.Diagnostics) *providerClients {
	data := &providerClients{aws: client}
	if m == nil || m.URL.IsNull() {
		return data
	}
	cfg := appliance.Config{
		URL:                m.URL.ValueString(),
		Username:           valueOrEnv(m.Username, envApplianceUsername),
		Password:           valueOrEnv(m.Password, envAppliancePassword),
		CAFile:             m.CAFile.ValueString(),
		CAPEM:              m.CAPEM.ValueString(),
		InsecureSkipVerify: m.InsecureSkipVerify.ValueBool(),
		APIVersion:         m.APIVersion.ValueString(),
		Log:                logApplianceCall,
	}
	if !m.Timeout.IsNull() && !m.Timeout.IsUnknown() {
		timeout, more := m.Timeout.ValueGoDuration()
		diags.Append(more...)
		cfg.CallTimeout = timeout
	}
	if cfg.Username == "" || cfg.Password == "" {
		diags.AddAttributeError(pathAppliance, "Missing appliance credentials", fmt.Sprintf(
			"Set username and password in the appliance block, or %s and %s.", envApplianceUsername,
			envAppliancePassword))
		return data
	}
	if cfg.InsecureSkipVerify {
		diags.AddAttributeWarning(pathAppliance.AtName("insecure_skip_verify"), "Appliance certificate not verified",
			"insecure_skip_verify is true, so anyone between Terraform and the appliance can read its password. "+
				"Give the appliance's certificate in ca_file or ca_pem instead.")
	}
	c, err := appliance.New(cfg)
	if err != nil {
		diags.AddAttributeError(pathAppliance, "Cannot configure the appliance connection", err.Error())
		return data
	}
	openAppliances.add(c)
	data.appliance = c
	return data
}

func valueOrEnv(v types.String, env string) string {
	if s := v.ValueString(); s != "" {
		return s
	}
	return os.Getenv(env)
}

func logApplianceCall(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, ApplianceLogSubsystem)
	tflog.SubsystemDebug(ctx, ApplianceLogSubsystem, msg, fields)
}

// openAppliances are the appliance clients of this process, logged out by CloseAppliances.
var openAppliances clientRegistry

type clientRegistry struct {
	mu      sync.Mutex
	clients []*appliance.Client
}

func (r *clientRegistry) add(c *appliance.Client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clients = append(r.clients, c)
}

// logoutTimeout bounds each logout when the provider stops: Terraform gives a stopping provider 2 seconds.
const logoutTimeout = time.Second

// CloseAppliances logs every appliance client of this process out, concurrently, each within logoutTimeout.
// main calls it when Terraform has stopped the provider.
func CloseAppliances() {
	openAppliances.mu.Lock()
	clients := openAppliances.clients
	openAppliances.clients = nil
	openAppliances.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), logoutTimeout)
			defer cancel()
			_ = c.Close(ctx)
		})
	}
	wg.Wait()
}
