package bindings

import (
	"fmt"
	"strings"

	glua "github.com/yuin/gopher-lua"

	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/core/nfnl"
)

// echoList turns the messages a commit echoed into the list nft.run
// returns with opts.echo: one table per change `nft -e` prints (anonymous
// sets and their elements are part of their rule), in the kernel's order:
//
//	op       "add", "insert", "create" or "delete" (a replaced rule)
//	kind     "table", "chain", "rule", "set", "element", "object", "flowtable"
//	family, table
//	chain    chains and rules
//	name     chains, sets, objects, flowtables; elements: their set
//	handle   the kernel's handle (not for elements)
//	text     rules: the rule as nft lists it ("tcp dport 22 accept")
//	line     what `nft -e` prints for it ("add rule ip t c tcp dport 22 accept")
//
// p knows the set declarations the commit was compiled against.
func echoList(L *glua.LState, p *monitor.Printer, msgs []nfnl.Msg) *glua.LTable {
	c, _ := monitor.EchoCommit(msgs)
	list := L.NewTable()
	for i := range c.Events {
		e := &c.Events[i]
		line, ok := p.EchoLine(e, false)
		if !ok {
			continue
		}
		t := L.NewTable()
		op, _, _ := strings.Cut(line, " ")
		t.RawSetString("op", glua.LString(op))
		t.RawSetString("kind", glua.LString(e.Kind.String()))
		t.RawSetString("family", glua.LString(e.Family.String()))
		t.RawSetString("table", glua.LString(e.Table))
		t.RawSetString("line", glua.LString(line))
		var handle uint64
		var name string
		switch e.Kind {
		case monitor.KindTable:
			handle = e.TableObj.Handle
		case monitor.KindChain:
			handle, name = e.ChainObj.Handle, e.Chain
			t.RawSetString("chain", glua.LString(e.Chain))
		case monitor.KindRule:
			handle = e.Rule.Handle
			t.RawSetString("chain", glua.LString(e.Chain))
			if e.Op == monitor.OpNew {
				head := fmt.Sprintf("%s rule %s %s %s ", op, e.Family, e.Table, e.Chain)
				if e.Position != 0 {
					head += fmt.Sprintf("handle %d ", e.Position)
				}
				t.RawSetString("text", glua.LString(strings.TrimPrefix(line, head)))
			}
		case monitor.KindSet:
			handle, name = e.SetObj.Handle, e.Set
		case monitor.KindElement:
			name = e.Set
		case monitor.KindObject:
			handle, name = e.Object.Handle, e.Object.Name
		case monitor.KindFlowtable:
			handle, name = e.Flowtable.Handle, e.Flowtable.Name
		}
		if name != "" {
			t.RawSetString("name", glua.LString(name))
		}
		if handle != 0 {
			t.RawSetString("handle", glua.LNumber(handle))
		}
		list.Append(t)
	}
	return list
}
