package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vbaws/terraform-provider-vbaws/internal/acctest"
)

// Roles shaped like the ones Veeam's sample VeeamHub/veeam-terraform (veeam-backup-aws/deploy_vbaws) makes with
// hashicorp/aws: a default role whose one trust statement names a service and the appliance's role, with managed
// policies attached, and a DLM role with an inline policy.
const (
	dlmTrustPolicy = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"Service":"dlm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	dlmPolicyName = "veeam-aws-dlm-role-policy"
	dlmPolicy     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["ec2:CreateSnapshot","ec2:DescribeVolumes"],"Resource":"*"}]}`
)

// deployVBAWSTrust is the default role's trust: one statement naming backup.amazonaws.com and the appliance.
func deployVBAWSTrust(appliance string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",`+
		`"Principal":{"Service":"backup.amazonaws.com","AWS":%q}}]}`, appliance)
}

// sampleRoles are the roles of one migration test, made outside Terraform.
type sampleRoles struct {
	appliance, defaultRole, dlmRole, policyARN string
}

// newSampleRoles creates the appliance's role, the default role (tagged, described, with a managed policy) and
// the DLM role (with an inline policy) in the emulator, and deletes them when the test ends.
func newSampleRoles(t *testing.T, client *iam.Client) sampleRoles {
	t.Helper()
	s := sampleRoles{defaultRole: acctest.RandomName("veeam-aws-default-role"),
		dlmRole: acctest.RandomName("veeam-aws-dlm-role")}
	s.policyARN = fixturePolicy(t, client, assumeAnyRolePolicy)
	s.appliance = fixtureRole(t, client, acctest.RandomName("veeam-aws-instance-role"), "/", ec2TrustPolicy, nil)
	fixtureRole(t, client, s.defaultRole, "/", deployVBAWSTrust(s.appliance), nil)
	fixtureRole(t, client, s.dlmRole, "/", dlmTrustPolicy, map[string]string{dlmPolicyName: dlmPolicy})
	ctx := context.Background()
	if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(s.defaultRole),
		PolicyArn: aws.String(s.policyARN)}); err != nil {
		t.Fatalf("attaching a policy: %v", err)
	}
	if _, err := client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(s.defaultRole),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("backup")}}}); err != nil {
		t.Fatalf("tagging the role: %v", err)
	}
	if _, err := client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(s.defaultRole),
		Description: aws.String("Veeam Backup for AWS default role")}); err != nil {
		t.Fatalf("describing the role: %v", err)
	}
	return s
}

// awsRoleState is the state hashicorp/aws writes for aws_iam_role after it creates or reads role name: what IAM
// holds, with the trust and inline policies as decoded JSON text and the attached policies in managed_policy_arns.
func awsRoleState(t *testing.T, client *iam.Client, name string) map[string]any {
	t.Helper()
	ctx := context.Background()
	out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("reading role %s: %v", name, err)
	}
	role := out.Role
	trust, err := url.QueryUnescape(aws.ToString(role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tag := range role.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return map[string]any{
		"arn": aws.ToString(role.Arn), "assume_role_policy": trust,
		"create_date": role.CreateDate.UTC().Format(time.RFC3339), "description": aws.ToString(role.Description),
		"force_detach_policies": false, "id": name, "inline_policy": awsInlinePolicies(t, client, name),
		"managed_policy_arns": awsAttachedPolicies(t, client, name), "max_session_duration": 3600, "name": name,
		"name_prefix": "", "path": aws.ToString(role.Path), "permissions_boundary": "", "tags": tags,
		"tags_all": tags, "unique_id": aws.ToString(role.RoleId),
	}
}

// awsInlinePolicies lists the role's inline policies as hashicorp/aws writes its inline_policy blocks.
func awsInlinePolicies(t *testing.T, client *iam.Client, name string) []map[string]string {
	t.Helper()
	ctx := context.Background()
	names, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	blocks := []map[string]string{}
	for _, policyName := range names.PolicyNames {
		out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name),
			PolicyName: aws.String(policyName)})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, map[string]string{"name": policyName, "policy": doc})
	}
	return blocks
}

// awsAttachedPolicies lists the ARNs of the role's managed policies, as hashicorp/aws writes managed_policy_arns.
func awsAttachedPolicies(t *testing.T, client *iam.Client, name string) []string {
	t.Helper()
	out, err := client.ListAttachedRolePolicies(context.Background(),
		&iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	arns := []string{}
	for _, p := range out.AttachedPolicies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	return arns
}

// writeAWSState starts the working directory from the state hashicorp/aws writes for the two sample roles, as
// aws_iam_role.default and aws_iam_role.dlm.
func (s sampleRoles) writeAWSState(t *testing.T, cli *acctest.CLI, client *iam.Client) {
	t.Helper()
	address := acctest.AWSProviderAddress(t)
	cli.WriteState(
		acctest.StateResource{Type: "aws_iam_role", Name: "default", Provider: address,
			Attributes: awsRoleState(t, client, s.defaultRole)},
		acctest.StateResource{Type: "aws_iam_role", Name: "dlm", Provider: address,
			Attributes: awsRoleState(t, client, s.dlmRole)},
	)
}

// vbawsConfig is the configuration that describes the two sample roles with vbaws_iam_role, after blocks (moved,
// import or removed) that take them over.
func (s sampleRoles) vbawsConfig(endpoint, blocks string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    aws   = { source = "hashicorp/aws" }
    vbaws = { source = "vbaws/vbaws" }
  }
}
%[1]s
%[2]s
resource "vbaws_iam_role" "default" {
  name                   = %[3]q
  description            = "Veeam Backup for AWS default role"
  trusted_principal_arns = [%[4]q]
  service_principals     = ["backup.amazonaws.com"]
  managed_policy_arns    = [%[5]q]
  tags                   = { team = "backup" }
}

resource "vbaws_iam_role" "dlm" {
  name               = %[6]q
  service_principals = ["dlm.amazonaws.com"]
  inline_policies = {
    %[7]q = jsonencode(%[8]s)
  }
}
`, acctest.ProviderConfigFor(endpoint), blocks, s.defaultRole, s.appliance, s.policyARN, s.dlmRole, dlmPolicyName,
		dlmPolicy)
}

// migrate applies config over the state hashicorp/aws wrote for the sample roles and checks that the plan takes
// both roles over without a change, the apply writes nothing to IAM, the next plan is empty and state holds the
// roles as vbaws describes them.
func migrate(t *testing.T, blocks func(sampleRoles) string, actions ...plancheck.PlanCheck) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	roles := newSampleRoles(t, client)
	cli := acctest.NewMigrationCLI(t, t.TempDir())
	roles.writeAWSState(t, cli, client)
	if err := os.WriteFile(filepath.Join(cli.Dir, "main.tf"),
		[]byte(roles.vbawsConfig(proxy.URL, blocks(roles))), 0o600); err != nil {
		t.Fatal(err)
	}
	planFile, plan := cli.SavedPlan("-no-color")
	cli.CheckPlan(plan, actions...)
	if proxy.Count("GetRole") == 0 {
		t.Fatal("the plan read no role through the recording proxy")
	}
	proxy.Reset()
	cli.MustRun("apply", "-input=false", "-no-color", planFile)
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("the migration wrote to IAM: %v", writes)
	}
	_, after := cli.SavedPlan("-no-color")
	cli.CheckPlan(after, plancheck.ExpectEmptyPlan())
	cli.CheckState(
		statecheck.ExpectKnownValue("vbaws_iam_role.default", tfjsonpath.New("trusted_principal_arns"),
			knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(roles.appliance)})),
		statecheck.ExpectKnownValue("vbaws_iam_role.default", tfjsonpath.New("managed_policy_arns"),
			knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(roles.policyARN)})),
		statecheck.ExpectKnownValue("vbaws_iam_role.dlm", tfjsonpath.New("inline_policies"),
			knownvalue.MapSizeExact(1)),
	)
	for _, name := range []string{roles.defaultRole, roles.dlmRole} {
		if _, err := client.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(name)}); err != nil {
			t.Errorf("role %s after the migration: %v", name, err)
		}
	}
}

// A moved block from hashicorp/aws's aws_iam_role takes each role over without a write to IAM (Terraform 1.8 and
// later, OpenTofu 1.10 and later), and the plan after it is empty.
func TestAccIAMRoleMigration_movedFromAWSIAMRole(t *testing.T) {
	acctest.RequireCLI(t, acctest.MoveState)
	migrate(t, func(sampleRoles) string {
		return movedBlock("default") + movedBlock("dlm")
	}, plancheck.ExpectResourceAction("vbaws_iam_role.default", plancheck.ResourceActionNoop),
		plancheck.ExpectResourceAction("vbaws_iam_role.dlm", plancheck.ResourceActionNoop))
}

func movedBlock(name string) string {
	return fmt.Sprintf("moved {\n  from = aws_iam_role.%[1]s\n  to   = vbaws_iam_role.%[1]s\n}\n", name)
}

// import blocks, with removed blocks that keep the roles (lifecycle destroy = false), take each role over
// without a write to IAM (Terraform 1.7 and later, OpenTofu 1.7 and later), and the plan after it is empty.
func TestAccIAMRoleMigration_importAndRemoved(t *testing.T) {
	migrate(t, func(s sampleRoles) string {
		return importAndRemove("default", s.defaultRole) + importAndRemove("dlm", s.dlmRole)
	}, plancheck.ExpectResourceAction("vbaws_iam_role.default", plancheck.ResourceActionNoop),
		plancheck.ExpectResourceAction("vbaws_iam_role.dlm", plancheck.ResourceActionNoop))
}

func importAndRemove(name, role string) string {
	return fmt.Sprintf(`
import {
  to = vbaws_iam_role.%[1]s
  id = %[2]q
}

removed {
  from = aws_iam_role.%[1]s
  lifecycle {
    destroy = false
  }
}
`, name, role)
}
