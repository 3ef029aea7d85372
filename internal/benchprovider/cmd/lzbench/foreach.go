package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// measureForEach runs the OpenTofu provider for_each example at opts.accounts member accounts: its plan of new
// roles, apply and refresh plan, as the landing-zone scenario measures them.
func (b *bench) measureForEach() ([]measurement, error) {
	v := variant{name: "tofu for_each"}
	if err := b.install(&v, "tofu", b.opts.vbaws); err != nil {
		return nil, err
	}
	dir := filepath.Join(b.work, "for-each")
	if err := os.CopyFS(dir, os.DirFS(b.opts.example)); err != nil {
		return nil, err
	}
	accounts := freshAccounts(b.opts.accounts)
	vars := fmt.Sprintf("member_account_ids = [%s]\n", `"`+strings.Join(accounts, `", "`)+`"`)
	if err := os.WriteFile(filepath.Join(dir, "bench.auto.tfvars"), []byte(vars), 0o600); err != nil {
		return nil, err
	}
	var ms []measurement
	for _, p := range phases {
		m, err := b.timed(b.opts.tofu, dir, v, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// printForEach prints the for_each example's phases per configuration.
func printForEach(accounts int, ms []measurement) {
	n := float64(accounts)
	fmt.Printf("\nOpenTofu provider for_each example, %d member accounts (one run; per configuration)\n", accounts)
	fmt.Printf("  %-14s %10s %9s %6s %11s %11s %6s\n", "phase", "wall/conf", "CPU/conf", "procs", "RSS/conf",
		"anon/conf", "calls")
	for i, p := range phases {
		m := ms[i]
		fmt.Printf("  %-14s %10s %9s %6d %7.1f MiB %7.1f MiB %6d\n", p.name, fmtSeconds(m.seconds/n),
			fmtSeconds(m.cpu/n), m.processes, float64(m.peak.rssKiB)/1024/n, float64(m.peak.anonKiB)/1024/n, m.calls)
	}
}
