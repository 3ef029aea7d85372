package applianceemu

import (
	"net/http"
	"slices"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/catalog"
	"github.com/vbaws/terraform-provider-vbaws/internal/veeamrest"
)

// The permission names the emulator offers a record registered for all of them, and accepts in a request, are
// the catalog's: there is no other copy to drift from it.
func TestOfferedPermissionsAreTheCatalogs(t *testing.T) {
	s, c := startForTest(t, Options{})
	status, body, _ := send(t, c, tokenRequest(t, s, veeamrest.Newest(), s.Password()))
	if status != http.StatusOK {
		t.Fatalf("login: %d %v", status, body)
	}
	req, err := http.NewRequest(http.MethodGet, s.URL()+accountsPrefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-version", veeamrest.Newest())
	req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
	status, body, _ = send(t, c, req)
	records, _ := body["results"].([]any)
	if status != http.StatusOK || len(records) != 1 {
		t.Fatalf("list: %d %v", status, body)
	}
	var offered []string
	for _, p := range records[0].(map[string]any)["accountPermissions"].([]any) {
		offered = append(offered, p.(string))
	}
	slices.Sort(offered)
	if want := catalog.AppliancePermissions(); !slices.Equal(offered, want) {
		t.Errorf("the default record offers %v, the catalog has %v", offered, want)
	}
	rev, _ := parseRevision(veeamrest.Newest())
	name := "r"
	for permissions, valid := range map[string]bool{"EC2BackupSnapshot": true, "": false, "FileLevelRecovery": false} {
		_, errs := s.record(spec{Name: &name, RequestedPermissions: []string{permissions}}, rev)
		if _, refused := errs["requestedPermissions"]; refused == valid {
			t.Errorf("requestedPermissions [%q]: errors %v", permissions, errs)
		}
	}
}
