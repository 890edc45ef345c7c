package nflog

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"
)

// Headers are the network and transport headers decoded from a logged
// packet's payload (NFULA_PAYLOAD). Fields a packet does not carry, or that
// lie beyond the copied bytes, are zero.
type Headers struct {
	IPVersion  uint8      // 4 or 6; 0 when the payload is absent or not IP
	Src, Dst   netip.Addr // source and destination address
	Protocol   uint8      // transport protocol (IPv6: after the extension headers), e.g. 6 for TCP
	TTL        uint8      // IPv4 time to live or IPv6 hop limit
	TOS        uint8      // IPv4 type of service or IPv6 traffic class
	Length     uint16     // IPv4 total length or IPv6 40 + payload length, as the header says
	ID         uint16     // IPv4 identification
	FlowLabel  uint32     // IPv6 flow label
	Fragment   bool       // the packet is a fragment (IPv4 MF or offset, IPv6 fragment header)
	FragOffset uint16     // fragment offset in 8-byte units

	// Transport is true when the transport header below was decoded.
	Transport bool
	SrcPort   uint16   // TCP, UDP, UDP-Lite, SCTP and DCCP source port
	DstPort   uint16   // TCP, UDP, UDP-Lite, SCTP and DCCP destination port
	TCPFlags  TCPFlags // TCP flags
	TCPSeq    uint32   // TCP sequence number
	TCPAck    uint32   // TCP acknowledgement number
	TCPWindow uint16   // TCP window
	ICMPType  uint8    // ICMP or ICMPv6 type
	ICMPCode  uint8    // ICMP or ICMPv6 code
	ICMPID    uint16   // ICMP/ICMPv6 echo identifier
	ICMPSeq   uint16   // ICMP/ICMPv6 echo sequence number

	// Truncated is true when the copied payload ended inside a header
	// (a small snaplen, or copy mode meta/none with no payload at all).
	Truncated bool
}

// TCPFlags are the flag bits of a TCP header (byte 13), with the ECN nonce
// bit NS as bit 8.
type TCPFlags uint16

// TCP flag bits.
const (
	TCPFin TCPFlags = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
	TCPUrg
	TCPEce
	TCPCwr
	TCPNs
)

var tcpFlagNames = [...]string{"fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr", "ns"}

// String renders f the way nft spells TCP flags, joined by commas
// ("syn,ack"), or "" when no flag is set.
func (f TCPFlags) String() string {
	var b strings.Builder
	for i, n := range tcpFlagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// Errors DecodePacket reports.
var (
	// ErrNotIP means the payload does not start with an IPv4 or IPv6 header.
	ErrNotIP = errors.New("nflog: payload is not an IP packet")
	// ErrTruncated means the payload ended inside a header; what was
	// complete has been decoded.
	ErrTruncated = errors.New("nflog: payload truncated inside a header")
)

// IP protocol numbers the transport decoder knows.
const (
	protoICMP    = 1
	protoTCP     = 6
	protoUDP     = 17
	protoDCCP    = 33
	protoICMPv6  = 58
	protoSCTP    = 132
	protoUDPLite = 136
	// IPv6 extension headers.
	protoHopOpts  = 0
	protoRouting  = 43
	protoFragment = 44
	protoAH       = 51
	protoDstOpts  = 60
)

var be = binary.BigEndian

// DecodePacket decodes the IPv4 or IPv6 header starting at b[0] and the
// transport header after it into h (which it resets first). It never panics:
// on a truncated payload it decodes what is complete, sets h.Truncated and
// returns ErrTruncated; on a payload that is not IP it returns ErrNotIP.
func DecodePacket(b []byte, h *Headers) error {
	*h = Headers{}
	if len(b) == 0 {
		h.Truncated = true
		return ErrTruncated
	}
	switch b[0] >> 4 {
	case 4:
		return h.decodeIPv4(b)
	case 6:
		return h.decodeIPv6(b)
	}
	return ErrNotIP
}

func (h *Headers) truncated() error {
	h.Truncated = true
	return ErrTruncated
}

func (h *Headers) decodeIPv4(b []byte) error {
	if len(b) < 20 {
		return h.truncated()
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 {
		return ErrNotIP
	}
	h.IPVersion = 4
	h.TOS = b[1]
	h.Length = be.Uint16(b[2:])
	h.ID = be.Uint16(b[4:])
	frag := be.Uint16(b[6:])
	h.FragOffset = frag & 0x1fff
	h.Fragment = frag&0x2000 != 0 || h.FragOffset != 0
	h.TTL = b[8]
	h.Protocol = b[9]
	h.Src = netip.AddrFrom4([4]byte(b[12:16]))
	h.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	if len(b) < ihl {
		return h.truncated()
	}
	if h.FragOffset != 0 {
		return nil // no transport header in a non-first fragment
	}
	return h.decodeTransport(b[ihl:])
}

func (h *Headers) decodeIPv6(b []byte) error {
	if len(b) < 40 {
		return h.truncated()
	}
	h.IPVersion = 6
	vtf := be.Uint32(b[0:])
	h.TOS = uint8(vtf >> 20)
	h.FlowLabel = vtf & 0xfffff
	h.Length = 40 + be.Uint16(b[4:])
	h.TTL = b[7]
	h.Src = netip.AddrFrom16([16]byte(b[8:24]))
	h.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	next, rest := b[6], b[40:]
	// Walk the extension headers; a bounded count keeps hostile input cheap.
	for range 16 {
		switch next {
		case protoHopOpts, protoRouting, protoDstOpts:
			if len(rest) < 8 {
				h.Protocol = next
				return h.truncated()
			}
			n := 8 + int(rest[1])*8
			if len(rest) < n {
				h.Protocol = next
				return h.truncated()
			}
			next, rest = rest[0], rest[n:]
		case protoAH:
			if len(rest) < 8 {
				h.Protocol = next
				return h.truncated()
			}
			n := (int(rest[1]) + 2) * 4
			if len(rest) < n {
				h.Protocol = next
				return h.truncated()
			}
			next, rest = rest[0], rest[n:]
		case protoFragment:
			if len(rest) < 8 {
				h.Protocol = next
				return h.truncated()
			}
			off := be.Uint16(rest[2:])
			h.Fragment = true
			h.FragOffset = off >> 3
			next, rest = rest[0], rest[8:]
			if h.FragOffset != 0 {
				h.Protocol = next
				return nil
			}
		default:
			h.Protocol = next
			return h.decodeTransport(rest)
		}
	}
	h.Protocol = next
	return nil
}

// decodeTransport decodes the header of h.Protocol at b[0].
func (h *Headers) decodeTransport(b []byte) error {
	switch h.Protocol {
	case protoTCP:
		if len(b) < 20 {
			return h.ports(b)
		}
		h.SrcPort, h.DstPort = be.Uint16(b[0:]), be.Uint16(b[2:])
		h.TCPSeq, h.TCPAck = be.Uint32(b[4:]), be.Uint32(b[8:])
		h.TCPFlags = TCPFlags(b[13]) | TCPFlags(b[12]&1)<<8
		h.TCPWindow = be.Uint16(b[14:])
	case protoUDP, protoUDPLite, protoSCTP, protoDCCP:
		need := 4
		if h.Protocol == protoUDP || h.Protocol == protoUDPLite {
			need = 8
		}
		if len(b) < need {
			return h.ports(b)
		}
		h.SrcPort, h.DstPort = be.Uint16(b[0:]), be.Uint16(b[2:])
	case protoICMP, protoICMPv6:
		if len(b) < 4 {
			if len(b) >= 2 {
				h.ICMPType, h.ICMPCode = b[0], b[1]
			}
			return h.truncated()
		}
		h.ICMPType, h.ICMPCode = b[0], b[1]
		if isEcho(h.Protocol, h.ICMPType) {
			if len(b) < 8 {
				return h.truncated()
			}
			h.ICMPID, h.ICMPSeq = be.Uint16(b[4:]), be.Uint16(b[6:])
		}
	default:
		return nil
	}
	h.Transport = true
	return nil
}

// ports keeps the ports of a transport header cut short by the snaplen.
func (h *Headers) ports(b []byte) error {
	if len(b) >= 4 {
		h.SrcPort, h.DstPort = be.Uint16(b[0:]), be.Uint16(b[2:])
	}
	return h.truncated()
}

// isEcho reports whether an ICMP(v6) type is an echo request or reply,
// whose header carries an identifier and a sequence number.
func isEcho(proto, typ uint8) bool {
	if proto == protoICMP {
		return typ == 0 || typ == 8
	}
	return typ == 128 || typ == 129
}

// protoNames names the IP protocols nfsh prints.
var protoNames = map[uint8]string{
	protoICMP: "icmp", 2: "igmp", protoTCP: "tcp", protoUDP: "udp", protoDCCP: "dccp",
	47: "gre", 50: "esp", protoAH: "ah", protoICMPv6: "icmpv6", protoSCTP: "sctp",
	protoUDPLite: "udplite",
}

// ProtocolName returns the name nft uses for the transport protocol
// ("tcp", "udp", "icmpv6", ...) or its number in decimal.
func (h *Headers) ProtocolName() string {
	if n, ok := protoNames[h.Protocol]; ok {
		return n
	}
	return itoa(uint64(h.Protocol))
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}
