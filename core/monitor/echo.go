package monitor

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/nfnl"
)

// EchoCommit assembles the messages the kernel echoed for one committed
// batch (core/kernel ApplyOptions.Echo, `nft -e`) into the Commit a
// subscription would have delivered for it: events in the kernel's
// order, each new rule with the anonymous sets it uses (and their
// elements) in Rule.Sets, and Gen, PID and Proc from the echoed
// NFT_MSG_NEWGEN. HasGen reports whether one came: the kernel echoes it
// only when the batch's first message asked for echoes. Messages that do
// not decode become KindUnknown events carrying Err.
func EchoCommit(msgs []nfnl.Msg) (c Commit, hasGen bool) {
	var a assembler
	for _, m := range msgs {
		mm := message{typ: m.Type, flags: m.Flags, family: m.Family, resID: m.ResID, attrs: m.Attrs}
		if m.Type == unix.NFT_MSG_NEWGEN {
			g, err := decodeGen(m.Attrs)
			if err != nil {
				a.events = append(a.events, Event{Kind: KindUnknown, Type: m.Type, ResID: m.ResID, Err: err})
				continue
			}
			c.Gen, c.PID, c.Proc, hasGen = g.id, g.pid, g.proc, true
			continue
		}
		if ev, ok := a.decode(mm); ok {
			a.events = append(a.events, ev)
		}
	}
	c.Events = a.events
	return c, hasGen
}

// EchoLines returns the lines `nft -e` prints for an echoed commit (see
// EchoCommit), without newlines: the event lines Line returns, and the
// generation line when hasGen. With handles (`nft -e -a`) tables, chains
// and rules end in " # handle N", and sets and objects carry
// "# handle N" first inside their braces, as nft 1.0.6 prints them.
func (p *Printer) EchoLines(c Commit, hasGen, handles bool) []string {
	var out []string
	for i := range c.Events {
		e := &c.Events[i]
		l, ok := p.Line(e)
		if !ok {
			continue
		}
		if handles && e.Op == OpNew {
			l = withHandle(e, l)
		}
		out = append(out, l)
	}
	if hasGen {
		g := fmt.Sprintf("# new generation %d", c.Gen)
		if c.Proc != "" || c.PID != 0 {
			g += fmt.Sprintf(" by process %d (%s)", c.PID, c.Proc)
		}
		out = append(out, g)
	}
	return out
}

// withHandle adds the handle of a new entity to its line.
func withHandle(e *Event, l string) string {
	var h uint64
	inside := false
	switch e.Kind {
	case KindTable:
		h = e.TableObj.Handle
	case KindChain:
		h = e.ChainObj.Handle
	case KindRule:
		h = e.Rule.Handle
	case KindSet:
		h, inside = e.SetObj.Handle, true
	case KindObject:
		h, inside = e.Object.Handle, true
	case KindFlowtable:
		h, inside = e.Flowtable.Handle, true
	default:
		return l
	}
	if !inside {
		return fmt.Sprintf("%s # handle %d", l, h)
	}
	i := strings.Index(l, "{ ")
	if i < 0 {
		return l
	}
	return fmt.Sprintf("%s# handle %d %s", l[:i+2], h, l[i+2:])
}
