package bindings

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/trace"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// Packet traces: Lua callbacks on the packets rules mark with
// `meta nftrace set 1`.
//
//	nft.trace([opts], fn)   join the trace group; fn(ev) runs on the event loop for every trace
//	                        event; returns a tracer, or nil, err
//
// opts: netns (a path or "pid:N"; default the session's namespace), rcvbuf (bytes), buffer (events
// queued). The ruleset is read once when the tracer starts (as nft monitor trace does) to print the
// rules packets match.
//
// An event is a table: kind = "trace" or "lost" (the socket overflowed, traces were dropped);
// trace events have id (number), family, table, chain, type ("rule", "policy", "return"), handle
// (rule events), verdict ("accept", "jump c", ...), policy ("accept"/"drop", policy events), mark,
// iif, oif (indexes), nfproto, and lines: the lines `nft monitor trace` prints for the event
// (a "packet:" line first when the event carries the packet's headers).
// The tracer value has :stats(), :close() and :active().

const tracerType = "nft.tracer"

var traceOptions = []string{"netns", "rcvbuf", "buffer"}

// tracer is the Lua value of nft.trace.
type tracer struct {
	s      *trace.Stream
	hd     *lua.Handle
	p      *trace.Printer
	events uint64 // owning goroutine only
}

func (m *module) nftTrace(L *glua.LState) int {
	fn, on := subscribeArgs(L)
	o := checkOptions(L, on, traceOptions...)
	num := func(k string) (int, bool) {
		v := o.get(k)
		if v == glua.LNil {
			return 0, false
		}
		f, ok := v.(glua.LNumber)
		if !ok || f < 0 || f > 1<<30 || float64(f) != float64(int64(f)) {
			L.ArgError(on, fmt.Sprintf("option %s: integer 0..%d expected, got %s", k, 1<<30, L.ToStringMeta(v).String()))
		}
		return int(f), true
	}
	var opts trace.Options
	if v, ok := num("rcvbuf"); ok {
		opts.RcvBuf = v
	}
	if v, ok := num("buffer"); ok {
		opts.Buffer = v
	}
	if s, ok := o.str("netns"); ok && s != "" {
		ns, err := parseNetNSOption(s)
		if err != nil {
			L.ArgError(on, "option netns: "+err.Error())
		}
		opts.NetNS = ns
	} else if k, ok := m.core.Kernel.(NetNSer); ok && m.core.Kernel != nil {
		opts.NetNS = k.NetNS()
	}
	h := lua.HostOf(L)
	if h == nil {
		unavailable(L, "nft.trace (event loop)")
	}
	registerTracer(L)
	s, err := trace.Listen(opts)
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	rs, err := s.Pull()
	if err != nil {
		s.Close()
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	tr := &tracer{s: s, p: trace.NewPrinter(rs, nil)}
	tr.hd = lua.Listen(h, lua.Source[trace.Event]{
		Name:     "packet traces",
		C:        s.Events(),
		Convert:  func(L *glua.LState, e trace.Event) []glua.LValue { return []glua.LValue{tr.table(L, &e)} },
		Callback: fn,
		Stop:     func() { s.Close() },
	})
	L.Push(newUD(L, tracerType, tr))
	return 1
}

// table returns the Lua event of e.
func (tr *tracer) table(L *glua.LState, e *trace.Event) *glua.LTable {
	tr.events++
	t := L.CreateTable(0, 12)
	if e.Lost {
		t.RawSetString("kind", glua.LString("lost"))
		return t
	}
	x := &e.Trace
	str := func(k, v string) {
		if v != "" {
			t.RawSetString(k, glua.LString(v))
		}
	}
	t.RawSetString("kind", glua.LString("trace"))
	t.RawSetString("id", glua.LNumber(x.ID))
	str("family", trace.FamilyName(x.Family))
	str("table", x.Table)
	str("chain", x.Chain)
	str("type", x.Type.String())
	if x.Has(unix.NFTA_TRACE_RULE_HANDLE) {
		t.RawSetString("handle", glua.LNumber(x.RuleHandle))
	}
	if x.Has(unix.NFTA_TRACE_VERDICT) {
		str("verdict", x.Verdict.String())
	}
	if x.Has(unix.NFTA_TRACE_POLICY) {
		str("policy", trace.Verdict{Code: x.Policy}.String())
	}
	num := func(attr uint16, k string, v uint32) {
		if x.Has(attr) {
			t.RawSetString(k, glua.LNumber(v))
		}
	}
	num(unix.NFTA_TRACE_MARK, "mark", x.Mark)
	num(unix.NFTA_TRACE_IIF, "iif", x.IIf)
	num(unix.NFTA_TRACE_OIF, "oif", x.OIf)
	num(unix.NFTA_TRACE_NFPROTO, "nfproto", x.NFProto)
	lines := L.NewTable()
	for _, l := range tr.p.Lines(x) {
		lines.Append(glua.LString(l))
	}
	t.RawSetString("lines", lines)
	return t
}

func registerTracer(L *glua.LState) {
	if _, ok := L.GetTypeMetatable(tracerType).(*glua.LTable); ok {
		return
	}
	check := func(L *glua.LState) *tracer { return lua.Check[*tracer](L, 1, tracerType) }
	registerObject(L, tracerType, map[string]glua.LGFunction{
		"close": func(L *glua.LState) int { check(L).hd.Cancel(); return 0 },
		"active": func(L *glua.LState) int {
			L.Push(glua.LBool(check(L).hd.Active()))
			return 1
		},
		"stats": func(L *glua.LState) int {
			tr := check(L)
			st := tr.s.Stats()
			L.Push(countersTable(L, map[string]uint64{"traces": st.Traces, "overruns": st.Overruns,
				"undecoded": st.Undecoded, "stray": st.Stray, "delivered": tr.events}))
			return 1
		},
	}, nil, map[string]glua.LGFunction{
		"__tostring": func(L *glua.LState) int {
			tr := check(L)
			L.Push(glua.LString(fmt.Sprintf("nft.tracer(%d events)", tr.events)))
			return 1
		},
	})
}
