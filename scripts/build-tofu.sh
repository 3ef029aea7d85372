#!/usr/bin/env bash
# make tofu: builds the pinned OpenTofu CLI into .tools/tofu from its module source on the Go module proxy.
# `go install github.com/opentofu/opentofu/cmd/tofu@v` is refused because OpenTofu's go.mod has replace directives,
# so the module is downloaded, copied to a writable directory and built inside its own module (module-build.sh).
# The build runs once: an existing .tools/tofu that reports the pinned version is kept. Any failure exits non-zero.
set -euo pipefail
version="${1:?usage: build-tofu.sh <version, e.g. 1.10.10> <output path>}"
out="${2:?usage: build-tofu.sh <version> <output path>}"
source "$(dirname "$0")/module-build.sh"

if [ -x "$out" ] && cli_reports "$out" "OpenTofu v$version"; then
  echo "$out is OpenTofu v$version already"
  exit 0
fi
module_copy "github.com/opentofu/opentofu@v$version"
build_cli ./cmd/tofu "$out" github.com/opentofu/opentofu/version.dev "OpenTofu v$version"
