package main

import (
	"fmt"
	"slices"
)

// printScenario prints, per phase, every variant's median per configuration and its ratio to the floor (the first
// variant).
func printScenario(s scenario, results map[string][][]measurement) {
	names := make([]string, 0, len(results))
	for name := range results {
		names = append(names, name)
	}
	slices.Sort(names)
	floor := floorName
	names = append([]string{floor}, slices.DeleteFunc(names, func(n string) bool { return n == floor })...)
	n := float64(s.configurations)
	fmt.Printf("\n%d provider configurations of %d resource(s) each (median of %d runs, alternating; per "+
		"configuration, and × the floor; anon: the anonymous part of RSS, which each process holds alone, while the "+
		"rest is the binary's pages, shared through the page cache; AWS time: moto's answers, summed over the whole "+
		"phase)\n",
		s.configurations, s.resources, len(results[floor]))
	fmt.Printf("  %-14s %-30s %10s %7s %9s %7s %6s %11s %7s %11s %7s %6s %6s %9s\n", "phase", "variant",
		"wall/conf", "×", "CPU/conf", "×", "procs", "RSS/conf", "×", "anon/conf", "×", "calls", "/conf", "AWS time")
	for i, p := range phases {
		base := medians(results[floor], i)
		for _, name := range names {
			m := medians(results[name], i)
			fmt.Printf("  %-14s %-30s %10s %6.2f× %9s %6.2f× %6d %7.1f MiB %6.2f× %7.1f MiB %6.2f× %6d %6.1f %9s\n",
				p.name, name, fmtSeconds(m.seconds/n), ratio(m.seconds, base.seconds), fmtSeconds(m.cpu/n),
				ratio(m.cpu, base.cpu), m.processes, float64(m.peak.rssKiB)/1024/n,
				ratio(float64(m.peak.rssKiB), float64(base.peak.rssKiB)), float64(m.peak.anonKiB)/1024/n,
				ratio(float64(m.peak.anonKiB), float64(base.peak.anonKiB)), m.calls, float64(m.calls)/n,
				fmtSeconds(m.awsSeconds))
		}
	}
	for _, line := range targetLines(s, results) {
		fmt.Println("  " + line)
	}
}

// target is a limit issue 33 sets on a ratio to the floor, or on calls per configuration.
type target struct {
	phase, measure string
	limit          float64
	value          func(m, floor measurement, configurations float64) float64
}

// landingZoneTargets hold at N configurations of one resource; widthTargets for one configuration of many.
var (
	landingZoneTargets = []target{
		{"plan (new)", "wall", 1.15, wallRatio}, {"plan (new)", "peak RSS", 1.15, rssRatio},
		{"plan (new)", "AWS calls per configuration", 1, callsPerConfiguration},
		{"refresh plan", "wall", 1.15, wallRatio}, {"refresh plan", "peak RSS", 1.15, rssRatio},
	}
	widthTargets = []target{{"refresh plan", "wall", 1.1, wallRatio}}
)

func wallRatio(m, floor measurement, _ float64) float64 { return ratio(m.seconds, floor.seconds) }

func rssRatio(m, floor measurement, _ float64) float64 {
	return ratio(float64(m.peak.rssKiB), float64(floor.peak.rssKiB))
}

func callsPerConfiguration(m, _ measurement, n float64) float64 { return float64(m.calls) / n }

// targetLines says, for vbaws_iam_role, each target of the scenario with its median value to three decimals and
// whether it is met.
func targetLines(s scenario, results map[string][][]measurement) []string {
	targets := landingZoneTargets
	if s.resources > 1 {
		targets = widthTargets
	}
	floor, vbaws := results[floorName], results[vbawsName]
	var lines []string
	for _, t := range targets {
		i := slices.IndexFunc(phases, func(p phase) bool { return p.name == t.phase })
		value := t.value(medians(vbaws, i), medians(floor, i), float64(s.configurations))
		verdict := "met"
		if value > t.limit {
			verdict = "MISSED"
		}
		lines = append(lines, fmt.Sprintf("target: %s, %s %.3f (at most %g): %s", t.phase, t.measure, value,
			t.limit, verdict))
	}
	return lines
}

// medians is the median of every measure of one phase over the runs.
func medians(runs [][]measurement, phase int) measurement {
	var seconds, cpu, processes, peak, anon, calls, aws []float64
	for _, run := range runs {
		m := run[phase]
		seconds, cpu = append(seconds, m.seconds), append(cpu, m.cpu)
		processes, peak = append(processes, float64(m.processes)), append(peak, float64(m.peak.rssKiB))
		anon = append(anon, float64(m.peak.anonKiB))
		calls, aws = append(calls, float64(m.calls)), append(aws, m.awsSeconds)
	}
	return measurement{seconds: median(seconds), cpu: median(cpu), processes: int(median(processes)),
		peak: residence{rssKiB: int(median(peak)), anonKiB: int(median(anon))}, calls: int(median(calls)),
		awsSeconds: median(aws)}
}

func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	return s[len(s)/2]
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
