#!/usr/bin/env bash
# make demo: build the provider, start moto_server, seed it with what a Veeam appliance deployment creates (the
# Impersonation role and its instance profile), then apply examples/quickstart through a dev_overrides CLI config,
# print the outputs, prove that a second plan is empty, destroy, and stop the emulator.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
moto_pid=""

cleanup() {
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null && wait "$moto_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

find_moto() {
  command -v moto_server && return
  local shim="${PYENV_ROOT:-$HOME/.pyenv}/shims/moto_server"
  [ -x "$shim" ] && { echo "$shim"; return; }
  echo "make demo needs moto_server on PATH or in pyenv's shims (pip install 'moto[server]')" >&2
  exit 1
}

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  echo "no free port found" >&2
  exit 1
}

# iam_call Action key=value... sends one IAM query-protocol request to the emulator.
iam_call() {
  local args=(--silent --show-error --fail -X POST "$AWS_ENDPOINT_URL/" -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/20260101/us-east-1/iam/aws4_request")
  args+=(--data-urlencode "Action=$1" --data-urlencode "Version=2010-05-08")
  shift
  for kv in "$@"; do args+=(--data-urlencode "$kv"); done
  curl "${args[@]}" >/dev/null
}

command -v terraform >/dev/null || { echo "make demo needs the terraform CLI on PATH" >&2; exit 1; }
moto="$(find_moto)"

step "Building the provider"
go build -C "$root" -o "$work/bin/terraform-provider-vbaws" .

step "Starting moto_server"
port="$(free_port)"
"$moto" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIAVBAWSDEMO0000001 AWS_SECRET_ACCESS_KEY=demo-secret
for _ in $(seq 300); do curl --silent --fail "$AWS_ENDPOINT_URL/moto-api/" >/dev/null && break; sleep 0.1; done
echo "moto_server listens on $AWS_ENDPOINT_URL"

step "Seeding the emulator with the appliance's Impersonation role"
iam_call CreateRole RoleName=VeeamImpersonationRole Path=/ \
  'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
iam_call PutRolePolicy RoleName=VeeamImpersonationRole PolicyName=veeam-assume \
  'PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
iam_call CreateInstanceProfile InstanceProfileName=VeeamApplianceProfile
iam_call AddRoleToInstanceProfile InstanceProfileName=VeeamApplianceProfile RoleName=VeeamImpersonationRole
echo "created VeeamImpersonationRole in instance profile VeeamApplianceProfile"
iam_call CreateRole RoleName=team-app-role Path=/ \
  'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Sid":"AppServers","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
echo "created team-app-role, owned by another team, trusting ec2.amazonaws.com"

cat >"$work/dev.tfrc" <<HCL
provider_installation {
  dev_overrides {
    "registry.terraform.io/vbaws/vbaws" = "$work/bin"
  }
  direct {}
}
HCL
export TF_CLI_CONFIG_FILE="$work/dev.tfrc" TF_IN_AUTOMATION=1
cp -r "$root/examples/quickstart" "$work/quickstart"
tf() { terraform -chdir="$work/quickstart" "$@"; }

step "terraform apply"
tf apply -auto-approve -input=false

step "Outputs"
tf output

step "A second plan must show no changes"
set +e
tf plan -detailed-exitcode -input=false
code=$?
set -e
[ "$code" -eq 0 ] || { echo "the second plan was not empty (exit code $code)" >&2; exit 1; }
echo "second plan: no changes"

step "terraform destroy"
tf destroy -auto-approve -input=false

step "team-app-role after destroy: the other team's statement is still there"
curl --silent --fail -X POST "$AWS_ENDPOINT_URL/" \
  -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/20260101/us-east-1/iam/aws4_request" \
  --data-urlencode Action=GetRole --data-urlencode Version=2010-05-08 --data-urlencode RoleName=team-app-role |
  grep -o '<AssumeRolePolicyDocument>[^<]*' | sed 's/<AssumeRolePolicyDocument>//' | python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.stdin.read().strip()))' |
  tee "$work/team-trust.json"
grep -q AppServers "$work/team-trust.json" || { echo "the other team's statement was lost" >&2; exit 1; }

step "Demo finished: stopping moto_server"
