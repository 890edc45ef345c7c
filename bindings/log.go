package bindings

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/nflog"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// NFLOG listeners: Lua callbacks on logged packets.
//
//	nft.log_listen(opts, fn)   listen to an NFLOG group; fn(ev) runs on the event loop for every event;
//	                           returns a listener, or nil, err when the group cannot be bound
//	nft.log_prefix(tag, [text])   the log prefix that carries tag to ev.tag: "nfsh:TAG: TEXT"
//	nft.log_tag(prefix)        the tag a prefix carries, or nil
//	nft.log_fields(ev)         fill in every field of a packet event (for pairs()); returns ev
//
// opts: group (required, 0..65535), copy ("packet" default, "meta", "none"), snaplen (bytes),
// qthreshold (packets per kernel batch, default 256), timeout (flush timeout in ms, default 20),
// nlbufsize (kernel batch buffer in bytes, default 65536), rcvbuf (bytes, default 4 MiB), seq (default true: exact loss counts), seq_global, conntrack,
// events (queue capacity), block (default true: when Lua falls behind the kernel drops, and says so),
// batch (events delivered per loop turn; default: a whole kernel batch, up to qthreshold packets and a loss event), payload (true: ev.payload holds the copied bytes),
// keep (true: event tables stay readable after their callback; see below), netns (a path or "pid:N"; default the session's process namespace).
// Batches trade CPU for burst tolerance: 64 KiB batches cost about a third of the CPU per packet of
// the kernel's 4 KiB ones, but a full socket buffer drops a whole batch at once. So the listener
// adapts (adapt = true, the default): each overrun halves the kernel batch (down to 4 KiB, 100
// packets), and after 10 s without one it doubles again up to nlbufsize and qthreshold; adapt = false
// keeps the batch fixed. listener:stats() reports batch_bytes, batch_packets and adaptations.
//
// An event is a table. Packets: kind = "packet", group, family, hook, prefix, tag, mark, time (seconds),
// iif, iifname, oif, oifname, physiif(name), physoif(name), hwaddr, hwtype, uid, gid, seq, seq_global,
// vlan_id, ct_state, ct_direction, payload_len, ip_version, saddr, daddr (strings), protocol ("tcp", ...),
// ttl, length, frag_offset, truncated, sport, dport (numbers), tcp_flags ("syn,ack"), syn/ack/fin/rst
// (booleans, TCP only), icmp_type, icmp_code, icmp_id, icmp_seq. Absent attributes are nil.
// Fields are decoded when read (ev.saddr, ev["dport"]: the table's __index), so a callback pays only
// for what it reads; the table itself holds just the packet (ev[1], a userdata) until
// nft.log_fields(ev) stores every field in it for pairs() and rawget.
// The listener reuses a batch's packet memory once its callbacks have run, so a flood allocates
// next to nothing per packet: an event table is readable during its callback, and to keep one
// for later the callback calls nft.log_fields(ev) (or the listener is made with keep = true, which
// keeps every packet alive as long as its table). Reading a field of an unfilled event after its
// callback returned is an error that says so.
// Loss: kind = "loss", lost (dropped + seq_lost: exact with seq), overruns (kernel buffer overflows, each
// of up to qthreshold packets), dropped, seq_lost.
//
// Errors raised by fn are reported as FILE:LINE: error: MSG (with the traceback) and the listener
// keeps going. The listener value has :stats(), :close(), :active() and .group.
//
// Tags: a rule tagged TAG that logs with the prefix "nfsh:TAG: ..." (nft.log_prefix(TAG, ...)) gives
// its events ev.tag = TAG, so one callback can tell which rule fired.

const logListenerType = "nft.log_listener"

// logPrefixMark starts a log prefix that carries a rule tag.
const logPrefixMark = "nfsh:"

var logOptions = []string{"group", "copy", "snaplen", "qthreshold", "timeout", "nlbufsize", "rcvbuf",
	"seq", "seq_global", "conntrack", "events", "block", "batch", "payload", "keep", "adapt", "netns"}

// logListener is the Lua value of nft.log_listen.
type logListener struct {
	l       *nflog.Listener
	hd      *lua.Handle
	fn      *glua.LFunction
	payload bool
	cur     []nflog.Event // the batch being delivered (owning goroutine)
	release bool          // cur comes from the listener: give it back with Release after its callbacks
	reuse   bool          // the listener reuses released packets: expire the batch's events first
	meta    *glua.LTable  // the metatable of packet event tables
	intern  interner
	// Counters, owning goroutine only.
	events, losses, errors uint64
}

// logFuncs are the NFLOG functions of the nft module.
func (m *module) logFuncs() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"log_listen": m.nftLogListen,
		"log_prefix": nftLogPrefix,
		"log_tag":    nftLogTag,
		"log_fields": nftLogFields,
	}
}

// LogPrefix returns the log prefix that carries tag to the events of
// nft.log_listen: "nfsh:TAG: TEXT" (or "nfsh:TAG: " without text). The
// kernel keeps at most 127 bytes of a prefix.
func LogPrefix(tag, text string) string { return logPrefixMark + tag + ": " + text }

// LogTag returns the tag a log prefix carries ("nfsh:TAG" optionally
// followed by ":" and text), or "".
func LogTag(prefix string) string {
	rest, ok := strings.CutPrefix(prefix, logPrefixMark)
	if !ok {
		return ""
	}
	tag, _, _ := strings.Cut(rest, ":")
	return strings.TrimSpace(tag)
}

func nftLogPrefix(L *glua.LState) int {
	tag := L.CheckString(1)
	if tag == "" || strings.ContainsAny(tag, ": \"") {
		L.ArgError(1, "a tag is a non-empty word without ':', spaces or quotes")
	}
	L.Push(glua.LString(LogPrefix(tag, L.OptString(2, ""))))
	return 1
}

func nftLogTag(L *glua.LState) int {
	L.Push(optString(LogTag(L.CheckString(1))))
	return 1
}

// Kernel batching defaults of nft.log_listen. The kernel's own (4 KiB
// batches, about 20 small packets each, which is what tcpdump gets: libpcap
// sets only the copy mode and SO_RCVBUF) cost one read and one wakeup per
// 20 packets; 64 KiB batches of up to 256 packets cut that twelvefold
// under a flood, and a quiet group still flushes after the timeout.
const (
	DefaultLogNLBufSize  = 64 << 10
	DefaultLogQThreshold = 256
)

// logOpts reads the options table of nft.log_listen.
func logOpts(L *glua.LState, n int) (nflog.Options, int, bool) {
	o := checkOptions(L, n, logOptions...)
	opts := nflog.Options{Seq: true, Block: true, Batches: true, FlushTimeout: 20 * time.Millisecond,
		NLBufSize: DefaultLogNLBufSize, QThreshold: DefaultLogQThreshold}
	num := func(k string, max float64) (uint64, bool) {
		v := o.get(k)
		if v == glua.LNil {
			return 0, false
		}
		f, ok := v.(glua.LNumber)
		if !ok || float64(f) < 0 || float64(f) > max || float64(f) != float64(uint64(f)) {
			L.ArgError(n, fmt.Sprintf("option %s: integer 0..%.0f expected, got %s", k, max, L.ToStringMeta(v).String()))
		}
		return uint64(f), true
	}
	flag := func(k string, def bool) bool {
		if !o.has(k) {
			return def
		}
		return o.boolean(k)
	}
	g, ok := num("group", 65535)
	if !ok {
		L.ArgError(n, "option group is required (the N of `log group N`)")
	}
	opts.Group = uint16(g)
	if s, ok := o.str("copy"); ok {
		if opts.Copy, ok = nflog.ParseCopyMode(s); !ok {
			L.ArgError(n, fmt.Sprintf(`option copy: "none", "meta" or "packet" expected, got %q`, s))
		}
	}
	if v, ok := num("snaplen", 65535); ok {
		opts.Snaplen = uint32(v)
	}
	if v, ok := num("qthreshold", 1<<31); ok {
		opts.QThreshold = uint32(v)
	}
	if v, ok := num("timeout", 655350); ok {
		opts.FlushTimeout = time.Duration(v) * time.Millisecond
	}
	if v, ok := num("nlbufsize", 131072); ok {
		opts.NLBufSize = uint32(v)
	}
	if v, ok := num("rcvbuf", 1<<30); ok {
		opts.RcvBuf = int(v)
	}
	if v, ok := num("events", 1<<20); ok {
		opts.Events = int(v)
	}
	batch := 0
	if v, ok := num("batch", 1<<16); ok && v > 0 {
		batch = int(v)
	}
	opts.Seq = flag("seq", true)
	opts.SeqGlobal = flag("seq_global", false)
	opts.Conntrack = flag("conntrack", false)
	opts.Block = flag("block", true)
	opts.Reuse = !flag("keep", false)
	opts.Adapt = flag("adapt", true)
	if s, ok := o.str("netns"); ok && s != "" {
		if p, isPID := strings.CutPrefix(s, "pid:"); isPID {
			pid, err := strconv.Atoi(p)
			if err != nil || pid <= 0 {
				L.ArgError(n, fmt.Sprintf("option netns: bad pid in %q", s))
			}
			opts.NetNS = nfnl.NetNSPID(pid)
		} else {
			opts.NetNS = nfnl.NetNSPath(s)
		}
	}
	return opts, batch, flag("payload", false)
}

// nftLogListen implements nft.log_listen(opts, fn).
func (m *module) nftLogListen(L *glua.LState) int {
	opts, batch, payload := logOpts(L, 1)
	fn := L.CheckFunction(2)
	h := lua.HostOf(L)
	if h == nil {
		unavailable(L, "nft.log_listen (event loop)")
	}
	registerLogListener(L)
	// The listener hands over one slice per kernel batch (up to qthreshold
	// packets and a loss event), whose memory it reuses once the batch is
	// released after its callbacks (Options.Reuse); only a smaller batch
	// option needs them cut and copied, on a goroutine of its own.
	qt := int(opts.QThreshold)
	if qt == 0 {
		qt = 100 // the kernel's default
	}
	split := batch > 0 && batch <= qt
	if split {
		opts.Reuse = false
	}
	l, err := nflog.Listen(opts)
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	ll := &logListener{l: l, fn: fn, payload: payload, release: !split, reuse: opts.Reuse}
	ll.meta = ll.newEventMeta(L)
	src := l.Batches()
	if split {
		src = splitBatches(src, batch, l.Release)
	}
	ll.hd = lua.Listen(h, lua.Source[[]nflog.Event]{
		Name: fmt.Sprintf("nflog group %d", opts.Group),
		C:    src,
		Convert: func(L *glua.LState, b []nflog.Event) []glua.LValue {
			ll.cur = b
			return nil
		},
		Callback: L.NewFunction(ll.dispatch),
		Stop:     func() { l.Close() },
	})
	L.Push(newUD(L, logListenerType, ll))
	return 1
}

// splitBatches forwards the events of the slices of src in slices of at
// most max, giving each slice of src back with release once it is copied.
// Two buffers alternate: lua.Listen takes the next value only after the
// callback for the previous one returned, so the buffer being filled is
// never the one being read.
func splitBatches(src <-chan []nflog.Event, max int, release func([]nflog.Event)) <-chan []nflog.Event {
	out := make(chan []nflog.Event)
	go func() {
		defer close(out)
		bufs := [2][]nflog.Event{make([]nflog.Event, 0, max), make([]nflog.Event, 0, max)}
		i := 0
		for b := range src {
			for rest := b; len(rest) > 0; i ^= 1 {
				k := min(len(rest), max)
				c := append(bufs[i][:0], rest[:k]...)
				rest = rest[k:]
				if len(rest) == 0 {
					release(b)
				}
				out <- c
			}
		}
	}()
	return out
}

// dispatch is the Go callback lua.Listen calls once per batch: it calls
// the script's function once per event. An error raised by the function
// is reported and the next event is delivered; an interrupt or nfsh.exit
// ends the batch.
func (ll *logListener) dispatch(L *glua.LState) int {
	b := ll.cur
	ll.cur = nil
	h := lua.HostOf(L)
	// One allocation for the packet handles of the whole batch.
	uds := make([]glua.LUserData, len(b))
	if ll.release {
		// Give the batch back once its callbacks ran. When the listener
		// reuses its packets, event tables that outlive their callback
		// expire first.
		defer func() {
			if ll.reuse {
				for i := range uds {
					if uds[i].Value != nil {
						uds[i].Value = expiredPacket
					}
				}
			}
			ll.l.Release(b)
		}()
	}
	for i := range b {
		if !ll.hd.Active() {
			return 0
		}
		ev := &b[i]
		var t *glua.LTable
		if ev.Kind == nflog.EventLoss {
			ll.losses++
			t = lossTable(L, ev.Loss)
		} else if ev.Packet != nil {
			ll.events++
			ud := &uds[i]
			ud.Value, ud.Metatable = ev.Packet, glua.LNil
			t = ll.newPacketTable(L, ud)
		} else {
			continue
		}
		L.Push(ll.fn)
		L.Push(t)
		if err := L.PCall(1, 0, nil); err != nil {
			if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
				// Interrupted, or nfsh.exit: the host takes it from here.
				L.Error(errorValue(err), 0)
				return 0
			}
			ll.errors++
			if h != nil {
				h.ReportError(callbackError(err))
			}
		}
	}
	return 0
}

// errorValue returns the Lua value an error raised.
func errorValue(err error) glua.LValue {
	var ae *glua.ApiError
	if errors.As(err, &ae) && ae.Object != nil {
		return ae.Object
	}
	return glua.LString(err.Error())
}

// callbackError turns an error raised by a callback into a *lua.Error with
// the position of the raising code.
func callbackError(err error) error {
	var ae *glua.ApiError
	if !errors.As(err, &ae) {
		return &lua.Error{Msg: err.Error(), Err: err}
	}
	e := &lua.Error{Value: ae.Object, Err: ae.Cause}
	msg := ""
	if s, ok := ae.Object.(glua.LString); ok {
		msg = string(s)
	} else if ae.Object != nil {
		msg = ae.Object.String()
	}
	e.Pos, e.Msg = splitPos(msg)
	tb := strings.TrimRight(ae.StackTrace, "\n")
	e.Traceback = strings.TrimSuffix(tb, "\n\t[G]: ?")
	return e
}

// splitPos splits "FILE:LINE: message" (gopher-lua's error position) into
// a position and the message.
func splitPos(msg string) (diag.Pos, string) {
	first, _, _ := strings.Cut(msg, "\n")
	for i := strings.Index(first, ":"); i > 0; {
		j := i + 1
		for j < len(first) && first[j] >= '0' && first[j] <= '9' {
			j++
		}
		if j > i+1 && strings.HasPrefix(first[j:], ": ") {
			line, _ := strconv.Atoi(first[i+1 : j])
			return diag.Pos{File: first[:i], Line: line}, msg[j+2:]
		}
		k := strings.Index(first[i+1:], ":")
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return diag.Pos{}, msg
}

// lossTable builds the Lua table of a loss event.
func lossTable(L *glua.LState, l nflog.Loss) *glua.LTable {
	t := L.CreateTable(0, 5)
	t.RawSetString("kind", lvLoss)
	t.RawSetString("lost", glua.LNumber(l.Dropped+l.SeqLost))
	t.RawSetString("overruns", glua.LNumber(l.Overruns))
	t.RawSetString("dropped", glua.LNumber(l.Dropped))
	t.RawSetString("seq_lost", glua.LNumber(l.SeqLost))
	return t
}

// interner keeps the Lua values of the strings that repeat from packet to
// packet (names, prefixes, addresses), so that building an event table
// does not convert and box them again. It forgets everything when it holds
// too many.
type interner struct {
	strs  map[string]glua.LValue
	addrs map[netip.Addr]glua.LValue
}

const internMax = 4096

func (in *interner) str(s string) glua.LValue {
	if v, ok := in.strs[s]; ok {
		return v
	}
	if in.strs == nil || len(in.strs) >= internMax {
		in.strs = make(map[string]glua.LValue, 64)
	}
	v := glua.LValue(glua.LString(s))
	in.strs[s] = v
	return v
}

func (in *interner) addr(a netip.Addr) glua.LValue {
	if v, ok := in.addrs[a]; ok {
		return v
	}
	if in.addrs == nil || len(in.addrs) >= internMax {
		in.addrs = make(map[netip.Addr]glua.LValue, 64)
	}
	v := glua.LValue(glua.LString(a.String()))
	in.addrs[a] = v
	return v
}

var (
	lvPacket   = glua.LValue(glua.LString("packet"))
	lvLoss     = glua.LValue(glua.LString("loss"))
	lvReply    = glua.LValue(glua.LString("reply"))
	lvOriginal = glua.LValue(glua.LString("original"))
)

// eventFields lists the keys a packet event may hold (nflog.Packet.Map's,
// with time as a number of seconds, plus tag and the TCP flags as
// booleans), in the order nft.log_fields fills them.
var eventFields = []string{"kind", "group", "family", "time", "hook", "hw_protocol", "prefix", "tag", "mark",
	"iif", "iifname", "oif", "oifname", "physiif", "physiifname", "physoif", "physoifname",
	"hwaddr", "hwtype", "uid", "gid", "seq", "seq_global", "vlan_id", "vlan_proto", "ct_state", "ct_direction",
	"payload_len", "payload", "ip_version", "saddr", "daddr", "protocol", "ttl", "length", "frag_offset", "truncated",
	"sport", "dport", "tcp_flags", "syn", "ack", "fin", "rst", "icmp_type", "icmp_code", "icmp_id", "icmp_seq"}

// newPacketTable returns the Lua table of a packet event. It holds only
// the packet (a userdata at index 1); the metatable's __index
// (logListener.index) decodes a field each time it is read, so an event
// costs what the callback reads of it: no map is built per packet.
func (ll *logListener) newPacketTable(L *glua.LState, ud *glua.LUserData) *glua.LTable {
	t := L.CreateTable(1, 0)
	t.RawSetInt(1, ud)
	t.Metatable = ll.meta
	return t
}

// eventPacket returns the packet behind an event table, or nil once its
// fields are filled in (or for a table that is not a packet event).
func eventPacket(t *glua.LTable) *nflog.Packet {
	if ud, ok := t.RawGetInt(1).(*glua.LUserData); ok {
		p, _ := ud.Value.(*nflog.Packet)
		return p
	}
	return nil
}

// index is the __index metamethod of packet event tables: it returns the
// field asked for, decoded from the packet, or nil when the packet does
// not carry it.
func (ll *logListener) index(L *glua.LState) int {
	t, _ := L.Get(1).(*glua.LTable)
	k, ok := L.Get(2).(glua.LString)
	if t == nil || !ok {
		L.Push(glua.LNil)
		return 1
	}
	p := eventPacket(t)
	if p == nil {
		L.Push(glua.LNil)
		return 1
	}
	if p == expiredPacket {
		L.RaiseError("field %q of a packet event read after its callback returned: the listener reuses packet memory; nft.log_fields(ev) inside the callback keeps every field", string(k))
	}
	L.Push(ll.intern.field(p, string(k), ll.payload))
	return 1
}

// expiredPacket marks the event tables of a batch that was given back to
// the listener.
var expiredPacket = &nflog.Packet{}

// fill stores every present field of a packet event in its table and
// drops the packet, so that pairs() and rawget see the whole event (and
// only it).
func (ll *logListener) fill(t *glua.LTable) {
	p := eventPacket(t)
	if p == nil || p == expiredPacket {
		return
	}
	for _, k := range eventFields {
		if v := ll.intern.field(p, k, ll.payload); v != glua.LNil {
			t.RawSetString(k, v)
		}
	}
	t.RawSetInt(1, glua.LNil)
}

// nftLogFields implements nft.log_fields(ev): every field of a packet
// event filled in (fields are otherwise decoded as they are read, and
// pairs() sees only those); it returns ev.
func nftLogFields(L *glua.LState) int {
	t := L.CheckTable(1)
	if mt, ok := t.Metatable.(*glua.LTable); ok {
		if ud, ok := mt.RawGetString(eventOwnerKey).(*glua.LUserData); ok {
			if ll, ok := ud.Value.(*logListener); ok {
				ll.fill(t)
			}
		}
	}
	L.Push(t)
	return 1
}

// eventOwnerKey is the key of the event metatable that holds its listener.
const eventOwnerKey = "\x00listener"

// newEventMeta returns the metatable of a listener's packet events.
func (ll *logListener) newEventMeta(L *glua.LState) *glua.LTable {
	mt := L.CreateTable(0, 2)
	mt.RawSetString("__index", L.NewFunction(ll.index))
	mt.RawSetString(eventOwnerKey, &glua.LUserData{Value: ll, Metatable: glua.LNil})
	return mt
}

func lnum[T uint8 | uint16 | uint32 | uint64 | int](v T) glua.LValue { return glua.LNumber(v) }

// field returns the Lua value of one field of a packet event, or LNil
// when the packet does not carry it.
func (in *interner) field(p *nflog.Packet, k string, payload bool) glua.LValue {
	has := p.Present.Has
	ip := p.IPVersion != 0
	ports := p.SrcPort|p.DstPort != 0
	tcp := p.Transport && p.Protocol == 6                        // IPPROTO_TCP
	icmp := p.Transport && (p.Protocol == 1 || p.Protocol == 58) // IPPROTO_ICMP, IPPROTO_ICMPV6
	echo := icmp && p.ICMPID|p.ICMPSeq != 0
	switch k {
	case "kind":
		return lvPacket
	case "group":
		return lnum(p.Group)
	case "family":
		return in.str(p.FamilyName())
	case "time":
		return glua.LNumber(float64(p.Time().UnixNano()) / 1e9)
	case "hook":
		if has(nflog.HasPacketHdr) {
			return in.str(p.HookName())
		}
	case "hw_protocol":
		if has(nflog.HasPacketHdr) {
			return lnum(p.HWProtocol)
		}
	case "prefix":
		if has(nflog.HasPrefix) {
			return in.str(p.Prefix)
		}
	case "tag":
		if has(nflog.HasPrefix) {
			if tag := LogTag(p.Prefix); tag != "" {
				return in.str(tag)
			}
		}
	case "mark":
		if has(nflog.HasMark) {
			return lnum(p.Mark)
		}
	case "iif", "iifname":
		return in.dev(k == "iifname", p.In, p.InIndex)
	case "oif", "oifname":
		return in.dev(k == "oifname", p.Out, p.OutIndex)
	case "physiif", "physiifname":
		return in.dev(k == "physiifname", p.PhysIn, p.PhysInIndex)
	case "physoif", "physoifname":
		return in.dev(k == "physoifname", p.PhysOut, p.PhysOutIndex)
	case "hwaddr":
		if has(nflog.HasHWAddr) {
			return in.str(p.HWAddr.String())
		}
	case "hwtype":
		if has(nflog.HasHWType) {
			return lnum(p.HWType)
		}
	case "uid":
		if has(nflog.HasUID) {
			return lnum(p.UID)
		}
	case "gid":
		if has(nflog.HasGID) {
			return lnum(p.GID)
		}
	case "seq":
		if has(nflog.HasSeq) {
			return lnum(p.Seq)
		}
	case "seq_global":
		if has(nflog.HasSeqGlobal) {
			return lnum(p.SeqGlobal)
		}
	case "vlan_id":
		if has(nflog.HasVLAN) {
			return lnum(p.VLANID())
		}
	case "vlan_proto":
		if has(nflog.HasVLAN) {
			return lnum(p.VLANProto)
		}
	case "ct_state":
		if p.Conn.State != "" {
			return in.str(p.Conn.State)
		}
	case "ct_direction":
		if p.Conn.State != "" {
			if p.Conn.Reply {
				return lvReply
			}
			return lvOriginal
		}
	case "payload_len":
		if has(nflog.HasPayload) {
			return lnum(len(p.Payload))
		}
	case "payload":
		if has(nflog.HasPayload) && payload {
			return glua.LString(p.Payload)
		}
	case "ip_version":
		if ip {
			return lnum(p.IPVersion)
		}
	case "saddr":
		if ip {
			return in.addr(p.Src)
		}
	case "daddr":
		if ip {
			return in.addr(p.Dst)
		}
	case "protocol":
		if ip {
			return in.str(p.ProtocolName())
		}
	case "ttl":
		if ip {
			return lnum(p.TTL)
		}
	case "length":
		if ip {
			return lnum(p.Length)
		}
	case "frag_offset":
		if ip && p.Fragment {
			return lnum(p.FragOffset)
		}
	case "truncated":
		if ip && p.Truncated {
			return glua.LTrue
		}
	case "sport":
		if ports {
			return lnum(p.SrcPort)
		}
	case "dport":
		if ports {
			return lnum(p.DstPort)
		}
	case "tcp_flags":
		if tcp {
			return in.str(p.TCPFlags.String())
		}
	case "syn":
		if tcp {
			return glua.LBool(p.TCPFlags&nflog.TCPSyn != 0)
		}
	case "ack":
		if tcp {
			return glua.LBool(p.TCPFlags&nflog.TCPAck != 0)
		}
	case "fin":
		if tcp {
			return glua.LBool(p.TCPFlags&nflog.TCPFin != 0)
		}
	case "rst":
		if tcp {
			return glua.LBool(p.TCPFlags&nflog.TCPRst != 0)
		}
	case "icmp_type":
		if icmp {
			return lnum(p.ICMPType)
		}
	case "icmp_code":
		if icmp {
			return lnum(p.ICMPCode)
		}
	case "icmp_id":
		if echo {
			return lnum(p.ICMPID)
		}
	case "icmp_seq":
		if echo {
			return lnum(p.ICMPSeq)
		}
	}
	return glua.LNil
}

// dev returns an interface field: the index, or with name its name.
func (in *interner) dev(name bool, ifname string, index uint32) glua.LValue {
	switch {
	case index == 0:
		return glua.LNil
	case !name:
		return lnum(index)
	case ifname != "":
		return in.str(ifname)
	}
	return glua.LNil
}

// registerLogListener defines the nft.log_listener type (once per state).
func registerLogListener(L *glua.LState) {
	if _, ok := L.GetTypeMetatable(logListenerType).(*glua.LTable); ok {
		return
	}
	registerObject(L, logListenerType, map[string]glua.LGFunction{
		"stats":  logStats,
		"close":  logClose,
		"cancel": logClose,
		"active": func(L *glua.LState) int {
			L.Push(glua.LBool(checkLogListener(L, 1).hd.Active()))
			return 1
		},
	}, map[string]field{
		"group": func(L *glua.LState, v any) glua.LValue { return glua.LNumber(v.(*logListener).l.Group()) },
	}, map[string]glua.LGFunction{
		"__tostring": func(L *glua.LState) int {
			ll := checkLogListener(L, 1)
			state := "active"
			if !ll.hd.Active() {
				state = "closed"
			}
			L.Push(glua.LString(fmt.Sprintf("nft.log_listener(group %d, %s, %d events)", ll.l.Group(), state, ll.events)))
			return 1
		},
	})
}

func checkLogListener(L *glua.LState, n int) *logListener {
	return lua.Check[*logListener](L, n, logListenerType)
}

// logStats implements l:stats(): the listener's counters and the Lua
// side's (events = packets delivered to the callback, losses = loss
// events, errors = callback errors).
func logStats(L *glua.LState) int {
	ll := checkLogListener(L, 1)
	st := ll.l.Stats()
	t := countersTable(L, map[string]uint64{
		"datagrams": st.Datagrams, "packets": st.Packets, "delivered": st.Delivered, "dropped": st.Dropped,
		"overruns": st.Overruns, "seq_lost": st.SeqLost, "decode_errors": st.DecodeErrors,
		"kernel_drops": st.KernelDrops, "rcvbuf": uint64(st.RcvBuf),
		"batch_bytes": uint64(st.BatchBytes), "batch_packets": uint64(st.BatchPackets), "adaptations": st.Adaptations,
		"events": ll.events, "losses": ll.losses, "errors": ll.errors,
		"lost": st.Dropped + st.SeqLost,
	})
	L.Push(t)
	return 1
}

// countersTable returns a Lua table of the counters, as numbers.
func countersTable(L *glua.LState, counters map[string]uint64) *glua.LTable {
	t := L.CreateTable(0, len(counters))
	for k, v := range counters {
		t.RawSetString(k, glua.LNumber(v))
	}
	return t
}

// logClose implements l:close(): the socket is closed and the callback is
// not called again.
func logClose(L *glua.LState) int {
	ll := checkLogListener(L, 1)
	ll.hd.Cancel()
	return 0
}

// tagLogPrefix gives the log statements of a tagged rule that have no
// prefix of their own the prefix "nfsh:TAG: ", so that a log listener's
// events name the rule that fired (ev.tag). A prefix the rule text sets is
// left alone.
func tagLogPrefix(r *ruleset.Rule, tag string) {
	for i, e := range r.Exprs {
		if l, ok := e.(*expr.Log); ok && l.Prefix == nil {
			c := *l
			p := LogPrefix(tag, "")
			c.Prefix = &p
			r.Exprs[i] = &c
		}
	}
}
