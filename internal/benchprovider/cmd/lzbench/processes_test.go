package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestResidenceOfReadsRSSAndItsAnonymousPart(t *testing.T) {
	status := "Name:\tterraform-provi\nVmHWM:\t   31164 kB\nVmRSS:\t   29980 kB\nRssAnon:\t    8068 kB\n" +
		"RssFile:\t   21912 kB\nThreads:\t8\n"
	if got, want := residenceOf(status), (residence{rssKiB: 29980, anonKiB: 8068}); got != want {
		t.Errorf("residenceOf = %+v, want %+v", got, want)
	}
}

// The sampler reads a live process (this test's own): its anonymous memory is part of its resident memory.
func TestSampledResidenceOfALiveProcess(t *testing.T) {
	pids := filepath.Join(t.TempDir(), "pids")
	if err := os.WriteFile(pids, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := summedResidence(readPIDs(pids))
	if r.anonKiB <= 0 || r.rssKiB <= r.anonKiB {
		t.Errorf("this process's residence %+v: want anonymous memory that is a part of the whole", r)
	}
}
