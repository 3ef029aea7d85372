# Sourced by build-tofu.sh and build-terraform.sh: building a CLI from its module source on the Go module proxy.
# `go install module@version` refuses modules with replace directives, so the source is downloaded, copied to a
# writable directory and built inside its own module.

# cli_reports tells whether `$1 version` prints the line $2 anywhere (OpenTofu prints CLI-configuration warnings
# before it). The output is read whole first, so that grep stopping early cannot fail the pipeline with SIGPIPE
# under pipefail.
cli_reports() {
  local printed
  printed="$(CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null)" || return 1
  grep -qx "$2" <<<"$printed"
}

# module_copy downloads module@version ($1) through the Go module proxy, copies its source into a new writable
# directory, removed when the script exits, and sets src to it.
module_copy() {
  local dir
  dir="$(GOFLAGS=-mod=mod go mod download -json "$1" | python3 -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(d["Error"]) if d.get("Error") else print(d["Dir"])')"
  src="$(mktemp -d)"
  trap 'chmod -R u+w "$src" && rm -rf "$src"' EXIT
  cp -r "$dir/." "$src"
  chmod -R u+w "$src"
}

# build_cli builds package $1 of the module in $src into $2 with the version variable $3 (package.name) set to "no",
# so that the CLI reports a release, and fails unless the result prints the version line $4.
build_cli() {
  local package="$1" out="$2" dev="$3" line="$4" start=$SECONDS
  echo "building $line into $out (takes several minutes)"
  mkdir -p "$(dirname "$out")"
  (cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $dev=no" -o "$out.tmp" "$package")
  mv "$out.tmp" "$out"
  cli_reports "$out" "$line" || {
    echo "$out does not report $line:" >&2
    "$out" version >&2
    return 1
  }
  echo "built $line in $((SECONDS - start))s"
}
