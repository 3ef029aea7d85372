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

// QuietFrameworkLogging turns the framework's trace logging off unless the user asked for logs at any level.
func QuietFrameworkLogging() {
	if userAskedForLogs(os.Environ()) {
		return
	}
	for _, name := range sdkLogLevelVariables {
		_ = os.Setenv(name, "OFF")
	}
}
