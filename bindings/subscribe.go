package bindings

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// Ruleset change subscriptions: Lua callbacks on nf_tables commits.
//
//	nft.subscribe(fn, [opts])   fn(ev) runs on the event loop once per changed entity (per commit with
//	                            opts.per_commit); returns a subscription, and with opts.snapshot the
//	                            ruleset it starts from; nil, err when the subscription cannot be opened
//	nft.follow(fn, [opts])      a ruleset value kept equal to the kernel's: every commit is applied to it,
//	                            a resync replaces it with a fresh pull; fn(rs, commit) runs after each
//	                            change; returns the subscription and the value
//
// The argument order (opts, fn) is accepted too. opts: snapshot (bool), per_commit (bool),
// rcvbuf (socket receive buffer in bytes; small values provoke resyncs), buffer (commits queued
// between the socket and the loop), batch (commits taken per loop turn, default 64), netns (a path
// or "pid:N"; default the session's namespace when the kernel connection tells it, else the
// process's).
//
// Every subscription starts from a consistent snapshot (monitor.Snapshot): the events are exactly
// the changes committed after nft.subscribe returned, each once. They are those `nft monitor`
// shows: anonymous sets and their elements arrive inside their rule, and the two halves of an
// interval element arrive as one event.
//
// An event is a table: kind ("table", "chain", "rule", "set", "element", "object", "flowtable",
// "unknown"), op ("add" or "delete"; the kernel announces a replaced rule as delete + add and an
// updated table, chain or set as add), family, table, chain (chain and rule events), set (set and
// element events), name (the entity's own name), handle, line (the event as `nft monitor` prints
// it), gen, pid, proc (the committing process). Rule events also carry text (the rule as `nft list`
// prints it: "tcp dport 22 accept"), position (the handle of the rule before it, when the kernel
// says), insert (true when not appended), tag and comment; element events carry elements (a list of
// element texts); object events type ("counter", "quota", ...); unknown events err.
//
// A commit (opts.per_commit, and the second argument of a follow callback) is a table: kind =
// "commit", gen, pid, proc, events (the list of event tables).
//
// When the socket overflowed (ENOBUFS) events were lost: the callback gets { kind =
// "resync_needed", gen, ruleset } where ruleset is a fresh pull at generation gen (the stream
// re-pulled by itself), and the stream goes on with the commits after it. nft.follow applies it.
//
// Errors raised by fn are reported as FILE:LINE: error: MSG (with the traceback) and the
// subscription keeps going. The subscription value has :stats(), :close(), :active(), :err() and
// the fields gen (the generation of the last change delivered, or of the snapshot) and netns.

const subscriptionType = "nft.subscription"

var subscribeOptions = []string{"snapshot", "per_commit", "rcvbuf", "buffer", "batch", "netns"}

// NetNSer is implemented by a Kernel that can name its network namespace;
// subscriptions then watch the session's namespace by default.
type NetNSer interface {
	// NetNS returns a spelling of the session's namespace that a new
	// socket can be opened in (a path, not NetNSNew).
	NetNS() nfnl.NetNS
}

// subscription is the Lua value of nft.subscribe and nft.follow.
type subscription struct {
	s         *monitor.Stream
	hd        *lua.Handle
	fn        *glua.LFunction
	perCommit bool
	follow    bool
	rs        *ruleset.Ruleset // follow: the live value
	rsv       glua.LValue      // follow: its Lua value
	printer   *monitor.Printer
	netns     string
	m         *module
	cur       []monitor.Commit // the batch being delivered (owning goroutine)
	// Owning goroutine only.
	gen                              uint32
	commits, events, resyncs, errors uint64
	applyErrors                      uint64
}

// subscribeFuncs are the subscription functions of the nft module.
func (m *module) subscribeFuncs() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"subscribe": func(L *glua.LState) int { return m.nftSubscribe(L, false) },
		"follow":    func(L *glua.LState) int { return m.nftSubscribe(L, true) },
	}
}

// subscribeArgs returns the callback and the index of the options
// argument, accepting (fn, opts) and (opts, fn).
func subscribeArgs(L *glua.LState) (*glua.LFunction, int) {
	if fn, ok := L.Get(1).(*glua.LFunction); ok {
		return fn, 2
	}
	if fn, ok := L.Get(2).(*glua.LFunction); ok {
		if _, isTable := L.Get(1).(*glua.LTable); isTable || L.Get(1) == glua.LNil {
			return fn, 1
		}
	}
	L.ArgError(1, "function expected (nft.subscribe(fn, [opts]))")
	return nil, 0
}

// nftSubscribe implements nft.subscribe and (follow) nft.follow.
func (m *module) nftSubscribe(L *glua.LState, follow bool) int {
	fn, on := subscribeArgs(L)
	o := checkOptions(L, on, subscribeOptions...)
	num := func(k string, max float64) (int, bool) {
		v := o.get(k)
		if v == glua.LNil {
			return 0, false
		}
		f, ok := v.(glua.LNumber)
		if !ok || float64(f) < 0 || float64(f) > max || float64(f) != float64(int64(f)) {
			L.ArgError(on, fmt.Sprintf("option %s: integer 0..%.0f expected, got %s", k, max, L.ToStringMeta(v).String()))
		}
		return int(f), true
	}
	var opts monitor.Options
	if v, ok := num("rcvbuf", 1<<30); ok {
		opts.RcvBuf = v
	}
	if v, ok := num("buffer", 1<<20); ok {
		opts.Buffer = v
	}
	batch := 64
	if v, ok := num("batch", 1<<16); ok && v > 0 {
		batch = v
	}
	nsName := ""
	if s, ok := o.str("netns"); ok && s != "" {
		ns, err := parseNetNSOption(s)
		if err != nil {
			L.ArgError(on, "option netns: "+err.Error())
		}
		opts.NetNS, nsName = ns, s
	} else if k, ok := m.core.Kernel.(NetNSer); ok && m.core.Kernel != nil {
		opts.NetNS = k.NetNS()
		nsName = opts.NetNS.String()
	}
	h := lua.HostOf(L)
	if h == nil {
		unavailable(L, "nft.subscribe (event loop)")
	}
	registerSubscription(L)
	rs, s, err := monitor.Snapshot(opts)
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	sub := &subscription{
		s: s, fn: fn, perCommit: o.boolean("per_commit"), follow: follow,
		printer: monitor.NewPrinter(rs), netns: nsName, m: m, gen: s.Gen(),
	}
	var rsv glua.LValue = glua.LNil
	if follow || o.boolean("snapshot") {
		rsv = m.newRuleset(L, rs)
	}
	if follow {
		sub.rs, sub.rsv = rs, rsv
	}
	stop := make(chan struct{})
	name := "ruleset changes"
	if nsName != "" {
		name += " in " + nsName
	}
	sub.hd = lua.Listen(h, lua.Source[[]monitor.Commit]{
		Name: name,
		C:    commitBatches(s, batch, stop, h),
		Convert: func(L *glua.LState, b []monitor.Commit) []glua.LValue {
			sub.cur = b
			return nil
		},
		Callback: L.NewFunction(sub.dispatch),
		Stop: func() {
			close(stop)
			s.Close()
		},
	})
	L.Push(newUD(L, subscriptionType, sub))
	L.Push(rsv)
	return 2
}

// parseNetNSOption reads a netns option: a path or "pid:N".
func parseNetNSOption(s string) (nfnl.NetNS, error) {
	if p, isPID := strings.CutPrefix(s, "pid:"); isPID {
		pid, err := strconv.Atoi(p)
		if err != nil || pid <= 0 {
			return nfnl.NetNS{}, fmt.Errorf("bad pid in %q", s)
		}
		return nfnl.NetNSPID(pid), nil
	}
	return nfnl.NetNSPath(s), nil
}

// commitBatches forwards the commits of s in batches of at most max: it
// waits for one commit, then takes what is already queued. Two buffers
// alternate (lua.Listen reads the next batch only after the callback for
// the previous one returned). When the stream ends with an error, the
// error is reported on the loop.
func commitBatches(s *monitor.Stream, max int, stop <-chan struct{}, h *lua.Host) <-chan []monitor.Commit {
	src := s.Commits()
	out := make(chan []monitor.Commit)
	go func() {
		defer close(out)
		defer func() {
			if err := s.Err(); err != nil {
				h.Post(func(*glua.LState) { h.ReportError(fmt.Errorf("nft.subscribe: the stream ended: %w", err)) })
			}
		}()
		bufs := [2][]monitor.Commit{make([]monitor.Commit, 0, max), make([]monitor.Commit, 0, max)}
		for i := 0; ; i ^= 1 {
			var c monitor.Commit
			var ok bool
			select {
			case c, ok = <-src:
			case <-stop:
				return
			}
			if !ok {
				return
			}
			b := append(bufs[i][:0], c)
		drain:
			for len(b) < max {
				select {
				case c, ok = <-src:
					if !ok {
						break drain
					}
					b = append(b, c)
				default:
					break drain
				}
			}
			bufs[i] = b
			select {
			case out <- b:
			case <-stop:
				return
			}
			if !ok {
				return
			}
		}
	}()
	return out
}

// dispatch is the Go callback lua.Listen calls once per batch of commits.
func (sub *subscription) dispatch(L *glua.LState) int {
	b := sub.cur
	sub.cur = nil
	for i := range b {
		if !sub.hd.Active() {
			return 0
		}
		if !sub.commit(L, &b[i]) {
			return 0
		}
	}
	return 0
}

// commit delivers one commit; false when delivery must stop (interrupt,
// nfsh.exit or close).
func (sub *subscription) commit(L *glua.LState, c *monitor.Commit) bool {
	if c.Resync {
		sub.resyncs++
		sub.gen = c.Gen
		sub.printer.Reset(c.Snapshot)
		t := L.CreateTable(0, 3)
		t.RawSetString("kind", glua.LString("resync_needed"))
		t.RawSetString("gen", glua.LNumber(c.Gen))
		if c.Snapshot != nil {
			if sub.follow {
				sub.rs.Tables = c.Snapshot.Tables
				t.RawSetString("ruleset", sub.rsv)
				return sub.call(L, sub.rsv, t)
			}
			t.RawSetString("ruleset", sub.m.newRuleset(L, c.Snapshot))
		}
		return sub.call(L, t)
	}
	sub.commits++
	sub.gen = c.Gen
	var events []*glua.LTable
	for i := range c.Events {
		e := &c.Events[i]
		line, ok := sub.printer.Line(e)
		if !ok {
			continue
		}
		events = append(events, eventTable(L, c, e, line))
	}
	if sub.follow {
		if err := monitor.Apply(sub.rs, *c); err != nil {
			sub.applyErrors++
			if h := lua.HostOf(L); h != nil {
				h.ReportError(fmt.Errorf("nft.follow: generation %d: %w", c.Gen, err))
			}
		}
		return sub.call(L, sub.rsv, commitTable(L, c, events))
	}
	if sub.perCommit {
		if len(events) == 0 {
			return true
		}
		return sub.call(L, commitTable(L, c, events))
	}
	for _, t := range events {
		if !sub.hd.Active() {
			return false
		}
		if !sub.call(L, t) {
			return false
		}
	}
	return true
}

// call calls the script's function; an error it raises is reported and
// delivery goes on, an interrupt or nfsh.exit is passed to the host.
func (sub *subscription) call(L *glua.LState, args ...glua.LValue) bool {
	L.Push(sub.fn)
	for _, a := range args {
		L.Push(a)
	}
	sub.events++
	if err := L.PCall(len(args), 0, nil); err != nil {
		if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
			L.Error(errorValue(err), 0)
			return false
		}
		sub.errors++
		if h := lua.HostOf(L); h != nil {
			h.ReportError(callbackError(err))
		}
	}
	return sub.hd.Active()
}

// commitTable builds the Lua table of a commit.
func commitTable(L *glua.LState, c *monitor.Commit, events []*glua.LTable) *glua.LTable {
	t := L.CreateTable(0, 5)
	t.RawSetString("kind", glua.LString("commit"))
	t.RawSetString("gen", glua.LNumber(c.Gen))
	t.RawSetString("pid", glua.LNumber(c.PID))
	t.RawSetString("proc", glua.LString(c.Proc))
	list := L.CreateTable(len(events), 0)
	for _, e := range events {
		list.Append(e)
	}
	t.RawSetString("events", list)
	return t
}

// eventTable builds the Lua table of one event; line is its `nft monitor`
// line.
func eventTable(L *glua.LState, c *monitor.Commit, e *monitor.Event, line string) *glua.LTable {
	t := L.CreateTable(0, 16)
	str := func(k, v string) {
		if v != "" {
			t.RawSetString(k, glua.LString(v))
		}
	}
	t.RawSetString("kind", glua.LString(e.Kind.String()))
	op := "add"
	if e.Op == monitor.OpDelete {
		op = "delete"
	}
	t.RawSetString("op", glua.LString(op))
	str("family", e.Family.String())
	str("table", e.Table)
	str("chain", e.Chain)
	str("set", e.Set)
	str("line", line)
	t.RawSetString("gen", glua.LNumber(c.Gen))
	t.RawSetString("pid", glua.LNumber(c.PID))
	str("proc", c.Proc)
	var handle uint64
	name := ""
	switch e.Kind {
	case monitor.KindTable:
		name = e.Table
		if e.TableObj != nil {
			handle = e.TableObj.Handle
		}
	case monitor.KindChain:
		name = e.Chain
		if e.ChainObj != nil {
			handle = e.ChainObj.Handle
		}
	case monitor.KindRule:
		if r := e.Rule; r != nil {
			handle = r.Handle
			str("tag", r.Tag())
			str("comment", r.Comment())
		}
		str("text", e.Text)
		if e.Position != 0 {
			t.RawSetString("position", glua.LNumber(e.Position))
		}
		if e.Op == monitor.OpNew {
			t.RawSetString("insert", glua.LBool(strings.HasPrefix(line, "insert ")))
		}
	case monitor.KindSet:
		name = e.Set
		if e.SetObj != nil {
			handle = e.SetObj.Handle
		}
	case monitor.KindElement:
		name = e.Set
		head := fmt.Sprintf("%s element %s %s %s ", op, e.Family, e.Table, e.Set)
		body := strings.TrimPrefix(line, head)
		str("text", body)
		list := L.NewTable()
		for _, el := range splitElements(body) {
			list.Append(glua.LString(el))
		}
		t.RawSetString("elements", list)
	case monitor.KindObject:
		if o := e.Object; o != nil {
			name, handle = o.Name, o.Handle
		}
		if f := strings.Fields(line); len(f) > 1 {
			str("type", f[1])
		}
	case monitor.KindFlowtable:
		if f := e.Flowtable; f != nil {
			name, handle = f.Name, f.Handle
		}
	default:
		if e.Err != nil {
			str("err", e.Err.Error())
		}
	}
	str("name", name)
	if handle != 0 {
		t.RawSetString("handle", glua.LNumber(handle))
	}
	return t
}

// splitElements splits "{ a, b . c, d : e }" into its elements, at the
// commas outside quotes and nested braces.
func splitElements(body string) []string {
	body = strings.TrimSpace(body)
	if !strings.HasPrefix(body, "{") || !strings.HasSuffix(body, "}") {
		return nil
	}
	body = body[1 : len(body)-1]
	var out []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(body); i++ {
		switch ch := body[i]; {
		case ch == '"':
			quoted = !quoted
		case quoted:
		case ch == '{':
			depth++
		case ch == '}':
			depth--
		case ch == ',' && depth == 0:
			if el := strings.TrimSpace(body[start:i]); el != "" {
				out = append(out, el)
			}
			start = i + 1
		}
	}
	if el := strings.TrimSpace(body[start:]); el != "" {
		out = append(out, el)
	}
	return out
}

// registerSubscription defines the nft.subscription type (once per state).
func registerSubscription(L *glua.LState) {
	if _, ok := L.GetTypeMetatable(subscriptionType).(*glua.LTable); ok {
		return
	}
	registerObject(L, subscriptionType, map[string]glua.LGFunction{
		"stats":  subStats,
		"close":  subClose,
		"cancel": subClose,
		"active": func(L *glua.LState) int {
			L.Push(glua.LBool(checkSubscription(L, 1).hd.Active()))
			return 1
		},
		"err": func(L *glua.LState) int {
			if err := checkSubscription(L, 1).s.Err(); err != nil {
				L.Push(glua.LString(err.Error()))
				return 1
			}
			L.Push(glua.LNil)
			return 1
		},
	}, map[string]field{
		"gen":   func(L *glua.LState, v any) glua.LValue { return glua.LNumber(v.(*subscription).gen) },
		"netns": func(L *glua.LState, v any) glua.LValue { return optString(v.(*subscription).netns) },
	}, map[string]glua.LGFunction{
		"__tostring": func(L *glua.LState) int {
			sub := checkSubscription(L, 1)
			state := "active"
			if !sub.hd.Active() {
				state = "closed"
			}
			what := "nft.subscription"
			if sub.follow {
				what = "nft.follow"
			}
			L.Push(glua.LString(fmt.Sprintf("%s(gen %d, %s, %d commits)", what, sub.gen, state, sub.commits)))
			return 1
		},
	})
}

func checkSubscription(L *glua.LState, n int) *subscription {
	return lua.Check[*subscription](L, n, subscriptionType)
}

// subStats implements sub:stats(): the stream's counters (commits and
// events read from the socket, skipped = commits the snapshot already
// held, overruns, resyncs, stray, undecoded) and the Lua side's (calls =
// callback calls, errors = callback errors, apply_errors = commits that
// did not fit a followed value).
func subStats(L *glua.LState) int {
	sub := checkSubscription(L, 1)
	st := sub.s.Stats()
	t := countersTable(L, map[string]uint64{
		"commits": st.Commits, "events": st.Events, "skipped": st.Skipped, "overruns": st.Overruns,
		"resyncs": st.Resyncs, "stray": st.Stray, "undecoded": st.Undecoded,
		"delivered": sub.commits, "calls": sub.events, "errors": sub.errors, "apply_errors": sub.applyErrors,
	})
	t.RawSetString("gen", glua.LNumber(sub.gen))
	L.Push(t)
	return 1
}

// subClose implements sub:close(): the sockets are closed and the
// callback is not called again.
func subClose(L *glua.LState) int {
	checkSubscription(L, 1).hd.Cancel()
	return 0
}
