// Package nflog listens to NFLOG groups (the `log group N` statement of
// nftables) on the NFNL_SUBSYS_ULOG nfnetlink subsystem and delivers every
// logged packet, decoded, as a plain Go value on a bounded channel.
//
//	l, err := nflog.Listen(nflog.Options{Group: 7, Seq: true})
//	if err != nil { ... }
//	defer l.Close()
//	for ev := range l.Events() {
//		switch ev.Kind {
//		case nflog.EventPacket:
//			fmt.Println(ev.Packet)
//		case nflog.EventLoss:
//			fmt.Println("lost:", ev.Loss)
//		}
//	}
//
// A consumer that must keep up with a flood takes whole kernel batches and
// lets the listener reuse their memory, so that nothing is allocated per
// packet:
//
//	l, err := nflog.Listen(nflog.Options{Group: 7, Seq: true, Block: true,
//		Batches: true, Reuse: true, NLBufSize: 64 << 10, QThreshold: 256})
//	...
//	for b := range l.Batches() {
//		for _, ev := range b {
//			count(ev.Packet) // ev.Packet.Clone() to keep one
//		}
//		l.Release(b)
//	}
//
// A listener runs one goroutine that reads a datagram (one kernel batch of
// up to QThreshold packets), decodes it and delivers its events, then
// reads the next: the socket receive buffer is the queue, and no datagram
// is handed between goroutines before it is decoded.
//
// Nothing in the package queues without bound: the kernel drops when the
// socket receive buffer is full (counted from ENOBUFS and the socket's drop
// counter), and the listener drops when the event channel is full (counted
// too). Either way a loss event tells the consumer, and the listener keeps
// going.
package nflog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/nfnl"
)

var ne = binary.NativeEndian

// recvBufSize is the size of one read: the kernel's batches are at most
// 128 KiB, and one packet larger than the batch size gets a message of its
// own (at most 64 KiB of payload plus metadata).
const recvBufSize = 256 << 10

// EventKind says what an Event reports.
type EventKind uint8

// Kinds of events.
const (
	EventPacket EventKind = iota + 1 // a logged packet
	EventLoss                        // packets were lost since the previous loss event
)

// String names the kind: "packet" or "loss".
func (k EventKind) String() string {
	switch k {
	case EventPacket:
		return "packet"
	case EventLoss:
		return "loss"
	}
	return "event(" + itoa(uint64(k)) + ")"
}

// Event is one report of a Listener.
type Event struct {
	Kind   EventKind
	Packet *Packet // EventPacket: the logged packet
	Loss   Loss    // EventLoss: what was lost since the previous loss event

	bt *batch // Options.Batches: the batch the event belongs to
}

// Loss counts what was lost between two loss events.
type Loss struct {
	// Overruns counts ENOBUFS errors: the socket receive buffer was full
	// and the kernel dropped at least one message (of up to QThreshold
	// packets) each time.
	Overruns uint64
	// Dropped counts packets the listener dropped because the event
	// channel was full.
	Dropped uint64
	// SeqLost counts packets missing from the NFULA_SEQ sequence (only
	// with Options.Seq): the exact number the kernel failed to deliver.
	SeqLost uint64
}

// String renders the loss as "overruns=N dropped=N seq_lost=N".
func (l Loss) String() string {
	return fmt.Sprintf("overruns=%d dropped=%d seq_lost=%d", l.Overruns, l.Dropped, l.SeqLost)
}

func (l Loss) zero() bool { return l == Loss{} }

// Stats are a listener's counters since Listen.
type Stats struct {
	Datagrams    uint64 // netlink datagrams read
	Packets      uint64 // packet messages decoded
	Delivered    uint64 // packet events put on the channel
	Dropped      uint64 // packet events dropped because the channel was full
	Overruns     uint64 // ENOBUFS errors read from the socket
	SeqLost      uint64 // packets missing from the NFULA_SEQ sequence
	DecodeErrors uint64 // messages that did not decode
	// KernelDrops is the socket's drop counter (SO_MEMINFO
	// SK_MEMINFO_DROPS): netlink messages the kernel could not queue.
	KernelDrops uint64
	RcvBuf      int // the socket receive buffer size in effect
	// BatchBytes and BatchPackets are the kernel batch in effect
	// (NFULA_CFG_NLBUFSIZ and NFULA_CFG_QTHRESH; 0 = the kernel's
	// default), which Options.Adapt changes; Adaptations counts the
	// changes.
	BatchBytes, BatchPackets uint32
	Adaptations              uint64
}

// Listener receives the packets of one NFLOG group. Its methods may be
// called from any goroutine.
type Listener struct {
	opts  Options
	nl    *netlink.Conn
	rc    syscall.RawConn
	names *ifNames
	ch    chan Event
	bch   chan []Event // Options.Batches: one slice per datagram
	done  chan struct{}

	// Options.Batches: batches given back with Release, and the one the
	// reader goroutine is filling.
	batchMu sync.Mutex
	free    []*batch
	cur     *batch

	closeOnce sync.Once
	wg        sync.WaitGroup
	err       error // terminal read error, set before ch closes

	rcvbuf int
	seq    uint32 // config request sequence numbers

	// The kernel batch in effect (Options.Adapt changes it; reader
	// goroutine), and when the last overrun was seen.
	batchBytes, batchPackets atomic.Uint32
	adaptations              atomic.Uint64
	lastOverrun              time.Time

	// Counters, written by the reader goroutine.
	datagrams, packets, delivered, dropped, overruns, seqLost, decodeErrs atomic.Uint64

	// Reader goroutine state.
	pending  Loss // loss not yet reported
	haveSeq  bool
	nextSeq  uint32
	bound    []uint8
	rbuf     []byte
	ackSeq   uint32
	ackErr   error
	ackSeen  bool
	readTime time.Time // receive time of the datagram being decoded
	started  bool      // the reader goroutine runs; Block applies
	prefix   string    // the last prefix decoded, reused while it repeats
}

// batch is the memory behind one slice of Options.Batches: the events,
// and with Options.Reuse the packets and the datagram they alias.
type batch struct {
	ev  []Event
	pk  []Packet
	buf []byte
}

// Listen binds opts.Group in opts.NetNS, configures it, and starts a
// goroutine that decodes logged packets onto the Events channel until
// Close. Errors are *diag.Error values carrying the kernel errno.
func Listen(opts Options) (*Listener, error) {
	if opts.NLBufSize != 0 && (opts.NLBufSize < nlBufSizMin || opts.NLBufSize > nlBufSizMax) {
		return nil, &diag.Error{Op: "nflog listen", Msg: fmt.Sprintf("NLBufSize %d outside %d..%d", opts.NLBufSize, nlBufSizMin, nlBufSizMax)}
	}
	if opts.Copy > CopyNone {
		return nil, &diag.Error{Op: "nflog listen", Msg: "unknown copy mode " + opts.Copy.String()}
	}
	nsfd, err := openNetNS(opts.NetNS)
	if err != nil {
		return nil, err
	}
	if nsfd >= 0 {
		defer unix.Close(nsfd)
	}
	cfg := &netlink.Config{}
	if nsfd >= 0 {
		cfg.NetNS = nsfd
	}
	nl, err := netlink.Dial(unix.NETLINK_NETFILTER, cfg)
	if err != nil {
		return nil, &diag.Error{Op: "nflog dial", Object: opts.NetNS.String(), Err: err, Errno: diag.ErrnoOf(err)}
	}
	events := opts.Events
	if events <= 0 {
		events = defaultEvents
	}
	l := &Listener{
		opts: opts,
		nl:   nl,
		done: make(chan struct{}),
		rbuf: make([]byte, recvBufSize),
		seq:  uint32(os.Getpid()) << 8,
	}
	if opts.Reuse && !opts.Batches {
		nl.Close()
		return nil, &diag.Error{Op: "nflog listen", Msg: "Reuse needs Batches: memory is reused when a batch is released"}
	}
	if opts.Batches {
		n := max(events/64, 4)
		l.ch = make(chan Event)
		l.bch = make(chan []Event, n)
	} else {
		l.ch = make(chan Event, events)
	}
	if err := l.setup(nsfd); err != nil {
		nl.Close()
		if l.names != nil {
			l.names.close()
		}
		return nil, err
	}
	l.started = true
	l.wg.Add(1)
	go l.run()
	return l, nil
}

// setup prepares the socket and sends the configuration.
func (l *Listener) setup(nsfd int) error {
	o := l.opts
	var err error
	if l.rc, err = l.nl.SyscallConn(); err != nil {
		return &diag.Error{Op: "nflog socket", Err: err}
	}
	rcv := o.RcvBuf
	if rcv <= 0 {
		rcv = defaultRcvBuf
	}
	if err := l.setRcvBuf(rcv); err != nil {
		return &diag.Error{Op: "nflog set SO_RCVBUF", Err: err, Errno: diag.ErrnoOf(err)}
	}
	if !o.NoNames {
		if l.names, err = newIfNames(nsfd); err != nil {
			return err
		}
	}
	for _, pf := range o.BindFamilies {
		if err := l.bindFamily(nsfd, pf); err != nil {
			return err
		}
	}
	// The bind comes first, on its own, so that a busy group fails before
	// anything else changes.
	if err := l.config(0, attrU8(cfgCmd, cmdBind)); err != nil {
		return l.configError("bind group", err)
	}
	var attrs []byte
	rng := o.Snaplen
	if o.Copy != CopyPacket {
		rng = 0
	} else if rng == 0 || rng > copyRangeMax {
		rng = copyRangeMax
	}
	mode := make([]byte, 6)
	be.PutUint32(mode, rng)
	mode[4] = o.Copy.wire()
	attrs = appendAttr(attrs, cfgMode, mode)
	if o.FlushTimeout > 0 {
		cs := uint32((o.FlushTimeout + 10*time.Millisecond - 1) / (10 * time.Millisecond))
		attrs = appendAttr(attrs, cfgTimeout, be.AppendUint32(nil, cs))
	}
	if o.QThreshold > 0 {
		attrs = appendAttr(attrs, cfgQThresh, be.AppendUint32(nil, o.QThreshold))
	}
	if o.NLBufSize > 0 {
		attrs = appendAttr(attrs, cfgNLBufSiz, be.AppendUint32(nil, o.NLBufSize))
	}
	var flags uint16
	if o.Seq {
		flags |= flagSeq
	}
	if o.SeqGlobal {
		flags |= flagSeqGlobal
	}
	if o.Conntrack {
		flags |= flagConntrack
	}
	if flags != 0 {
		attrs = appendAttr(attrs, cfgFlags, be.AppendUint16(nil, flags))
	}
	err = l.config(0, attrs)
	if errors.Is(err, unix.EAGAIN) {
		// The kernel just loaded ctnetlink for the Conntrack flag and asks
		// for a retry.
		err = l.config(0, attrs)
	}
	if err != nil {
		return l.configError("configure group", err)
	}
	l.batchBytes.Store(o.NLBufSize)
	l.batchPackets.Store(o.QThreshold)
	return nil
}

func (l *Listener) configError(op string, err error) error {
	e := &diag.Error{Op: "nflog " + op, Object: fmt.Sprintf("group %d", l.opts.Group), Err: err, Errno: diag.ErrnoOf(err)}
	switch e.Errno {
	case unix.EPERM, unix.EBUSY:
		e.Hint = "another socket in this network namespace has bound the group"
	case unix.EOPNOTSUPP:
		e.Hint = "the kernel lacks ctnetlink for the conntrack flag"
	}
	return e
}

// Events returns the channel of events. It is closed when the listener
// stops, after Close or a fatal socket error (see Err). With
// Options.Batches it carries nothing (see Batches).
func (l *Listener) Events() <-chan Event { return l.ch }

// Batches returns the channel of event slices of a listener made with
// Options.Batches (nil otherwise): one slice per datagram the kernel sent,
// in order. It is closed when the listener stops. A slice belongs to the
// consumer until it hands it back with Release. The Packets its events
// point to are the consumer's for good, except with Options.Reuse, where
// they are valid only until Release.
func (l *Listener) Batches() <-chan []Event { return l.bch }

// Release gives a slice received from Batches back to the listener for
// reuse (with Options.Reuse, its packets too). The caller must not touch
// the slice, or with Reuse its packets, afterwards. Releasing is
// optional: a batch not released is garbage collected.
func (l *Listener) Release(b []Event) {
	if cap(b) == 0 {
		return
	}
	bt := b[:1][0].bt
	if bt == nil || &bt.ev[:1][0] != &b[:1][0] {
		return // not a slice of this listener's batches
	}
	l.putBatch(bt)
}

// putBatch clears a batch and puts it on the free list, which holds at
// most as many batches as the Batches channel plus two.
func (l *Listener) putBatch(bt *batch) {
	clear(bt.ev[:cap(bt.ev)])
	bt.ev = bt.ev[:0]
	l.batchMu.Lock()
	if len(l.free) < cap(l.bch)+2 {
		l.free = append(l.free, bt)
	}
	l.batchMu.Unlock()
}

// Err returns the error that stopped the listener, or nil after Close.
// It is meaningful once Events is closed.
func (l *Listener) Err() error {
	select {
	case <-l.done:
	default:
		return nil
	}
	return l.err
}

// Group returns the bound group.
func (l *Listener) Group() uint16 { return l.opts.Group }

// BoundFamilies returns the families this listener made nfnetlink_log the
// default logger for (see Options.BindFamilies).
func (l *Listener) BoundFamilies() []uint8 { return append([]uint8(nil), l.bound...) }

// Close stops the listener and closes its socket, which unbinds the group
// in the kernel. Events already on the channel stay readable; the channel
// is closed once the reader goroutine has stopped.
func (l *Listener) Close() error {
	var err error
	l.closeOnce.Do(func() {
		close(l.done)
		err = l.nl.Close()
		l.wg.Wait()
		if l.names != nil {
			l.names.close()
		}
	})
	return err
}

// Stats returns the counters.
func (l *Listener) Stats() Stats {
	s := Stats{
		Datagrams:    l.datagrams.Load(),
		Packets:      l.packets.Load(),
		Delivered:    l.delivered.Load(),
		Dropped:      l.dropped.Load(),
		Overruns:     l.overruns.Load(),
		SeqLost:      l.seqLost.Load(),
		DecodeErrors: l.decodeErrs.Load(),
		RcvBuf:       l.rcvbuf,
		BatchBytes:   l.batchBytes.Load(),
		BatchPackets: l.batchPackets.Load(),
		Adaptations:  l.adaptations.Load(),
	}
	var mem [unix.SK_MEMINFO_VARS]uint32
	_ = l.rc.Control(func(fd uintptr) {
		n := uint32(len(mem) * 4)
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafePointer(&mem[0])), uintptr(unsafePointer(&n)), 0)
		if e == 0 {
			s.KernelDrops = uint64(mem[unix.SK_MEMINFO_DROPS])
		}
	})
	return s
}

// run is the reader goroutine: it reads a datagram, decodes it and
// delivers its events, until Close or a fatal socket error. It closes the
// event channels when it stops.
func (l *Listener) run() {
	defer l.wg.Done()
	defer close(l.ch)
	if l.bch != nil {
		defer close(l.bch)
	}
	for {
		n, err := l.recv()
		switch {
		case err == nil:
			if n > 0 && !l.handle(l.rbuf[:n]) {
				return
			}
			if l.opts.Adapt {
				l.grow()
			}
		case errors.Is(err, unix.ENOBUFS):
			l.overruns.Add(1)
			l.pending.Overruns++
			if l.opts.Adapt {
				l.shrink()
			}
			if l.bch != nil {
				l.startBatch(1)
				if !l.sendBatch() {
					return
				}
			} else if !l.flushLoss(false) {
				return
			}
		default:
			select {
			case <-l.done:
			default:
				l.err = &diag.Error{Op: "nflog receive", Object: fmt.Sprintf("group %d", l.opts.Group), Err: err, Errno: diag.ErrnoOf(err)}
			}
			return
		}
	}
}

// shrink halves the kernel batch after an overrun (Options.Adapt).
func (l *Listener) shrink() {
	l.lastOverrun = time.Now()
	b, p := l.batch()
	nb, np := max(b/2, adaptMinBytes), max(p/2, adaptMinPackets)
	if nb != b || np != p {
		l.setBatch(nb, np)
	}
}

// grow doubles the kernel batch, up to the configured one, once no
// overrun was seen for Options.AdaptQuiet (Options.Adapt).
func (l *Listener) grow() {
	b, p := l.batch()
	wb, wp := l.opts.NLBufSize, l.opts.QThreshold
	quiet := l.opts.AdaptQuiet
	if quiet <= 0 {
		quiet = defaultAdaptQuiet
	}
	if (b >= wb && p >= wp) || l.readTime.Sub(l.lastOverrun) < quiet {
		return
	}
	l.lastOverrun = l.readTime // the next step waits AdaptQuiet again
	l.setBatch(min(b*2, wb), min(p*2, wp))
}

// batch returns the kernel batch in effect, with the kernel's defaults
// for unset values.
func (l *Listener) batch() (bytes, packets uint32) {
	bytes, packets = l.batchBytes.Load(), l.batchPackets.Load()
	if bytes == 0 {
		bytes = nlBufSizMin
	}
	if packets == 0 {
		packets = 100 // NFULNL_QTHRESH_DEFAULT
	}
	return bytes, packets
}

// setBatch configures the group's kernel batch. The request asks for no
// acknowledgement, which a full socket buffer could drop: the kernel
// applies a configuration while sendto runs, and only an invalid one
// (nfsh sends none) would be refused.
func (l *Listener) setBatch(bytes, packets uint32) {
	attrs := appendAttr(nil, cfgNLBufSiz, be.AppendUint32(nil, bytes))
	attrs = appendAttr(attrs, cfgQThresh, be.AppendUint32(nil, packets))
	if l.send(0, l.opts.Group, attrs, 0) != nil {
		return
	}
	l.batchBytes.Store(bytes)
	l.batchPackets.Store(packets)
	l.adaptations.Add(1)
}

// recv reads one datagram into the read buffer and returns its length (0
// for a datagram too large for the buffer, counted as a decode error).
func (l *Listener) recv() (int, error) {
	var n int
	var rerr error
	err := l.rc.Read(func(fd uintptr) bool {
		// recvfrom(2) without a source address (the kernel is the only
		// sender a netlink socket hears from), as a raw system call: with
		// MSG_DONTWAIT it never blocks, so it need not tell the scheduler.
		r, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(unsafePointer(&l.rbuf[0])), uintptr(len(l.rbuf)),
			unix.MSG_DONTWAIT|unix.MSG_TRUNC, 0, 0)
		n, rerr = int(r), nil
		if e != 0 {
			n, rerr = 0, e
		}
		return rerr != unix.EAGAIN && rerr != unix.EINTR
	})
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	l.readTime = time.Now()
	l.datagrams.Add(1)
	if n > len(l.rbuf) {
		l.decodeErrs.Add(1)
		return 0, nil
	}
	return n, nil
}

// handle decodes the messages of one datagram (in the read buffer) and
// delivers them. The packets alias a copy of the datagram: a fresh one,
// or with Options.Reuse the batch's own. It returns false when the
// listener is closing.
func (l *Listener) handle(b []byte) bool {
	// Count the packet messages to allocate their Packets at once.
	count := 0
	walkMsgs(b, func(typ uint16, m []byte) {
		if typ == subsysULOG<<8|msgPacket {
			count++
		}
	})
	var ps []Packet
	if l.bch != nil {
		l.startBatch(count + 1)
	}
	if count > 0 {
		if bt := l.cur; bt != nil && l.opts.Reuse {
			bt.buf = append(bt.buf[:0], b...)
			b = bt.buf
			if cap(bt.pk) < count {
				bt.pk = make([]Packet, count, max(count, 32))
			}
			ps = bt.pk[:count]
		} else {
			b = append([]byte(nil), b...)
			ps = make([]Packet, count)
		}
	}
	i, decoded := 0, uint64(0)
	ok := true
	walkMsgs(b, func(typ uint16, m []byte) {
		if !ok {
			return
		}
		switch typ {
		case subsysULOG<<8 | msgPacket:
			p := &ps[i]
			i++
			if err := decodeMessage(m, p, &l.prefix); err != nil {
				l.decodeErrs.Add(1)
				return
			}
			decoded++
			p.Received = l.readTime
			if l.names != nil {
				p.In = l.names.name(p.InIndex, l.readTime)
				p.Out = l.names.name(p.OutIndex, l.readTime)
				p.PhysIn = l.names.name(p.PhysInIndex, l.readTime)
				p.PhysOut = l.names.name(p.PhysOutIndex, l.readTime)
			}
			if p.Present.Has(HasSeq) {
				if l.haveSeq && p.Seq != l.nextSeq && p.Seq-l.nextSeq < 1<<31 {
					gap := uint64(p.Seq - l.nextSeq)
					l.seqLost.Add(gap)
					l.pending.SeqLost += gap
				}
				l.haveSeq, l.nextSeq = true, p.Seq+1
			}
			ok = l.deliver(p)
		case nlmsgError:
			l.ack(m)
		case nlmsgOverrun:
			l.overruns.Add(1)
			l.pending.Overruns++
		}
	})
	l.packets.Add(decoded)
	if l.bch != nil && ok {
		ok = l.sendBatch()
	}
	return ok
}

// startBatch takes a batch for the events of one datagram from the free
// list, or makes one with room for n.
func (l *Listener) startBatch(n int) {
	l.batchMu.Lock()
	if k := len(l.free); k > 0 {
		l.cur = l.free[k-1]
		l.free = l.free[:k-1]
	} else {
		l.cur = &batch{}
	}
	l.batchMu.Unlock()
	if cap(l.cur.ev) < n {
		l.cur.ev = make([]Event, 0, max(n, 32))
	}
}

// recycle puts the batch being filled back on the free list.
func (l *Listener) recycle() {
	bt := l.cur
	l.cur = nil
	l.putBatch(bt)
}

// sendBatch puts the slice being filled on the Batches channel, after a
// loss event when loss is pending. Without Block a full channel drops the
// slice, and its packets are counted as dropped. It returns false when
// the listener is closing.
func (l *Listener) sendBatch() bool {
	bt := l.cur
	if len(bt.ev) == 0 && l.pending.zero() {
		l.recycle()
		return true
	}
	pending := l.pending
	if !pending.zero() {
		bt.ev = append(bt.ev, Event{})
		copy(bt.ev[1:], bt.ev)
		bt.ev[0] = Event{Kind: EventLoss, Loss: pending}
		l.pending = Loss{}
	}
	b := bt.ev
	n := uint64(len(b))
	if !pending.zero() {
		n--
	}
	// Hand the batch out, each event naming it for Release; without Reuse
	// its packets and datagram are the consumer's.
	for i := range b {
		b[i].bt = bt
	}
	if !l.opts.Reuse {
		bt.pk, bt.buf = nil, nil
	}
	l.cur = nil
	if l.opts.Block && l.started {
		select {
		case l.bch <- b:
			l.delivered.Add(n)
			return true
		case <-l.done:
			l.Release(b)
			return false
		}
	}
	select {
	case l.bch <- b:
		l.delivered.Add(n)
	default:
		l.dropped.Add(n)
		l.pending = pending
		l.pending.Dropped += n
		l.Release(b)
	}
	return true
}

// deliver puts a packet event on the channel, reporting pending loss first.
func (l *Listener) deliver(p *Packet) bool {
	if l.bch != nil {
		l.cur.ev = append(l.cur.ev, Event{Kind: EventPacket, Packet: p})
		return true
	}
	block := l.opts.Block && l.started
	if !l.flushLoss(block) {
		return false
	}
	ev := Event{Kind: EventPacket, Packet: p}
	if block {
		select {
		case l.ch <- ev:
			l.delivered.Add(1)
			return true
		case <-l.done:
			return false
		}
	}
	select {
	case l.ch <- ev:
		l.delivered.Add(1)
	default:
		l.dropped.Add(1)
		l.pending.Dropped++
	}
	return true
}

// flushLoss reports pending loss as an event when there is room (or waits
// for room with block). It returns false when the listener is closing.
func (l *Listener) flushLoss(block bool) bool {
	if l.pending.zero() {
		return true
	}
	ev := Event{Kind: EventLoss, Loss: l.pending}
	if block {
		select {
		case l.ch <- ev:
			l.pending = Loss{}
			return true
		case <-l.done:
			return false
		}
	}
	select {
	case l.ch <- ev:
		l.pending = Loss{}
	default:
	}
	return true
}

// walkMsgs calls fn for each complete netlink message in b.
func walkMsgs(b []byte, fn func(typ uint16, m []byte)) {
	for len(b) >= nlmsgHdrLen {
		n := int(ne.Uint32(b))
		if n < nlmsgHdrLen || n > len(b) {
			return
		}
		fn(ne.Uint16(b[4:]), b[:n])
		n = (n + 3) &^ 3
		if n > len(b) {
			return
		}
		b = b[n:]
	}
}

// ack records the result of a config request from an NLMSG_ERROR message.
func (l *Listener) ack(m []byte) {
	if len(m) < nlmsgHdrLen+4 {
		return
	}
	if ne.Uint32(m[8:]) != l.ackSeq {
		return
	}
	l.ackSeen = true
	if code := int32(ne.Uint32(m[nlmsgHdrLen:])); code < 0 {
		l.ackErr = syscall.Errno(-code)
	} else {
		l.ackErr = nil
	}
}

// config sends one NFULNL_MSG_CONFIG request for the group with the given
// family and attributes, and waits for its acknowledgement. Packets that
// arrive meanwhile are delivered as usual.
func (l *Listener) config(family uint8, attrs []byte) error {
	return l.request(family, l.opts.Group, attrs)
}

func (l *Listener) request(family uint8, group uint16, attrs []byte) error {
	if err := l.send(family, group, attrs, nlmNFAck); err != nil {
		return err
	}
	l.ackSeq, l.ackSeen, l.ackErr = l.seq, false, nil
	if err := l.nl.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	defer l.nl.SetReadDeadline(time.Time{})
	for !l.ackSeen {
		n, err := l.recv()
		if errors.Is(err, unix.ENOBUFS) {
			l.overruns.Add(1)
			l.pending.Overruns++
			continue
		}
		if err != nil {
			return err
		}
		l.handle(l.rbuf[:n])
	}
	return l.ackErr
}

// send sends one NFULNL_MSG_CONFIG request with the given extra flags
// (NLM_F_ACK or none). The kernel handles it before sendto returns.
func (l *Listener) send(family uint8, group uint16, attrs []byte, flags uint16) error {
	l.seq++
	if l.seq == 0 {
		l.seq = 1
	}
	msg := make([]byte, nlmsgHdrLen+nfgenmsgLen, nlmsgHdrLen+nfgenmsgLen+len(attrs))
	msg = append(msg, attrs...)
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], subsysULOG<<8|msgConfig)
	ne.PutUint16(msg[6:], nlmNFRequest|flags)
	ne.PutUint32(msg[8:], l.seq)
	msg[16] = family
	msg[17] = nfnetlinkVersion
	be.PutUint16(msg[18:], group)

	var serr error
	err := l.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN && serr != unix.EINTR
	})
	if err == nil {
		err = serr
	}
	return err
}

// setRcvBuf sets SO_RCVBUF with SO_RCVBUFFORCE (falling back to the capped
// option) and records the size the kernel settled on.
func (l *Listener) setRcvBuf(n int) error {
	var serr error
	err := l.rc.Control(func(fd uintptr) {
		v := n / 2 // the kernel doubles what it is given
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, v)
		if serr != nil {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, v)
		}
		if serr == nil {
			l.rcvbuf, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// appendAttr appends one netlink attribute, padded to 4 bytes.
func appendAttr(b []byte, typ uint16, data []byte) []byte {
	var h [4]byte
	ne.PutUint16(h[0:], uint16(4+len(data)))
	ne.PutUint16(h[2:], typ)
	b = append(b, h[:]...)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func attrU8(typ uint16, v uint8) []byte { return appendAttr(nil, typ, []byte{v}) }

// openNetNS opens the namespace file ns names, or returns -1 for the
// current namespace.
func openNetNS(ns nfnl.NetNS) (int, error) {
	switch ns.Kind {
	case nfnl.NetNSCurrent:
		return -1, nil
	case nfnl.NetNSPathKind:
		fd, err := unix.Open(ns.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, &diag.Error{Op: "open netns", Object: ns.Path, Err: err, Errno: diag.ErrnoOf(err)}
		}
		return fd, nil
	}
	return -1, &diag.Error{Op: "nflog listen", Object: ns.String(), Msg: "a throwaway namespace has nothing to log; name one"}
}
