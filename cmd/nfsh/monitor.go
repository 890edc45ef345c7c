package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/core/ruleset"
)

const monitorUsage = `usage: nfsh monitor [--json|-j] [--count K] [new|destroy] [tables|chains|sets|rules|elements|ruleset]
prints ruleset changes as nft monitor does (one line per change, then
"# new generation N by process PID (NAME)"), as nft -j monitor does (-j:
one JSON object per change), or one JSON object per commit (--json),
until K commits were printed or the process is interrupted. Like nft,
the filter words keep only those changes (and drop the generation lines)`

// cmdMonitor runs `nfsh monitor`: it subscribes to ruleset changes in the
// current network namespace (see --netns) and prints each commit. Lost
// events (socket overruns) are reported on stderr; the stream re-reads
// the ruleset and goes on.
func cmdMonitor(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "trace" {
		return cmdTrace(args[1:], stdout, stderr)
	}
	asJSON, nftJSON := false, false
	count := -1
	var words []string
	for i := 0; i < len(args); i++ {
		name, _, _ := strings.Cut(args[i], "=")
		switch name {
		case "--json":
			asJSON = true
		case "-j":
			nftJSON = true
		case "--count", "-c":
			n, err := countValue("nfsh monitor", monitorUsage, args, &i)
			if err != nil {
				return err
			}
			count = n
		case "-h", "--help":
			fmt.Fprintln(stdout, monitorUsage)
			return nil
		default:
			if strings.HasPrefix(args[i], "-") {
				return fmt.Errorf("nfsh monitor: unknown argument %q\n%s", args[i], monitorUsage)
			}
			words = append(words, args[i])
		}
	}
	filter, rest, err := monitor.ParseFilter(words)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected %q after the filter", rest[0])
	}
	if err != nil {
		return fmt.Errorf("nfsh monitor: %v\n%s", err, monitorUsage)
	}
	if filter.Given && asJSON {
		return fmt.Errorf("nfsh monitor: the filter words apply to nft's formats, not --json\n%s", monitorUsage)
	}
	if count == 0 {
		return nil
	}
	if nftJSON {
		return monitorNftJSON(count, filter, stdout, stderr)
	}
	// A snapshot gives the printer the existing sets (rules and elements
	// print by their types) and makes the stream exact.
	return printCommits(monitor.Options{}, count, stdout, stderr, func(snap *ruleset.Ruleset) commitPrinter {
		p := monitor.NewPrinter(snap)
		if !asJSON {
			return commitPrinter{reset: p.Reset, lines: func(c monitor.Commit) ([]string, error) {
				return p.FilteredLines(c, filter), nil
			}}
		}
		return commitPrinter{reset: p.Reset, lines: func(c monitor.Commit) ([]string, error) {
			b, err := json.Marshal(commitJSON(c, p))
			return []string{string(b)}, err
		}}
	})
}

// countValue reads the value of the --count option at args[*i], written
// --count=K or as the next argument (then *i moves to it); cmd and usage
// go into errors.
func countValue(cmd, usage string, args []string, i *int) (int, error) {
	name, val, hasVal := strings.Cut(args[*i], "=")
	if !hasVal {
		if *i+1 >= len(args) {
			return 0, fmt.Errorf("%s: %s needs a value\n%s", cmd, name, usage)
		}
		*i++
		val = args[*i]
	}
	n, err := strconv.Atoi(val)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %s: %q is not a count\n%s", cmd, name, val, usage)
	}
	return n, nil
}

// commitPrinter renders the commits of a stream: lines gives a commit's
// lines (none: the commit is not counted), reset takes a resync's
// snapshot.
type commitPrinter struct {
	lines func(monitor.Commit) ([]string, error)
	reset func(*ruleset.Ruleset)
}

// printCommits subscribes with a snapshot and prints each commit through
// the printer newPrinter makes from it, until count commits printed
// something (count < 0: until interrupted or the stream ends). Lost
// events (socket overruns) are reported on stderr; the stream re-reads
// the ruleset and goes on.
func printCommits(opts monitor.Options, count int, stdout, stderr io.Writer, newPrinter func(*ruleset.Ruleset) commitPrinter) error {
	snap, s, err := monitor.Snapshot(opts)
	if err != nil {
		return err
	}
	defer s.Close()
	p := newPrinter(snap)
	return printStream(s.Commits(), stdout, count, s.Err, func(c monitor.Commit) ([]string, error) {
		if c.Resync {
			fmt.Fprintf(stderr, "nfsh monitor: events lost (socket overrun); ruleset re-read at generation %d\n", c.Gen)
			p.reset(c.Snapshot)
			return nil, nil
		}
		return p.lines(c)
	})
}

// jsonEvent is one event of `nfsh monitor --json`.
type jsonEvent struct {
	Op       string `json:"op"`   // "add", "insert" (rules) or "delete"
	Kind     string `json:"kind"` // table, chain, rule, set, element, object, flowtable
	Family   string `json:"family"`
	Table    string `json:"table"`
	Chain    string `json:"chain,omitempty"`
	Set      string `json:"set,omitempty"`
	Name     string `json:"name,omitempty"` // objects and flowtables
	Handle   uint64 `json:"handle,omitempty"`
	Position uint64 `json:"position,omitempty"`
	Text     string `json:"text,omitempty"` // new rules: nft text
	Line     string `json:"line,omitempty"` // the nft monitor line, where nft prints one
	Error    string `json:"error,omitempty"`
}

// jsonCommit is one line of `nfsh monitor --json`.
type jsonCommit struct {
	Gen    uint32      `json:"gen"`
	PID    uint32      `json:"pid"`
	Proc   string      `json:"proc"`
	Events []jsonEvent `json:"events"`
}

func commitJSON(c monitor.Commit, p *monitor.Printer) jsonCommit {
	out := jsonCommit{Gen: c.Gen, PID: c.PID, Proc: c.Proc, Events: []jsonEvent{}}
	for i := range c.Events {
		e := &c.Events[i]
		line, printed := p.Line(e)
		if e.Anonymous() {
			continue
		}
		j := jsonEvent{Op: "add", Kind: e.Kind.String(), Family: e.Family.String(), Table: e.Table, Chain: e.Chain, Set: e.Set}
		switch {
		case e.Op == monitor.OpDelete:
			j.Op = "delete"
		case e.Kind == monitor.KindRule && e.Flags&0x800 == 0: // NLM_F_APPEND
			j.Op = "insert"
		}
		switch e.Kind {
		case monitor.KindTable:
			j.Handle = e.TableObj.Handle
		case monitor.KindChain:
			j.Handle = e.ChainObj.Handle
		case monitor.KindRule:
			j.Handle, j.Position, j.Text = e.Rule.Handle, e.Position, e.Text
		case monitor.KindSet:
			j.Handle = e.SetObj.Handle
		case monitor.KindObject:
			j.Name, j.Handle = e.Object.Name, e.Object.Handle
		case monitor.KindFlowtable:
			j.Name, j.Handle = e.Flowtable.Name, e.Flowtable.Handle
		case monitor.KindUnknown:
			j.Error = fmt.Sprint(e.Err)
		}
		if printed {
			j.Line = line
		}
		out.Events = append(out.Events, j)
	}
	return out
}
