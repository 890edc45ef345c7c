package trace

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Defaults of Options.
const (
	DefaultRcvBuf = 4 << 20 // socket receive buffer
	DefaultBuffer = 1024    // traces buffered in the channel
	recvBufSize   = 1 << 16 // one datagram; a trace message is well under 1 KiB
)

// Options configure Listen.
type Options struct {
	// NetNS is the network namespace to trace in; the zero value is the
	// caller's.
	NetNS nfnl.NetNS
	// RcvBuf is the socket receive buffer in bytes (SO_RCVBUF, forced
	// where permitted); 0 means DefaultRcvBuf. Traces that do not fit
	// are lost and reported by an Event with Lost set.
	RcvBuf int
	// Buffer is the capacity of the event channel; 0 means
	// DefaultBuffer. When it is full the stream stops reading the socket
	// until the receiver catches up (the kernel then drops traces).
	Buffer int
}

// Event is what a Stream delivers: a trace, or (Lost) the news that the
// socket overflowed and traces were dropped before this point.
type Event struct {
	Trace Trace
	Lost  bool
}

// Stats are a stream's counters.
type Stats struct {
	Traces    uint64 // traces delivered
	Overruns  uint64 // socket overruns (ENOBUFS): traces were lost
	Undecoded uint64 // trace messages that did not decode (skipped)
	Stray     uint64 // messages of other types (skipped)
}

// Stream is a live subscription to packet traces. Its methods may be
// called from any goroutine.
type Stream struct {
	opts Options
	c    *nfnl.Conn

	ch     chan Event
	done   chan struct{}
	exited chan struct{}
	once   sync.Once
	mu     sync.Mutex
	err    error

	traces, overruns, undecoded, stray atomic.Uint64
}

// Listen joins the trace group (NFNLGRP_NFTRACE) of the namespace
// opts.NetNS names and starts delivering traces on Events. Only packets
// marked by `meta nftrace set 1` are traced.
func Listen(opts Options) (*Stream, error) {
	if opts.RcvBuf <= 0 {
		opts.RcvBuf = DefaultRcvBuf
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	c, err := nfnl.Dial(nfnl.Options{NetNS: opts.NetNS})
	if err != nil {
		return nil, err
	}
	s := &Stream{opts: opts, c: c, ch: make(chan Event, opts.Buffer), done: make(chan struct{}), exited: make(chan struct{})}
	fail := func(op string, err error) (*Stream, error) {
		c.Close()
		return nil, &diag.Error{Op: op, Err: err, Errno: diag.ErrnoOf(err)}
	}
	if err := c.SetRcvBuf(opts.RcvBuf); err != nil {
		return fail("trace set SO_RCVBUF", err)
	}
	if err := c.Netlink().JoinGroup(unix.NFNLGRP_NFTRACE); err != nil {
		return fail("trace join NFNLGRP_NFTRACE", err)
	}
	go s.run()
	return s, nil
}

// Pull reads the whole ruleset of the stream's namespace (for a Printer)
// on a socket of its own.
func (s *Stream) Pull() (*ruleset.Ruleset, error) {
	ns := s.opts.NetNS
	if fd := s.c.NetNSFD(); fd >= 0 {
		ns = nfnl.NetNSPath(fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), fd))
	}
	q, err := nfnl.Dial(nfnl.Options{NetNS: ns})
	if err != nil {
		return nil, err
	}
	defer q.Close()
	return kernel.Pull(q, kernel.PullOptions{})
}

// Events returns the channel traces arrive on, in the order the kernel
// sent them. It is closed when the stream ends (Close, or a socket error:
// see Err).
func (s *Stream) Events() <-chan Event { return s.ch }

// Err returns the error that ended the stream, or nil.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the stream and closes its socket; Events is closed.
func (s *Stream) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.c.Close()
		<-s.exited
	})
	return err
}

// Stats returns the stream's counters.
func (s *Stream) Stats() Stats {
	return Stats{Traces: s.traces.Load(), Overruns: s.overruns.Load(), Undecoded: s.undecoded.Load(), Stray: s.stray.Load()}
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
		n, err := s.c.RecvDatagram(buf)
		if s.stopped() {
			return
		}
		if errors.Is(err, unix.ENOBUFS) {
			// Traces were dropped; the socket goes on. Reading the queue
			// clears the kernel's congestion state as it is read.
			s.overruns.Add(1)
			if !s.send(Event{Lost: true}) {
				return
			}
			continue
		}
		if err != nil {
			s.fail(&diag.Error{Op: "trace recvmsg", Err: err, Errno: diag.ErrnoOf(err)})
			return
		}
		msgs, err := SplitDatagram(buf[:n])
		if err != nil {
			s.undecoded.Add(1)
		}
		for _, m := range msgs {
			if m.Type != MsgType {
				s.stray.Add(1)
				continue
			}
			t, err := Decode(append([]byte(nil), m.Data...))
			if err != nil {
				s.undecoded.Add(1)
				continue
			}
			if !s.send(Event{Trace: t}) {
				return
			}
			s.traces.Add(1)
		}
	}
}

// send delivers e; false when the stream was closed meanwhile.
func (s *Stream) send(e Event) bool {
	select {
	case s.ch <- e:
		return true
	case <-s.done:
		return false
	}
}
