# By the record's UUID in the appliance (see the vbaws_appliance_roles data source)...
terraform import vbaws_appliance_role.ec2 3f2b8a61-5d0e-4c1f-9a7b-2e4d6c8f0a13

# ...or by its name there. The appliance never returns external IDs: set external_id in the configuration, and
# the next apply sends it.
terraform import vbaws_appliance_role.production 'name:Production backup'
