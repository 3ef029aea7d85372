package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sampleEvery is how often the provider processes' resident memory is summed.
const sampleEvery = 20 * time.Millisecond

// wrap installs, under the provider's name in dir, a script that appends its process ID to pids and then execs
// the provider binary in the same process, so that every provider process Terraform starts is counted and its
// memory sampled, at the cost of one shell start. The no-op provider runs with vbaws's process-wide tuning
// (VBAWSBENCH_TUNED), so that the floor differs from vbaws only in what the resources do.
func wrap(dir, name, binary, pids string) error {
	script := fmt.Sprintf("#!/bin/sh\necho $$ >> %q\nVBAWSBENCH_TUNED=1 exec %q \"$@\"\n", pids, binary)
	return os.WriteFile(filepath.Join(dir, "terraform-provider-"+name), []byte(script), 0o755)
}

// sampler follows the processes listed in a pid file while a command runs: how many there were, the peak of their
// summed resident memory and the peak of its anonymous part.
type sampler struct {
	pids string
	stop chan struct{}
	done sync.WaitGroup
	peak residence
}

// residence is resident memory in KiB: all of it (VmRSS), and the anonymous part (RssAnon), the heap and stacks
// that each process holds alone. The rest is the binary's pages, which the processes of one binary share through
// the page cache, so a sum of VmRSS counts them once per process.
type residence struct{ rssKiB, anonKiB int }

func startSampler(pids string) (*sampler, error) {
	if err := os.WriteFile(pids, nil, 0o600); err != nil {
		return nil, err
	}
	s := &sampler{pids: pids, stop: make(chan struct{})}
	s.done.Add(1)
	go s.loop()
	return s, nil
}

func (s *sampler) loop() {
	defer s.done.Done()
	ticker := time.NewTicker(sampleEvery)
	defer ticker.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
			sum := summedResidence(readPIDs(s.pids))
			s.peak.rssKiB = max(s.peak.rssKiB, sum.rssKiB)
			s.peak.anonKiB = max(s.peak.anonKiB, sum.anonKiB)
		}
	}
}

// finish stops sampling and returns the number of provider processes started and the peaks of their summed
// resident memory.
func (s *sampler) finish() (processes int, peak residence) {
	close(s.stop)
	s.done.Wait()
	return len(readPIDs(s.pids)), s.peak
}

func readPIDs(file string) []int {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	var pids []int
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if pid, err := strconv.Atoi(strings.TrimSpace(scanner.Text())); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// summedResidence adds up the resident memory of the processes that are still running.
func summedResidence(pids []int) residence {
	var sum residence
	for _, pid := range pids {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		r := residenceOf(string(status))
		sum.rssKiB += r.rssKiB
		sum.anonKiB += r.anonKiB
	}
	return sum
}

// residenceOf reads VmRSS and RssAnon from the text of /proc/PID/status.
func residenceOf(status string) residence {
	var r residence
	for _, line := range strings.Split(status, "\n") {
		key, value, _ := strings.Cut(line, ":")
		var field *int
		switch key {
		case "VmRSS":
			field = &r.rssKiB
		case "RssAnon":
			field = &r.anonKiB
		default:
			continue
		}
		_, _ = fmt.Sscanf(strings.TrimSpace(value), "%d kB", field)
	}
	return r
}
