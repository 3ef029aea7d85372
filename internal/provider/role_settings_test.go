package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// everySetting is a role's settings with every field of awsclient.RoleSettings set to a value other than IAM's
// default, so that a field the snapshot leaves out reads differently from GetRole.
func everySetting(boundary string) awsclient.RoleSettings {
	return awsclient.RoleSettings{
		Path:                "/vbaws/settings/",
		Description:         "every setting",
		MaxSessionDuration:  7200,
		PermissionsBoundary: boundary,
		Tags:                map[string]string{"team": "platform", "cost-center": "42"},
	}
}

// The account snapshot fills every field of awsclient.RoleSettings that GetRole fills: a role made with every
// setting reads the same from GetRole and from the snapshot, field by field. A field added to RoleSettings fails
// here until everySetting sets it and the snapshot fills it.
func TestAccRoleSettings_snapshotFillsWhatGetRoleFills(t *testing.T) {
	ctx := context.Background()
	account := acctest.RandomAccountID()
	fixtures := acctest.IAMClientIn(t, account)
	proxy := acctest.NewProxy(t)
	want := everySetting(fixturePolicy(t, fixtures, s3GetObjectOnly))
	for _, field := range reflect.VisibleFields(reflect.TypeFor[awsclient.RoleSettings]()) {
		if reflect.ValueOf(want).FieldByIndex(field.Index).IsZero() {
			t.Fatalf("everySetting leaves RoleSettings.%s unset, so the snapshot is not checked for it", field.Name)
		}
	}
	perResource := settingsClient(t, proxy, account, awsclient.RefreshPerResource)
	name := acctest.RandomName("vbaws-settings")
	if _, err := perResource.CreateRole(ctx, awsclient.NewRole{Name: name, TrustPolicy: ec2TrustPolicy,
		RoleSettings: want}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteFixtureRole(fixtures, name, nil) })

	fromGetRole := readSettings(t, perResource, name)
	proxy.Reset()
	fromSnapshot := readSettings(t, settingsClient(t, proxy, account, awsclient.RefreshSnapshot), name)
	if proxy.Count("GetAccountAuthorizationDetails") == 0 || proxy.Count("GetRole") != 0 {
		t.Fatalf("the snapshot read made %v, want the snapshot and no GetRole", proxy.Counts())
	}
	for _, field := range reflect.VisibleFields(reflect.TypeFor[awsclient.RoleSettings]()) {
		got := reflect.ValueOf(fromSnapshot).FieldByIndex(field.Index).Interface()
		read := reflect.ValueOf(fromGetRole).FieldByIndex(field.Index).Interface()
		if !reflect.DeepEqual(read, reflect.ValueOf(want).FieldByIndex(field.Index).Interface()) {
			t.Errorf("GetRole reads %s as %v, not as created", field.Name, read)
		}
		if !reflect.DeepEqual(got, read) {
			t.Errorf("the snapshot reads %s as %v, GetRole as %v: the snapshot loader does not fill it",
				field.Name, got, read)
		}
	}
}

// settingsClient is a provider's AWS client in account, through proxy, reading in mode.
func settingsClient(t *testing.T, proxy *acctest.Proxy, account string, mode awsclient.RefreshMode,
) *awsclient.Client {
	t.Helper()
	accessKey, secretKey := acctest.EmulatorCredentials()
	client, err := awsclient.New(context.Background(), awsclient.Settings{Region: acctest.Region,
		AccessKey: accessKey, SecretKey: secretKey, IAMEndpoint: proxy.URL, STSEndpoint: proxy.URL,
		RefreshMode: mode,
		AssumeRole:  &awsclient.AssumeRoleSettings{RoleARN: "arn:aws:iam::" + account + ":role/" + acctest.MemberAccessRole}})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func readSettings(t *testing.T, client *awsclient.Client, name string) awsclient.RoleSettings {
	t.Helper()
	role, err := client.ReadRole(context.Background(), name, awsclient.RoleHint{})
	if err != nil {
		t.Fatalf("reading role %s: %v", name, err)
	}
	return awsclient.SettingsOf(role)
}
