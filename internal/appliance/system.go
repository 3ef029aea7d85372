package appliance

import (
	"context"
	"net/http"
	"strings"
)

// systemVersionPath answers the appliance's product version (verified: GET /system/version, ProductVersion
// {about, version}, 1.0-rev0).
const systemVersionPath = "/system/version"

// ServerVersion returns the appliance's product version, such as 10.0.1.45.
func (c *Client) ServerVersion(ctx context.Context) (string, error) {
	var out struct {
		About   string `json:"about"`
		Version string `json:"version"`
	}
	err := c.do(ctx, call{method: http.MethodGet, path: systemVersionPath, auth: true, safe: true}, &out)
	return strings.TrimSpace(out.Version), err
}
