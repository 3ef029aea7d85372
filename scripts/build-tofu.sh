#!/usr/bin/env bash
# make tofu: builds the pinned OpenTofu CLI into .tools/tofu from its module source on the Go module proxy.
# `go install github.com/opentofu/opentofu/cmd/tofu@v` is refused because OpenTofu's go.mod has replace directives,
# so the module is downloaded, copied to a writable directory and built inside its own module. The build runs once:
# an existing .tools/tofu that reports the pinned version is kept. Any failure exits non-zero.
set -euo pipefail
version="${1:?usage: build-tofu.sh <version, e.g. 1.10.10> <output path>}"
out="${2:?usage: build-tofu.sh <version> <output path>}"

# reports reads the version line wherever it is: OpenTofu prints CLI-configuration warnings before it. The output
# is read whole first, so that grep stopping early cannot fail the pipeline with SIGPIPE under pipefail.
reports() {
  local printed
  printed="$("$1" version 2>/dev/null)" || return 1
  grep -qx "OpenTofu v$2" <<<"$printed"
}

if [ -x "$out" ] && reports "$out" "$version"; then
  echo "$out is OpenTofu v$version already"
  exit 0
fi

dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@v$version" |
  python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(d["Error"]) if d.get("Error") else print(d["Dir"])')"
src="$(mktemp -d)"
trap 'chmod -R u+w "$src" && rm -rf "$src"' EXIT
cp -r "$dir/." "$src"
chmod -R u+w "$src"

echo "building OpenTofu v$version into $out (takes several minutes)"
start=$SECONDS
mkdir -p "$(dirname "$out")"
(cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$out.tmp" ./cmd/tofu)
mv "$out.tmp" "$out"
reports "$out" "$version" || {
  echo "$out does not report OpenTofu v$version:" >&2
  "$out" version >&2
  exit 1
}
echo "built OpenTofu v$version in $((SECONDS - start))s"
