package main

import (
	"bufio"
	"io"

	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// applyEcho commits the nft script sc like applySource and then prints
// what the kernel echoed for it to stdout exactly as `nft -e` does (`nft
// -e -a` with handles): one `nft monitor` line per object the add,
// create, insert and replace commands changed ("add rule ip t c tcp
// dport 22 accept # handle 4") and the "# new generation N by process
// PID (nfsh)" line. With check nothing is committed and nothing printed.
// Tables it creates persist, as with applySource.
func applyEcho(sc *script, check, handles bool, stdout io.Writer) error {
	return applyScript(sc, check, false, &echoPrint{w: stdout, handles: handles})
}

// echoPrint collects the messages the kernel echoes for one batch and
// prints them.
type echoPrint struct {
	w       io.Writer
	handles bool

	p    *monitor.Printer
	msgs []nfnl.Msg
}

// start takes the ruleset the script is compiled against: its set
// declarations print rules that use the sets.
func (ep *echoPrint) start(known *ruleset.Ruleset) { ep.p = monitor.NewPrinter(known) }

// add is the kernel.ApplyOptions.Echo of the batch.
func (ep *echoPrint) add(m nfnl.Msg) { ep.msgs = append(ep.msgs, m) }

// print writes the lines of the echoed messages.
func (ep *echoPrint) print() error {
	if ep.p == nil {
		ep.p = monitor.NewPrinter(nil)
	}
	c, hasGen := monitor.EchoCommit(ep.msgs)
	w := bufio.NewWriter(ep.w)
	for _, l := range ep.p.EchoLines(c, hasGen, ep.handles) {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	return w.Flush()
}
