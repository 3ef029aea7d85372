package appliance

import "sort"

// operationPermissions maps the provider's operation names (the catalog's, following the role wizard's check
// boxes) to the appliance's permission names. The names are those sent to 1.8-rev0 appliances
// (veeam-rest.md §2.3, seen in a client's code, not in Veeam's text); inferred: that 1.5-rev0 to 1.7-rev1 and
// 1.9-rev0 use the same names, and that each check box is exactly one name.
var operationPermissions = map[string]string{
	"organization_rescan":         "OrganizationRescanRole",
	"worker_deployment":           "BackupAccountWorkerRole",
	"production_worker":           "ProductionAccountWorkerRole",
	"repository":                  "RepositoryPermissions",
	"ec2_backup":                  "EC2BackupSnapshot",
	"ec2_replication":             "EC2Replication",
	"ec2_restore":                 "EC2Restore",
	"rds_snapshot":                "RDSSnapshot",
	"rds_replication":             "RDSReplication",
	"rds_restore":                 "RDSRestore",
	"efs_backup":                  "EFSBackup",
	"efs_restore":                 "EFSRestore",
	"vpc_backup":                  "VPCBackup",
	"vpc_restore":                 "VPCRestore",
	"dynamodb_backup":             "DynamoDbBackup",
	"dynamodb_restore":            "DynamoDbRestore",
	"fsx_backup":                  "FsxBackup",
	"fsx_restore":                 "FsxRestore",
	"redshift_backup":             "RedshiftBackup",
	"redshift_restore":            "RedshiftRestore",
	"redshift_serverless_backup":  "RedshiftServerlessBackup",
	"redshift_serverless_restore": "RedshiftServerlessRestore",
}

// PermissionOf returns the appliance's permission name for an operation name, and whether there is one.
func PermissionOf(operation string) (string, bool) {
	p, ok := operationPermissions[operation]
	return p, ok
}

// OperationOf returns the operation name for an appliance permission name, and whether there is one.
func OperationOf(permission string) (string, bool) {
	for op, p := range operationPermissions {
		if p == permission {
			return op, true
		}
	}
	return "", false
}

// AllPermissions returns every permission name this client knows, sorted.
func AllPermissions() []string {
	all := make([]string, 0, len(operationPermissions))
	for _, p := range operationPermissions {
		all = append(all, p)
	}
	sort.Strings(all)
	return all
}
