package main

import (
	"bufio"
	"fmt"
	"io"

	"github.com/nfsh/nfsh/core/monitor"
)

// monitorNftJSON runs `nfsh monitor -j`: it prints ruleset changes as
// `nft -j monitor` does, one JSON object per change and no generation
// lines, until count commits were seen (count < 0: until interrupted).
func monitorNftJSON(count int, filter monitor.Filter, stdout, stderr io.Writer) error {
	snap, s, err := monitor.Snapshot(monitor.Options{NoText: true})
	if err != nil {
		return err
	}
	defer s.Close()
	p := monitor.NewJSONPrinter(snap)
	w := bufio.NewWriterSize(stdout, 64<<10)
	defer w.Flush()
	loop := newEventLoop(s.Commits(), w)
	defer loop.stop()
	seen := 0
	for {
		c, ok, stopped, err := loop.next()
		switch {
		case err != nil:
			return err
		case stopped:
			return nil
		}
		if !ok {
			return s.Err()
		}
		if c.Resync {
			fmt.Fprintf(stderr, "nfsh monitor: events lost (socket overrun); ruleset re-read at generation %d\n", c.Gen)
			p.Reset(c.Snapshot)
			continue
		}
		lines := p.FilteredLines(c, filter)
		if len(lines) == 0 {
			continue // nothing printed: not counted
		}
		for _, l := range lines {
			w.WriteString(l)
			w.WriteByte('\n')
		}
		seen++
		if seen == count {
			return w.Flush()
		}
	}
}
