// Package releasetest installs a release built by goreleaser the way users install the provider: `terraform init`
// and `tofu init` from a filesystem mirror, a network mirror and a registry, all on loopback, with no
// dev_overrides. Its test has the build tag releasetest and runs from `make release-test` (scripts/release-test.sh),
// which builds the snapshot and signs it with a throwaway key first.
package releasetest
