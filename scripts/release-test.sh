#!/usr/bin/env bash
# make release-test: the path every user takes, end to end and offline. Builds a snapshot release with goreleaser
# from .goreleaser.yml (for linux_amd64 only, to keep CI short: the other targets differ only in GOOS/GOARCH),
# signs its SHA256SUMS with a throwaway GPG key made here, then runs internal/releasetest: `terraform init` and
# `tofu init` of examples/quickstart from a filesystem mirror, a network mirror and a registry on loopback, with
# no dev_overrides; the lock file's hashes; the quickstart applied against moto_server and the appliance emulator;
# and a tampered archive refused.
#
# Needs Terraform on PATH, OpenTofu in .tools/tofu (make tofu) and moto_server; gpg from Debian's gnupg package.
# RELEASE_TEST_CLIS=name=path,... overrides the CLIs. Any failure exits non-zero.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
goreleaser="${GORELEASER:?GORELEASER=<path> is set by make release-test}"
command -v gpg >/dev/null || { echo "make release-test needs gpg (apt-get install gnupg)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'gpgconf --homedir "$work/gnupg" --kill all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "vbaws release test <release-test@example.invalid>" \
  rsa3072 sign 1d
GPG_FINGERPRINT="$(gpg --list-secret-keys --with-colons | awk -F: '/^fpr/ { print $10; exit }')"
export GPG_FINGERPRINT
gpg --batch --armor --export "$GPG_FINGERPRINT" >"$work/public-key.asc"
echo "throwaway signing key $GPG_FINGERPRINT"

# The snapshot is built from a copy of the configuration restricted to this machine's platform.
python3 - "$root/.goreleaser.yml" "$work/goreleaser.yml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text, n = re.subn(r"(?m)^    goos: .*\n    goarch: .*\n", "    goos: [linux]\n    goarch: [amd64]\n", text)
if n != 1:
    sys.exit(".goreleaser.yml: found %d goos/goarch pairs, want 1" % n)
open(sys.argv[2], "w").write(text)
PY
"$goreleaser" release --snapshot --clean --skip=publish --config "$work/goreleaser.yml" 2>&1 | tail -n 25
ls dist/*.zip dist/*SHA256SUMS* >/dev/null

clis="${RELEASE_TEST_CLIS:-terraform=$(command -v terraform),tofu=$root/.tools/tofu}"
VBAWS_RELEASE_DIST="$root/dist" VBAWS_RELEASE_PUBLIC_KEY="$work/public-key.asc" \
  VBAWS_RELEASE_KEY_ID="$GPG_FINGERPRINT" VBAWS_RELEASE_CLIS="$clis" \
  go test -count=1 -tags releasetest -timeout 20m -v ./internal/releasetest/
