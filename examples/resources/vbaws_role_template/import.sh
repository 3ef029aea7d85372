# A template is imported by name; its path and selection are read from the tags of its policies.
terraform import vbaws_role_template.ec2 veeam-ec2
