package monitor

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/format"
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
// EchoCommit), without newlines: those EchoLine returns for its events,
// and the generation line when hasGen.
func (p *Printer) EchoLines(c Commit, hasGen, handles bool) []string {
	var out []string
	for i := range c.Events {
		if l, ok := p.EchoLine(&c.Events[i], handles); ok {
			out = append(out, l)
		}
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

// EchoLine returns the line `nft -e` prints for one echoed event, and
// records the set declarations it changes, as Line does; ok is false for
// events nft does not print (anonymous sets and their elements). It is
// Line's text. With handles (`nft -e -a`) tables,
// chains and rules end in " # handle N", and sets and objects carry
// "# handle N" first inside their braces, as nft 1.0.6 prints them.
func (p *Printer) EchoLine(e *Event, handles bool) (string, bool) {
	l, ok := p.Line(e)
	if !ok {
		return "", false
	}
	if handles && e.Op == OpNew {
		l = withHandle(e, l)
	}
	return l, true
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

// objectLine is the line of a new named object as nft 1.0.6 prints it in
// monitor and echo output: "add TYPE FAMILY TABLE NAME { ... } ", the
// type in one or two words ("counter", "ct helper"); the statements of
// ct helpers, timeouts and expectations end in ";" (comments do not), a
// synproxy's statements are followed by one ";".
func objectLine(e *Event) string {
	lines := strings.Split(strings.TrimSpace(format.ObjectString(e.Object, nil)), "\n")
	head := strings.Fields(strings.TrimSuffix(strings.TrimSpace(lines[0]), "{"))
	nt := 1
	if len(head) > 2 && head[0] == "ct" {
		nt = 2
	}
	if len(head) <= nt {
		return fmt.Sprintf("add object %s %s %s", e.Family, e.Table, e.Object.Name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "add %s %s %s %s {", strings.Join(head[:nt], " "), e.Family, e.Table, strings.Join(head[nt:], " "))
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l == "}" || l == "" {
			continue
		}
		b.WriteString(" " + l)
		if nt == 2 && !strings.HasPrefix(l, "comment ") {
			b.WriteString(";")
		}
	}
	if head[0] == "synproxy" {
		b.WriteString(";")
	}
	b.WriteString(" } ")
	return b.String()
}
