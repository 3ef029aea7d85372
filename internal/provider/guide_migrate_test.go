package provider

import (
	"os"
	"regexp"
	"testing"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// migrateGuide is the generated guide whose configurations TestAccGuideMigrateFromAWS_configurationsValidate
// validates; TestAccIAMRoleMigration_* apply the same configuration, with random names, to a deploy_vbaws estate.
const migrateGuide = "../../docs/guides/migrate-from-aws.md"

// guideStubs declare what the guide's blocks refer to but leave out: the region variable and two of deploy_vbaws's
// aws_iam_policy resources.
const guideStubs = `
variable "aws_region" {
  default = "us-east-1"
}

resource "aws_iam_policy" "veeam_aws_service_policy" {
  policy = "{}"
}

resource "aws_iam_policy" "veeam_aws_repository_policy" {
  policy = "{}"
}
`

// The guide's configurations validate against vbaws and the hashicorp/aws stand-in: the moved one as written
// (provider setup and the moved section), and the import one (the moved section without its moved blocks, with the
// import section's blocks).
func TestAccGuideMigrateFromAWS_configurationsValidate(t *testing.T) {
	text, err := os.ReadFile(migrateGuide)
	if err != nil {
		t.Fatal(err)
	}
	blocks := guideBlocks(t, string(text), "terraform")
	if len(blocks) != 3 {
		t.Fatalf("%s has %d terraform blocks, want 3 (setup, moved, import)", migrateGuide, len(blocks))
	}
	withoutMoved := regexp.MustCompile(`(?ms)^moved \{.*?\n\}\n`).ReplaceAllString(blocks[1], "")
	if withoutMoved == blocks[1] {
		t.Fatalf("the moved section of %s has no moved block", migrateGuide)
	}
	for name, config := range map[string]string{
		"moved":  blocks[0] + blocks[1] + guideStubs,
		"import": blocks[0] + withoutMoved + blocks[2] + guideStubs,
	} {
		t.Run(name, func(t *testing.T) {
			cli := acctest.NewMigrationCLI(t, t.TempDir())
			writeMainTF(t, cli, config)
			cli.MustRun("validate", "-no-color")
		})
	}
}
