package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// dial opens the session's nfnetlink socket in the current network
// namespace (--netns has already moved the whole process).
func dial() (*nfnl.Conn, error) {
	c, err := nfnl.Dial(nfnl.Options{})
	if err != nil {
		return nil, fmt.Errorf("nfsh: cannot open the nfnetlink socket: %w", err)
	}
	return c, nil
}

// cmdApply commits an nft script atomically. Tables it creates persist
// (no owner flag): the process ends right after. With -e/--echo it prints
// what the commit created like `nft -e -f FILE` (with -a/--handle, their
// handles too).
func cmdApply(args []string, stdin io.Reader, stdout io.Writer) error {
	var check, reconcile, echo, handles, jsonIn bool
	var file string
	for _, a := range args {
		switch {
		case a == "--json" || a == "-j":
			jsonIn = true
		case a == "--check" || a == "-c":
			check = true
		case a == "--reconcile":
			reconcile = true
		case a == "--echo" || a == "-e":
			echo = true
		case a == "--handle" || a == "-a":
			handles = true
		case file == "" && (a == "-" || !strings.HasPrefix(a, "-")):
			file = a
		default:
			return usageError("apply: unexpected argument %q", a)
		}
	}
	if file == "" {
		return usageError("apply needs a FILE (- for stdin)")
	}
	if echo && reconcile {
		return usageError("apply: --echo and --reconcile do not combine")
	}
	src, err := readInput(file, stdin)
	if err != nil {
		return err
	}
	if file == "-" {
		file = "/dev/stdin"
	}
	sc := &script{name: file, src: src, json: jsonIn}
	if jsonIn {
		return applyJSON(sc, check, reconcile, echo, handles, stdout)
	}
	if echo {
		return applyEcho(sc, check, handles, stdout)
	}
	return applySource(sc, check, reconcile)
}

// applySource commits the nft script sc atomically, or only checks it;
// reconcile sends the difference between the kernel and the whole state
// the script describes. Tables it creates persist (no owner flag): the
// process ends right after.
func applySource(sc *script, check, reconcile bool) error {
	return applyScript(sc, check, reconcile, nil)
}

// applyScript is applySource; with ep not nil (not with reconcile) the
// kernel echoes what the commit creates and ep prints it, as `nft -e`.
func applyScript(sc *script, check, reconcile bool, ep *echoPrint) error {
	c, err := dial()
	if err != nil {
		return err
	}
	defer c.Close()
	stats := statsStart(c)
	f, err := sc.parse()
	if err != nil {
		return err
	}
	// Like nft, compile against what the kernel holds: jumps, set
	// references, interval overlaps and `index N` are checked against it.
	// Like nft's cache, read only what the script needs: every
	// declaration, but elements and rules only where it works on them.
	// A reconcile describes a whole desired state and needs none of it.
	var known *ruleset.Ruleset
	if !reconcile {
		if known, err = kernel.Pull(c, kernel.PullOptions{Scope: pullScope(f)}); err != nil {
			return err
		}
	}
	if ep != nil {
		ep.start(known)
	}
	cmds, err := sc.compileParsed(f, known)
	if err != nil {
		return err
	}
	if reconcile {
		desired, err := offlineRuleset(cmds)
		if err != nil {
			return err
		}
		for _, t := range desired.Tables {
			t.Persist = true
		}
		if _, err := kernel.Reconcile(c, desired, kernel.ReconcileOptions{Check: check, Persist: true}); err != nil {
			return sc.annotate(err)
		}
	} else {
		opts := kernel.ApplyOptions{Check: check, Persist: true}
		if ep != nil {
			opts.Echo = ep.add
		}
		if err := kernel.Apply(c, cmds, opts); err != nil {
			return sc.annotate(err)
		}
		if ep != nil {
			if err := ep.print(); err != nil {
				return err
			}
		}
	}
	stats.report()
	return nil
}

// pullScope is the part of the kernel's ruleset compiling f needs (nil:
// all of it).
func pullScope(f *ast.File) *kernel.Scope {
	n := compile.ScriptNeeds(f)
	if n.All {
		return nil
	}
	sc := &kernel.Scope{}
	for _, r := range n.Sets {
		sc.Sets = append(sc.Sets, kernel.ScopeRef(r))
	}
	for _, r := range n.Chains {
		sc.Chains = append(sc.Chains, kernel.ScopeRef(r))
	}
	return sc
}

// offlineRuleset builds the value a command list describes, without a
// kernel.
func offlineRuleset(cmds []ruleset.Command) (*ruleset.Ruleset, error) {
	rs := &ruleset.Ruleset{}
	for i := range cmds {
		if err := rs.Apply(&cmds[i]); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// cmdFmt parses and compiles a script offline and prints the ruleset it
// describes in canonical `nft list ruleset` form.
func cmdFmt(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) != 1 {
		return usageError("fmt takes one FILE")
	}
	cmds, _, err := compileFile(args[0], stdin)
	if err != nil {
		return err
	}
	rs, err := offlineRuleset(cmds)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	if err := format.Ruleset(w, rs); err != nil {
		return err
	}
	return w.Flush()
}

// statsRun reports kernel time (NFSH_STATS=1) for the benchmarks' floors.
type statsRun struct {
	c  *nfnl.Conn
	on bool
}

func statsStart(c *nfnl.Conn) statsRun { return statsRun{c: c, on: os.Getenv("NFSH_STATS") != ""} }

func (s statsRun) report() {
	if !s.on {
		return
	}
	st := s.c.Stats()
	fmt.Fprintf(os.Stderr, "nfsh-stats: sendmsg=%.1fms recvmsg=%.1fms calls=%d/%d\n",
		float64(st.SendTime.Microseconds())/1000, float64(st.RecvTime.Microseconds())/1000, st.SendCalls, st.RecvCalls)
}
