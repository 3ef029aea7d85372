package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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

// The estate of Veeam's sample VeeamHub/veeam-terraform (veeam-backup-aws/deploy_vbaws), made with hashicorp/aws:
// the appliance's instance role (EC2 trust, an inline_policy block) in an instance profile of another name, the
// default role (one trust statement naming backup.amazonaws.com and the instance role) with a managed policy
// attached by aws_iam_role_policy_attachment, and the DLM role with an inline policy made by aws_iam_role_policy.
const (
	instancePolicyName = "veeam-aws-instance-policy"
	// instancePolicy is written as aws_iam_policy_document of hashicorp/aws before 5.0 writes it: "Sid": "".
	instancePolicy = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
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

// sampleRoles are the names and ARNs of one test's deploy_vbaws estate, made outside Terraform.
type sampleRoles struct {
	instanceRole, instanceARN, profile, defaultRole, dlmRole, policyARN string
}

// newSampleRoles creates the estate in the emulator and deletes it when the test ends.
func newSampleRoles(t *testing.T, client *iam.Client) sampleRoles {
	t.Helper()
	s := sampleRoles{instanceRole: acctest.RandomName("veeam-aws-instance-role"),
		profile:     acctest.RandomName("veeam-aws-instance-profile"),
		defaultRole: acctest.RandomName("veeam-aws-default-role"), dlmRole: acctest.RandomName("veeam-aws-dlm-role")}
	s.policyARN = fixturePolicy(t, client, assumeAnyRolePolicy)
	s.instanceARN = fixtureRole(t, client, s.instanceRole, "/", ec2TrustPolicy,
		map[string]string{instancePolicyName: instancePolicy})
	fixtureInstanceProfile(t, client, s.profile, s.instanceRole)
	fixtureRole(t, client, s.defaultRole, "/", deployVBAWSTrust(s.instanceARN), nil)
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

// writeAWSState starts the working directory from the state hashicorp/aws writes for the estate.
func (s sampleRoles) writeAWSState(t *testing.T, cli *acctest.CLI, client *iam.Client) {
	t.Helper()
	address := acctest.AWSProviderAddress(t)
	policyName := s.policyARN[strings.LastIndex(s.policyARN, "/")+1:]
	resource := func(kind, name string, attributes map[string]any) acctest.StateResource {
		return acctest.StateResource{Type: kind, Name: name, Provider: address, Attributes: attributes}
	}
	cli.WriteState(
		resource("aws_iam_role", "instance", awsRoleState(t, client, s.instanceRole)),
		resource("aws_iam_instance_profile", "instance", map[string]any{
			"arn": "arn:aws:iam::" + emulatorAccount + ":instance-profile/" + s.profile, "create_date": "",
			"id": s.profile, "name": s.profile, "name_prefix": "", "path": "/", "role": s.instanceRole,
			"tags": nil, "tags_all": map[string]string{}, "unique_id": ""}),
		resource("aws_iam_role", "default", awsRoleState(t, client, s.defaultRole)),
		resource("aws_iam_policy", "service", map[string]any{"arn": s.policyARN, "attachment_count": 1,
			"description": "", "id": s.policyARN, "name": policyName, "name_prefix": "", "path": "/",
			"policy": assumeAnyRolePolicy, "policy_id": "", "tags": nil, "tags_all": map[string]string{}}),
		resource("aws_iam_role_policy_attachment", "service", map[string]any{
			"id": s.defaultRole + "-20260101000000000000000001", "policy_arn": s.policyARN, "role": s.defaultRole}),
		resource("aws_iam_role", "dlm", awsRoleState(t, client, s.dlmRole)),
		resource("aws_iam_role_policy", "dlm", map[string]any{"id": s.dlmRole + ":" + dlmPolicyName,
			"name": dlmPolicyName, "name_prefix": "", "policy": dlmPolicy, "role": s.dlmRole}),
	)
}

// forgetPolicyResources are the removed blocks that take the attachment and the role policy out of state and leave
// them in IAM.
const forgetPolicyResources = `
removed {
  from = aws_iam_role_policy_attachment.service
  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_iam_role_policy.dlm
  lifecycle {
    destroy = false
  }
}
`

// vbawsConfig is the configuration after the migration: the three roles as vbaws_iam_role, the policy and the
// instance profile still under hashicorp/aws, and blocks (moved, import, removed) that take the roles over.
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
resource "aws_iam_policy" "service" {
  name   = %[3]q
  policy = %[4]q
}

resource "aws_iam_instance_profile" "instance" {
  name = %[5]q
  role = vbaws_iam_role.instance.name
}

resource "vbaws_iam_role" "instance" {
  name               = %[6]q
  service_principals = ["ec2.amazonaws.com"]
  inline_policies = {
    %[7]q = jsonencode(%[12]s)
  }
}

resource "vbaws_iam_role" "default" {
  name                   = %[8]q
  description            = "Veeam Backup for AWS default role"
  trusted_principal_arns = [vbaws_iam_role.instance.arn]
  service_principals     = ["backup.amazonaws.com"]
  managed_policy_arns    = [aws_iam_policy.service.arn]
  tags                   = { team = "backup" }
}

resource "vbaws_iam_role" "dlm" {
  name               = %[9]q
  service_principals = ["dlm.amazonaws.com"]
  inline_policies = {
    %[10]q = jsonencode(%[11]s)
  }
}
`, acctest.ProviderConfigFor(endpoint), blocks, s.policyARN[strings.LastIndex(s.policyARN, "/")+1:],
		assumeAnyRolePolicy, s.profile, s.instanceRole, instancePolicyName, s.defaultRole, s.dlmRole, dlmPolicyName,
		dlmPolicy, instancePolicy)
}

// migrate applies the configuration with blocks over the state hashicorp/aws wrote for the estate and checks that
// the plan reads the roles and takes them over without a change, neither plan nor apply writes to IAM, the next
// plan is empty, state holds the roles as vbaws describes them, and the plan stays empty without the blocks.
func migrate(t *testing.T, blocks func(sampleRoles) string, before func(*acctest.CLI)) {
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	roles := newSampleRoles(t, client)
	cli := acctest.NewMigrationCLI(t, t.TempDir())
	roles.writeAWSState(t, cli, client)
	writeMainTF(t, cli, roles.vbawsConfig(proxy.URL, blocks(roles)+forgetPolicyResources))
	if before != nil {
		before(cli)
	}
	planFile, plan := cli.SavedPlan("-no-color")
	var noChange []plancheck.PlanCheck
	for _, address := range []string{"vbaws_iam_role.instance", "vbaws_iam_role.default", "vbaws_iam_role.dlm",
		"aws_iam_policy.service", "aws_iam_instance_profile.instance"} {
		noChange = append(noChange, plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop))
	}
	cli.CheckPlan(plan, noChange...)
	if proxy.Count("GetRole") == 0 {
		t.Fatal("the plan read no role through the recording proxy")
	}
	cli.MustRun("apply", "-input=false", "-no-color", planFile)
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("the migration's plan and apply wrote to IAM: %v", writes)
	}
	_, after := cli.SavedPlan("-no-color")
	cli.CheckPlan(after, plancheck.ExpectEmptyPlan())
	roles.checkTakenOver(t, cli, client)
	// The blocks can go once the apply is done.
	writeMainTF(t, cli, roles.vbawsConfig(proxy.URL, ""))
	_, without := cli.SavedPlan("-no-color")
	cli.CheckPlan(without, plancheck.ExpectEmptyPlan())
}

// writeMainTF replaces the configuration of the CLI's working directory.
func writeMainTF(t *testing.T, cli *acctest.CLI, config string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(cli.Dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkTakenOver checks that state holds the roles as vbaws describes them, the policy and the instance profile
// under hashicorp/aws and nothing of the attachment and the role policy, and that IAM still holds all of them.
func (s sampleRoles) checkTakenOver(t *testing.T, cli *acctest.CLI, client *iam.Client) {
	t.Helper()
	cli.CheckState(
		statecheck.ExpectKnownValue("vbaws_iam_role.default", tfjsonpath.New("trusted_principal_arns"),
			knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(s.instanceARN)})),
		statecheck.ExpectKnownValue("vbaws_iam_role.default", tfjsonpath.New("managed_policy_arns"),
			knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(s.policyARN)})),
		statecheck.ExpectKnownValue("vbaws_iam_role.dlm", tfjsonpath.New("inline_policies"),
			knownvalue.MapSizeExact(1)),
		statecheck.ExpectKnownValue("vbaws_iam_role.instance", tfjsonpath.New("create_instance_profile"),
			knownvalue.Bool(false)),
		statecheck.ExpectKnownValue("aws_iam_instance_profile.instance", tfjsonpath.New("role"),
			knownvalue.StringExact(s.instanceRole)),
		statecheck.ExpectKnownValue("aws_iam_policy.service", tfjsonpath.New("arn"), knownvalue.StringExact(s.policyARN)),
		statecheck.ExpectKnownValue("vbaws_iam_role.default", tfjsonpath.New("unique_id"),
			knownvalue.StringExact(awsRoleState(t, client, s.defaultRole)["unique_id"].(string))),
	)
	for _, resource := range cli.State().Values.RootModule.Resources {
		if resource.Type == "aws_iam_role_policy_attachment" || resource.Type == "aws_iam_role_policy" {
			t.Errorf("state still holds %s", resource.Address)
		}
	}
	for _, check := range []error{attachmentsAre(client, s.defaultRole, s.policyARN),
		inlineNamesAre(client, s.dlmRole, dlmPolicyName), inlineNamesAre(client, s.instanceRole, instancePolicyName),
		profileHolds(client, s.profile, s.instanceRole)} {
		if check != nil {
			t.Error(check)
		}
	}
}

// profileHolds checks that the instance profile holds the role.
func profileHolds(client *iam.Client, profile, role string) error {
	out, err := client.GetInstanceProfile(context.Background(),
		&iam.GetInstanceProfileInput{InstanceProfileName: aws.String(profile)})
	if err != nil {
		return err
	}
	if len(out.InstanceProfile.Roles) != 1 || aws.ToString(out.InstanceProfile.Roles[0].RoleName) != role {
		return fmt.Errorf("instance profile %s holds %v, want only %s", profile, out.InstanceProfile.Roles, role)
	}
	return nil
}

// A moved block from hashicorp/aws's aws_iam_role takes each role over without a write to IAM (Terraform 1.8 and
// later, OpenTofu 1.10 and later), and the plan after it is empty.
func TestAccIAMRoleMigration_movedFromAWSIAMRole(t *testing.T) {
	acctest.RequireCLI(t, acctest.MoveState)
	migrate(t, func(sampleRoles) string {
		return movedBlock("instance") + movedBlock("default") + movedBlock("dlm")
	}, func(cli *acctest.CLI) {
		// Without refresh the moved roles are not read, and the plan shows them changed.
		_, plan := cli.SavedPlan("-no-color", "-refresh=false")
		cli.CheckPlan(plan, plancheck.ExpectResourceAction("vbaws_iam_role.default", plancheck.ResourceActionUpdate))
	})
}

func movedBlock(name string) string {
	return fmt.Sprintf("moved {\n  from = aws_iam_role.%[1]s\n  to   = vbaws_iam_role.%[1]s\n}\n", name)
}

// import blocks, with removed blocks that keep the roles (lifecycle destroy = false), take each role over
// without a write to IAM (Terraform 1.7 and later, OpenTofu 1.7 and later), and the plan after it is empty.
func TestAccIAMRoleMigration_importAndRemoved(t *testing.T) {
	migrate(t, func(s sampleRoles) string {
		return importAndRemove("instance", s.instanceRole) + importAndRemove("default", s.defaultRole) +
			importAndRemove("dlm", s.dlmRole)
	}, nil)
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

// A role hashicorp/aws named from name_prefix (the prefix, 18 digits of UTC time and 8 hex digits) moves with its
// name_prefix: a configuration that keeps name_prefix plans no change, and the move writes nothing to IAM.
func TestAccIAMRoleMigration_movedKeepsNamePrefix(t *testing.T) {
	acctest.RequireCLI(t, acctest.MoveState)
	client := acctest.IAMClient(t)
	proxy := acctest.NewProxy(t)
	prefix := acctest.RandomName("veeam-aws") + "-"
	name := prefix + "202601051200001234" + "0000000a"
	appliance := fixtureRole(t, client, acctest.RandomName("veeam-aws-instance-role"), "/", ec2TrustPolicy, nil)
	fixtureRole(t, client, name, "/", deployVBAWSTrust(appliance), nil)
	cli := acctest.NewMigrationCLI(t, t.TempDir())
	state := awsRoleState(t, client, name)
	state["name_prefix"] = prefix
	cli.WriteState(acctest.StateResource{Type: "aws_iam_role", Name: "default",
		Provider: acctest.AWSProviderAddress(t), Attributes: state})
	writeMainTF(t, cli, fmt.Sprintf(`
terraform {
  required_providers {
    aws   = { source = "hashicorp/aws" }
    vbaws = { source = "vbaws/vbaws" }
  }
}
%s
%s
resource "vbaws_iam_role" "default" {
  name_prefix            = %q
  trusted_principal_arns = [%q]
  service_principals     = ["backup.amazonaws.com"]
}
`, acctest.ProviderConfigFor(proxy.URL), movedBlock("default"), prefix, appliance))
	planFile, plan := cli.SavedPlan("-no-color")
	cli.CheckPlan(plan, plancheck.ExpectResourceAction("vbaws_iam_role.default", plancheck.ResourceActionNoop))
	cli.MustRun("apply", "-input=false", "-no-color", planFile)
	if writes := proxy.IAMWrites(); len(writes) > 0 {
		t.Errorf("the move wrote to IAM: %v", writes)
	}
	cli.CheckState(
		statecheck.ExpectKnownValue("vbaws_iam_role.default", tfjsonpath.New("name"), knownvalue.StringExact(name)),
		statecheck.ExpectKnownValue("vbaws_iam_role.default", tfjsonpath.New("name_prefix"),
			knownvalue.StringExact(prefix)),
	)
	_, after := cli.SavedPlan("-no-color")
	cli.CheckPlan(after, plancheck.ExpectEmptyPlan())
}
