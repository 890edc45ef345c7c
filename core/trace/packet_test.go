package trace

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/format"
)

// ipv4 returns an IPv4 header without options.
func ipv4(tos byte, totLen, id uint16, ttl, proto byte, saddr, daddr [4]byte) []byte {
	h := []byte{0x45, tos, 0, 0, 0, 0, 0x40, 0, ttl, proto, 0xbe, 0xef}
	binary.BigEndian.PutUint16(h[2:], totLen)
	binary.BigEndian.PutUint16(h[4:], id)
	h = append(h, saddr[:]...)
	return append(h, daddr[:]...)
}

// ipv6 returns an IPv6 header.
func ipv6(tc byte, flow uint32, plen uint16, next, hops byte, saddr, daddr [16]byte) []byte {
	h := make([]byte, 8)
	binary.BigEndian.PutUint32(h, 6<<28|uint32(tc)<<20|flow)
	binary.BigEndian.PutUint16(h[4:], plen)
	h[6], h[7] = next, hops
	h = append(h, saddr[:]...)
	return append(h, daddr[:]...)
}

var (
	lo4 = [4]byte{127, 0, 0, 1}
	lo6 = [16]byte{15: 1}
	// ethLo is the link layer header of a packet received on lo.
	ethLo4 = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00}
	ethLo6 = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x86, 0xdd}
	// Transport headers.
	icmpEcho    = []byte{8, 0, 0xbe, 0xef, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd'}
	icmpUnreach = []byte{3, 3, 0xbe, 0xef, 0, 0, 0, 0, 0x45, 0x00, 0x00, 0x1e, 0xef, 0xcd, 0x40, 0x00, 0x40, 0x11, 0x4c, 0xff}
	icmp6Echo   = []byte{128, 0, 0xbe, 0xef, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd'}
	udp6        = []byte{0xdc, 0xc2, 0, 9, 0, 10, 0xbe, 0xef, 'h', 'i'}
	tcpSyn      = []byte{0xbb, 0xe2, 0, 1, 1, 2, 3, 4, 0, 0, 0, 0, 0xa0, 0x02, 0xff, 0xd7, 0xbe, 0xef, 0, 0}
	tcpRstAck   = []byte{0, 1, 0xbb, 0xe2, 0, 0, 0, 0, 1, 2, 3, 5, 0x50, 0x14, 0, 0, 0xbe, 0xef, 0, 0}
)

const (
	attrsPacketIn  = 1<<unix.NFTA_TRACE_TABLE | 1<<unix.NFTA_TRACE_CHAIN | 1<<unix.NFTA_TRACE_ID | 1<<unix.NFTA_TRACE_TYPE | 1<<unix.NFTA_TRACE_LL_HEADER | 1<<unix.NFTA_TRACE_NETWORK_HEADER | 1<<unix.NFTA_TRACE_TRANSPORT_HEADER | 1<<unix.NFTA_TRACE_IIF | 1<<unix.NFTA_TRACE_IIFTYPE | 1<<unix.NFTA_TRACE_NFPROTO
	attrsPacketOut = 1<<unix.NFTA_TRACE_TABLE | 1<<unix.NFTA_TRACE_CHAIN | 1<<unix.NFTA_TRACE_ID | 1<<unix.NFTA_TRACE_TYPE | 1<<unix.NFTA_TRACE_NETWORK_HEADER | 1<<unix.NFTA_TRACE_TRANSPORT_HEADER | 1<<unix.NFTA_TRACE_OIF | 1<<unix.NFTA_TRACE_OIFTYPE | 1<<unix.NFTA_TRACE_NFPROTO
)

// TestPacketLine checks packet lines against what nft 1.0.6 printed for
// the same packets (traffic on lo).
func TestPacketLine(t *testing.T) {
	in := func(fam uint8, table string, nfproto uint32, ll, nh, th []byte) *Trace {
		return &Trace{Family: fam, Attrs: attrsPacketIn, Table: table, Chain: "c", ID: 0xa6b33113, Type: TypeRule,
			LL: ll, Network: nh, Transport: th, IIf: 1, IIfType: 772, NFProto: nfproto}
	}
	out := func(nfproto uint32, nh, th []byte) *Trace {
		return &Trace{Family: unix.NFPROTO_INET, Attrs: attrsPacketOut, Table: "ti", Chain: "c", ID: 0x44698ddd, Type: TypeRule,
			Network: nh, Transport: th, OIf: 1, OIfType: 772, NFProto: nfproto}
	}
	for _, tc := range []struct {
		name string
		tr   *Trace
		want string
	}{
		{"inet output icmp echo", out(2, ipv4(0, 32, 8186, 64, 1, lo4, lo4), icmpEcho),
			`trace id 44698ddd inet ti c packet: oif "lo" ip saddr 127.0.0.1 ip daddr 127.0.0.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 8186 ip protocol icmp ip length 32 icmp type echo-request icmp code net-unreachable icmp id 4660 icmp sequence 1 @th,64,32 0x61626364 `},
		{"ip input icmp echo", in(2, "t", 2, ethLo4, ipv4(0, 32, 8186, 64, 1, lo4, lo4), icmpEcho),
			`trace id a6b33113 ip t c packet: iif "lo" @ll,0,112 0x800 ip saddr 127.0.0.1 ip daddr 127.0.0.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 8186 ip length 32 icmp type echo-request icmp code net-unreachable icmp id 4660 icmp sequence 1 @th,64,32 0x61626364 `},
		{"ip input icmp unreachable", in(2, "t", 2, ethLo4, ipv4(0xc0, 58, 8188, 64, 1, lo4, lo4), icmpUnreach),
			`trace id a6b33113 ip t c packet: iif "lo" @ll,0,112 0x800 ip saddr 127.0.0.1 ip daddr 127.0.0.1 ip dscp cs6 ip ecn not-ect ip ttl 64 ip id 8188 ip length 58 icmp type destination-unreachable icmp code port-unreachable icmp id 0 icmp sequence 0 @th,64,96 0x4500001eefcd400040114cff `},
		{"ip6 input icmpv6 echo", in(10, "t6", 10, ethLo6, ipv6(0, 144044, 12, 58, 64, lo6, lo6), icmp6Echo),
			`trace id a6b33113 ip6 t6 c packet: iif "lo" @ll,0,112 0x86dd ip6 saddr ::1 ip6 daddr ::1 ip6 dscp cs0 ip6 ecn not-ect ip6 hoplimit 64 ip6 flowlabel 144044 ip6 length 12 icmpv6 type echo-request icmpv6 code no-route icmpv6 parameter-problem 305397761 @th,64,32 0x61626364 `},
		{"inet output udp6", out(10, ipv6(0, 535734, 10, 17, 64, lo6, lo6), udp6),
			`trace id 44698ddd inet ti c packet: oif "lo" ip6 saddr ::1 ip6 daddr ::1 ip6 dscp cs0 ip6 ecn not-ect ip6 hoplimit 64 ip6 flowlabel 535734 ip6 nexthdr udp ip6 length 10 udp sport 56514 udp dport 9 udp length 10 @th,64,16 0x6869 `},
		{"ip input tcp syn", in(2, "t", 2, ethLo4, ipv4(0, 60, 8548, 64, 6, lo4, lo4), tcpSyn),
			`trace id a6b33113 ip t c packet: iif "lo" @ll,0,112 0x800 ip saddr 127.0.0.1 ip daddr 127.0.0.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 8548 ip length 60 tcp sport 48098 tcp dport 1 tcp flags == syn tcp window 65495 `},
		{"inet output tcp rst ack", out(2, ipv4(0, 40, 0, 64, 6, lo4, lo4), tcpRstAck),
			`trace id 44698ddd inet ti c packet: oif "lo" ip saddr 127.0.0.1 ip daddr 127.0.0.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 0 ip protocol tcp ip length 40 tcp sport 1 tcp dport 48098 tcp flags == 0x14 tcp window 0 `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NewPrinter(nil, &format.Options{IfName: func(i int) (string, bool) { return "lo", i == 1 }}).Packet(tc.tr)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("packet line (-want +got):\n%s", d)
			}
		})
	}
}
