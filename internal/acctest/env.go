package acctest

// Setenv adds name=value pairs to the environment of every later command of c, after (so over) what it already
// holds, such as AWS_ENDPOINT_URL for a configuration whose provider blocks name no endpoint.
func (c *CLI) Setenv(pairs ...string) {
	c.env = append(c.env, pairs...)
}
