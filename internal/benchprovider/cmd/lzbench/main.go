// Command lzbench measures what a provider configuration costs: whole Terraform runs (plan of new resources, apply,
// and the refresh plan after it) of N provider configurations with one resource each, as a landing zone of N member
// accounts holds them (vbaws: an assume_role into a distinct emulator account each), against the same N
// configurations of the no-op framework provider (vbawsbench_wide, whose Read only copies state and identity). For
// each run it counts the provider processes Terraform starts, samples their summed resident memory for its peak,
// and counts the AWS calls through a proxy in front of moto. With -width it also measures one configuration of
// that many resources, the framework's floor for a refresh of that many roles. With -tofu it runs the OpenTofu
// provider for_each example (examples/landing-zone-for-each) at N accounts too. It needs Terraform, moto_server and
// the provider binaries that scripts/bench.sh builds.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/vbaws/terraform-provider-vbaws/internal/emulator"
)

type options struct {
	vbaws, before, noop, terraform, tofu, moto, example string
	accounts, width, runs                               int
}

func main() {
	log.SetFlags(0)
	opts := parseFlags()
	work, err := os.MkdirTemp("", "vbaws-lzbench-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(work) }()
	endpoint, stopMoto, err := emulator.Start(opts.moto)
	if err != nil {
		log.Fatal(err)
	}
	defer stopMoto()
	calls, err := startCallCounter(endpoint)
	if err != nil {
		stopMoto()
		log.Fatal(err)
	}
	b := &bench{opts: opts, work: work, calls: calls}
	if err := b.run(); err != nil {
		stopMoto()
		log.Fatal(err)
	}
}

func parseFlags() options {
	var opts options
	flag.StringVar(&opts.vbaws, "vbaws", "", "path of the terraform-provider-vbaws binary")
	flag.StringVar(&opts.before, "before", "", "optional second terraform-provider-vbaws binary, such as main's")
	flag.StringVar(&opts.noop, "noop", "", "path of the terraform-provider-vbawsbench binary")
	flag.StringVar(&opts.terraform, "terraform", "terraform", "the Terraform CLI")
	flag.StringVar(&opts.tofu, "tofu", "", "optional OpenTofu CLI (1.9 or later) for the provider for_each example")
	flag.StringVar(&opts.example, "example", "examples/landing-zone-for-each", "the provider for_each example")
	flag.StringVar(&opts.moto, "moto", "", "moto_server (default: from PATH or pyenv's shims)")
	flag.IntVar(&opts.accounts, "accounts", 50, "member accounts: provider configurations of one resource each (0: skip)")
	flag.IntVar(&opts.width, "width", 0, "resources of one configuration for the refresh floor (0: skip)")
	flag.IntVar(&opts.runs, "runs", 1, "runs of every variant, alternating")
	flag.Parse()
	if opts.vbaws == "" || opts.noop == "" {
		log.Fatal("lzbench needs -vbaws and -noop")
	}
	for _, p := range []*string{&opts.vbaws, &opts.noop, &opts.before, &opts.example} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			log.Fatal(err)
		}
		*p = abs
	}
	return opts
}

func (b *bench) run() error {
	var scenarios []scenario
	if b.opts.accounts > 0 {
		scenarios = append(scenarios, scenario{configurations: b.opts.accounts, resources: 1})
	}
	if b.opts.width > 0 {
		scenarios = append(scenarios, scenario{configurations: 1, resources: b.opts.width})
	}
	for _, s := range scenarios {
		results, err := b.measure(s)
		if err != nil {
			return err
		}
		printScenario(s, results)
	}
	if b.opts.tofu == "" || b.opts.accounts == 0 {
		return nil
	}
	result, err := b.measureForEach()
	if err != nil {
		return err
	}
	printForEach(b.opts.accounts, result)
	return nil
}

// fmtSeconds prints a duration in seconds with two decimals.
func fmtSeconds(s float64) string { return fmt.Sprintf("%.2f s", s) }
