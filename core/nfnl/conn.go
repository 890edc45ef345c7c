// Package nfnl talks nfnetlink (NETLINK_NETFILTER) to the nf_tables
// subsystem: atomic batches with per-message acknowledgements and extended
// acks, dumps with interruption detection, the ruleset generation id, and
// sockets inside other network namespaces.
//
// The package moves bytes; the nf_tables message bodies are built and
// parsed by core/wire. A Batch is one contiguous buffer sent with a single
// sendmsg, and replies are parsed in place from one reusable receive buffer,
// so large batches and dumps cost few allocations.
package nfnl

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
)

// recvBufSize is the size of the buffer one recvmsg reads into. Netlink
// returns one datagram per recvmsg (dump datagrams are at most 32 KiB, acks
// echoing a request up to 64 KiB plus headers), so this leaves ample room.
const recvBufSize = 1 << 20

// minRcvBuf is the smallest socket receive buffer a Conn asks for.
const minRcvBuf = 4 << 20

// NetNSKind says how Options.NetNS picks the network namespace.
type NetNSKind uint8

// Ways to pick a network namespace.
const (
	NetNSCurrent  NetNSKind = iota // the caller's current network namespace
	NetNSPathKind                  // a namespace file, e.g. /run/netns/x or /proc/PID/ns/net
	NetNSNewKind                   // a fresh, throwaway namespace
)

// NetNS names a network namespace to open a socket in. The zero value is
// the current namespace.
type NetNS struct {
	Kind NetNSKind
	Path string // NetNSPathKind: the namespace file
}

// NetNSPath returns the NetNS bound at path (e.g. "/run/netns/blue").
func NetNSPath(path string) NetNS { return NetNS{Kind: NetNSPathKind, Path: path} }

// NetNSPID returns the NetNS of process pid (/proc/PID/ns/net).
func NetNSPID(pid int) NetNS {
	return NetNS{Kind: NetNSPathKind, Path: fmt.Sprintf("/proc/%d/ns/net", pid)}
}

// NetNSNew returns a NetNS that asks Dial for a fresh, empty namespace that
// lives as long as the Conn (or any socket opened in it).
func NetNSNew() NetNS { return NetNS{Kind: NetNSNewKind} }

// String renders ns the way the --netns flag spells it.
func (ns NetNS) String() string {
	switch ns.Kind {
	case NetNSPathKind:
		return ns.Path
	case NetNSNewKind:
		return "new"
	}
	return "current"
}

// Options configure Dial.
type Options struct {
	NetNS NetNS
}

// Conn is an nfnetlink socket. Its methods must not be called concurrently.
type Conn struct {
	nl   *netlink.Conn
	rc   syscall.RawConn
	pid  uint32
	seq  uint32
	nsfd int // namespace fd kept for NetNSNew, else -1

	rbuf   []byte
	sndbuf int // SO_SNDBUF as last set/read (kernel value)
	rcvbuf int

	mu     sync.Mutex
	closed bool

	stats Stats
}

// Stats counts the time a Conn spent inside its system calls. nfnetlink
// commits a whole batch inside sendmsg and produces dump data on demand
// inside recvmsg, so SendTime and RecvTime are the kernel's share of a push
// and a pull: the floor a faster userspace cannot go below.
type Stats struct {
	SendCalls, RecvCalls int
	SendTime, RecvTime   time.Duration
}

// Stats returns the counters since the Conn was opened.
func (c *Conn) Stats() Stats { return c.stats }

// Dial opens an nfnetlink socket in the namespace opts.NetNS names, with
// extended acks (NETLINK_EXT_ACK) and capped acks (NETLINK_CAP_ACK) on.
func Dial(opts Options) (*Conn, error) {
	nsfd := -1
	keep := false
	switch opts.NetNS.Kind {
	case NetNSPathKind:
		fd, err := unix.Open(opts.NetNS.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, &diag.Error{Op: "open netns", Object: opts.NetNS.Path, Err: err, Errno: diag.ErrnoOf(err)}
		}
		nsfd = fd
	case NetNSNewKind:
		fd, err := newNetNS()
		if err != nil {
			return nil, &diag.Error{Op: "create netns", Err: err, Errno: diag.ErrnoOf(err)}
		}
		nsfd, keep = fd, true
	}
	return dial(nsfd, keep, opts.NetNS.String())
}

// Clone opens another socket, with the same options, in the network
// namespace of c's socket (found with SIOCGSKNS), e.g. to run dumps in
// parallel. The clone has its own Stats.
func (c *Conn) Clone() (*Conn, error) {
	nsfd := -1
	var ierr error
	if err := c.rc.Control(func(fd uintptr) {
		nsfd, ierr = unix.IoctlRetInt(int(fd), unix.SIOCGSKNS)
	}); err != nil {
		ierr = err
	}
	if ierr != nil {
		return nil, &diag.Error{Op: "clone nfnetlink socket", Msg: "SIOCGSKNS", Err: ierr, Errno: diag.ErrnoOf(ierr)}
	}
	unix.CloseOnExec(nsfd)
	return dial(nsfd, false, "socket's namespace")
}

// AddStats adds s (e.g. the Stats of a Clone) to c's counters.
func (c *Conn) AddStats(s Stats) {
	c.stats.SendCalls += s.SendCalls
	c.stats.RecvCalls += s.RecvCalls
	c.stats.SendTime += s.SendTime
	c.stats.RecvTime += s.RecvTime
}

// dial opens the socket in the namespace nsfd (-1: the current one),
// closing nsfd afterwards unless keep.
func dial(nsfd int, keep bool, nsName string) (*Conn, error) {
	cfg := &netlink.Config{}
	if nsfd >= 0 {
		cfg.NetNS = nsfd
	}
	nl, err := netlink.Dial(unix.NETLINK_NETFILTER, cfg)
	if nsfd >= 0 && !keep {
		unix.Close(nsfd)
		nsfd = -1
	}
	if err != nil {
		if keep {
			unix.Close(nsfd)
		}
		return nil, &diag.Error{Op: "dial nfnetlink", Object: nsName, Err: err, Errno: diag.ErrnoOf(err)}
	}
	c := &Conn{nl: nl, pid: nl.PID(), nsfd: nsfd}
	fail := func(op string, err error) (*Conn, error) {
		c.Close()
		return nil, &diag.Error{Op: op, Err: err, Errno: diag.ErrnoOf(err)}
	}
	if err := nl.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		return fail("enable NETLINK_EXT_ACK", err)
	}
	if err := nl.SetOption(netlink.CapAcknowledge, true); err != nil {
		return fail("enable NETLINK_CAP_ACK", err)
	}
	if c.rc, err = nl.SyscallConn(); err != nil {
		return fail("nfnetlink raw conn", err)
	}
	if err := c.growRcvBuf(minRcvBuf); err != nil {
		return fail("set SO_RCVBUF", err)
	}
	c.seq = uint32(os.Getpid()) << 8 // any start works; distinct per process aids debugging
	return c, nil
}

// Close closes the socket. Tables the socket owns (NFT_TABLE_F_OWNER)
// disappear with it.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.nl.Close()
	if c.nsfd >= 0 {
		unix.Close(c.nsfd)
		c.nsfd = -1
	}
	return err
}

// PortID returns the netlink port id of the socket, which the kernel
// reports as the owner (NFTA_TABLE_OWNER) of tables the socket owns.
func (c *Conn) PortID() uint32 { return c.pid }

// NetNSFD returns the file descriptor of the throwaway namespace created
// for NetNSNew, or -1. It stays valid until Close.
func (c *Conn) NetNSFD() int { return c.nsfd }

// Netlink returns the underlying mdlayher/netlink connection, for
// multicast group membership and other socket options.
func (c *Conn) Netlink() *netlink.Conn { return c.nl }

// nextSeq reserves n consecutive sequence numbers and returns the first.
func (c *Conn) nextSeq(n uint32) uint32 {
	s := c.seq + 1
	if s == 0 || s+n < s { // skip 0 and wrap-around runs
		s = 1
	}
	c.seq = s + n - 1
	return s
}

// growSndBuf makes SO_SNDBUF hold at least n bytes (SO_SNDBUFFORCE).
func (c *Conn) growSndBuf(n int) error {
	if c.sndbuf == 0 {
		v, err := c.getsockopt(unix.SO_SNDBUF)
		if err != nil {
			return err
		}
		c.sndbuf = v
	}
	if c.sndbuf >= n {
		return nil
	}
	if err := c.setBufForce(unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, n); err != nil {
		return err
	}
	v, err := c.getsockopt(unix.SO_SNDBUF)
	c.sndbuf = v
	return err
}

// growRcvBuf makes SO_RCVBUF hold at least n bytes (SO_RCVBUFFORCE).
func (c *Conn) growRcvBuf(n int) error {
	if c.rcvbuf == 0 {
		v, err := c.getsockopt(unix.SO_RCVBUF)
		if err != nil {
			return err
		}
		c.rcvbuf = v
	}
	if c.rcvbuf >= n {
		return nil
	}
	if err := c.setBufForce(unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, n); err != nil {
		return err
	}
	v, err := c.getsockopt(unix.SO_RCVBUF)
	c.rcvbuf = v
	return err
}

// setBufForce sets a socket buffer size with the FORCE option, falling
// back to the capped option without CAP_NET_ADMIN.
func (c *Conn) setBufForce(force, plain, n int) error {
	var serr error
	err := c.rc.Control(func(fd uintptr) {
		// The kernel doubles the value it is given; ask for half (+slack).
		v := n/2 + 4096
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, force, v)
		if serr != nil {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, plain, v)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

func (c *Conn) getsockopt(opt int) (int, error) {
	var v int
	var serr error
	err := c.rc.Control(func(fd uintptr) {
		v, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt)
	})
	if err != nil {
		return 0, err
	}
	return v, serr
}

// send writes b with one sendmsg to the kernel.
func (c *Conn) send(b []byte) error {
	if err := c.growSndBuf(len(b) + 64*1024); err != nil {
		return err
	}
	sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	var serr error
	t0 := time.Now()
	err := c.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, sa)
		return serr != unix.EAGAIN
	})
	c.stats.SendTime += time.Since(t0)
	c.stats.SendCalls++
	if err != nil {
		return err
	}
	return serr
}

// recv reads one datagram into the receive buffer. With wait false it
// returns (nil, nil) when nothing is queued.
func (c *Conn) recv(wait bool) ([]byte, error) {
	if c.rbuf == nil {
		c.rbuf = make([]byte, recvBufSize)
	}
	var n int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		t0 := time.Now()
		n, _, rerr = unix.Recvfrom(int(fd), c.rbuf, unix.MSG_DONTWAIT|unix.MSG_TRUNC)
		c.stats.RecvTime += time.Since(t0)
		c.stats.RecvCalls++
		if rerr == unix.EINTR {
			return false
		}
		return !(wait && rerr == unix.EAGAIN)
	})
	if err != nil {
		return nil, err
	}
	if rerr == unix.EAGAIN && !wait {
		return nil, nil
	}
	if rerr != nil {
		return nil, rerr
	}
	if n > len(c.rbuf) {
		return nil, fmt.Errorf("netlink datagram of %d bytes truncated to %d", n, len(c.rbuf))
	}
	return c.rbuf[:n], nil
}

// newNetNS creates a fresh network namespace and returns an fd for it,
// leaving the calling thread's namespace unchanged. The work runs on a
// dedicated locked OS thread; if the thread cannot be moved back it is
// never unlocked, so the runtime discards it.
func newNetNS() (int, error) {
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{-1, err}
			return
		}
		defer unix.Close(orig)
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- result{-1, fmt.Errorf("unshare(CLONE_NEWNET): %w", err)}
			return
		}
		fd, oerr := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			if oerr == nil {
				unix.Close(fd)
			}
			ch <- result{-1, fmt.Errorf("setns back: %w", err)} // thread stays locked and dies
			return
		}
		runtime.UnlockOSThread()
		ch <- result{fd, oerr}
	}()
	r := <-ch
	return r.fd, r.err
}

var ne = binary.NativeEndian
