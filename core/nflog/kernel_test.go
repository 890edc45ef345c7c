package nflog_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/nflog"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// pair is two fresh namespaces joined by a veth pair: the client side
// "a" (va, 10.0.0.1, fd00::1) and the logging side "b" (vb, 10.0.0.2,
// fd00::2) where the rules and the listener live.
type pair struct {
	a, b       *nstest.NS
	vbIndex    uint32
	vaMAC      net.HardwareAddr
	loIndexB   uint32
	rulesetB   string
	listenerNS nfnl.NetNS
}

func newPair(t *testing.T) *pair {
	t.Helper()
	nstest.Require(t)
	p := &pair{a: nstest.New(t), b: nstest.New(t)}
	nstest.Veth(t, p.a, "va", p.b, "vb")
	p.a.Addr(t, "va", "10.0.0.1/24")
	p.b.Addr(t, "vb", "10.0.0.2/24")
	for _, x := range []struct {
		ns   *nstest.NS
		dev  string
		addr string
	}{{p.a, "va", "fd00::1/64"}, {p.b, "vb", "fd00::2/64"}} {
		if _, err := x.ns.Run(t, "ip", "addr", "add", x.addr, "dev", x.dev, "nodad"); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.a.Do(func() error {
		ifi, err := net.InterfaceByName("va")
		if err == nil {
			p.vaMAC = ifi.HardwareAddr
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := p.b.Do(func() error {
		ifi, err := net.InterfaceByName("vb")
		if err != nil {
			return err
		}
		p.vbIndex = uint32(ifi.Index)
		lo, err := net.InterfaceByName("lo")
		if err == nil {
			p.loIndexB = uint32(lo.Index)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p.b.NftScript(t, `
table inet t {
	chain in {
		type filter hook input priority filter;
		tcp dport 5555 tcp flags & (syn | ack) == syn meta mark set 0x2a log group 7 prefix "tcp-in"
		udp dport 5556 log group 7 prefix "udp-in"
		icmp type echo-request log group 7 prefix "icmp-in"
		icmpv6 type echo-request log group 7 prefix "icmp6-in"
	}
	chain out {
		type filter hook output priority filter;
		udp dport 6000 meta mark set 0x7 log group 7 prefix "udp-out"
	}
}`)
	p.listenerNS = nfnl.NetNSPath(p.b.Path())
	return p
}

// next waits for the next packet event, failing the test after 5s.
func next(t *testing.T, l *nflog.Listener) *nflog.Packet {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-l.Events():
			if !ok {
				t.Fatalf("listener stopped: %v", l.Err())
			}
			if ev.Kind == nflog.EventPacket {
				return ev.Packet
			}
		case <-timeout:
			t.Fatalf("no packet event within 5s; stats %+v", l.Stats())
		}
	}
}

// seen is what a test compares: the fields it sent or knows.
type seen struct {
	Prefix           string
	Family           uint8
	Hook             string
	In, Out          string
	InIndex          uint32
	OutIndex         uint32
	Mark             uint32
	HWAddr           string
	UID, GID         uint32
	HasUID, HasPay   bool
	IPVersion        uint8
	Src, Dst         string
	Protocol         string
	SrcPort, DstPort uint16
	TCPFlags         string
	ICMPType         uint8
	ICMPID, ICMPSeq  uint16
	Length           uint16
}

func project(p *nflog.Packet) seen {
	s := seen{
		Prefix: p.Prefix, Family: p.Family, Hook: p.HookName(), In: p.In, Out: p.Out,
		InIndex: p.InIndex, OutIndex: p.OutIndex, Mark: p.Mark, UID: p.UID, GID: p.GID,
		HasUID: p.Present.Has(nflog.HasUID), HasPay: p.Present.Has(nflog.HasPayload),
		IPVersion: p.IPVersion, SrcPort: p.SrcPort, DstPort: p.DstPort,
		ICMPType: p.ICMPType, ICMPID: p.ICMPID, ICMPSeq: p.ICMPSeq, Length: p.Length,
	}
	if p.HWAddr != nil {
		s.HWAddr = p.HWAddr.String()
	}
	if p.IPVersion != 0 {
		s.Src, s.Dst, s.Protocol = p.Src.String(), p.Dst.String(), p.ProtocolName()
		if p.Protocol == unix.IPPROTO_TCP {
			s.TCPFlags = p.TCPFlags.String()
		}
	}
	return s
}

// strip removes what copy modes meta and none do not carry.
func strip(s seen, mode nflog.CopyMode) seen {
	if mode == nflog.CopyPacket {
		return s
	}
	s.HasPay = false
	s.IPVersion, s.Src, s.Dst, s.Protocol = 0, "", "", ""
	s.SrcPort, s.DstPort, s.TCPFlags, s.ICMPType, s.ICMPID, s.ICMPSeq, s.Length = 0, 0, "", 0, 0, 0, 0
	return s
}

func TestKernelVeth(t *testing.T) {
	p := newPair(t)
	for _, mode := range []nflog.CopyMode{nflog.CopyPacket, nflog.CopyMeta, nflog.CopyNone} {
		t.Run(mode.String(), func(t *testing.T) {
			l, err := nflog.Listen(nflog.Options{Group: 7, Copy: mode, QThreshold: 1, Seq: true, NetNS: p.listenerNS})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			vaMAC := p.vaMAC.String()
			in := func(prefix string) seen {
				return seen{Prefix: prefix, Hook: "input", In: "vb", InIndex: p.vbIndex, HWAddr: vaMAC, HasPay: true}
			}

			// TCP: a SYN from a's socket to b:5555, marked by the rule.
			var sport uint16
			if err := p.a.Do(func() error {
				c, err := net.DialTimeout("tcp", "10.0.0.2:5555", 100*time.Millisecond)
				if err == nil {
					c.Close()
				}
				// Refused (no server) is fine: the SYN went out. Find its port
				// from the event instead of the socket.
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			got := next(t, l)
			sport = got.SrcPort
			want := in("tcp-in")
			want.Family, want.Mark = unix.NFPROTO_IPV4, 0x2a
			want.IPVersion, want.Src, want.Dst, want.Protocol = 4, "10.0.0.1", "10.0.0.2", "tcp"
			want.SrcPort, want.DstPort, want.TCPFlags, want.Length = sport, 5555, "syn", 60
			if mode == nflog.CopyPacket && sport < 1024 {
				t.Errorf("source port %d is not an ephemeral port", sport)
			}
			if diff := cmp.Diff(strip(want, mode), project(got)); diff != "" {
				t.Errorf("tcp (-want +got):\n%s", diff)
			}
			if !got.Present.Has(nflog.HasTimestamp) || time.Since(got.Timestamp).Abs() > time.Minute {
				t.Errorf("tcp: bad kernel timestamp %v (present %v)", got.Timestamp, got.Present.Has(nflog.HasTimestamp))
			}
			if got.HWType != 1 || len(got.HWHeader) != 14 {
				t.Errorf("tcp: hwtype %d hwheader %x, want ethernet", got.HWType, got.HWHeader)
			}

			// UDP from a fixed source port.
			if err := p.a.Do(func() error {
				c, err := net.DialUDP("udp", &net.UDPAddr{Port: 40001}, &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 5556})
				if err != nil {
					return err
				}
				defer c.Close()
				_, err = c.Write([]byte("hello nflog"))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			want = in("udp-in")
			want.Family = unix.NFPROTO_IPV4
			want.IPVersion, want.Src, want.Dst, want.Protocol = 4, "10.0.0.1", "10.0.0.2", "udp"
			want.SrcPort, want.DstPort, want.Length = 40001, 5556, 20+8+11
			if diff := cmp.Diff(strip(want, mode), project(next(t, l))); diff != "" {
				t.Errorf("udp (-want +got):\n%s", diff)
			}

			// ICMP and ICMPv6 echo requests with a known id and sequence.
			for _, v6 := range []bool{false, true} {
				if err := p.a.Do(func() error { return sendEcho(v6, 0x4242, 7) }); err != nil {
					t.Fatal(err)
				}
				want = in("icmp-in")
				want.Family, want.IPVersion = unix.NFPROTO_IPV4, 4
				want.Src, want.Dst, want.Protocol, want.ICMPType, want.Length = "10.0.0.1", "10.0.0.2", "icmp", 8, 20+8+4
				if v6 {
					want = in("icmp6-in")
					want.Family, want.IPVersion = unix.NFPROTO_IPV6, 6
					want.Src, want.Dst, want.Protocol, want.ICMPType, want.Length = "fd00::1", "fd00::2", "icmpv6", 128, 40+8+4
				}
				want.ICMPID, want.ICMPSeq = 0x4242, 7
				if diff := cmp.Diff(strip(want, mode), project(next(t, l))); diff != "" {
					t.Errorf("echo v6=%v (-want +got):\n%s", v6, diff)
				}
			}

			// A locally generated packet carries the uid and gid of its socket.
			if err := p.b.Do(func() error { return sendUDPAs(1234, 4321) }); err != nil {
				t.Fatal(err)
			}
			got = next(t, l)
			want = seen{Prefix: "udp-out", Family: unix.NFPROTO_IPV4, Hook: "output", Out: "vb", OutIndex: p.vbIndex,
				Mark: 7, UID: 1234, GID: 4321, HasUID: true, HasPay: true,
				IPVersion: 4, Src: "10.0.0.2", Dst: "10.0.0.1", Protocol: "udp", SrcPort: 40002, DstPort: 6000, Length: 20 + 8 + 3}
			if diff := cmp.Diff(strip(want, mode), project(got)); diff != "" {
				t.Errorf("udp out (-want +got):\n%s", diff)
			}
			if got.Present.Has(nflog.HasTimestamp) {
				t.Errorf("output hook packet has a timestamp; the kernel sends one for prerouting/input/forward only")
			}
			st := l.Stats()
			if st.Packets != 5 || st.Delivered != 5 || st.Dropped != 0 || st.SeqLost != 0 || st.DecodeErrors != 0 {
				t.Errorf("stats %+v, want 5 packets delivered, nothing lost", st)
			}
		})
	}
}

// sendEcho sends one ICMP (or ICMPv6) echo request from 10.0.0.1 (fd00::1)
// to 10.0.0.2 (fd00::2) with 4 bytes of data.
func sendEcho(v6 bool, id, seq uint16) error {
	network, dst, typ := "ip4:icmp", "10.0.0.2", byte(8)
	if v6 {
		network, dst, typ = "ip6:ipv6-icmp", "fd00::2", 128
	}
	c, err := net.ListenPacket(network, "")
	if err != nil {
		return err
	}
	defer c.Close()
	msg := []byte{typ, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq), 'p', 'i', 'n', 'g'}
	if !v6 { // the kernel fills in the ICMPv6 checksum itself
		var sum uint32
		for i := 0; i < len(msg); i += 2 {
			sum += uint32(msg[i])<<8 | uint32(msg[i+1])
		}
		sum = sum>>16 + sum&0xffff
		sum += sum >> 16
		msg[2], msg[3] = byte(^sum>>8), byte(^sum)
	}
	_, err = c.WriteTo(msg, &net.IPAddr{IP: net.ParseIP(dst)})
	return err
}

// sendUDPAs sends "uid" from 10.0.0.2:40002 to 10.0.0.1:6000 through a
// socket opened with file system uid and gid set on this (locked) thread.
func sendUDPAs(uid, gid int) error {
	unix.Setfsgid(gid)
	unix.Setfsuid(uid)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	unix.Setfsuid(0)
	unix.Setfsgid(0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: 40002, Addr: [4]byte{10, 0, 0, 2}}); err != nil {
		return err
	}
	return unix.Sendto(fd, []byte("uid"), 0, &unix.SockaddrInet4{Port: 6000, Addr: [4]byte{10, 0, 0, 1}})
}

// TestKernelSnaplen checks that a small snaplen truncates the payload and
// the decoder keeps what is complete.
func TestKernelSnaplen(t *testing.T) {
	p := newPair(t)
	l, err := nflog.Listen(nflog.Options{Group: 7, Snaplen: 24, QThreshold: 1, NetNS: p.listenerNS})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := p.a.Do(func() error { return sendEcho(false, 1, 2) }); err != nil {
		t.Fatal(err)
	}
	got := next(t, l)
	if len(got.Payload) != 24 || got.Src != netip.MustParseAddr("10.0.0.1") || got.ICMPType != 8 || !got.Truncated || got.ICMPID != 0 {
		t.Errorf("snaplen 24: payload %d bytes, src %v type %d truncated %v id %d", len(got.Payload), got.Src, got.ICMPType, got.Truncated, got.ICMPID)
	}
}

// TestKernelBusyGroup checks that a second listener on a bound group
// fails (the kernel says EPERM: the group belongs to another socket) and
// leaves the first one working.
func TestKernelBusyGroup(t *testing.T) {
	p := newPair(t)
	l, err := nflog.Listen(nflog.Options{Group: 7, QThreshold: 1, NetNS: p.listenerNS})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = nflog.Listen(nflog.Options{Group: 7, NetNS: p.listenerNS})
	if !errors.Is(err, unix.EPERM) {
		t.Fatalf("second bind: got %v, want EPERM", err)
	}
	if err := p.a.Do(func() error { return sendEcho(false, 1, 1) }); err != nil {
		t.Fatal(err)
	}
	if got := next(t, l); got.Prefix != "icmp-in" {
		t.Errorf("first listener got prefix %q after the failed bind", got.Prefix)
	}
}

// TestKernelConntrack checks the conntrack flag: a new connection's first
// packet says "new".
func TestKernelConntrack(t *testing.T) {
	p := newPair(t)
	p.b.Nft(t, "add", "rule", "inet", "t", "in", "ct", "state", "new", "udp", "dport", "5557", "log", "group", "7", "prefix", `"ct"`)
	l, err := nflog.Listen(nflog.Options{Group: 7, QThreshold: 1, Conntrack: true, NetNS: p.listenerNS})
	if errors.Is(err, unix.EOPNOTSUPP) {
		// A missing kernel feature skips this case only, under CI too.
		t.Skipf("kernel lacks ctnetlink: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := p.a.Do(func() error {
		c, err := net.Dial("udp", "10.0.0.2:5557")
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte("x"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got := next(t, l)
	if got.Prefix != "ct" || got.Conn.State != "new" || got.Conn.Reply || !got.Present.Has(nflog.HasCT) || got.Conn.ID == 0 {
		t.Errorf("conntrack: prefix %q conn %+v present ct %v", got.Prefix, got.Conn, got.Present.Has(nflog.HasCT))
	}
}

// TestKernelBindFamily checks that PF_BIND happens only where no logger is
// bound, and that another logger stays bound.
func TestKernelBindFamily(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	read := func(pf int) string {
		out, err := ns.Run(t, "cat", fmt.Sprintf("/proc/sys/net/netfilter/nf_log/%d", pf))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// A fresh namespace binds the syslog loggers by default; clear IPv6 so
	// that the listener has something to bind, and keep IPv4's as another
	// user's choice.
	if _, err := ns.Run(t, "sh", "-c", "echo NONE > /proc/sys/net/netfilter/nf_log/10"); err != nil {
		t.Fatal(err)
	}
	ipv4 := read(unix.NFPROTO_IPV4)
	if ipv4 == "NONE\n" {
		t.Fatalf("fresh namespace has no IPv4 logger; the test needs one bound")
	}
	l, err := nflog.Listen(nflog.Options{Group: 9, BindFamilies: []uint8{unix.NFPROTO_IPV4, unix.NFPROTO_IPV6}, NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(unix.NFPROTO_IPV6); got != "nfnetlink_log\n" {
		t.Errorf("ipv6 logger after bind: %q", got)
	}
	if got := read(unix.NFPROTO_IPV4); got != ipv4 {
		t.Errorf("ipv4 logger changed from %q to %q; another user's binding must stay", ipv4, got)
	}
	if diff := cmp.Diff([]uint8{unix.NFPROTO_IPV6}, l.BoundFamilies()); diff != "" {
		t.Errorf("bound families (-want +got):\n%s", diff)
	}
	// Closing never unbinds: the binding is the namespace's, not ours.
	l.Close()
	if got := read(unix.NFPROTO_IPV6); got != "nfnetlink_log\n" {
		t.Errorf("ipv6 logger after close: %q", got)
	}
}
