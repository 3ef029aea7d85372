package tuning

import (
	"os"
	"strings"
)

// sdkLogLevelVariables are the terraform-plugin-log variables that set the framework's own log levels.
var sdkLogLevelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// userAskedForLogs reports whether any Terraform or provider log variable is set in environ: TF_LOG,
// TF_LOG_PROVIDER and every TF_LOG_PROVIDER_* (this provider and its subsystems, such as
// TF_LOG_PROVIDER_VBAWS_AWS), or TF_LOG_SDK*. A variable that is empty or "off" asks for nothing, as Terraform
// reads it: CI scripts and test harnesses often export TF_LOG= to silence the CLI.
func userAskedForLogs(environ []string) bool {
	for _, entry := range environ {
		name, level, _ := strings.Cut(entry, "=")
		if level = strings.TrimSpace(level); level == "" || strings.EqualFold(level, "off") {
			continue
		}
		if name == "TF_LOG" || strings.HasPrefix(name, "TF_LOG_PROVIDER") || strings.HasPrefix(name, "TF_LOG_SDK") {
			return true
		}
	}
	return false
}

// providerLogLevelVariable is the variable that sets the level of the provider's own logger, as terraform-plugin-go
// names it from the address the provider serves: TF_LOG_PROVIDER_ and the type, upper case, "-" as "_".
func providerLogLevelVariable(address string) string {
	providerType := address[strings.LastIndex(address, "/")+1:]
	return "TF_LOG_PROVIDER_" + strings.ToUpper(strings.ReplaceAll(providerType, "-", "_"))
}

// QuietLogging turns the framework's trace logging and the provider's own logging (served at address) off unless
// the user asked for logs at any level. Without a log variable, Terraform and OpenTofu drop every line a provider
// writes, so each line would only cost its formatting, a caller lookup and a pipe write in the provider, and the
// reading in the CLI: an AWS call line and a timeouts line per resource in every provider process.
func QuietLogging(address string) {
	if userAskedForLogs(os.Environ()) {
		return
	}
	for _, name := range sdkLogLevelVariables {
		_ = os.Setenv(name, "OFF")
	}
	_ = os.Setenv(providerLogLevelVariable(address), "OFF")
}
