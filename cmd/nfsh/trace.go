package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/nfsh/nfsh/core/trace"
)

const traceUsage = `usage: nfsh monitor trace [--count K]
prints the packets that rules mark with "meta nftrace set 1" as they pass
through the ruleset, line for line as nft monitor trace does, until K
trace events were printed or the process is interrupted`

// cmdTrace runs `nfsh monitor trace`: it joins the trace group of the
// current network namespace (see --netns), reads the ruleset once (as
// nft does, to print the rules packets matched) and prints each trace
// event. Lost traces (socket overruns) are reported on stderr.
func cmdTrace(args []string, stdout, stderr io.Writer) error {
	count := -1
	for i := 0; i < len(args); i++ {
		name, _, _ := strings.Cut(args[i], "=")
		switch name {
		case "--count", "-c":
			n, err := countValue("nfsh monitor trace", traceUsage, args, &i)
			if err != nil {
				return err
			}
			count = n
		case "-h", "--help":
			fmt.Fprintln(stdout, traceUsage)
			return nil
		default:
			return fmt.Errorf("nfsh monitor trace: unknown argument %q\n%s", args[i], traceUsage)
		}
	}
	if count == 0 {
		return nil
	}
	s, err := trace.Listen(trace.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	rs, err := s.Pull()
	if err != nil {
		return err
	}
	p := trace.NewPrinter(rs, nil)
	return printStream(s.Events(), stdout, count, s.Err, func(ev trace.Event) ([]string, error) {
		if ev.Lost {
			fmt.Fprintln(stderr, "nfsh monitor trace: traces lost (socket overrun)")
			return nil, nil
		}
		return p.Lines(&ev.Trace), nil
	})
}
