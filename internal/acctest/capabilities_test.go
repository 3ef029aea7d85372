package acctest

import "testing"

func TestIdentity_toldByCLINameAndVersion(t *testing.T) {
	cases := map[string]bool{
		"Terraform v1.16.4\non linux_amd64\n": true,
		"Terraform v1.12.0\n":                 true,
		"Terraform v2.0.1\n":                  true,
		"Terraform v1.11.4\n":                 false,
		"OpenTofu v1.12.6\n":                  true,
		"OpenTofu v1.10.10\n":                 false, // predates import by identity
		"OpenTofu v1.11.0\n":                  false,
		"There are some problems with the CLI configuration:\n\nTerraform v1.13.3\n": true,
	}
	for out, want := range cases {
		if got := Identity.has(out, 0); got != want {
			t.Errorf("Identity.has(%q) = %v, want %v", out, got, want)
		}
	}
	if Identity.has("Terraform v1.14.9\n", 1) {
		t.Error("a version command that failed counts as a capability")
	}
}

func TestOpenTofuFrom_onlyOpenTofuOfThatVersionHasProviderForEach(t *testing.T) {
	atLeast19 := openTofuFrom(1, 9)
	cases := map[string]bool{
		"OpenTofu v1.12.6\non linux_amd64\n": true,
		"OpenTofu v1.9.0\n":                  true,
		"OpenTofu v1.8.9\n":                  false,
		"Terraform v1.14.9\n":                false, // no Terraform has for_each in provider blocks
	}
	for out, want := range cases {
		if got := atLeast19(out, 0); got != want {
			t.Errorf("openTofuFrom(1, 9)(%q) = %v, want %v", out, got, want)
		}
	}
}

func TestActionOnFailure_onlyTerraformFrom116(t *testing.T) {
	cases := map[string]bool{
		"Terraform v1.16.4\non linux_amd64\n": true,
		"Terraform v1.14.9\n":                 false,
		"Terraform v1.11.4\n":                 false,
		"OpenTofu v1.16.0\n":                  false, // OpenTofu has no actions
	}
	for out, want := range cases {
		if got := ActionOnFailure.has(out, 0); got != want {
			t.Errorf("ActionOnFailure.has(%q) = %v, want %v", out, got, want)
		}
	}
}
