package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// EachRole pages through ListRoles under pathPrefix ("/" for all) and hands every role to yield until yield
// returns false, so that a caller that needs only some roles reads only the pages that hold them. ListRoles
// returns the trust policy (URL-encoded) but neither tags nor the permissions boundary.
func (c *Client) EachRole(ctx context.Context, pathPrefix string, yield func(iamtypes.Role) bool) error {
	pages := iam.NewListRolesPaginator(c.IAM, &iam.ListRolesInput{PathPrefix: aws.String(pathPrefix),
		MaxItems: aws.Int32(listRolesPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing roles under %s: %w", pathPrefix, err)
		}
		for _, role := range page.Roles {
			if !yield(role) {
				return nil
			}
		}
	}
	return nil
}
