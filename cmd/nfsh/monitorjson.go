package main

import (
	"io"

	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/core/ruleset"
)

// monitorNftJSON runs `nfsh monitor -j`: it prints ruleset changes as
// `nft -j monitor` does, one JSON object per change and no generation
// lines, until count commits were seen (count < 0: until interrupted).
func monitorNftJSON(count int, filter monitor.Filter, stdout, stderr io.Writer) error {
	return printCommits(monitor.Options{NoText: true}, count, stdout, stderr, func(snap *ruleset.Ruleset) commitPrinter {
		p := monitor.NewJSONPrinter(snap)
		return commitPrinter{reset: p.Reset, lines: func(c monitor.Commit) ([]string, error) {
			return p.FilteredLines(c, filter), nil
		}}
	})
}
