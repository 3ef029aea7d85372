package awsclient

// ARN is the ARN of the IAM entity of kind ("role", "instance-profile" or "policy"), path and name in the
// client's partition and account.
func (c *Client) ARN(kind, path, name string) string {
	return "arn:" + c.Partition + ":iam::" + c.AccountID + ":" + kind + path + name
}
