package monitor

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/format"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// Defaults of Options.
const (
	DefaultRcvBuf = 8 << 20 // socket receive buffer
	DefaultBuffer = 256     // commits buffered in the channel
	maxPullTries  = 100     // snapshot attempts while the generation keeps moving
	recvBufSize   = 1 << 20 // one datagram; notifications are far smaller
)

// Options configure Subscribe and Snapshot.
type Options struct {
	// NetNS is the network namespace to watch; the zero value is the
	// caller's.
	NetNS nfnl.NetNS
	// RcvBuf is the socket receive buffer in bytes (SO_RCVBUF, forced
	// where permitted); 0 means DefaultRcvBuf. Events that do not fit are
	// lost and reported as a resync.
	RcvBuf int
	// Buffer is the capacity of the commit channel; 0 means
	// DefaultBuffer. When it is full the stream stops reading the socket
	// until the receiver catches up.
	Buffer int
	// Pull reads the ruleset for snapshots; nil means core/kernel.Pull of
	// the whole namespace.
	Pull PullFunc
	// NoText skips printing new rules as nft text (Event.Text).
	NoText bool
}

// Stream is a live subscription to ruleset changes. Its methods may be
// called from any goroutine.
type Stream struct {
	opts  Options
	sub   *nfnl.Conn
	query *nfnl.Conn // snapshot streams: the socket re-pulls go through
	snap  bool       // deliver only commits after gen
	gen   uint32

	ch     chan Commit
	done   chan struct{}
	exited chan struct{}
	once   sync.Once
	mu     sync.Mutex
	err    error

	asm    assembler
	shadow map[tableKey]*ruleset.Table // set declarations, for rule text

	commits, events, skipped, overruns, resyncs, stray, undecoded atomic.Uint64
}

// Subscribe joins the ruleset change group of the namespace opts.NetNS
// names and starts delivering commits on Commits. It does not pull:
// changes before the call are not reported, and the receiver has no
// baseline (use Snapshot for one).
func Subscribe(opts Options) (*Stream, error) {
	s, err := subscribe(opts)
	if err != nil {
		return nil, err
	}
	if !opts.NoText {
		// Named set declarations make rules that use them print right.
		if q, err := s.dialQuery(); err == nil {
			if rs, err := pullSets(q); err == nil {
				s.shadow = shadowOf(rs)
			}
			q.Close()
		}
	}
	go s.run()
	return s, nil
}

// Snapshot subscribes, then pulls the ruleset at a generation no commit
// changed while the pull ran, and returns that ruleset and a stream of
// exactly the commits after it: every later change arrives once, nothing
// the snapshot holds is repeated. Apply(snapshot, commit) for each commit
// keeps the value in step with the kernel.
func Snapshot(opts Options) (*ruleset.Ruleset, *Stream, error) {
	s, err := subscribe(opts)
	if err != nil {
		return nil, nil, err
	}
	q, err := s.dialQuery()
	if err != nil {
		s.sub.Close()
		return nil, nil, err
	}
	s.query, s.snap = q, true
	rs, gen, err := s.pullConsistent()
	if err != nil {
		s.sub.Close()
		q.Close()
		return nil, nil, err
	}
	s.gen = gen
	s.shadow = shadowOf(rs)
	go s.run()
	return rs, s, nil
}

func subscribe(opts Options) (*Stream, error) {
	if opts.RcvBuf == 0 {
		opts.RcvBuf = DefaultRcvBuf
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	if opts.Pull == nil {
		opts.Pull = pullAll
	}
	c, err := nfnl.Dial(nfnl.Options{NetNS: opts.NetNS})
	if err != nil {
		return nil, err
	}
	s := &Stream{opts: opts, sub: c, ch: make(chan Commit, opts.Buffer), done: make(chan struct{}), exited: make(chan struct{})}
	fail := func(op string, err error) (*Stream, error) {
		c.Close()
		return nil, &diag.Error{Op: op, Err: err, Errno: diag.ErrnoOf(err)}
	}
	if err := c.SetRcvBuf(opts.RcvBuf); err != nil {
		return fail("monitor set SO_RCVBUF", err)
	}
	if err := c.Netlink().JoinGroup(unix.NFNLGRP_NFTABLES); err != nil {
		return fail("monitor join NFNLGRP_NFTABLES", err)
	}
	return s, nil
}

// dialQuery opens a second socket in the subscription's namespace, for
// GETGEN and dumps (a dump on the subscription socket would interleave
// with the events).
func (s *Stream) dialQuery() (*nfnl.Conn, error) {
	ns := s.opts.NetNS
	if fd := s.sub.NetNSFD(); fd >= 0 {
		ns = nfnl.NetNSPath(fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), fd))
	}
	return nfnl.Dial(nfnl.Options{NetNS: ns})
}

// pullConsistent pulls until the generation read before the pull equals
// the one read after it, and returns the ruleset and that generation.
func (s *Stream) pullConsistent() (*ruleset.Ruleset, uint32, error) {
	for range maxPullTries {
		g0, err := s.query.GenID()
		if err != nil {
			return nil, 0, err
		}
		rs, perr := s.opts.Pull(s.query)
		g1, err := s.query.GenID()
		if err != nil {
			return nil, 0, err
		}
		if g0 != g1 {
			continue // a commit landed during the pull (perhaps failing it): again
		}
		if perr != nil {
			return nil, 0, perr
		}
		return rs, g1, nil
	}
	return nil, 0, &diag.Error{Op: "monitor snapshot", Msg: fmt.Sprintf("the ruleset changed during each of %d pulls", maxPullTries)}
}

// Commits returns the channel commits arrive on, in commit order. It is
// closed when the stream ends (Close, or a socket error: see Err).
func (s *Stream) Commits() <-chan Commit { return s.ch }

// Gen returns the generation of the snapshot the stream started from (0
// for a plain subscription).
func (s *Stream) Gen() uint32 { return s.gen }

// Err returns the error that ended the stream, or nil.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the stream and closes its sockets; Commits is closed.
func (s *Stream) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.sub.Close()
		<-s.exited
		if s.query != nil {
			s.query.Close()
		}
	})
	return err
}

// Stats returns the stream's counters.
func (s *Stream) Stats() Stats {
	return Stats{
		Commits: s.commits.Load(), Events: s.events.Load(), Skipped: s.skipped.Load(),
		Overruns: s.overruns.Load(), Resyncs: s.resyncs.Load(), Stray: s.stray.Load(), Undecoded: s.undecoded.Load(),
	}
}

func (s *Stream) stopped() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *Stream) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

// run reads the socket until Close or an error.
func (s *Stream) run() {
	defer close(s.exited)
	defer close(s.ch)
	buf := make([]byte, recvBufSize)
	for !s.stopped() {
		n, err := s.sub.RecvDatagram(buf)
		if s.stopped() {
			return
		}
		if errors.Is(err, unix.ENOBUFS) {
			if !s.overrun(buf) {
				return
			}
			continue
		}
		if err != nil {
			s.fail(&diag.Error{Op: "monitor recvmsg", Err: err, Errno: diag.ErrnoOf(err)})
			return
		}
		ok := true
		perr := s.asm.datagram(append([]byte(nil), buf[:n]...), func(c Commit) {
			if ok {
				ok = s.commit(c)
			}
		}, func(n int) { s.stray.Add(uint64(n)) })
		if perr != nil {
			s.fail(&diag.Error{Op: "monitor", Err: perr})
			return
		}
		if !ok {
			return
		}
	}
}

// after reports whether generation a is newer than b (ids wrap around).
func after(a, b uint32) bool { return int32(a-b) > 0 }

// commit delivers c unless the snapshot already holds it; false when the
// stream was closed meanwhile.
func (s *Stream) commit(c Commit) bool {
	if s.snap && !after(c.Gen, s.gen) {
		s.skipped.Add(1)
		return true
	}
	s.annotate(&c)
	for i := range c.Events {
		if c.Events[i].Kind == KindUnknown {
			s.undecoded.Add(1)
		}
	}
	select {
	case s.ch <- c:
		s.commits.Add(1)
		s.events.Add(uint64(len(c.Events)))
		return true
	case <-s.done:
		return false
	}
}

// overrun handles ENOBUFS: the queued datagrams and the commit being
// assembled are dropped and a resync marker delivered; a snapshot stream
// re-pulls first. It returns false when the stream must end.
func (s *Stream) overrun(buf []byte) bool {
	s.overruns.Add(1)
	s.asm.reset()
	if err := s.sub.DiscardQueued(buf); err != nil {
		s.fail(&diag.Error{Op: "monitor recvmsg", Err: err, Errno: diag.ErrnoOf(err)})
		return false
	}
	c := Commit{Resync: true}
	if s.snap {
		rs, gen, err := s.pullConsistent()
		if err != nil {
			s.fail(err)
			return false
		}
		s.gen, c.Gen, c.Snapshot = gen, gen, rs
		s.shadow = shadowOf(rs)
	}
	select {
	case s.ch <- c:
		s.resyncs.Add(1)
		return true
	case <-s.done:
		return false
	}
}

// annotate keeps the set declarations current and prints new rules.
func (s *Stream) annotate(c *Commit) {
	if s.opts.NoText {
		return
	}
	if s.shadow == nil {
		s.shadow = map[tableKey]*ruleset.Table{}
	}
	for i := range c.Events {
		e := &c.Events[i]
		k := tableKey{e.Family, e.Table}
		switch e.Kind {
		case KindTable:
			if e.Op == OpDelete {
				delete(s.shadow, k)
			}
		case KindSet:
			if e.SetObj.Anonymous() {
				continue
			}
			t := s.shadowTable(k)
			t.Sets = slices.DeleteFunc(t.Sets, func(x *ruleset.Set) bool { return x.Name == e.Set })
			if e.Op == OpNew {
				t.Sets = append(t.Sets, e.SetObj)
			}
		case KindRule:
			if e.Op == OpNew {
				if txt, err := format.Rule(s.shadowTable(k), e.Rule); err == nil {
					e.Text = txt
				}
			}
		}
	}
}

func (s *Stream) shadowTable(k tableKey) *ruleset.Table {
	t := s.shadow[k]
	if t == nil {
		t = &ruleset.Table{Family: k.family, Name: k.name}
		s.shadow[k] = t
	}
	return t
}

// shadowOf returns copies of the set declarations of rs by table (the
// caller owns rs and may change it while the stream prints).
func shadowOf(rs *ruleset.Ruleset) map[tableKey]*ruleset.Table {
	m := map[tableKey]*ruleset.Table{}
	for _, t := range rs.Tables {
		st := &ruleset.Table{Family: t.Family, Name: t.Name}
		for _, set := range t.Sets {
			cp := *set
			cp.Elements = nil
			st.Sets = append(st.Sets, &cp)
		}
		m[tableKey{t.Family, t.Name}] = st
	}
	return m
}

// PullFunc reads the whole ruleset of the namespace c lives in.
type PullFunc func(c *nfnl.Conn) (*ruleset.Ruleset, error)

func pullAll(c *nfnl.Conn) (*ruleset.Ruleset, error) { return kernel.Pull(c, kernel.PullOptions{}) }

// pullSets reads the named set declarations (without elements).
func pullSets(c *nfnl.Conn) (*ruleset.Ruleset, error) {
	rs := &ruleset.Ruleset{}
	err := c.Dump(nfnl.DumpRequest{Type: unix.NFT_MSG_GETSET, Family: unix.NFPROTO_UNSPEC, Reset: func() { rs.Tables = nil }}, func(m nfnl.Msg) error {
		tn, set, err := wire.DecodeSet(append([]byte(nil), m.Attrs...))
		if err != nil || set.Anonymous() {
			return err
		}
		fam := ruleset.Family(m.Family)
		t := rs.Table(fam, tn)
		if t == nil {
			t = &ruleset.Table{Family: fam, Name: tn}
			rs.Tables = append(rs.Tables, t)
		}
		t.Sets = append(t.Sets, set)
		return nil
	})
	return rs, err
}
