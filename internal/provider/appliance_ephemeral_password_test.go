package provider

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/applianceemu"
)

// ephemeralPasswordConfig is the provider with its appliance password from var.appliance_password, declared
// ephemeral (or only sensitive), and a vbaws_appliance_role.
func ephemeralPasswordConfig(t *testing.T, emu *applianceemu.Server, ephemeral bool, role string) string {
	t.Helper()
	literal := fmt.Sprintf("password = %q", emu.Password())
	provider := acctest.ProviderConfigWithAppliance(emu, "")
	if !strings.Contains(provider, literal) {
		t.Fatal("the provider configuration has no password to replace")
	}
	return strings.Replace(provider, literal, "password = var.appliance_password", 1) + fmt.Sprintf(`
variable "appliance_password" {
  type      = string
  sensitive = true
  ephemeral = %t
}
`, ephemeral) + role
}

// The appliance password can come from an ephemeral variable (Terraform 1.10 and later, OpenTofu 1.12),
// here set through TF_VAR_appliance_password: the plan, saved and applied, registers the role, and the password is
// in neither the saved plan, its JSON rendering nor the state. A variable that is only sensitive is written into the
// saved plan, which shows that the check can see it there.
func TestAccApplianceRole_passwordFromEphemeralVariable(t *testing.T) {
	emu, roleName, roleARN := applianceFixture(t, applianceemu.Options{})
	role := applianceRoleArgs{name: roleName, roleARN: fmt.Sprintf("%q", roleARN)}.block()
	password := emu.Password()
	cli := acctest.NewCLI(t, NewServer("test"))
	cli.Setenv("TF_VAR_appliance_password="+password, "VBAWS_APPLIANCE_PASSWORD=")
	cli.WriteConfig(ephemeralPasswordConfig(t, emu, true, role))
	cli.MustRun("init", "-no-color")
	t.Cleanup(func() { cli.Run("destroy", "-no-color", "-auto-approve") })
	cli.MustRun("plan", "-no-color", "-out=ephemeral.tfplan")
	if planFileHolds(t, filepath.Join(cli.Dir, "ephemeral.tfplan"), password) {
		t.Error("the saved plan holds the appliance password")
	}
	if strings.Contains(cli.MustRun("show", "-json", "ephemeral.tfplan"), password) {
		t.Error("the plan's JSON holds the appliance password")
	}
	cli.MustRun("apply", "-no-color", "ephemeral.tfplan")
	if err := recordIs(applianceemu.Record{Name: roleName, Description: text(""), AccountID: emulatorAccount,
		RoleName: roleName})(registeredRecords(emu)); err != nil {
		t.Errorf("after the apply: %v", err)
	}
	state, err := os.ReadFile(filepath.Join(cli.Dir, "terraform.tfstate"))
	if err != nil || len(state) == 0 || strings.Contains(string(state), password) {
		t.Errorf("the state (%d bytes, %v) is missing or holds the appliance password", len(state), err)
	}
	cli.WriteConfig(ephemeralPasswordConfig(t, emu, false, role))
	cli.MustRun("plan", "-no-color", "-out=sensitive.tfplan")
	if !planFileHolds(t, filepath.Join(cli.Dir, "sensitive.tfplan"), password) {
		t.Error("the saved plan of a variable that is only sensitive does not hold the password: the check is blind")
	}
}

// planFileHolds reports whether any member of the saved plan (a zip archive) contains text.
func planFileHolds(t *testing.T, path, text string) bool {
	t.Helper()
	archive, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = archive.Close() }()
	for _, member := range archive.File {
		r, err := member.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(content), text) {
			return true
		}
	}
	return false
}
