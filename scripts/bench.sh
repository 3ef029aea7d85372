#!/usr/bin/env bash
# make bench, second half: whole-process plan comparison and IAM calls per role. Needs only Go, Terraform and
# moto_server. Builds the provider and the benchmark-only no-op provider (internal/benchprovider), then runs
# planbench: N new vbaws_iam_role against N terraform_data, N vbawsbench_noop (framework logging off and on) and
# N vbawsbench_wide (vbaws_iam_role's attributes, nothing else), alternately, BENCH_RUNS runs each for every N in
# BENCH_N, medians and ratios, and the provider's peak RSS and log volume during the largest plan. Last, the
# acceptance test that counts IAM calls per role through the recording proxy prints its "bench:" lines, and the
# refresh benchmark (TestAccBench_refreshAtScale, a few minutes) prints the calls and wall time of refreshing 1,000
# roles in both refresh modes and of a few roles in a large account. Then lzbench: a landing zone of BENCH_ACCOUNTS
# (default 50) member accounts, one provider configuration and one role each, and one configuration of
# BENCH_REFRESH_WIDTH (default 1000) roles, each against the no-op floor (vbawsbench_wide), plus the OpenTofu
# provider for_each example at BENCH_ACCOUNTS when .tools/tofu is built (make tofu).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v terraform >/dev/null || { echo "make bench needs the terraform CLI on PATH" >&2; exit 1; }
# The providers are built as .goreleaser.yml builds a release (static, trimmed paths, no symbol table), so that the
# figures are those of the binary users run.
release_build() { CGO_ENABLED=0 go build -C "$root" -trimpath -ldflags='-s -w' "$@"; }
release_build -o "$work/terraform-provider-vbaws" .
release_build -o "$work/terraform-provider-vbawsbench" ./internal/benchprovider/cmd/terraform-provider-vbawsbench
go build -C "$root" -o "$work/planbench" ./internal/benchprovider/cmd/planbench
go build -C "$root" -o "$work/lzbench" ./internal/benchprovider/cmd/lzbench

# BENCH_BEFORE=path/to/another/terraform-provider-vbaws adds it as one more variant (before/after in one run).
"$work/planbench" -vbaws "$work/terraform-provider-vbaws" -noop "$work/terraform-provider-vbawsbench" \
  -n "${BENCH_N:-200,1000}" -runs "${BENCH_RUNS:-5}" ${BENCH_BEFORE:+-before "$BENCH_BEFORE"}

echo
echo "IAM calls per role, counted through the recording proxy (TestAccIAMRole_callsPerRole and ...Batched):"
(cd "$root" && TF_ACC=1 go test -count=1 -v -run 'TestAccIAMRole_callsPerRole(Batched)?$' ./internal/provider/ 2>&1) |
  grep -E 'bench:|^(--- |ok|FAIL)' | sed -e 's/^ *[a-z_]*_test.go:[0-9]*: bench: /  /'

echo
echo "Refresh at scale, through the recording proxy (TestAccBench_refreshAtScale):"
(cd "$root" && VBAWS_BENCH=1 TF_ACC=1 go test -count=1 -timeout 30m -v -run 'TestAccBench_refreshAtScale$' \
  ./internal/provider/ 2>&1) | grep -E 'bench:|^ *(--- |ok|FAIL)|target' |
  sed -e 's/^ *[a-z_]*_test.go:[0-9]*: bench: /  /'

echo
echo "Landing zone: cost per provider configuration against the no-op framework floor (lzbench):"
tofu="$root/.tools/tofu"
[ -x "$tofu" ] || tofu=""
"$work/lzbench" -vbaws "$work/terraform-provider-vbaws" -noop "$work/terraform-provider-vbawsbench" \
  -accounts "${BENCH_ACCOUNTS:-50}" -width "${BENCH_REFRESH_WIDTH:-1000}" -runs "${BENCH_LZ_RUNS:-3}" \
  -example "$root/examples/landing-zone-for-each" ${tofu:+-tofu "$tofu"} ${BENCH_BEFORE:+-before "$BENCH_BEFORE"}
