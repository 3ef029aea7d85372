# The import ID is the role name and the statement ID, separated by a slash.
terraform import vbaws_trust_relationship.team team-app-role/VeeamBackupImpersonation
