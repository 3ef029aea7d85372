package tuning

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestUserAskedForLogs(t *testing.T) {
	cases := map[string]struct {
		environ []string
		want    bool
	}{
		"nothing":         {[]string{"HOME=/root", "TF_ACC=1"}, false},
		"tf_log":          {[]string{"TF_LOG=DEBUG"}, true},
		"tf_log_provider": {[]string{"TF_LOG_PROVIDER=TRACE"}, true},
		"tf_log_sdk":      {[]string{"TF_LOG_SDK_PROTO=TRACE"}, true},
		"vbaws":           {[]string{"TF_LOG_PROVIDER_VBAWS=DEBUG"}, true},
		"vbaws_aws":       {[]string{"TF_LOG_PROVIDER_VBAWS_AWS=DEBUG"}, true},
		"core_only":       {[]string{"TF_LOG_CORE=TRACE"}, false},
		"lookalike":       {[]string{"TF_LOGGING=1"}, false},
		"empty":           {[]string{"TF_LOG=", "TF_LOG_PROVIDER= "}, false},
		"off":             {[]string{"TF_LOG=off", "TF_LOG_PROVIDER_VBAWS=OFF"}, false},
		"off_and_on":      {[]string{"TF_LOG=", "TF_LOG_PROVIDER=DEBUG"}, true},
	}
	for name, tc := range cases {
		if got := userAskedForLogs(tc.environ); got != tc.want {
			t.Errorf("%s: userAskedForLogs(%v) = %v, want %v", name, tc.environ, got, tc.want)
		}
	}
}

func TestProviderLogLevelVariable(t *testing.T) {
	cases := map[string]string{
		"registry.terraform.io/vbaws/vbaws":      "TF_LOG_PROVIDER_VBAWS",
		"registry.terraform.io/vbaws/vbawsbench": "TF_LOG_PROVIDER_VBAWSBENCH",
		"example.com/acme/my-provider":           "TF_LOG_PROVIDER_MY_PROVIDER",
	}
	for address, want := range cases {
		if got := providerLogLevelVariable(address); got != want {
			t.Errorf("providerLogLevelVariable(%q) = %q, want %q", address, got, want)
		}
	}
}

const testAddress = "registry.terraform.io/vbaws/vbaws"

// quietVariables are the variables QuietLogging sets for testAddress.
var quietVariables = append(slices.Clone(sdkLogLevelVariables), "TF_LOG_PROVIDER_VBAWS")

func TestQuietLoggingSetsLevelsOff(t *testing.T) {
	for _, entry := range os.Environ() {
		name, _, _ := strings.Cut(entry, "=")
		if strings.HasPrefix(name, "TF_LOG") {
			t.Setenv(name, "")
			_ = os.Unsetenv(name)
		}
	}
	for _, name := range quietVariables {
		t.Setenv(name, "")
		_ = os.Unsetenv(name)
	}
	QuietLogging(testAddress)
	for _, name := range quietVariables {
		if got := os.Getenv(name); got != "OFF" {
			t.Errorf("%s = %q after QuietLogging with no log variables, want OFF", name, got)
		}
	}
}

func TestQuietLoggingKeepsRequestedLevels(t *testing.T) {
	t.Setenv("TF_LOG", "DEBUG")
	for _, name := range quietVariables {
		t.Setenv(name, "")
		_ = os.Unsetenv(name)
	}
	QuietLogging(testAddress)
	for _, name := range quietVariables {
		if got, set := os.LookupEnv(name); set {
			t.Errorf("%s = %q although TF_LOG was set, want it left unset", name, got)
		}
	}
}
