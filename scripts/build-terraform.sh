#!/usr/bin/env bash
# make terraform-latest: builds Terraform (1.14 or later, for list resources, `terraform query` and actions) into
# .tools/terraform from its module source on the Go module proxy, as build-tofu.sh does for OpenTofu.
#
# Terraform's go.mod requires nested modules of its own repository (the remote-state backends azurerm, consul,
# cos, gcs, kubernetes, oci, oss, pg and s3, and internal/legacy) through `replace ... => ./...` directives, and a
# module zip leaves nested modules out. So the module is copied to a writable directory, every requirement replaced
# by a local directory is dropped from go.mod together with its replace directive, and the dropped backends are
# taken out of the backend registry (internal/backend/init/init.go). The CLI keeps the local, remote, cloud, http
# and inmem backends, which is all the acceptance tests use. version.dev=no makes `terraform version` report a
# release (v1.14.9, not v1.14.9-dev). The build runs once: an existing binary that reports the version is kept.
# Any failure exits non-zero.
set -euo pipefail
version="${1:?usage: build-terraform.sh <version, e.g. 1.14.9> <output path>}"
out="${2:?usage: build-terraform.sh <version> <output path>}"
module=github.com/hashicorp/terraform
source "$(dirname "$0")/module-build.sh"

if [ -x "$out" ] && cli_reports "$out" "Terraform v$version"; then
  echo "$out is Terraform v$version already"
  exit 0
fi
module_copy "$module@v$version"

# The nested modules are the targets of replace directives that point into the source tree.
mapfile -t nested < <(cd "$src" && go mod edit -json |
  python3 -c 'import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"]["Path"].startswith("./"):
        print(r["Old"]["Path"])')
if [ "${#nested[@]}" -eq 0 ]; then
  echo "Terraform v$version's go.mod replaces no nested module; this script needs updating" >&2
  exit 1
fi
edits=()
for path in "${nested[@]}"; do
  edits+=("-droprequire=$path" "-dropreplace=$path")
done
(cd "$src" && go mod edit "${edits[@]}")

# Take the dropped backends out of the registry: their imports and their entries in the backends map.
python3 - "$src/internal/backend/init/init.go" "${nested[@]}" <<'PY'
import re, sys
registry, dropped = sys.argv[1], sys.argv[2:]
text = open(registry).read()
for path in dropped:
    match = re.search(r'^\s*(\w+)\s+"' + re.escape(path) + r'"\n', text, re.M)
    if match is None:
        continue  # not a backend, such as internal/legacy
    alias = match.group(1)
    text = text.replace(match.group(0), "")
    text, entries = re.subn(r'^\s*"[\w-]+":\s+func\(\) backend\.Backend \{ return ' + alias + r'\.New\(\) \},\n',
                            "", text, flags=re.M)
    if entries != 1:
        sys.exit(f"{registry}: found {entries} registry entries for {alias}, want 1")
if re.search(r'"github\.com/hashicorp/terraform/internal/backend/remote-state/(?!http"|inmem")', text):
    sys.exit(f"{registry} still imports a dropped backend")
open(registry, "w").write(text)
PY

build_cli . "$out" "$module/version.dev" "Terraform v$version"
