package catalog

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// wantCounts pins the number of actions per operation, counted by hand from
// the reference lists (union of the lists each operation maps to,
// case-insensitive): {v10 actions, v11 actions, production-worker actions};
// -1 for a version without the operation.
var wantCounts = map[string][3]int{
	"organization_rescan":         {8, 8, 0},
	"worker_deployment":           {77, 77, 0},
	"production_worker":           {33, 34, 0},
	"flr_worker":                  {82, 82, 0},
	"repository":                  {28, 28, 0},
	"ec2_backup":                  {61, 63, 17},
	"ec2_replication":             {61, 61, 0},
	"ec2_restore":                 {56, 56, 16},
	"rds_snapshot":                {46, 46, 41},
	"rds_replication":             {46, 46, 0},
	"rds_restore":                 {88, 88, 0},
	"efs_backup":                  {73, 73, 5},
	"efs_restore":                 {50, 50, 0},
	"vpc_backup":                  {48, 48, 0},
	"vpc_restore":                 {179, 179, 0},
	"dynamodb_backup":             {52, 52, 0},
	"dynamodb_restore":            {35, 35, 0},
	"fsx_backup":                  {54, 54, 0},
	"fsx_restore":                 {40, 40, 0},
	"redshift_backup":             {43, 43, 0},
	"redshift_restore":            {33, 33, 0},
	"redshift_serverless_backup":  {33, 33, 0},
	"redshift_serverless_restore": {33, 33, 0},
}

var actionRE = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)

func mustGet(t testing.TB, version, name string) Operation {
	t.Helper()
	op, err := Get(version, name)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", version, name, err)
	}
	return op
}

func mustOperations(t testing.TB, version string) []string {
	t.Helper()
	names, err := Operations(version)
	if err != nil {
		t.Fatalf("Operations(%q): %v", version, err)
	}
	return names
}

func lowerSet(actions []string) map[string]bool {
	s := make(map[string]bool, len(actions))
	for _, a := range actions {
		s[strings.ToLower(a)] = true
	}
	return s
}

func TestEmbeddedDataLoads(t *testing.T) {
	if _, err := loadEmbedded(); err != nil {
		t.Fatal(err)
	}
}

func TestVersionsAndBuilds(t *testing.T) {
	if got := Versions(); !slices.Equal(got, []string{"10", "11"}) {
		t.Fatalf("Versions() = %v", got)
	}
	if !slices.Contains(Versions(), DefaultVersion) || DefaultVersion != "10" {
		t.Fatalf("DefaultVersion = %q", DefaultVersion)
	}
	want := map[string]string{"10": "10.0.0.232", "11": "11"}
	for v, b := range want {
		got, err := Build(v)
		if err != nil || got != b {
			t.Errorf("Build(%q) = %q, %v; want %q", v, got, err, b)
		}
	}
	_, err := Build("12")
	if err == nil || !strings.Contains(err.Error(), `"10", "11"`) {
		t.Errorf("Build(12) error = %v, want list of valid versions", err)
	}
}

func TestOperationNamesOrder(t *testing.T) {
	names := AllOperations()
	if len(names) != len(wantCounts) || names[0] != "organization_rescan" {
		t.Fatalf("AllOperations() = %v, want the %d operations of wantCounts", names, len(wantCounts))
	}
	names[0] = "mutated"
	if AllOperations()[0] != "organization_rescan" {
		t.Fatal("AllOperations returns shared slice")
	}
	for _, name := range AllOperations() {
		if _, ok := wantCounts[name]; !ok {
			t.Errorf("%s has no pinned counts", name)
		}
	}
}

func TestAllOperationsWellFormed(t *testing.T) {
	for _, v := range Versions() {
		for _, name := range mustOperations(t, v) {
			op := mustGet(t, v, name)
			if op.Name != name || len(op.Sources) == 0 || op.Notes == "" || op.Purpose == "" {
				t.Errorf("%s/%s: name %q, sources %q, notes empty=%v, purpose empty=%v",
					v, name, op.Name, op.Sources, op.Notes == "", op.Purpose == "")
			}
			for _, source := range op.Sources {
				if !strings.HasPrefix(source, "https://helpcenter.veeam.com/") {
					t.Errorf("%s/%s: source %q", v, name, source)
				}
			}
			if len(op.Actions) == 0 {
				t.Errorf("%s/%s: no actions", v, name)
			}
			checkActionList(t, v+"/"+name, op.Actions)
			checkActionList(t, v+"/"+name+" production", op.ProductionWorkerActions)
		}
	}
}

func checkActionList(t *testing.T, what string, actions []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range actions {
		if !actionRE.MatchString(a) {
			t.Errorf("%s: malformed action %q", what, a)
		}
		if seen[strings.ToLower(a)] {
			t.Errorf("%s: duplicate action %q", what, a)
		}
		seen[strings.ToLower(a)] = true
	}
	if !slices.IsSortedFunc(actions, compareFolded) {
		t.Errorf("%s: actions not sorted", what)
	}
}

func TestPinnedCounts(t *testing.T) {
	for name, want := range wantCounts {
		for i, version := range []string{"10", "11"} {
			op, err := Get(version, name)
			switch {
			case want[i] < 0 && err == nil:
				t.Errorf("v%s has %s", version, name)
			case want[i] < 0:
			case err != nil || len(op.Actions) != want[i]:
				t.Errorf("v%s %s: %d actions (%v), want %d", version, name, len(op.Actions), err, want[i])
			case len(op.ProductionWorkerActions) != want[2]:
				t.Errorf("v%s %s: production actions %d, want %d", version, name, len(op.ProductionWorkerActions),
					want[2])
			}
		}
	}
}

func TestTrustAndInstanceProfile(t *testing.T) {
	backup := []string{"backup.amazonaws.com"}
	want := map[string][]string{
		"repository":        {"batchoperations.s3.amazonaws.com"},
		"production_worker": {"ec2.amazonaws.com"},
		"flr_worker":        {"ec2.amazonaws.com"},
		"rds_restore":       {"rds.amazonaws.com"},
		"efs_backup":        backup, "efs_restore": backup,
		"dynamodb_backup": backup, "dynamodb_restore": backup,
		"fsx_backup": backup, "fsx_restore": backup,
		"redshift_backup": backup, "redshift_restore": backup,
	}
	for _, v := range Versions() {
		for _, name := range mustOperations(t, v) {
			op := mustGet(t, v, name)
			if !slices.Equal(op.ServicePrincipals, want[name]) {
				t.Errorf("%s/%s: principals %v, want %v", v, name, op.ServicePrincipals, want[name])
			}
			if op.RequiresInstanceProfile != (name == "production_worker" || name == "flr_worker") {
				t.Errorf("%s/%s: RequiresInstanceProfile = %v", v, name, op.RequiresInstanceProfile)
			}
		}
	}
}

func TestSpotCheckExactLists(t *testing.T) {
	rescan := []string{
		"iam:GetContextKeysForPrincipalPolicy", "iam:ListAccountAliases", "iam:SimulatePrincipalPolicy",
		"organizations:DescribeAccount", "organizations:DescribeOrganization",
		"organizations:DescribeOrganizationalUnit", "organizations:ListChildren", "organizations:ListRoots",
	}
	if got := mustGet(t, "10", "organization_rescan").Actions; !slices.Equal(got, rescan) {
		t.Errorf("organization_rescan = %v", got)
	}
	efsIndexing := []string{
		"ec2:CreateTags", "ec2:RunInstances", "ec2:StartInstances", "ec2:TerminateInstances",
		"servicequotas:ListServiceQuotas",
	}
	if got := mustGet(t, "10", "efs_backup").ProductionWorkerActions; !slices.Equal(got, efsIndexing) {
		t.Errorf("efs_backup production = %v", got)
	}
	ec2Extras := []string{
		"ec2:AttachVolume", "ec2:CreateKeyPair", "ec2:CreateVolume", "ec2:DeleteKeyPair", "ec2:DeleteVolume",
		"ec2:DescribeAccountAttributes", "ec2:DescribeKeyPairs", "ec2:DescribeSecurityGroups", "ec2:DetachVolume",
		"ec2:ModifyInstanceAttribute", "ec2:RunInstances", "ec2:TerminateInstances",
		"iam:GetRole", "iam:ListInstanceProfilesForRole", "iam:PassRole", "sqs:SendMessage", "ssm:GetParameter",
	}
	if got := mustGet(t, "10", "ec2_backup").ProductionWorkerActions; !slices.Equal(got, ec2Extras) {
		t.Errorf("ec2_backup production = %v", got)
	}
	// production_worker is Veeam's worker instance role page and nothing else; flr_worker is the FLR worker page,
	// which contains it.
	workerPage := []string{
		"ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
		"ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
		"iam:GetContextKeysForPrincipalPolicy", "iam:GetRole", "iam:ListInstanceProfilesForRole",
		"iam:SimulatePrincipalPolicy",
		"sqs:DeleteMessage", "sqs:ListQueues", "sqs:ReceiveMessage", "sqs:SendMessage",
		"ssm:DescribeAssociation", "ssm:DescribeDocument", "ssm:GetDeployablePatchSnapshotForInstance",
		"ssm:GetDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations",
		"ssm:ListInstanceAssociations", "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult",
		"ssm:PutInventory", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
		"ssm:UpdateInstanceInformation",
		"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
		"ssmmessages:OpenDataChannel",
	}
	const guide = "https://helpcenter.veeam.com/docs/vbaws/guide/"
	worker := mustGet(t, "10", "production_worker")
	if !slices.Equal(worker.Actions, workerPage) ||
		!slices.Equal(worker.Sources, []string{guide + "role_permissions_prod_acc.html"}) {
		t.Errorf("production_worker = %v from %v", worker.Actions, worker.Sources)
	}
	flr := mustGet(t, "10", "flr_worker")
	flrSet := lowerSet(flr.Actions)
	for _, a := range append(workerPage, "ec2:CreateVolume", "ec2:AttachVolume", "kms:ReEncryptFrom") {
		if !flrSet[strings.ToLower(a)] {
			t.Errorf("flr_worker lacks %s", a)
		}
	}
	if flrSet["ec2:describeimages"] ||
		!slices.Equal(flr.Sources, []string{guide + "role_permissions_flr_prod.html"}) {
		t.Errorf("flr_worker is not the FLR worker page as published: %v from %v", flr.Actions, flr.Sources)
	}
	rest := mustGet(t, "10", "rds_restore").Actions
	if !slices.Contains(rest, "rds:DeleteTenantDatabase") || !slices.Contains(rest, "s3:PutBucketPolicy") {
		t.Error("rds_restore must contain instance and database restore lists")
	}
	if !slices.Equal(mustGet(t, "10", "ec2_replication").Actions, mustGet(t, "10", "ec2_backup").Actions) {
		t.Error("ec2_replication should reuse the EC2 backup list in v10")
	}
}

// The nine actions Veeam publishes in another case are stored as AWS spells them, and only so.
func TestVeeamMiscasedActionsSpelledAsAWS(t *testing.T) {
	canonical := map[string][]string{
		"ec2_restore": {"iam:ListInstanceProfiles"},
		"rds_restore": {
			"rds:CreateDBInstance", "rds:DeleteDBCluster", "rds:DescribeDBClusterParameterGroups",
			"rds:DescribeDBClusterParameters", "rds:DescribeOrderableDBInstanceOptions", "rds:ModifyDBCluster",
			"rds:RestoreDBClusterFromSnapshot",
		},
	}
	for name, actions := range canonical {
		got := mustGet(t, "10", name).Actions
		for _, a := range actions {
			if !slices.Contains(got, a) {
				t.Errorf("%s lacks %s spelled as AWS spells it", name, a)
			}
		}
	}
	if !slices.Contains(mustGet(t, "10", "rds_snapshot").ProductionWorkerActions, "servicequotas:ListServiceQuotas") {
		t.Error("rds_snapshot production list lacks servicequotas:ListServiceQuotas spelled as AWS spells it")
	}
	for _, v := range Versions() {
		full, _ := fullList(v)
		for _, a := range full {
			if err := checkSpelling(a); err != nil {
				t.Errorf("v%s: %v", v, err)
			}
		}
	}
}

func TestCheckSpelling(t *testing.T) {
	cases := map[string]string{
		"rds:DescribeDBSnapshots":                "",
		"rds:CreateDBInstance":                   "",
		"rds:DescribeOrderableDBInstanceOptions": "",
		"rds:DeleteTenantDatabase":               "",
		"ec2:DescribeVpcs":                       "",
		"ec2:DescribeVpcEndpoints":               "",
		"ec2:GetEbsDefaultKmsKeyId":              "",
		"ec2:AssignPrivateIpAddresses":           "",
		"ec2:DescribeIpamPools":                  "",
		"ec2:DescribeNetworkAcls":                "",
		"dynamodb:StartAwsBackupJob":             "",
		"s3:ListAllMyBuckets":                    "",
		"iam:listInstanceProfiles":               "upper-case",
		"servicequotas:listServiceQuotas":        "upper-case",
		"rds:CreateDbInstance":                   "AWS spells it rds:CreateDBInstance",
		"rds:DescribeDbSnapshots":                "AWS spells it rds:DescribeDBSnapshots",
		"rds:RestoreDbClusterFromSnapshot":       "AWS spells it rds:RestoreDBClusterFromSnapshot",
		"ec2:DescribeVPCs":                       "AWS spells it ec2:DescribeVpcs",
		"ec2:GetEBSDefaultKmsKeyId":              "AWS spells it ec2:GetEbsDefaultKmsKeyId",
	}
	for action, want := range cases {
		err := checkSpelling(action)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", action, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want one containing %q", action, err, want)
		}
	}
}

func TestUnionEqualsFullList(t *testing.T) {
	for _, v := range Versions() {
		full, err := fullList(v)
		if err != nil {
			t.Fatal(err)
		}
		sel, err := Resolve(v, mustOperations(t, v), false)
		if err != nil {
			t.Fatal(err)
		}
		a, b := lowerSet(sel.Actions), lowerSet(full)
		for k := range a {
			if !b[k] {
				t.Errorf("v%s: %s in operations but not in full list", v, k)
			}
		}
		for k := range b {
			if !a[k] {
				t.Errorf("v%s: %s in full list but in no operation", v, k)
			}
		}
		withExtras, _ := Resolve(v, mustOperations(t, v), true)
		if len(withExtras.Actions) != len(sel.Actions) {
			t.Errorf("v%s: production extras add actions outside the full list", v)
		}
	}
}

func TestFullListCounts(t *testing.T) {
	// Veeam publishes 450 actions; rds:DeleteTenantDatabase is added (v10),
	// and v11 adds ebs:GetSnapshotBlock and pricing:GetProducts.
	for v, want := range map[string]int{"10": 451, "11": 453} {
		full, err := fullList(v)
		if err != nil || len(full) != want {
			t.Errorf("fullList(%s) = %d actions, %v; want %d", v, len(full), err, want)
		}
		if !slices.Contains(full, "rds:DeleteTenantDatabase") {
			t.Errorf("fullList(%s) lacks rds:DeleteTenantDatabase", v)
		}
		checkActionList(t, "full "+v, full)
	}
	raw, err := fs.ReadFile(embedded, "data/v10.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fileVersion
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if n := len(f.FullList.Actions); n != 450 {
		t.Errorf("published full list has %d actions, want 450", n)
	}
	for id, l := range f.Lists {
		if l.Build != "10.0.0.232" || !strings.HasPrefix(l.Source, "https://helpcenter.veeam.com/docs/vbaws/guide/") {
			t.Errorf("list %s: build %q source %q", id, l.Build, l.Source)
		}
	}
}

func TestVersion11Delta(t *testing.T) {
	added := map[string][]string{
		"ec2_backup":        {"ebs:GetSnapshotBlock", "kms:Decrypt"},
		"production_worker": {"pricing:GetProducts"},
	}
	for name, actions := range added {
		v10, v11 := mustGet(t, "10", name), mustGet(t, "11", name)
		for _, a := range actions {
			if slices.Contains(v10.Actions, a) {
				t.Errorf("v10 %s already has %s", name, a)
			}
			if !slices.Contains(v11.Actions, a) {
				t.Errorf("v11 %s lacks %s", name, a)
			}
		}
		changelog := func(s string) bool { return strings.HasSuffix(s, "aws_permissions_changelog.html") }
		if !slices.ContainsFunc(v11.Sources, changelog) {
			t.Errorf("v11 %s sources %q lack the changelog", name, v11.Sources)
		}
	}
	for _, name := range mustOperations(t, "10") {
		if _, ok := added[name]; ok {
			continue
		}
		if !slices.Equal(mustGet(t, "10", name).Actions, mustGet(t, "11", name).Actions) {
			t.Errorf("%s changed between v10 and v11", name)
		}
	}
	full10, _ := fullList("10")
	full11, _ := fullList("11")
	if slices.Contains(full10, "pricing:GetProducts") || !slices.Contains(full11, "pricing:GetProducts") {
		t.Error("pricing:GetProducts must be in the v11 full list only")
	}
}

func TestGetReturnsCopies(t *testing.T) {
	op := mustGet(t, "10", "ec2_backup")
	op.Actions[0] = "x:Y"
	op.ProductionWorkerActions[0] = "x:Y"
	again := mustGet(t, "10", "ec2_backup")
	if again.Actions[0] == "x:Y" || again.ProductionWorkerActions[0] == "x:Y" {
		t.Fatal("Get exposes cached slices")
	}
	full, _ := fullList("10")
	full[0] = "x:Y"
	if f, _ := fullList("10"); f[0] == "x:Y" {
		t.Fatal("FullList exposes cached slice")
	}
}

func TestGetErrors(t *testing.T) {
	if _, err := Get("9", "ec2_backup"); err == nil || !strings.Contains(err.Error(), `valid versions: "10", "11"`) {
		t.Errorf("Get(9) error = %v", err)
	}
	_, err := Get("10", "ec2_bakup")
	if err == nil || err.Error() != `unknown operation "ec2_bakup"; did you mean "ec2_backup"?` {
		t.Errorf("Get(ec2_bakup) error = %v", err)
	}
	_, err = Get("10", "mainframe")
	if err == nil || !strings.Contains(err.Error(), "valid operations: organization_rescan, worker_deployment") {
		t.Errorf("Get(mainframe) error = %v", err)
	}
}

func TestResolveDedupSortAndCase(t *testing.T) {
	sel, err := Resolve("10", []string{"rds_snapshot", "ec2_backup", "rds_snapshot"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sel.Operations, []string{"ec2_backup", "rds_snapshot"}) {
		t.Errorf("Operations = %v", sel.Operations)
	}
	checkActionList(t, "selection", sel.Actions)
	// Both operations' production-worker lists grant servicequotas:ListServiceQuotas; it is listed once.
	quotas := 0
	for _, a := range sel.Actions {
		if strings.EqualFold(a, "servicequotas:ListServiceQuotas") {
			quotas++
		}
	}
	if quotas != 1 {
		t.Errorf("servicequotas:ListServiceQuotas listed %d times", quotas)
	}
	want := lowerSet(append(
		append(mustGet(t, "10", "ec2_backup").Actions, mustGet(t, "10", "rds_snapshot").Actions...),
		append(
			mustGet(t, "10", "ec2_backup").ProductionWorkerActions,
			mustGet(t, "10", "rds_snapshot").ProductionWorkerActions...)...))
	if len(sel.Actions) != len(want) {
		t.Errorf("selection has %d actions, want %d", len(sel.Actions), len(want))
	}
}

func TestResolveActionOrder(t *testing.T) {
	var s actionSet
	s.add("b:x", "a:Z", "a:y", "A:y", "a:Y")
	if got := s.sorted(); !slices.Equal(got, []string{"a:y", "a:Z", "b:x"}) {
		t.Errorf("sorted = %v", got)
	}
	// Ties after case folding are broken bytewise.
	var ties actionSet
	ties.items = []keyedAction{{key: "a:b", action: "a:b"}, {key: "a:b", action: "A:B"}, {key: "a:b", action: "a:B"}}
	if got := ties.sorted(); !slices.Equal(got, []string{"A:B", "a:B", "a:b"}) {
		t.Errorf("sorted ties = %v", got)
	}
}

func TestResolveProductionWorkersFlag(t *testing.T) {
	without, err := Resolve("10", []string{"ec2_backup"}, false)
	if err != nil {
		t.Fatal(err)
	}
	with, err := Resolve("10", []string{"ec2_backup"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(without.Actions) != 61 || len(with.Actions) != 61+17 {
		t.Errorf("ec2_backup: %d without, %d with production workers", len(without.Actions), len(with.Actions))
	}
	if slices.Contains(without.Actions, "ec2:RunInstances") || !slices.Contains(with.Actions, "ec2:RunInstances") {
		t.Error("ec2:RunInstances must come only from the production-worker extras")
	}
	if without.RequiresInstanceProfile || len(without.ServicePrincipals) != 0 {
		t.Errorf("ec2_backup selection: %+v", without)
	}
}

func TestResolvePrincipalsAndProfile(t *testing.T) {
	sel, err := Resolve("11", mustOperations(t, "11"), false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"backup.amazonaws.com",
		"batchoperations.s3.amazonaws.com",
		"ec2.amazonaws.com",
		"rds.amazonaws.com",
	}
	if !slices.Equal(sel.ServicePrincipals, want) || !sel.RequiresInstanceProfile {
		t.Errorf("principals %v profile %v", sel.ServicePrincipals, sel.RequiresInstanceProfile)
	}
	if all, _ := Operations("11"); !slices.Equal(sel.Operations, sortedUnique(all)) {
		t.Errorf("Operations = %v", sel.Operations)
	}
}

func TestResolveErrors(t *testing.T) {
	if _, err := Resolve("10", nil, false); err == nil {
		t.Error("empty operations accepted")
	}
	if _, err := Resolve("10", []string{}, true); err == nil {
		t.Error("empty operations accepted")
	}
	if _, err := Resolve("x", []string{"ec2_backup"}, false); err == nil ||
		!strings.Contains(err.Error(), "valid versions") {
		t.Errorf("bad version error = %v", err)
	}
	_, err := Resolve("10", []string{"ec2_backup", "efs_bakup"}, false)
	if err == nil || err.Error() != `unknown operation "efs_bakup"; did you mean "efs_backup"?` {
		t.Errorf("typo error = %v", err)
	}
	_, err = Resolve("10", []string{"kubernetes"}, false)
	if err == nil || !strings.Contains(err.Error(), "valid operations:") {
		t.Errorf("unknown error = %v", err)
	}
}

func TestSuggest(t *testing.T) {
	cases := map[string]string{
		"ec2_bakup":                 "ec2_backup",
		"EC2_BACKUP":                "ec2_backup",
		"ec2backup":                 "ec2_backup",
		"dynamo_backup":             "dynamodb_backup",
		"rds_snapshots":             "rds_snapshot",
		"redshift_serverles_restor": "redshift_serverless_restore",
		"vpc_restore":               "vpc_restore",
		"":                          "",
		"kubernetes":                "",
		"ec2":                       "",
		"s3":                        "",
	}
	for in, want := range cases {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// validFiles returns the embedded v10 and v11 files as generic maps that a
// test may mutate.
func validFiles(t *testing.T) (map[string]any, map[string]any) {
	t.Helper()
	read := func(name string) map[string]any {
		raw, err := fs.ReadFile(embedded, name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	return read("data/v10.json"), read("data/v11.json")
}

// mapFS encodes v10 and v11 (strings are used verbatim) into a file system
// shaped like the embedded one.
func mapFS(t *testing.T, v10, v11 any) fstest.MapFS {
	t.Helper()
	enc := func(v any) []byte {
		if s, ok := v.(string); ok {
			return []byte(s)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return fstest.MapFS{
		"data/v10.json": {Data: enc(v10)},
		"data/v11.json": {Data: enc(v11)},
	}
}

func TestLoadRejectsMalformedData(t *testing.T) {
	v10, v11 := validFiles(t)
	if _, err := load(mapFS(t, v10, v11)); err != nil {
		t.Fatalf("round-tripped data rejected: %v", err)
	}
	lists := func(m map[string]any) map[string]any { return m["lists"].(map[string]any) }
	ops := func(m map[string]any) []any { return m["operations"].([]any) }
	withAction := func(list, action string) func(v10, v11 map[string]any) (any, any) {
		return func(a, b map[string]any) (any, any) {
			l := lists(a)[list].(map[string]any)
			l["actions"] = append(l["actions"].([]any), action)
			return a, b
		}
	}
	cases := map[string]func(v10, v11 map[string]any) (any, any){
		"not json":                   func(a, b map[string]any) (any, any) { return "{", b },
		"unknown field":              func(a, b map[string]any) (any, any) { a["extra"] = 1; return a, b },
		"wrong version":              func(a, b map[string]any) (any, any) { a["version"] = "9"; return a, b },
		"missing build":              func(a, b map[string]any) (any, any) { delete(a, "build"); return a, b },
		"missing full":               func(a, b map[string]any) (any, any) { delete(a, "full_list"); return a, b },
		"malformed action":           withAction("ec2_backup", "ec2 DescribeThings"),
		"action in lower camel case": withAction("ec2_restore", "ec2:describeThings"),
		"acronym in another case":    withAction("rds_backup", "rds:DescribeDbThings"),
		"delta action in another case": func(a, b map[string]any) (any, any) {
			b["additions"].([]any)[0].(map[string]any)["actions"] = []any{"ec2:DescribeVPCThings"}
			return a, b
		},
		"operation without purpose": func(a, b map[string]any) (any, any) {
			ops(a)[3].(map[string]any)["purpose"] = ""
			return a, b
		},
		"duplicate action": withAction("repository", "s3:PUTOBJECT"),
		"empty list": func(a, b map[string]any) (any, any) {
			lists(a)["repository"].(map[string]any)["actions"] = []any{}
			return a, b
		},
		"list without source": func(a, b map[string]any) (any, any) {
			lists(a)["repository"].(map[string]any)["source"] = ""
			return a, b
		},
		"unknown list reference": func(a, b map[string]any) (any, any) {
			ops(a)[0].(map[string]any)["lists"] = []any{"nope"}
			return a, b
		},
		"operation twice": func(a, b map[string]any) (any, any) {
			a["operations"] = append(ops(a), ops(a)[0])
			return a, b
		},
		"operation name not snake_case": func(a, b map[string]any) (any, any) {
			ops(a)[0].(map[string]any)["name"] = "OrganizationRescan"
			return a, b
		},
		"no appliance_permission": func(a, b map[string]any) (any, any) {
			delete(ops(a)[0].(map[string]any), "appliance_permission")
			return a, b
		},
		"no appliance permission and nothing instead": func(a, b map[string]any) (any, any) {
			delete(ops(a)[3].(map[string]any), "appliance_instead")
			return a, b
		},
		"instead names an operation without a permission": func(a, b map[string]any) (any, any) {
			ops(a)[3].(map[string]any)["appliance_instead"] = "flr_worker"
			return a, b
		},
		"instead beside a permission": func(a, b map[string]any) (any, any) {
			ops(a)[0].(map[string]any)["appliance_instead"] = "repository"
			return a, b
		},
		"appliance permission twice": func(a, b map[string]any) (any, any) {
			ops(a)[1].(map[string]any)["appliance_permission"] = "OrganizationRescanRole"
			return a, b
		},
		"missing base file": func(a, b map[string]any) (any, any) { return nil, b },
		"delta adds an operation its base has": func(a, b map[string]any) (any, any) {
			b["operations"] = []any{ops(a)[0]}
			return a, b
		},
		"delta drops an operation its base lacks": func(a, b map[string]any) (any, any) {
			b["dropped_operations"] = []any{map[string]any{"operation": "ec2_bakup", "source": "s", "notes": "n"}}
			return a, b
		},
		"delta drops without a source": func(a, b map[string]any) (any, any) {
			b["dropped_operations"] = []any{map[string]any{"operation": "ec2_backup", "notes": "n"}}
			return a, b
		},
		"delta redefines a base list": func(a, b map[string]any) (any, any) {
			b["lists"] = map[string]any{"repository": lists(a)["repository"]}
			return a, b
		},
		"delta defines the full list": func(a, b map[string]any) (any, any) {
			b["full_list"] = a["full_list"]
			return a, b
		},
		"delta adds to a dropped operation": func(a, b map[string]any) (any, any) {
			b["dropped_operations"] = []any{map[string]any{"operation": "ec2_backup", "source": "s", "notes": "n"}}
			return a, b
		},
		"delta gives a permission to another operation": func(a, b map[string]any) (any, any) {
			b["dropped_operations"] = []any{map[string]any{"operation": "vpc_restore", "source": "s", "notes": "n"}}
			op := maps.Clone(ops(a)[14].(map[string]any))
			op["name"] = "vpc_recovery"
			b["operations"] = []any{op}
			return a, b
		},
		"delta on unknown operation": func(a, b map[string]any) (any, any) {
			b["additions"].([]any)[0].(map[string]any)["operation"] = "ec2_bakup"
			return a, b
		},
		"delta with bad action": func(a, b map[string]any) (any, any) {
			b["additions"].([]any)[0].(map[string]any)["actions"] = []any{"GetSnapshotBlock"}
			return a, b
		},
		"delta defines a bad list": func(a, b map[string]any) (any, any) {
			b["lists"] = map[string]any{"x": map[string]any{}}
			return a, b
		},
		"delta with unknown base": func(a, b map[string]any) (any, any) { b["base"] = "12"; return a, b },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := validFiles(t)
			ma, mb := mutate(a, b)
			fsys := mapFS(t, ma, mb)
			if ma == nil {
				delete(fsys, "data/v10.json")
			}
			if _, err := load(fsys); err == nil {
				t.Fatal("malformed data accepted")
			}
		})
	}
}

func BenchmarkResolveAll(b *testing.B) {
	names := AllOperations()
	if _, err := Resolve(DefaultVersion, names, true); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Resolve(DefaultVersion, names, true); err != nil {
			b.Fatal(err)
		}
	}
}

// compareFolded orders actions case-insensitively, breaking ties bytewise, as the catalog sorts them.
func compareFolded(a, b string) int {
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// A product version adds and drops operations in its own data file alone: every function of the package, which
// the provider, the guide, the appliance client and the emulator read, sees them in that version only.
func TestVersionDataAddsAndDropsOperations(t *testing.T) {
	v12, err := os.ReadFile("testdata/v12.json")
	if err != nil {
		t.Fatal(err)
	}
	restore, err := AddVersionForTest("12", v12)
	if err != nil {
		t.Fatal(err)
	}

	names, err := Operations("12")
	if err != nil || names[len(names)-1] != "test_inventory" || slices.Contains(names, "vpc_restore") {
		t.Errorf("Operations(12) = %v, %v", names, err)
	}
	if !slices.Equal(Versions(), []string{"10", "11", "12"}) || !slices.Contains(AllOperations(), "test_inventory") ||
		!slices.Contains(AllOperations(), "vpc_restore") || !slices.Equal(VersionsOf("test_inventory"), []string{"12"}) {
		t.Errorf("Versions() = %v, AllOperations() = %v", Versions(), AllOperations())
	}
	sel, err := Resolve("12", []string{"test_inventory"}, false)
	if err != nil || !slices.Contains(sel.Actions, "s3:GetInventoryConfiguration") ||
		!slices.Contains(sel.Actions, "s3:PutObject") {
		t.Errorf("Resolve(12, test_inventory) = %v, %v", sel.Actions, err)
	}
	if full, _ := fullList("12"); !slices.Contains(full, "s3:GetInventoryConfiguration") {
		t.Error("the added operation's actions are not in the version's full list")
	}
	if _, err := Resolve("11", []string{"test_inventory"}, false); err == nil ||
		err.Error() != `operation "test_inventory" is not in version 11; it is in version 12` {
		t.Errorf("Resolve(11, test_inventory) error = %v", err)
	}
	if _, err := Get("12", "vpc_restore"); err == nil || !strings.Contains(err.Error(), "it is in version 10, 11") {
		t.Errorf("Get(12, vpc_restore) error = %v", err)
	}
	if p, err := AppliancePermission("test_inventory"); p != "TestInventory" || err != nil {
		t.Errorf("AppliancePermission(test_inventory) = %q, %v", p, err)
	}
	if op, ok := OperationOfPermission("TestInventory"); op != "test_inventory" || !ok ||
		!slices.Contains(AppliancePermissions(), "TestInventory") || Suggest("test_inventroy") != "test_inventory" {
		t.Errorf("OperationOfPermission(TestInventory) = %q, %v", op, ok)
	}
	restore()
	if !slices.Equal(Versions(), []string{"10", "11"}) || slices.Contains(AllOperations(), "test_inventory") {
		t.Errorf("after restore: Versions() = %v", Versions())
	}
}

// Each operation carries its appliance permission, or says it has none and names the operation to register
// instead; the permission names and the operations map one to one.
func TestAppliancePermissions(t *testing.T) {
	_, err := AppliancePermission("flr_worker")
	var none *NoAppliancePermissionError
	if !errors.As(err, &none) || none.Instead != "production_worker" ||
		!strings.Contains(err.Error(), `register "production_worker" instead`) {
		t.Errorf("AppliancePermission(flr_worker) error = %v", err)
	}
	if _, err := AppliancePermission("ec2_bakup"); err == nil || !strings.Contains(err.Error(), "did you mean") {
		t.Errorf("AppliancePermission(ec2_bakup) error = %v", err)
	}
	all := AppliancePermissions()
	if len(all) != len(ApplianceOperations()) || !slices.IsSorted(all) ||
		slices.Contains(ApplianceOperations(), "flr_worker") {
		t.Errorf("AppliancePermissions() = %v, ApplianceOperations() = %v", all, ApplianceOperations())
	}
	for _, name := range ApplianceOperations() {
		p, err := AppliancePermission(name)
		if back, ok := OperationOfPermission(p); err != nil || back != name || !ok {
			t.Errorf("%s → %q (%v) → %q", name, p, err, back)
		}
		if mustGet(t, VersionsOf(name)[0], name).AppliancePermission != p {
			t.Errorf("Get(%s).AppliancePermission differs from AppliancePermission", name)
		}
	}
	if got, _ := AppliancePermission("ec2_backup"); got != "EC2BackupSnapshot" {
		t.Errorf("ec2_backup → %q", got)
	}
}
