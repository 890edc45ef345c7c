package types

// Base is a payload base (the protocol layer a header field is found in).
type Base uint8

// Protocol bases (enum proto_bases); Base-1 is the kernel's payload base.
const (
	BaseInvalid   Base = iota
	BaseLL             // link layer header (NFT_PAYLOAD_LL_HEADER)
	BaseNetwork        // network header (NFT_PAYLOAD_NETWORK_HEADER)
	BaseTransport      // transport header (NFT_PAYLOAD_TRANSPORT_HEADER)
	BaseInner          // inner header
)

// Names of bases as nft prints them in errors.
var BaseNames = [...]string{"invalid", "link layer", "network layer", "transport layer", "inner"}

// Field is one header field template. Offset and Len are in bits.
type Field struct {
	Name   string
	Type   *Datatype
	Offset int
	Len    int
	Order  ByteOrder
	// Meta, when not zero, makes the template a meta key (NFT_META_*)
	// rather than a header field: used for protocol keys like meta l4proto.
	Meta uint32
	// ICMPDep is the ICMP type family a field needs (nft's icmp_dep).
	ICMPDep ICMPDep
}

// ICMPDep names the ICMP types a field exists for (enum icmp_hdr_field_type).
type ICMPDep uint8

// ICMP dependencies of header fields.
const (
	ICMPDepNone    ICMPDep = iota
	ICMPDepAny             // PROTO_ICMP_ANY
	ICMPDepEcho            // PROTO_ICMP_ECHO
	ICMP6DepEcho           // PROTO_ICMP6_ECHO
	ICMPDepMTU             // PROTO_ICMP_MTU
	ICMPDepAddress         // PROTO_ICMP_ADDRESS
	ICMP6DepMTU            // PROTO_ICMP6_MTU
	ICMP6DepMGMQ           // PROTO_ICMP6_MGMQ
	ICMP6DepPPTR           // PROTO_ICMP6_PPTR
)

// Link says which upper protocol a protocol key value selects.
type Link struct {
	Value uint64
	Proto *Proto
}

// Proto is a protocol header description.
type Proto struct {
	Name   string
	Base   Base
	Fields []Field
	// Key is the field whose value selects the upper protocol; for ip and
	// ip6 it is the meta l4proto template, for inet meta nfproto, for
	// netdev meta protocol.
	Key   Field
	Links []Link
	// Checksum is the bit offset of the header checksum (0 = none); used
	// for payload writes.
	Checksum int
	HasCsum  bool
	// CsumType is the NFT_PAYLOAD_CSUM_* type of the checksum (1 inet, 2 sctp).
	CsumType uint32
	// Length is the header length in bits of stackable link layers
	// (ether, vlan); 0 otherwise.
	Length int
	// Pseudo lists the fields that are part of the layer 4 checksum's
	// pseudo header (a write sets NFT_PAYLOAD_L4CSUM_PSEUDOHDR).
	Pseudo []string
}

// Field returns the field named name.
func (p *Proto) Field(name string) (Field, bool) {
	for _, f := range p.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Num returns the protocol key value selecting upper from p.
func (p *Proto) Num(upper *Proto) (uint64, bool) {
	for _, l := range p.Links {
		if l.Proto == upper {
			return l.Value, true
		}
	}
	return 0, false
}

// Upper returns the protocol that key value v selects.
func (p *Proto) Upper(v uint64) *Proto {
	for _, l := range p.Links {
		if l.Value == v {
			return l.Proto
		}
	}
	return nil
}

func f(name string, dt *Datatype, off, length int) Field {
	return Field{Name: name, Type: dt, Offset: off, Len: length, Order: OrderBig}
}

func icmpf(name string, dt *Datatype, off, length int, dep ICMPDep) Field {
	x := f(name, dt, off, length)
	x.ICMPDep = dep
	return x
}

func metaKey(name string, dt *Datatype, key uint32, bits int) Field {
	return Field{Name: name, Type: dt, Len: bits, Meta: key, Order: dt.Order}
}

// Meta keys used as protocol keys.
const (
	metaProtocol = 1  // NFT_META_PROTOCOL
	metaNFProto  = 15 // NFT_META_NFPROTO
	metaL4Proto  = 16 // NFT_META_L4PROTO
)

// Protocol header descriptions (proto.c).
var (
	ProtoAH = &Proto{Name: "ah", Base: BaseTransport, Fields: []Field{
		f("nexthdr", InetProto, 0, 8), f("hdrlength", Integer, 8, 8), f("reserved", Integer, 16, 16),
		f("spi", Integer, 32, 32), f("sequence", Integer, 64, 32)}}
	ProtoESP  = &Proto{Name: "esp", Base: BaseTransport, Fields: []Field{f("spi", Integer, 0, 32), f("sequence", Integer, 32, 32)}}
	ProtoComp = &Proto{Name: "comp", Base: BaseTransport, Fields: []Field{
		f("nexthdr", InetProto, 0, 8), f("flags", Bitmask, 8, 8), f("cpi", Integer, 16, 16)}}
	ProtoICMP = &Proto{Name: "icmp", Base: BaseTransport, Fields: []Field{
		f("type", ICMPType, 0, 8), f("code", ICMPCode, 8, 8), icmpf("checksum", Integer, 16, 16, ICMPDepAny),
		icmpf("id", Integer, 32, 16, ICMPDepEcho), icmpf("sequence", Integer, 48, 16, ICMPDepEcho),
		icmpf("gateway", Integer, 32, 32, ICMPDepAddress), icmpf("mtu", Integer, 48, 16, ICMPDepMTU)}, HasCsum: true, Checksum: 16, CsumType: 1}
	ProtoIGMP = &Proto{Name: "igmp", Base: BaseTransport, Fields: []Field{
		f("type", IGMPType, 0, 8), f("mrt", Integer, 8, 8), f("checksum", Integer, 16, 16), f("group", Integer, 32, 32)}, HasCsum: true, Checksum: 16, CsumType: 1}
	ProtoUDP = &Proto{Name: "udp", Base: BaseTransport, Fields: []Field{
		f("sport", InetService, 0, 16), f("dport", InetService, 16, 16), f("length", Integer, 32, 16), f("checksum", Integer, 48, 16)}, HasCsum: true, Checksum: 48, CsumType: 1}
	ProtoUDPLite = &Proto{Name: "udplite", Base: BaseTransport, Fields: []Field{
		f("sport", InetService, 0, 16), f("dport", InetService, 16, 16), f("csumcov", Integer, 32, 16), f("checksum", Integer, 48, 16)}}
	ProtoTCP = &Proto{Name: "tcp", Base: BaseTransport, Fields: []Field{
		f("sport", InetService, 0, 16), f("dport", InetService, 16, 16), f("sequence", Integer, 32, 32),
		f("ackseq", Integer, 64, 32), f("doff", Integer, 96, 4), f("reserved", Integer, 100, 4),
		f("flags", TCPFlag, 104, 8), f("window", Integer, 112, 16), f("checksum", Integer, 128, 16),
		f("urgptr", Integer, 144, 16)}, HasCsum: true, Checksum: 128, CsumType: 1}
	ProtoDCCP = &Proto{Name: "dccp", Base: BaseTransport, Fields: []Field{
		f("sport", InetService, 0, 16), f("dport", InetService, 16, 16), f("type", DCCPPktType, 67, 4)}}
	ProtoSCTP = &Proto{Name: "sctp", Base: BaseTransport, Fields: []Field{
		f("sport", InetService, 0, 16), f("dport", InetService, 16, 16), f("vtag", Integer, 32, 32), f("checksum", Integer, 64, 32)}, HasCsum: true, Checksum: 64, CsumType: 2}
	ProtoTH = &Proto{Name: "th", Base: BaseTransport, Fields: []Field{
		f("sport", InetService, 0, 16), f("dport", InetService, 16, 16)}}
	ProtoIP = &Proto{Name: "ip", Base: BaseNetwork, Fields: []Field{
		f("version", Integer, 0, 4), f("hdrlength", Integer, 4, 4), f("dscp", DSCP, 8, 6), f("ecn", ECN, 14, 2),
		f("length", Integer, 16, 16), f("id", Integer, 32, 16), f("frag-off", Integer, 48, 16),
		f("ttl", Integer, 64, 8), f("protocol", InetProto, 72, 8), f("checksum", Integer, 80, 16),
		f("saddr", IPAddr, 96, 32), f("daddr", IPAddr, 128, 32)},
		Key: metaKey("l4proto", InetProto, metaL4Proto, 8), HasCsum: true, Checksum: 80, CsumType: 1,
		Pseudo: []string{"saddr", "daddr", "protocol", "length"}}
	ProtoICMP6 = &Proto{Name: "icmpv6", Base: BaseTransport, Fields: []Field{
		f("type", ICMP6Type, 0, 8), f("code", ICMPv6Code, 8, 8), icmpf("checksum", Integer, 16, 16, ICMPDepAny),
		icmpf("parameter-problem", Integer, 32, 32, ICMP6DepPPTR), icmpf("mtu", Integer, 32, 32, ICMP6DepMTU),
		icmpf("id", Integer, 32, 16, ICMP6DepEcho), icmpf("sequence", Integer, 48, 16, ICMP6DepEcho),
		icmpf("max-delay", Integer, 32, 16, ICMP6DepMGMQ)}, HasCsum: true, Checksum: 16, CsumType: 1}
	ProtoIP6 = &Proto{Name: "ip6", Base: BaseNetwork, Fields: []Field{
		f("version", Integer, 0, 4), f("dscp", DSCP, 4, 6), f("ecn", ECN, 10, 2), f("flowlabel", Integer, 12, 20),
		f("length", Integer, 32, 16), f("nexthdr", InetProto, 48, 8), f("hoplimit", Integer, 56, 8),
		f("saddr", IP6Addr, 64, 128), f("daddr", IP6Addr, 192, 128)},
		Key: metaKey("l4proto", InetProto, metaL4Proto, 8), Pseudo: []string{"saddr", "daddr", "nexthdr", "length"}}
	ProtoInet        = &Proto{Name: "inet", Base: BaseLL, Key: metaKey("nfproto", NFProto, metaNFProto, 8)}
	ProtoInetService = &Proto{Name: "inet-service", Base: BaseTransport, Fields: []Field{
		f("sport", InetService, 0, 16), f("dport", InetService, 16, 16)}, Key: metaKey("l4proto", InetProto, metaL4Proto, 8)}
	ProtoARP = &Proto{Name: "arp", Base: BaseNetwork, Fields: []Field{
		f("htype", Integer, 0, 16), f("ptype", EtherType, 16, 16), f("hlen", Integer, 32, 8), f("plen", Integer, 40, 8),
		f("operation", ARPOp, 48, 16), f("saddr ether", EtherAddr, 64, 48), f("saddr ip", IPAddr, 112, 32),
		f("daddr ether", EtherAddr, 144, 48), f("daddr ip", IPAddr, 192, 32)}}
	ProtoVLAN = &Proto{Name: "vlan", Base: BaseLL, Fields: []Field{
		f("pcp", Integer, 0, 3), f("dei", Integer, 3, 1), f("cfi", Integer, 3, 1), f("id", Integer, 4, 12), f("type", EtherType, 16, 16)}, Length: 32}
	ProtoEth = &Proto{Name: "ether", Base: BaseLL, Fields: []Field{
		f("daddr", EtherAddr, 0, 48), f("saddr", EtherAddr, 48, 48), f("type", EtherType, 96, 16)}, Length: 112}
	ProtoNetdev = &Proto{Name: "netdev", Base: BaseLL, Key: metaKey("protocol", EtherType, metaProtocol, 16)}
)

func init() {
	transports := func() []Link {
		return []Link{{50, ProtoESP}, {51, ProtoAH}, {108, ProtoComp}, {17, ProtoUDP}, {136, ProtoUDPLite},
			{6, ProtoTCP}, {33, ProtoDCCP}, {132, ProtoSCTP}}
	}
	ProtoAH.Key, _ = ProtoAH.Field("nexthdr")
	ProtoAH.Links = transports()
	ProtoComp.Key, _ = ProtoComp.Field("nexthdr")
	ProtoComp.Links = transports()
	ProtoICMP.Key, _ = ProtoICMP.Field("type")
	ProtoICMP6.Key, _ = ProtoICMP6.Field("type")
	ProtoIP.Links = append([]Link{{1, ProtoICMP}, {2, ProtoIGMP}, {58, ProtoICMP6}}, transports()...)
	ProtoIP6.Links = append(transports(), Link{1, ProtoICMP}, Link{2, ProtoIGMP}, Link{58, ProtoICMP6})
	ProtoInet.Links = []Link{{2, ProtoIP}, {10, ProtoIP6}}
	ProtoInetService.Links = append(transports(), Link{1, ProtoICMP}, Link{2, ProtoIGMP}, Link{58, ProtoICMP6})
	l2 := []Link{{0x0800, ProtoIP}, {0x0806, ProtoARP}, {0x86dd, ProtoIP6}, {0x8100, ProtoVLAN}, {0x88a8, ProtoVLAN}}
	ProtoVLAN.Key, _ = ProtoVLAN.Field("type")
	ProtoVLAN.Links = l2
	ProtoEth.Key, _ = ProtoEth.Field("type")
	ProtoEth.Links = l2
	ProtoNetdev.Links = l2
}

// Protos are the protocols that can be named in payload expressions.
var Protos = []*Proto{ProtoEth, ProtoVLAN, ProtoARP, ProtoIP, ProtoIP6, ProtoICMP, ProtoICMP6,
	ProtoIGMP, ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoSCTP, ProtoDCCP, ProtoAH, ProtoESP, ProtoComp, ProtoTH}

// ProtoByName returns the payload protocol named name ("tcp", "ip6", ...).
func ProtoByName(name string) *Proto {
	for _, p := range Protos {
		if p.Name == name {
			return p
		}
	}
	return nil
}
