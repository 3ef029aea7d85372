// Command planbench compares whole `terraform plan -refresh=false` processes: N new vbaws_iam_role against N
// terraform_data (Terraform core alone), N vbawsbench_noop (the framework's floor, with its logging off and on) and
// N vbawsbench_wide (the floor for a resource with vbaws_iam_role's attributes), run alternately, and prints
// medians and ratios. It then serves vbaws itself for one more plan of the largest N
// to read the provider's peak RSS and count the log lines it writes. It needs Terraform, moto_server and the two
// provider binaries that scripts/bench.sh builds.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vbaws/terraform-provider-vbaws/internal/emulator"
)

type options struct {
	vbaws, noop, terraform, moto string
	before                       string // optional second vbaws binary, such as one built from main
	runs                         int
	sizes                        []int
}

func main() {
	log.SetFlags(0)
	opts := parseFlags()
	work, err := os.MkdirTemp("", "vbaws-planbench-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(work) }()
	endpoint, stopMoto, err := emulator.Start(opts.moto)
	if err != nil {
		log.Fatal(err)
	}
	defer stopMoto()
	bench := &bench{opts: opts, work: work, endpoint: endpoint}
	if err := bench.run(); err != nil {
		stopMoto()
		log.Fatal(err)
	}
}

func parseFlags() options {
	var opts options
	var sizes string
	flag.StringVar(&opts.vbaws, "vbaws", "", "path of the terraform-provider-vbaws binary")
	flag.StringVar(
		&opts.before,
		"before",
		"",
		"optional terraform-provider-vbaws binary to compare with, such as main's",
	)
	flag.StringVar(&opts.noop, "noop", "", "path of the terraform-provider-vbawsbench binary")
	flag.StringVar(&opts.terraform, "terraform", "terraform", "the Terraform CLI")
	flag.StringVar(&opts.moto, "moto", "", "moto_server (default: from PATH or pyenv's shims)")
	flag.IntVar(&opts.runs, "runs", 5, "plans per variant and size")
	flag.StringVar(&sizes, "n", "200,1000", "comma-separated numbers of resources")
	flag.Parse()
	if opts.vbaws == "" || opts.noop == "" {
		log.Fatal("planbench needs -vbaws and -noop")
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			log.Fatalf("-n: %q is not a positive number", s)
		}
		opts.sizes = append(opts.sizes, n)
	}
	for _, p := range []*string{&opts.vbaws, &opts.noop, &opts.before} {
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
	if err := b.installProviders(); err != nil {
		return err
	}
	for _, n := range b.opts.sizes {
		results, err := b.timeVariants(n)
		if err != nil {
			return err
		}
		printTimes(n, results)
	}
	largest := b.opts.sizes[len(b.opts.sizes)-1]
	return b.reportProcess(largest)
}

// fmtSeconds prints a duration in seconds with two decimals.
func fmtSeconds(s float64) string { return fmt.Sprintf("%.2f s", s) }
