package nflog

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ipv4 builds an IPv4 header (no options) in front of l4.
func ipv4(proto uint8, src, dst string, ttl uint8, frag uint16, l4 []byte) []byte {
	b := make([]byte, 20, 20+len(l4))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(l4)))
	binary.BigEndian.PutUint16(b[4:], 0x1234)
	binary.BigEndian.PutUint16(b[6:], frag)
	b[8], b[9] = ttl, proto
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	return append(b, l4...)
}

// ipv6 builds an IPv6 header in front of rest, whose first header is next.
func ipv6(next uint8, src, dst string, hop uint8, rest []byte) []byte {
	b := make([]byte, 40, 40+len(rest))
	binary.BigEndian.PutUint32(b, 6<<28|0x12<<20|0xabcde)
	binary.BigEndian.PutUint16(b[4:], uint16(len(rest)))
	b[6], b[7] = next, hop
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return append(b, rest...)
}

func tcp(sport, dport uint16, flags uint8) []byte {
	b := make([]byte, 20)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], 1000)
	binary.BigEndian.PutUint32(b[8:], 2000)
	b[12], b[13] = 5<<4, flags
	binary.BigEndian.PutUint16(b[14:], 64240)
	return b
}

func udp(sport, dport uint16, payload int) []byte {
	b := make([]byte, 8+payload)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+payload))
	return b
}

func icmpEcho(typ uint8, id, seq uint16) []byte {
	return []byte{typ, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq)}
}

func TestDecodePacket(t *testing.T) {
	a4 := netip.MustParseAddr
	syn := ipv4(6, "10.0.0.1", "10.0.0.2", 64, 0x4000, tcp(40000, 22, 0x02))
	hopByHopUDP := ipv6(0, "fd00::1", "fd00::2", 255, append([]byte{17, 0, 1, 4, 0, 0, 0, 0}, udp(5353, 53, 3)...))
	fragFirst := ipv6(44, "fd00::1", "fd00::2", 64, append([]byte{6, 0, 0, 1, 0, 0, 0, 7}, tcp(1, 2, 0x10)...))
	fragLater := ipv6(44, "fd00::1", "fd00::2", 64, []byte{6, 0, 0x05, 0x28, 0, 0, 0, 7, 1, 2, 3})
	sctp := ipv4(132, "192.0.2.1", "192.0.2.2", 1, 0, []byte{0x0b, 0x59, 0x0b, 0x5a, 0, 0, 0, 1, 0, 0, 0, 0})
	tests := []struct {
		name string
		in   []byte
		want Headers
		err  error
	}{
		{"tcp syn", syn, Headers{IPVersion: 4, Src: a4("10.0.0.1"), Dst: a4("10.0.0.2"), Protocol: 6, TTL: 64, Length: 40, ID: 0x1234,
			Transport: true, SrcPort: 40000, DstPort: 22, TCPFlags: TCPSyn, TCPSeq: 1000, TCPAck: 2000, TCPWindow: 64240}, nil},
		{"tcp cut after ports", syn[:24], Headers{IPVersion: 4, Src: a4("10.0.0.1"), Dst: a4("10.0.0.2"), Protocol: 6, TTL: 64, Length: 40, ID: 0x1234,
			SrcPort: 40000, DstPort: 22, Truncated: true}, ErrTruncated},
		{"ipv4 cut", syn[:19], Headers{Truncated: true}, ErrTruncated},
		{"udp over hop-by-hop", hopByHopUDP, Headers{IPVersion: 6, Src: a4("fd00::1"), Dst: a4("fd00::2"), Protocol: 17, TTL: 255, TOS: 0x12,
			FlowLabel: 0xabcde, Length: 40 + 8 + 11, Transport: true, SrcPort: 5353, DstPort: 53}, nil},
		{"ipv6 first fragment", fragFirst, Headers{IPVersion: 6, Src: a4("fd00::1"), Dst: a4("fd00::2"), Protocol: 6, TTL: 64, TOS: 0x12,
			FlowLabel: 0xabcde, Length: 40 + 8 + 20, Fragment: true, Transport: true, SrcPort: 1, DstPort: 2, TCPFlags: TCPAck, TCPSeq: 1000, TCPAck: 2000, TCPWindow: 64240}, nil},
		{"ipv6 later fragment", fragLater, Headers{IPVersion: 6, Src: a4("fd00::1"), Dst: a4("fd00::2"), Protocol: 6, TTL: 64, TOS: 0x12,
			FlowLabel: 0xabcde, Length: 40 + 11, Fragment: true, FragOffset: 0x528 >> 3}, nil},
		{"ipv4 later fragment", ipv4(17, "10.0.0.1", "10.0.0.2", 9, 100, []byte{1, 2, 3, 4}), Headers{IPVersion: 4, Src: a4("10.0.0.1"), Dst: a4("10.0.0.2"),
			Protocol: 17, TTL: 9, Length: 24, ID: 0x1234, Fragment: true, FragOffset: 100}, nil},
		{"icmp echo", ipv4(1, "10.0.0.1", "10.0.0.2", 64, 0, icmpEcho(8, 7, 9)), Headers{IPVersion: 4, Src: a4("10.0.0.1"), Dst: a4("10.0.0.2"),
			Protocol: 1, TTL: 64, Length: 28, ID: 0x1234, Transport: true, ICMPType: 8, ICMPID: 7, ICMPSeq: 9}, nil},
		{"icmpv6 unreachable", ipv6(58, "fd00::1", "fd00::2", 64, []byte{1, 4, 0, 0, 0, 0, 0, 0}), Headers{IPVersion: 6, Src: a4("fd00::1"),
			Dst: a4("fd00::2"), Protocol: 58, TTL: 64, TOS: 0x12, FlowLabel: 0xabcde, Length: 48, Transport: true, ICMPType: 1, ICMPCode: 4}, nil},
		{"sctp", sctp, Headers{IPVersion: 4, Src: a4("192.0.2.1"), Dst: a4("192.0.2.2"), Protocol: 132, TTL: 1, Length: 32, ID: 0x1234,
			Transport: true, SrcPort: 2905, DstPort: 2906}, nil},
		{"not ip", []byte{0x00, 0x01, 0x08, 0x00}, Headers{}, ErrNotIP},
		{"empty", nil, Headers{Truncated: true}, ErrTruncated},
		{"bad ihl", []byte{0x41, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, Headers{}, ErrNotIP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Headers
			err := DecodePacket(tt.in, &h)
			if err != tt.err {
				t.Errorf("error %v, want %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, h, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// msgBuilder builds NFULNL_MSG_PACKET messages as the kernel does.
type msgBuilder struct{ attrs []byte }

func (m *msgBuilder) add(typ uint16, data []byte) *msgBuilder {
	m.attrs = appendAttr(m.attrs, typ, data)
	return m
}
func (m *msgBuilder) u32(typ uint16, v uint32) *msgBuilder {
	return m.add(typ, binary.BigEndian.AppendUint32(nil, v))
}
func (m *msgBuilder) u16(typ uint16, v uint16) *msgBuilder {
	return m.add(typ, binary.BigEndian.AppendUint16(nil, v))
}

func (m *msgBuilder) msg(family uint8, group uint16) []byte {
	b := make([]byte, nlmsgHdrLen+nfgenmsgLen)
	b = append(b, m.attrs...)
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], subsysULOG<<8|msgPacket)
	b[16] = family
	binary.BigEndian.PutUint16(b[18:], group)
	return b
}

// sampleMessages returns messages with every attribute, for the table test
// and the fuzz seed corpus.
func sampleMessages() map[string][]byte {
	payload := ipv4(6, "10.0.0.1", "10.0.0.2", 64, 0x4000, tcp(40000, 5555, 0x02))
	ts := binary.BigEndian.AppendUint64(nil, 1700000000)
	ts = binary.BigEndian.AppendUint64(ts, 123456)
	hw := []byte{0, 6, 0, 0, 0x02, 0, 0, 0, 0, 1, 0, 0}
	var ct []byte
	ct = appendAttr(ct, ctaStatus, binary.BigEndian.AppendUint32(nil, 0x8))
	ct = appendAttr(ct, ctaMark, binary.BigEndian.AppendUint32(nil, 3))
	ct = appendAttr(ct, ctaID, binary.BigEndian.AppendUint32(nil, 0xdead))
	ct = appendAttr(ct, ctaZone, binary.BigEndian.AppendUint16(nil, 2))
	var vlan []byte
	vlan = appendAttr(vlan, attrVLANTCI, binary.BigEndian.AppendUint16(nil, 0x2064))
	vlan = appendAttr(vlan, attrVLANProto, binary.BigEndian.AppendUint16(nil, 0x8100))
	full := (&msgBuilder{}).
		add(attrPacketHdr, []byte{0x08, 0x00, 1, 0}).
		add(attrPrefix, []byte("tcp-in\x00")).
		u32(attrInDev, 3).u32(attrOutDev, 4).u32(attrPhysInDev, 5).u32(attrPhysOutDev, 6).
		u32(attrMark, 0x2a).
		add(attrHWAddr, hw).
		u16(attrHWType, 1).u16(attrHWLen, 14).
		add(attrHWHeader, make([]byte, 14)).
		add(attrTimestamp, ts).
		u32(attrUID, 1000).u32(attrGID, 100).
		u32(attrSeq, 17).u32(attrSeqGlobal, 99).
		add(attrCT|0x8000, ct).u32(attrCTInfo, 1+3).
		add(attrVLAN|0x8000, vlan).
		add(attrL2Hdr, make([]byte, 14)).
		add(attrPayload, payload).
		msg(familyIPv4, 7)
	meta := (&msgBuilder{}).add(attrPacketHdr, []byte{0x86, 0xdd, 3, 0}).u32(attrOutDev, 1).msg(familyIPv6, 65535)
	unknown := (&msgBuilder{}).add(attrPacketHdr, []byte{0x08, 0x06, 0, 0}).add(200, []byte{1}).msg(familyARP, 1)
	return map[string][]byte{"full": full, "meta": meta, "unknown attribute": unknown}
}

func TestDecodeMessage(t *testing.T) {
	msgs := sampleMessages()
	var hdrs Headers
	_ = DecodePacket(ipv4(6, "10.0.0.1", "10.0.0.2", 64, 0x4000, tcp(40000, 5555, 0x02)), &hdrs)
	full := Packet{
		Group: 7, Family: familyIPv4,
		Present: HasPacketHdr | HasPrefix | HasInDev | HasOutDev | HasPhysInDev | HasPhysOutDev | HasMark | HasHWAddr |
			HasHWType | HasHWLen | HasHWHeader | HasTimestamp | HasUID | HasGID | HasSeq | HasSeqGlobal | HasCT | HasCTInfo |
			HasVLAN | HasL2Hdr | HasPayload,
		HWProtocol: 0x0800, Hook: 1, Prefix: "tcp-in", Mark: 0x2a, Timestamp: time.Unix(1700000000, 123456000),
		InIndex: 3, OutIndex: 4, PhysInIndex: 5, PhysOutIndex: 6,
		HWAddr: net.HardwareAddr{2, 0, 0, 0, 0, 1}, HWType: 1, HWLen: 14, HWHeader: make([]byte, 14),
		UID: 1000, GID: 100, Seq: 17, SeqGlobal: 99, VLANProto: 0x8100, VLANTCI: 0x2064, L2Header: make([]byte, 14),
		CTInfo: 4, Conn: Conntrack{State: "related", Reply: true, Status: 8, Mark: 3, ID: 0xdead, Zone: 2},
		Headers: hdrs,
	}
	tests := []struct {
		name string
		want Packet
	}{
		{"full", full},
		{"meta", Packet{Group: 65535, Family: familyIPv6, Present: HasPacketHdr | HasOutDev, HWProtocol: 0x86dd, Hook: 3, OutIndex: 1}},
		{"unknown attribute", Packet{Group: 1, Family: familyARP, Present: HasPacketHdr, HWProtocol: 0x0806}},
	}
	ignore := cmpopts.IgnoreFields(Packet{}, "Payload", "CT")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Packet
			if err := DecodeMessage(msgs[tt.name], &p); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p, ignore, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	var p Packet
	if got := (&p).VLANID(); got != 0 {
		t.Errorf("zero VLANID %d", got)
	}
	_ = DecodeMessage(msgs["full"], &p)
	if p.VLANID() != 0x64 {
		t.Errorf("VLANID %#x, want 0x64", p.VLANID())
	}
	want := `"tcp-in" in=#3 out=#4 physin=#5 physout=#6 tcp 10.0.0.1:40000 > 10.0.0.2:5555 [syn] len=40 ttl=64 mark=0x2a uid=1000 gid=100 ct=related,reply vlan=100 seq=17`
	if got := p.String()[16:]; got != want {
		t.Errorf("String:\n got %s\nwant %s", got, want)
	}
}

func TestDecodeMessageErrors(t *testing.T) {
	full := sampleMessages()["full"]
	short := append([]byte(nil), full...)
	ne.PutUint32(short, uint32(len(full)+1))
	wrongType := append([]byte(nil), full...)
	ne.PutUint16(wrongType[4:], subsysULOG<<8|msgConfig)
	badAttr := (&msgBuilder{}).add(attrMark, []byte{1, 2}).msg(2, 1)
	shortHdr := (&msgBuilder{}).add(attrPacketHdr, []byte{1}).msg(2, 1)
	for name, b := range map[string][]byte{
		"empty": nil, "length beyond buffer": short, "config message": wrongType,
		"mark of 2 bytes": badAttr, "short packet header": shortHdr, "truncated attribute": full[:len(full)-3],
	} {
		var p Packet
		if err := DecodeMessage(b, &p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkDecodeMessage measures decoding one full packet message.
func BenchmarkDecodeMessage(b *testing.B) {
	m := sampleMessages()["full"]
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(m)))
	for b.Loop() {
		if err := DecodeMessage(m, &p); err != nil {
			b.Fatal(err)
		}
	}
}
