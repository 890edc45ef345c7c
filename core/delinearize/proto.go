package delinearize

import "github.com/nfsh/nfsh/core/types"

// Protocol bases as nft numbers them (kernel base + 1).
const (
	baseInvalid   = 0
	baseLL        = 1
	baseNetwork   = 2
	baseTransport = 3
	baseInner     = 4
)

var baseTokens = []string{"invalid", "ll", "nh", "th", "ih"}

// icmp dependency kinds of header fields.
const (
	icmpAny = iota + 1
	icmpEcho
	icmp6Echo
	icmpMTU
	icmpAddress
	icmp6MTU
	icmp6MGMQ
	icmp6PPTR
)

// field is a header field template (proto_hdr_template).
type field struct {
	name    string
	t       *types.Datatype
	order   types.ByteOrder
	offset  int // bits
	len     int // bits
	icmpDep int
	metaKey bool
}

// protoDesc is a protocol description (proto_desc).
type protoDesc struct {
	name        string
	base        int
	protocolKey int // index of the field selecting the upper protocol; 0 = none
	length      int // bits, for stacked link layers
	fields      []*field
	links       map[uint64]*protoDesc
}

func hf(name string, t *types.Datatype, off, n int) *field {
	o := types.OrderBig
	return &field{name: name, t: t, order: o, offset: off, len: n}
}

var (
	protoUnknown = &protoDesc{name: "unknown", base: baseInvalid}
	protoAH      = &protoDesc{name: "ah", base: baseTransport, protocolKey: 1}
	protoESP     = &protoDesc{name: "esp", base: baseTransport}
	protoComp    = &protoDesc{name: "comp", base: baseTransport, protocolKey: 1}
	protoICMP    = &protoDesc{name: "icmp", base: baseTransport, protocolKey: 1}
	protoIGMP    = &protoDesc{name: "igmp", base: baseTransport}
	protoUDP     = &protoDesc{name: "udp", base: baseTransport}
	protoUDPLite = &protoDesc{name: "udplite", base: baseTransport}
	protoTCP     = &protoDesc{name: "tcp", base: baseTransport}
	protoDCCP    = &protoDesc{name: "dccp", base: baseTransport}
	protoSCTP    = &protoDesc{name: "sctp", base: baseTransport}
	protoTH      = &protoDesc{name: "th", base: baseTransport}
	protoIP      = &protoDesc{name: "ip", base: baseNetwork}
	protoICMP6   = &protoDesc{name: "icmpv6", base: baseTransport, protocolKey: 1}
	protoIP6     = &protoDesc{name: "ip6", base: baseNetwork}
	protoInet    = &protoDesc{name: "inet", base: baseLL}
	protoInetSvc = &protoDesc{name: "inet-service", base: baseTransport}
	protoARP     = &protoDesc{name: "arp", base: baseNetwork}
	protoVLAN    = &protoDesc{name: "vlan", base: baseLL, protocolKey: 5, length: 32}
	protoEth     = &protoDesc{name: "ether", base: baseLL, protocolKey: 3, length: 112}
	protoNetdev  = &protoDesc{name: "netdev", base: baseLL}
)

func icmpf(name string, t *types.Datatype, off, n, dep int) *field {
	f := hf(name, t, off, n)
	f.icmpDep = dep
	return f
}

func init() {
	l4 := func() map[uint64]*protoDesc {
		return map[uint64]*protoDesc{50: protoESP, 51: protoAH, 108: protoComp, 17: protoUDP, 136: protoUDPLite,
			6: protoTCP, 33: protoDCCP, 132: protoSCTP}
	}
	all := func() map[uint64]*protoDesc {
		m := l4()
		m[1] = protoICMP
		m[2] = protoIGMP
		m[58] = protoICMP6
		return m
	}
	protoAH.links = l4()
	protoAH.fields = []*field{nil, hf("nexthdr", types.InetProto, 0, 8), hf("hdrlength", types.Integer, 8, 8),
		hf("reserved", types.Integer, 16, 16), hf("spi", types.Integer, 32, 32), hf("sequence", types.Integer, 64, 32)}
	protoESP.fields = []*field{nil, hf("spi", types.Integer, 0, 32), hf("sequence", types.Integer, 32, 32)}
	protoComp.links = l4()
	protoComp.fields = []*field{nil, hf("nexthdr", types.InetProto, 0, 8), hf("flags", types.Bitmask, 8, 8), hf("cpi", types.Integer, 16, 16)}
	protoICMP.fields = []*field{nil, hf("type", types.ICMPType, 0, 8), hf("code", types.ICMPCode, 8, 8),
		icmpf("checksum", types.Integer, 16, 16, icmpAny), icmpf("id", types.Integer, 32, 16, icmpEcho),
		icmpf("sequence", types.Integer, 48, 16, icmpEcho), icmpf("gateway", types.Integer, 32, 32, icmpAddress),
		icmpf("mtu", types.Integer, 48, 16, icmpMTU)}
	protoIGMP.fields = []*field{nil, hf("type", types.IGMPType, 0, 8), hf("mrt", types.Integer, 8, 8),
		hf("checksum", types.Integer, 16, 16), hf("group", types.Integer, 32, 32)}
	protoUDP.fields = []*field{nil, hf("sport", types.InetService, 0, 16), hf("dport", types.InetService, 16, 16),
		hf("length", types.Integer, 32, 16), hf("checksum", types.Integer, 48, 16)}
	protoUDPLite.fields = []*field{nil, hf("sport", types.InetService, 0, 16), hf("dport", types.InetService, 16, 16),
		hf("csumcov", types.Integer, 32, 16), hf("checksum", types.Integer, 48, 16)}
	protoTCP.fields = []*field{nil, hf("sport", types.InetService, 0, 16), hf("dport", types.InetService, 16, 16),
		hf("sequence", types.Integer, 32, 32), hf("ackseq", types.Integer, 64, 32), hf("doff", types.Integer, 96, 4),
		hf("reserved", types.Integer, 100, 4), hf("flags", types.TCPFlag, 104, 8), hf("window", types.Integer, 112, 16),
		hf("checksum", types.Integer, 128, 16), hf("urgptr", types.Integer, 144, 16)}
	protoDCCP.fields = []*field{nil, hf("sport", types.InetService, 0, 16), hf("dport", types.InetService, 16, 16),
		hf("type", types.DCCPPktType, 67, 4)}
	protoSCTP.fields = []*field{nil, hf("sport", types.InetService, 0, 16), hf("dport", types.InetService, 16, 16),
		hf("vtag", types.Integer, 32, 32), hf("checksum", types.Integer, 64, 32)}
	protoTH.fields = []*field{nil, hf("sport", types.InetService, 0, 16), hf("dport", types.InetService, 16, 16)}
	protoIP.links = all()
	protoIP.fields = []*field{nil, hf("version", types.Integer, 0, 4), hf("hdrlength", types.Integer, 4, 4),
		hf("dscp", types.DSCP, 8, 6), hf("ecn", types.ECN, 14, 2), hf("length", types.Integer, 16, 16), hf("id", types.Integer, 32, 16),
		hf("frag-off", types.Integer, 48, 16), hf("ttl", types.Integer, 64, 8), hf("protocol", types.InetProto, 72, 8),
		hf("checksum", types.Integer, 80, 16), hf("saddr", types.IPAddr, 96, 32), hf("daddr", types.IPAddr, 128, 32)}
	protoICMP6.fields = []*field{nil, hf("type", types.ICMP6Type, 0, 8), hf("code", types.ICMPv6Code, 8, 8),
		icmpf("checksum", types.Integer, 16, 16, icmpAny), icmpf("parameter-problem", types.Integer, 32, 32, icmp6PPTR),
		icmpf("mtu", types.Integer, 32, 32, icmp6MTU), icmpf("id", types.Integer, 32, 16, icmp6Echo),
		icmpf("sequence", types.Integer, 48, 16, icmp6Echo), icmpf("max-delay", types.Integer, 32, 16, icmp6MGMQ)}
	protoIP6.links = all()
	protoIP6.fields = []*field{nil, hf("version", types.Integer, 0, 4), hf("dscp", types.DSCP, 4, 6), hf("ecn", types.ECN, 10, 2),
		hf("flowlabel", types.Integer, 12, 20), hf("length", types.Integer, 32, 16), hf("nexthdr", types.InetProto, 48, 8),
		hf("hoplimit", types.Integer, 56, 8), hf("saddr", types.IP6Addr, 64, 128), hf("daddr", types.IP6Addr, 192, 128)}
	protoInet.links = map[uint64]*protoDesc{2: protoIP, 10: protoIP6}
	nf := hf("nfproto", types.NFProto, 0, 8)
	nf.metaKey = true
	protoInet.fields = []*field{nf}
	protoInetSvc.links = all()
	protoInetSvc.fields = []*field{nil, hf("sport", types.InetService, 0, 16), hf("dport", types.InetService, 16, 16)}
	protoARP.fields = []*field{nil, hf("htype", types.Integer, 0, 16), hf("ptype", types.EtherType, 16, 16),
		hf("hlen", types.Integer, 32, 8), hf("plen", types.Integer, 40, 8), hf("operation", types.ARPOp, 48, 16),
		hf("saddr ether", types.EtherAddr, 64, 48), hf("saddr ip", types.IPAddr, 112, 32),
		hf("daddr ether", types.EtherAddr, 144, 48), hf("daddr ip", types.IPAddr, 192, 32)}
	ll := func() map[uint64]*protoDesc {
		return map[uint64]*protoDesc{0x0800: protoIP, 0x0806: protoARP, 0x86dd: protoIP6, 0x8100: protoVLAN, 0x88a8: protoVLAN}
	}
	protoVLAN.links = ll()
	protoVLAN.fields = []*field{nil, hf("pcp", types.Integer, 0, 3), hf("dei", types.Integer, 3, 1), hf("cfi", types.Integer, 3, 1),
		hf("id", types.Integer, 4, 12), hf("type", types.EtherType, 16, 16)}
	protoEth.links = ll()
	protoEth.fields = []*field{nil, hf("daddr", types.EtherAddr, 0, 48), hf("saddr", types.EtherAddr, 48, 48),
		hf("type", types.EtherType, 96, 16)}
	protoNetdev.links = ll()
	mp := hf("protocol", types.EtherType, 0, 16)
	mp.metaKey = true
	protoNetdev.fields = []*field{mp}
}

// findUpper returns the protocol above desc selected by num.
func (d *protoDesc) findUpper(num uint64) *protoDesc {
	if d == nil || d.links == nil {
		return nil
	}
	return d.links[num]
}

// isProtocolField reports whether field index i selects the upper protocol.
func (d *protoDesc) isProtocolField(i int) bool {
	if d.protocolKey != 0 && i == d.protocolKey {
		return true
	}
	if d == protoIP && i == 9 {
		return true
	}
	if d == protoIP6 && i == 6 {
		return true
	}
	return false
}

func (d *protoDesc) fieldIndex(f *field) int {
	for i, x := range d.fields {
		if x == f {
			return i
		}
	}
	return -1
}

// hookDesc returns the base and protocol a family's hooks start at.
func hookDesc(family uint8) (int, *protoDesc) {
	switch family {
	case 7: // bridge
		return baseLL, protoEth
	case 5: // netdev
		return baseLL, protoNetdev
	case 1: // inet
		return baseLL, protoInet
	case 2:
		return baseNetwork, protoIP
	case 10:
		return baseNetwork, protoIP6
	case 3:
		return baseNetwork, protoARP
	}
	return baseInvalid, nil
}
