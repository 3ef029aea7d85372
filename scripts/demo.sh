#!/usr/bin/env bash
# make demo: build the provider, start moto_server and the emulated Veeam appliance, seed moto with what a Veeam
# appliance deployment creates (the Impersonation role and its instance profile) and a role another team owns, then
# walk examples/quickstart through a saved plan, apply (which registers the role in the appliance), a second plan
# that must be empty, and destroy, and end with a summary.
#
# TERRAFORM=<path or name> picks the CLI: terraform by default, or OpenTofu (TERRAFORM=.tools/tofu after make tofu).
# VBAWS_DEMO_CLI_CONFIG=<file> installs the provider as users do: `init` with that CLI configuration (a mirror or a
# registry, see scripts/release-test.sh) instead of dev_overrides of a local build; the lock file is printed.
# VBAWS_DEMO_PROVIDER_VERSION=<version> pins that version in the quickstart's required_providers, as a user must to
# install a prerelease such as a snapshot (init never picks a prerelease as the newest version).
# Colours only on a terminal (and never with NO_COLOR set).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
moto_pid=""
appliance_pid=""

cleanup() {
  [ -n "$appliance_pid" ] && kill "$appliance_pid" 2>/dev/null && wait "$appliance_pid" 2>/dev/null
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null && wait "$moto_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  bold=$'\033[1m' reset=$'\033[0m' color=()
else
  bold="" reset="" color=(-no-color)
fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$reset"; }
die() { echo "$*" >&2; exit 1; }

# resolve_cli prints the absolute path of TERRAFORM (a path, or a name looked up on PATH).
resolve_cli() {
  local cli="${TERRAFORM:-terraform}"
  if [[ "$cli" == */* ]]; then
    [ -x "$cli" ] || die "TERRAFORM=$cli is not an executable file${TERRAFORM_HINT:-}"
    echo "$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")"
  else
    command -v "$cli" || die "make demo needs the $cli CLI on PATH, or TERRAFORM=<path or name> of Terraform or OpenTofu"
  fi
}

find_moto() {
  command -v moto_server && return
  local shim="${PYENV_ROOT:-$HOME/.pyenv}/shims/moto_server"
  [ -x "$shim" ] && { echo "$shim"; return; }
  die "make demo needs moto_server on PATH or in pyenv's shims (pip install 'moto[server]')"
}

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  die "no free port found"
}

# iam_call Action key=value... sends one IAM query-protocol request to the emulator and prints the XML answer.
iam_call() {
  local args=(--silent --show-error --fail -X POST "$AWS_ENDPOINT_URL/"
    -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/20260101/us-east-1/iam/aws4_request"
    --data-urlencode "Action=$1" --data-urlencode "Version=2010-05-08")
  shift
  for kv in "$@"; do args+=(--data-urlencode "$kv"); done
  curl "${args[@]}"
}

# without_override_notice drops the compact "provider development overrides are in effect" notice, which every
# command repeats; the demo explains it once. Any other warning is kept.
without_override_notice() {
  awk '
    { plain = $0; gsub(/\033\[[0-9;]*m/, "", plain) }
    plain ~ /^[│ ]*Warnings:[ ]*$/ { held = $0 "\n"; holding = 1; others = 0; next }
    holding {
      held = held $0 "\n"
      if (plain ~ /^[│ ]*- / && plain !~ /Provider development overrides are in effect/) others = 1
      if (plain ~ /without -compact-warnings/) {
        if (others) printf "%s", held
        holding = 0; skip_blank = !others
      }
      next
    }
    skip_blank && plain ~ /^[│ ]*$/ { skip_blank = 0; next }
    { skip_blank = 0; print }
  '
}

# tf runs the CLI in the demo's copy of examples/quickstart without the repeated overrides notice.
tf() {
  local sub="$1"
  shift
  "$cli" -chdir="$work/quickstart" "$sub" "${color[@]}" -compact-warnings "$@" 2>&1 | without_override_notice
}

# summarize_plan prints one line per planned change, with the values a reader wants, from `show -json`.
summarize_plan() {
  "$cli" -chdir="$work/quickstart" show -json "$1" | python3 -c '
import json, sys
plan = json.load(sys.stdin)
for rc in plan.get("resource_changes", []):
    actions = [a for a in rc["change"]["actions"] if a != "no-op"]
    if not actions or rc["mode"] != "managed":
        continue
    after, unknown = rc["change"]["after"] or rc["change"]["before"], rc["change"].get("after_unknown") or {}
    detail = ""
    for key in ("arn", "policy_arns", "documents", "actions", "assume_role_policy", "statement"):
        if unknown.get(key):
            sys.exit("%s.%s is unknown at plan time" % (rc["address"], key))
    if rc["type"] == "vbaws_role_template":
        detail = "%d actions in %d document(s): %s" % (
            len(after["actions"]), len(after["documents"]), ", ".join(after["policy_arns"]))
    elif rc["type"] == "vbaws_iam_role":
        detail = "arn " + after["arn"]
    elif rc["type"] == "vbaws_appliance_role":
        detail = "%r for %s, cross-account %s" % (after["name"], after["role_arn"],
                                                   str(after["cross_account"]).lower())
    elif rc["type"] == "vbaws_trust_relationship":
        detail = "statement %s on %s" % (after.get("sid") or "VeeamBackupImpersonation", after["role_name"])
    print("  %-8s %-34s %s" % ("/".join(actions), rc["address"], detail))
'
}

# show_actions prints the permission document of the template once, its actions grouped by service.
show_actions() {
  "$cli" -chdir="$work/quickstart" show -json | python3 -c '
import json, sys, textwrap
state = json.load(sys.stdin)
for r in state["values"]["root_module"]["resources"]:
    if r["type"] != "vbaws_role_template":
        continue
    docs = r["values"]["documents"]
    print("%s: %d actions in %d document(s), %s characters without whitespace (IAM allows 6,144)" % (
        r["address"], len(r["values"]["actions"]), len(docs),
        ", ".join("{:,}".format(len("".join(d.split()))) for d in docs)))
    services = {}
    for action in sorted(r["values"]["actions"]):
        service, name = action.split(":", 1)
        services.setdefault(service, []).append(name)
    for service, names in services.items():
        print(textwrap.fill(", ".join(names), width=116, initial_indent="  %-14s" % service,
                            subsequent_indent=" " * 16))
'
}

# team_trust prints the trust policy of team-app-role as IAM holds it.
team_trust() {
  iam_call GetRole RoleName=team-app-role | python3 -c '
import re, sys, json, urllib.parse
doc = re.search(r"<AssumeRolePolicyDocument>([^<]*)", sys.stdin.read()).group(1)
print(json.dumps(json.loads(urllib.parse.unquote(doc)), indent=2))'
}

# names_in_emulator prints the names a List action returns, found by their XML element, sorted, on one line.
names_in_emulator() {
  local element="$1"
  shift
  iam_call "$@" | { grep -o "<$element>[^<]*</$element>" || true; } | sed "s/<[^>]*>//g" | sort -f | paste -sd ' ' -
}

TERRAFORM_HINT=" (for OpenTofu, run make tofu first)"
cli="$(resolve_cli)"
moto="$(find_moto)"

installed="${VBAWS_DEMO_CLI_CONFIG:-}"
if [ -n "$installed" ]; then
  step "Building the appliance emulator (the provider comes from the CLI configuration $installed)"
  [ -f "$installed" ] || die "VBAWS_DEMO_CLI_CONFIG=$installed is not a file"
  export TF_CLI_CONFIG_FILE="$installed"
else
  step "Building the provider"
  mkdir -p "$work/bin"
  go build -C "$root" -o "$work/bin/terraform-provider-vbaws" .
  cat >"$work/dev.tfrc" <<HCL
provider_installation {
  dev_overrides {
    "registry.terraform.io/vbaws/vbaws" = "$work/bin"
    "registry.opentofu.org/vbaws/vbaws" = "$work/bin"
  }
  direct {}
}
HCL
  export TF_CLI_CONFIG_FILE="$work/dev.tfrc"
fi
go build -C "$root" -o "$work/applianceemu" ./internal/applianceemu/cmd/applianceemu
echo "built the appliance emulator${installed:+; the provider is installed by init}${installed:- and $work/bin/terraform-provider-vbaws}"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cli_version="$("$cli" version | sed -n 1p)"
case "$cli_version" in
  Terraform*|OpenTofu*) ;;
  *) die "TERRAFORM=$cli does not look like Terraform or OpenTofu: $cli_version" ;;
esac
cli_name="$(basename "$cli")"
echo "using $cli_version ($cli)"

step "Starting moto_server"
port="$(free_port)"
"$moto" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIAVBAWSDEMO0000001 \
  AWS_SECRET_ACCESS_KEY=demo-secret
for _ in $(seq 300); do curl --silent --fail "$AWS_ENDPOINT_URL/moto-api/" >/dev/null && break; sleep 0.1; done
echo "moto_server listens on $AWS_ENDPOINT_URL"

step "Starting the emulated Veeam appliance"
export VBAWS_APPLIANCE_USERNAME=administrator VBAWS_APPLIANCE_PASSWORD="demo-$RANDOM-$RANDOM"
"$work/applianceemu" -moto "$AWS_ENDPOINT_URL" -cert-file "$work/appliance.pem" -url-file "$work/appliance.url" \
  -impersonation-role arn:aws:iam::123456789012:role/VeeamImpersonationRole >"$work/appliance.log" 2>&1 &
appliance_pid=$!
for _ in $(seq 300); do [ -s "$work/appliance.url" ] && break; sleep 0.1; done
[ -s "$work/appliance.url" ] || { cat "$work/appliance.log"; die "the appliance emulator did not start"; }
export TF_VAR_appliance_url="$(cat "$work/appliance.url")" TF_VAR_appliance_ca_file="$work/appliance.pem"
echo "the appliance's REST API listens on $TF_VAR_appliance_url with a self-signed certificate ($TF_VAR_appliance_ca_file);"
echo "it checks in moto that every role it is given exists and lets VeeamImpersonationRole assume it"

step "Seeding the emulator with what exists before Terraform runs"
iam_call CreateRole RoleName=VeeamImpersonationRole Path=/ \
  'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
iam_call PutRolePolicy RoleName=VeeamImpersonationRole PolicyName=veeam-assume \
  'PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}' >/dev/null
iam_call CreateInstanceProfile InstanceProfileName=VeeamApplianceProfile >/dev/null
iam_call AddRoleToInstanceProfile InstanceProfileName=VeeamApplianceProfile RoleName=VeeamImpersonationRole >/dev/null
echo "VeeamImpersonationRole in instance profile VeeamApplianceProfile, as the appliance deployment creates them"
iam_call CreateRole RoleName=team-app-role Path=/ \
  'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Sid":"AppServers","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
echo "team-app-role, owned by another team, trusting ec2.amazonaws.com (statement AppServers)"

cp -r "$root/examples/quickstart" "$work/quickstart"
if [ -n "${VBAWS_DEMO_PROVIDER_VERSION:-}" ]; then
  pinned="$(sed "s|source = \"vbaws/vbaws\"|&\n      version = \"=$VBAWS_DEMO_PROVIDER_VERSION\"|" \
    "$work/quickstart/main.tf")"
  grep -q "version = \"=$VBAWS_DEMO_PROVIDER_VERSION\"" <<<"$pinned" || die "could not pin the provider's version"
  printf '%s\n' "$pinned" >"$work/quickstart/main.tf"
fi

if [ -n "$installed" ]; then
  step "$cli_name init (no dev_overrides: the provider is installed as users install it)"
  "$cli" -chdir="$work/quickstart" init "${color[@]}" -input=false >"$work/init.log" 2>&1 ||
    { cat "$work/init.log"; exit 1; }
  grep -E 'Installing|Installed' "$work/init.log" | sed 's/^/  /'
  echo "the lock file $cli_name wrote:"
  sed 's/^/  /' "$work/quickstart/.terraform.lock.hcl"
  [ -n "${VBAWS_DEMO_LOCK_FILE:-}" ] && cp "$work/quickstart/.terraform.lock.hcl" "$VBAWS_DEMO_LOCK_FILE"
  step "$cli_name plan -out=tfplan"
  "$cli" -chdir="$work/quickstart" plan "${color[@]}" -input=false -out=tfplan >"$work/plan.log" 2>&1 ||
    { cat "$work/plan.log"; exit 1; }
else
  step "$cli_name plan -out=tfplan"
  cat <<TEXT
The CLI configuration installs the provider just built through dev_overrides, so $cli_name needs no init and
no registry. It therefore warns, once per command, "Provider development overrides are in effect": that is
expected with a local build. Here is the warning once, in full; later commands leave it out.
TEXT
  "$cli" -chdir="$work/quickstart" plan "${color[@]}" -input=false -out=tfplan >"$work/plan.log" 2>&1 ||
    { cat "$work/plan.log"; exit 1; }
  awk '/Provider development overrides are in effect/ { on = 1 } on { print } on && /releases\./ { if ((getline line) > 0 && line ~ /╵/) print line; exit }' \
    "$work/plan.log" | sed 's/^/  /'
  echo
fi
sed 's/\x1b\[[0-9;]*m//g' "$work/plan.log" | grep -E 'Read complete|^Plan:'
echo "Every value below is known at plan time (the full plan is in the saved plan file):"
summarize_plan tfplan

step "$cli_name apply tfplan"
tf apply -input=false tfplan

step "What the template holds, shown once"
show_actions

step "The role in the appliance"
echo "record $(tf output -raw veeam_appliance_role_id) in the appliance's IAM Roles, for $(tf output -raw veeam_role_arn)"

step "A second plan must show no changes"
set +e
tf plan -input=false -detailed-exitcode >"$work/plan2.log"
code=$?
set -e
grep -E 'No changes|Plan:' "$work/plan2.log" || cat "$work/plan2.log"
[ "$code" -eq 0 ] || die "the second plan was not empty (exit code $code)"

step "$cli_name plan -destroy -out=destroy.tfplan, then apply it"
tf plan -destroy -input=false -out=destroy.tfplan >"$work/destroy-plan.log" ||
  { cat "$work/destroy-plan.log"; exit 1; }
summarize_plan destroy.tfplan
tf apply -input=false destroy.tfplan | grep -E 'Destruction complete|Apply complete|Warning|Error'

step "After destroy"
roles_left="$(names_in_emulator RoleName ListRoles)"
policies_left="$(names_in_emulator PolicyName ListPolicies Scope=Local)"
echo "roles in the account:            ${roles_left:-none}"
echo "customer managed policies:       ${policies_left:-none}"
echo "trust policy of team-app-role, the other team's statement untouched:"
team_trust | tee "$work/team-trust.json" | sed 's/^/  /'
grep -q AppServers "$work/team-trust.json" || die "the other team's statement was lost"
grep -q VeeamBackupImpersonation "$work/team-trust.json" && die "the Veeam statement was left on team-app-role"
[ -z "$policies_left" ] || die "policies were left behind: $policies_left"
[ "$roles_left" = "team-app-role VeeamImpersonationRole" ] || die "roles were left behind: $roles_left"
kill "$appliance_pid" && wait "$appliance_pid" || true
appliance_pid=""
echo "the appliance emulator, stopped:"
sed 's/^/  /' "$work/appliance.log"
grep -q '0 active sessions' "$work/appliance.log" || die "the provider did not log out of the appliance"
records="$(grep -c '^  record ' "$work/appliance.log" || true)"
[ "$records" = "1" ] && grep -q 'record "Default Backup Restore"' "$work/appliance.log" ||
  die "the appliance holds more than its default record"

step "Summary"
cat <<TEXT
With $cli_version and the provider built from this checkout, against moto_server and the emulated appliance:
  - planned a Veeam template, a role trusted by VeeamImpersonationRole, its registration in the appliance and a
    trust statement on team-app-role, with every ARN and policy document known at plan time;
  - applied exactly the saved plan, registering the role in the emulated appliance over its REST API;
  - a second plan showed no changes;
  - destroy removed everything it created: only the two roles that existed before are left,
    team-app-role trusts exactly what its team wrote, the appliance holds only its default record,
    and every provider process logged out of the appliance.
TEXT
