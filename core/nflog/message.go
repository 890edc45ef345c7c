package nflog

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Attrs is a set of NFULA attribute types, bit n standing for attribute n.
type Attrs uint32

// Bits of Attrs, one per NFULA attribute a packet message may carry.
const (
	HasPacketHdr  Attrs = 1 << attrPacketHdr  // NFULA_PACKET_HDR
	HasMark       Attrs = 1 << attrMark       // NFULA_MARK
	HasTimestamp  Attrs = 1 << attrTimestamp  // NFULA_TIMESTAMP
	HasInDev      Attrs = 1 << attrInDev      // NFULA_IFINDEX_INDEV
	HasOutDev     Attrs = 1 << attrOutDev     // NFULA_IFINDEX_OUTDEV
	HasPhysInDev  Attrs = 1 << attrPhysInDev  // NFULA_IFINDEX_PHYSINDEV
	HasPhysOutDev Attrs = 1 << attrPhysOutDev // NFULA_IFINDEX_PHYSOUTDEV
	HasHWAddr     Attrs = 1 << attrHWAddr     // NFULA_HWADDR
	HasPayload    Attrs = 1 << attrPayload    // NFULA_PAYLOAD
	HasPrefix     Attrs = 1 << attrPrefix     // NFULA_PREFIX
	HasUID        Attrs = 1 << attrUID        // NFULA_UID
	HasSeq        Attrs = 1 << attrSeq        // NFULA_SEQ
	HasSeqGlobal  Attrs = 1 << attrSeqGlobal  // NFULA_SEQ_GLOBAL
	HasGID        Attrs = 1 << attrGID        // NFULA_GID
	HasHWType     Attrs = 1 << attrHWType     // NFULA_HWTYPE
	HasHWHeader   Attrs = 1 << attrHWHeader   // NFULA_HWHEADER
	HasHWLen      Attrs = 1 << attrHWLen      // NFULA_HWLEN
	HasCT         Attrs = 1 << attrCT         // NFULA_CT
	HasCTInfo     Attrs = 1 << attrCTInfo     // NFULA_CT_INFO
	HasVLAN       Attrs = 1 << attrVLAN       // NFULA_VLAN
	HasL2Hdr      Attrs = 1 << attrL2Hdr      // NFULA_L2HDR
)

// Has reports whether every attribute of a is in s.
func (s Attrs) Has(a Attrs) bool { return s&a == a }

// Packet is one packet an NFLOG rule logged: every NFULA attribute of the
// kernel's message, the interface names resolved in the listener's
// network namespace, and the decoded IP and transport headers.
//
// Byte slices (Payload, HWHeader, L2Header, CT) alias a buffer the
// listener does not reuse; they stay valid as long as the Packet.
type Packet struct {
	Group  uint16 // the NFLOG group (nfgenmsg res_id)
	Family uint8  // the protocol family of the hook that logged (NFPROTO_IPV4, _IPV6, _BRIDGE, _NETDEV, _ARP)

	// Present says which attributes the message carried; a field whose
	// attribute is absent is zero.
	Present Attrs

	HWProtocol uint16    // ethertype of the packet (NFULA_PACKET_HDR hw_protocol)
	Hook       uint8     // netfilter hook number (NFULA_PACKET_HDR hook), e.g. NF_INET_LOCAL_IN
	Prefix     string    // the log prefix of the rule (NFULA_PREFIX)
	Mark       uint32    // packet mark (NFULA_MARK; the kernel omits a zero mark)
	Timestamp  time.Time // kernel receive time (NFULA_TIMESTAMP; prerouting, input and forward only)

	InIndex      uint32 // input interface index (NFULA_IFINDEX_INDEV)
	OutIndex     uint32 // output interface index (NFULA_IFINDEX_OUTDEV)
	PhysInIndex  uint32 // bridge port the packet came in on (NFULA_IFINDEX_PHYSINDEV)
	PhysOutIndex uint32 // bridge port the packet goes out on (NFULA_IFINDEX_PHYSOUTDEV)
	In           string // name of InIndex in the listener's namespace
	Out          string // name of OutIndex
	PhysIn       string // name of PhysInIndex
	PhysOut      string // name of PhysOutIndex

	HWAddr   net.HardwareAddr // link-layer source address (NFULA_HWADDR)
	HWType   uint16           // ARPHRD_* type of the input device (NFULA_HWTYPE)
	HWLen    uint16           // hard header length of the input device (NFULA_HWLEN)
	HWHeader []byte           // link-layer header (NFULA_HWHEADER)

	UID       uint32 // file system uid of the local socket (NFULA_UID)
	GID       uint32 // file system gid of the local socket (NFULA_GID)
	Seq       uint32 // per-group sequence number (NFULA_SEQ; with the Seq flag)
	SeqGlobal uint32 // namespace-wide sequence number (NFULA_SEQ_GLOBAL; with the SeqGlobal flag)

	VLANProto uint16 // VLAN protocol (NFULA_VLAN_PROTO; bridge and netdev families)
	VLANTCI   uint16 // VLAN tag control information (NFULA_VLAN_TCI)
	L2Header  []byte // full link-layer header (NFULA_L2HDR; bridge and netdev families)

	CT     []byte    // raw nested ctnetlink attributes (NFULA_CT; with the Conntrack flag)
	CTInfo uint32    // enum ip_conntrack_info (NFULA_CT_INFO)
	Conn   Conntrack // fields decoded from CT and CTInfo

	Payload []byte // the copied packet from the network header on (NFULA_PAYLOAD)

	// Headers holds the headers decoded from Payload.
	Headers

	// Received is when the listener read the message from the socket.
	Received time.Time
}

// VLANID returns the VLAN identifier of VLANTCI (its low 12 bits).
func (p *Packet) VLANID() uint16 { return p.VLANTCI & 0x0fff }

// Errors DecodeMessage reports.
var (
	// ErrNotPacket means the message is not an NFULNL_MSG_PACKET.
	ErrNotPacket = errors.New("nflog: not an NFLOG packet message")
	// ErrShortMessage means the message is shorter than its headers.
	ErrShortMessage = errors.New("nflog: message shorter than its headers")
)

// DecodeMessage decodes one netlink message (nlmsghdr, nfgenmsg and NFULA
// attributes), as the kernel sends it for a logged packet, into p (which it
// resets first). It decodes the payload's headers too, but leaves interface
// names and Received to the caller. It never panics on bad input.
//
// Byte slices in p alias msg.
func DecodeMessage(msg []byte, p *Packet) error {
	return decodeMessage(msg, p, nil)
}

// decodeMessage is DecodeMessage with a listener's last prefix, reused
// while messages repeat it (nil: none).
func decodeMessage(msg []byte, p *Packet, last *string) error {
	*p = Packet{}
	if len(msg) < nlmsgHdrLen+nfgenmsgLen {
		return ErrShortMessage
	}
	l := int(ne.Uint32(msg[0:]))
	if l < nlmsgHdrLen+nfgenmsgLen || l > len(msg) {
		return fmt.Errorf("nflog: bad message length %d (have %d bytes)", l, len(msg))
	}
	typ := ne.Uint16(msg[4:])
	if typ != subsysULOG<<8|msgPacket {
		return ErrNotPacket
	}
	body := msg[nlmsgHdrLen:l]
	p.Family = body[0]
	p.Group = be.Uint16(body[2:])
	return p.decodeAttrs(body[nfgenmsgLen:], last)
}

// decodeAttrs decodes the NFULA attributes of a packet message.
func (p *Packet) decodeAttrs(b []byte, last *string) error {
	ad := newAttrDecoder(b)
	for ad.next() {
		t := ad.typ()
		if t == 0 || t > attrMax {
			continue // unknown attributes from newer kernels are skipped
		}
		p.Present |= 1 << t
		switch t {
		case attrPacketHdr:
			if b := ad.bytes(); len(b) >= nfulnlHdrLen {
				p.HWProtocol, p.Hook = be.Uint16(b), b[2]
			} else {
				ad.fail("NFULA_PACKET_HDR too short", nfulnlHdrLen)
			}
		case attrMark:
			p.Mark = ad.u32()
		case attrTimestamp:
			if b := ad.bytes(); len(b) >= nfulnlTSLen {
				sec, usec := be.Uint64(b), be.Uint64(b[8:])
				p.Timestamp = time.Unix(int64(sec), int64(usec%1e6)*1e3)
			} else {
				ad.fail("NFULA_TIMESTAMP too short", nfulnlTSLen)
			}
		case attrInDev:
			p.InIndex = ad.u32()
		case attrOutDev:
			p.OutIndex = ad.u32()
		case attrPhysInDev:
			p.PhysInIndex = ad.u32()
		case attrPhysOutDev:
			p.PhysOutIndex = ad.u32()
		case attrHWAddr:
			if b := ad.bytes(); len(b) >= nfulnlHWLen {
				n := min(int(be.Uint16(b)), 8)
				p.HWAddr = net.HardwareAddr(b[4 : 4+n : 4+n])
			} else {
				ad.fail("NFULA_HWADDR too short", nfulnlHWLen)
			}
		case attrPayload:
			p.Payload = ad.bytes()
		case attrPrefix:
			p.Prefix = prefixOf(ad.bytes(), last)
		case attrUID:
			p.UID = ad.u32()
		case attrSeq:
			p.Seq = ad.u32()
		case attrSeqGlobal:
			p.SeqGlobal = ad.u32()
		case attrGID:
			p.GID = ad.u32()
		case attrHWType:
			p.HWType = ad.u16()
		case attrHWHeader:
			p.HWHeader = ad.bytes()
		case attrHWLen:
			p.HWLen = ad.u16()
		case attrCT:
			p.CT = ad.bytes()
		case attrCTInfo:
			p.CTInfo = ad.u32()
		case attrVLAN:
			p.decodeVLAN(ad.bytes())
		case attrL2Hdr:
			p.L2Header = ad.bytes()
		}
	}
	if err := ad.err(); err != nil {
		return err
	}
	if p.Present.Has(HasCT) || p.Present.Has(HasCTInfo) {
		p.Conn = decodeConntrack(p.CT, p.CTInfo, p.Present.Has(HasCTInfo))
	}
	if len(p.Payload) > 0 && p.isIP() {
		_ = DecodePacket(p.Payload, &p.Headers) // Truncated/zero fields say what is missing
	}
	return nil
}

// isIP reports whether the payload should hold an IPv4 or IPv6 header.
func (p *Packet) isIP() bool {
	switch p.Family {
	case familyIPv4, familyIPv6:
		return true
	case familyARP:
		return false
	}
	return p.HWProtocol == 0x0800 || p.HWProtocol == 0x86dd
}

// decodeVLAN decodes the attributes nested in NFULA_VLAN; a malformed
// nest leaves the VLAN fields zero.
func (p *Packet) decodeVLAN(b []byte) {
	ad := newAttrDecoder(b)
	for ad.next() {
		switch ad.typ() {
		case attrVLANProto:
			p.VLANProto = ad.u16()
		case attrVLANTCI:
			p.VLANTCI = ad.u16()
		}
	}
}

// Protocol families as the kernel puts them in nfgenmsg.
const (
	familyIPv4   = 2  // NFPROTO_IPV4
	familyARP    = 3  // NFPROTO_ARP
	familyNetdev = 5  // NFPROTO_NETDEV
	familyBridge = 7  // NFPROTO_BRIDGE
	familyIPv6   = 10 // NFPROTO_IPV6
)

// prefixCache interns log prefixes: rules log few distinct prefixes, so
// most messages need no string allocation. It holds at most 1024 entries.
var (
	prefixMu    sync.Mutex
	prefixCache = make(map[string]string)
)

// prefixOf returns the NUL-terminated string at the start of b: *last
// when it is the same, or else the interned string, which becomes *last.
func prefixOf(b []byte, last *string) string {
	if last == nil {
		return internPrefix(b)
	}
	n := len(b)
	for i, c := range b {
		if c == 0 {
			n = i
			break
		}
	}
	if *last == string(b[:n]) {
		return *last
	}
	*last = internPrefix(b[:n])
	return *last
}

// internPrefix returns the NUL-terminated string at the start of b.
func internPrefix(b []byte) string {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	prefixMu.Lock()
	defer prefixMu.Unlock()
	if s, ok := prefixCache[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(prefixCache) < 1024 {
		prefixCache[s] = s
	}
	return s
}

// Clone returns a copy of p that shares no memory with the datagram it was
// decoded from: what a consumer of Options.Reuse batches keeps beyond
// Release.
func (p *Packet) Clone() *Packet {
	c := *p
	n := len(p.HWAddr) + len(p.HWHeader) + len(p.L2Header) + len(p.CT) + len(p.Payload)
	if n == 0 {
		return &c
	}
	buf := make([]byte, 0, n)
	dup := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		i := len(buf)
		buf = append(buf, b...)
		return buf[i:len(buf):len(buf)]
	}
	c.HWAddr = dup(p.HWAddr)
	c.HWHeader = dup(p.HWHeader)
	c.L2Header = dup(p.L2Header)
	c.CT = dup(p.CT)
	c.Payload = dup(p.Payload)
	return &c
}
