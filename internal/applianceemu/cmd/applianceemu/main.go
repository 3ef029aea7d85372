// Command applianceemu serves an emulated Veeam Backup for AWS appliance REST API until it is interrupted, for
// `make demo` and for trying configurations by hand. It writes the appliance's certificate to -cert-file (for
// ca_file) and prints the URL; with -moto it checks every registered role in moto_server, as the acceptance
// tests do.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on, such as 127.0.0.1:11005")
	certFile := flag.String("cert-file", "", "file to write the appliance's PEM certificate to")
	urlFile := flag.String("url-file", "", "file to write the appliance's URL to")
	revisions := flag.String("revisions", strings.Join(applianceemu.DefaultRevisions, ","),
		"accepted x-api-version values, comma-separated")
	account := flag.String("account", applianceemu.DefaultAccountID, "the appliance's own AWS account")
	moto := flag.String("moto", "", "IAM endpoint (moto_server) to check registered roles in; none when empty")
	memberRole := flag.String("member-role", "OrganizationAccountAccessRole",
		"role assumed in other accounts of moto to read their roles")
	assumeDelay := flag.Duration("assume-delay", 0, "how long a role whose trust changed stays unassumable")
	impersonation := flag.String("impersonation-role", "",
		"ARN of the Impersonation role registered roles are assumed as; none: the root of -account, "+
			"so only a trust policy that names the account lets a role in")
	flag.Parse()
	if err := requireAWSSettings(*moto, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "applianceemu:", err)
		os.Exit(2)
	}

	opts := applianceemu.Options{
		Revisions:   strings.Split(*revisions, ","),
		Username:    os.Getenv("VBAWS_APPLIANCE_USERNAME"),
		Password:    os.Getenv("VBAWS_APPLIANCE_PASSWORD"),
		AccountID:   *account,
		AssumeDelay: *assumeDelay,

		ImpersonationRoleARN: *impersonation,
	}
	if *moto != "" {
		opts.Roles = &applianceemu.MotoRoles{Endpoint: *moto, Region: os.Getenv("AWS_REGION"),
			AccessKey: os.Getenv("AWS_ACCESS_KEY_ID"), SecretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
			DefaultAccount: *account, MemberRole: *memberRole}
	}
	emu, err := applianceemu.StartAt(*listen, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	for file, content := range map[string]string{*certFile: emu.CertificatePEM(), *urlFile: emu.URL() + "\n"} {
		if file != "" {
			if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
				log.Fatal(err)
			}
		}
	}
	fmt.Printf("emulated Veeam appliance at %s (user %s, revisions %s)\n", emu.URL(), emu.Username(), *revisions)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	summarize(emu)
}

// requireAWSSettings refuses to start an emulator that checks roles in moto (-moto) without the keys it reads them
// with: it would answer every registration with 500 "static credentials are empty".
func requireAWSSettings(moto string, getenv func(string) string) error {
	if moto == "" {
		return nil
	}
	var missing []string
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("-moto %s needs AWS credentials to read roles there: set %s (moto accepts any, "+
			"such as AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing)", moto,
			strings.Join(missing, " and "))
	}
	return nil
}

// summarize prints what the appliance holds and was asked, when it stops.
func summarize(emu *applianceemu.Server) {
	counts := emu.Counts()
	fmt.Printf("appliance emulator stopping: %d logins, %d refreshes, %d logouts, %d active sessions\n",
		counts["token:password"], counts["token:refresh_token"], counts["logout"], emu.ActiveSessions())
	for _, r := range emu.Records() {
		fmt.Printf("  record %q -> account %s, role %s (cross-account %v)\n", r.Name, r.AccountID, r.RoleName,
			r.CrossAccount)
	}
}
