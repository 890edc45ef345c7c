package delinearize

import "math/bits"

func init() {
	xtMatches[xtKey(2, "conntrack")] = func(x *xlateBuf, c xtCtx, b []byte) bool { return xtConntrack(x, b, 2) }
	xtMatches[xtKey(10, "conntrack")] = func(x *xlateBuf, c xtCtx, b []byte) bool { return xtConntrack(x, b, 10) }
	xtMatches[xtKey(0, "comment")] = func(*xlateBuf, xtCtx, []byte) bool { return true }
	xtMatches[xtKey(2, "multiport")] = xtMultiport
	xtMatches[xtKey(10, "multiport")] = xtMultiport
	xtMatches[xtKey(0, "tcp")] = xtTCP
	xtMatches[xtKey(2, "icmp")] = xtICMP
	xtMatches[xtKey(10, "icmp6")] = xtICMP6
	xtMatches[xtKey(0, "mac")] = xtMac
	xtMatches[xtKey(2, "iprange")] = func(x *xlateBuf, c xtCtx, b []byte) bool { return xtIPRange(x, b, "ip", 4) }
	xtMatches[xtKey(10, "iprange")] = func(x *xlateBuf, c xtCtx, b []byte) bool { return xtIPRange(x, b, "ip6", 16) }
	xtMatches[xtKey(0, "length")] = xtLength
	xtMatches[xtKey(0, "pkttype")] = xtPkttype
	xtMatches[xtKey(0, "addrtype")] = xtAddrtype
	xtMatches[xtKey(10, "hl")] = xtHL
}

// Layout of struct xt_conntrack_mtinfo3 (xt_conntrack.h), host byte order
// except the addresses.
const (
	ctExpiresMin = 128
	ctL4proto    = 136
	ctMatchFlags = 146
	ctInvFlags   = 148
	ctStateMask  = 150
	ctStatusMask = 152
)

func xtCtState(x *xlateBuf, mask uint16, inv bool) {
	if inv {
		x.add("! ")
	}
	sep := ""
	for _, s := range []struct {
		bit  uint16
		name string
	}{{1, "invalid"}, {8, "new"}, {4, "related"}, {2, "established"}, {1 << 8, "untracked"}} {
		if mask&s.bit != 0 {
			x.add("%s%s", sep, s.name)
			sep = ","
		}
	}
}

func xtCtStatus(x *xlateBuf, mask uint16, inv bool) {
	if inv {
		x.add("! ")
	}
	sep := ""
	for _, s := range []struct {
		bit  uint16
		name string
	}{{1, "expected"}, {2, "seen-reply"}, {4, "assured"}, {8, "confirmed"}} {
		if mask&s.bit != 0 {
			x.add("%s%s", sep, s.name)
			sep = ","
		}
	}
}

func invStr(inv bool, s string) string {
	if inv {
		return s
	}
	return ""
}

// xtConntrack follows libxt_conntrack's conntrack3 translation.
func xtConntrack(x *xlateBuf, b []byte, family uint8) bool {
	_ = b[161]
	flags, inv := xtU16(b, ctMatchFlags), xtU16(b, ctInvFlags)
	space := ""
	dir := "original"
	if inv&(1<<12) != 0 {
		dir = "reply"
	}
	if flags&(1<<12) != 0 { // XT_CONNTRACK_DIRECTION
		x.add("ct direction %s", dir)
		space = " "
	}
	if flags&(1<<1) != 0 { // XT_CONNTRACK_PROTO
		x.add("%sct %s protocol %s%d", space, dir, invStr(inv&(1<<1) != 0, "!= "), xtU16(b, ctL4proto))
		space = " "
	}
	state := xtU16(b, ctStateMask)
	if flags&1 != 0 { // XT_CONNTRACK_STATE
		if state&(1<<6|1<<7) != 0 {
			which := "dnat"
			if state&(1<<6) != 0 {
				which = "snat"
			}
			x.add("%sct status %s%s", space, invStr(inv&(1<<6) != 0, "!="), which)
		} else {
			x.add("%sct state ", space)
			xtCtState(x, state, inv&1 != 0)
		}
		space = " "
	}
	if flags&(1<<6) != 0 { // XT_CONNTRACK_STATUS
		x.add("%sct status ", space)
		xtCtStatus(x, xtU16(b, ctStatusMask), inv&(1<<6) != 0)
		space = " "
	}
	if flags&(1<<7) != 0 { // XT_CONNTRACK_EXPIRES
		x.add("%sct expiration %s", space, invStr(inv&(1<<7) != 0, "!= "))
		lo, hi := xtU32(b, ctExpiresMin), xtU32(b, ctExpiresMin+4)
		if lo == hi {
			x.add("%d", lo)
		} else {
			x.add("%d-%d", lo, hi)
		}
		space = " "
	}
	for _, a := range []struct {
		bit, off int
		name     string
	}{
		{2, 0, "original saddr"}, {3, 32, "original daddr"}, {4, 64, "reply saddr"}, {5, 96, "reply daddr"},
	} {
		if flags&(1<<a.bit) == 0 {
			continue
		}
		x.add("%sct %s %s", space, a.name, invStr(inv&(1<<a.bit) != 0, "!= "))
		switch family {
		case 2:
			x.add("%s%s", ip4(b, a.off), ipMaskSuffix(b[a.off+16:a.off+20]))
		case 10:
			x.add("%s%s", ip6(b, a.off), ipMaskSuffix(b[a.off+16:a.off+32]))
		}
		space = " "
	}
	for _, p := range []struct {
		bit, lo, hi int
		name        string
	}{
		{8, 138, 154, "original proto-src"}, {9, 140, 156, "original proto-dst"},
		{10, 142, 158, "reply proto-src"}, {11, 144, 160, "reply proto-dst"},
	} {
		if flags&(1<<p.bit) == 0 {
			continue
		}
		x.add("%sct %s %s", space, p.name, invStr(inv&(1<<p.bit) != 0, "!= "))
		lo, hi := xtU16(b, p.lo), xtU16(b, p.hi)
		if lo == hi {
			x.add("%d", lo)
		} else {
			x.add("%d-%d", lo, hi)
		}
		space = " "
	}
	return true
}

// xtMultiport follows libxt_multiport's revision 1 translation
// (struct xt_multiport_v1: flags, count, ports[15], pflags[15], invert).
func xtMultiport(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[47]
	flags, count := b[0], int(b[1])
	if count > 15 {
		return false
	}
	port := func(i int) uint16 { return xtU16(b, 2+2*i) }
	x.add("%s", xtProtoName(c.proto))
	switch flags {
	case 0:
		x.add(" sport ")
	case 1:
		x.add(" dport ")
	case 2:
		x.add(" sport . %s dport { ", xtProtoName(c.proto))
		for i := 0; i < count; i++ {
			if i != 0 {
				x.add(", ")
			}
			x.add("0-65535 . %d, %d . 0-65535", port(i), port(i))
		}
		x.add(" }")
		return true
	}
	if b[47] != 0 {
		x.add("!= ")
	}
	braces := count > 2 || (count > 1 && b[32] == 0)
	if braces {
		x.add("{ ")
	}
	for i := 0; i < count; i++ {
		sep := ""
		if i > 0 {
			sep = ", "
		}
		x.add("%s%d", sep, port(i))
		if b[32+i] != 0 && i+1 < 15 {
			i++
			x.add("-%d", port(i))
		}
	}
	if braces {
		x.add("}")
	}
	return true
}

var tcpFlagNames = []string{"fin", "syn", "rst", "psh", "ack", "urg"}

func xtTCPFlags(x *xlateBuf, f uint8) {
	have := false
	for i, n := range tcpFlagNames {
		if f&(1<<i) != 0 {
			sep := ""
			if have {
				sep = ","
			}
			x.add("%s%s", sep, n)
			have = true
		}
	}
	if f&0xc0 != 0 {
		// libxtables' loop would run past its table; nft's output is undefined
		panic("tcp flags")
	}
	if !have {
		x.add("0x0")
	}
}

// xtTCP follows libxt_tcp's translation (struct xt_tcp).
func xtTCP(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[11]
	inv := b[11]
	ports := func(name string, off int, bit uint8) {
		lo, hi := xtU16(b, off), xtU16(b, off+2)
		if lo == 0 && hi == 0xffff {
			return
		}
		if lo != hi {
			x.add("tcp %s %s%d-%d", name, invStr(inv&bit != 0, "!= "), lo, hi)
		} else {
			x.add("tcp %s %s%d", name, invStr(inv&bit != 0, "!= "), lo)
		}
	}
	ports("sport", 0, 1)
	ports("dport", 4, 2)
	if b[8] != 0 {
		what := "exists"
		if inv&8 != 0 {
			what = "missing"
		}
		x.add("tcp option %d %s", b[8], what)
	}
	if b[9] != 0 || inv&4 != 0 {
		x.add("tcp flags %s", invStr(inv&4 != 0, "!= "))
		xtTCPFlags(x, b[10])
		x.add(" / ")
		xtTCPFlags(x, b[9])
	}
	return true
}

var icmpTypeNames = map[uint8]string{0: "echo-reply", 3: "destination-unreachable", 4: "source-quench", 5: "redirect",
	8: "echo-request", 9: "router-advertisement", 10: "router-solicitation", 11: "time-exceeded",
	12: "parameter-problem", 13: "timestamp-request", 14: "timestamp-reply", 17: "address-mask-request",
	18: "address-mask-reply"}

var icmp6TypeNames = map[uint8]string{1: "destination-unreachable", 2: "packet-too-big", 3: "time-exceeded",
	4: "parameter-problem", 128: "echo-request", 129: "echo-reply", 133: "nd-router-solicit",
	134: "nd-router-advert", 135: "nd-neighbor-solicit", 136: "nd-neighbor-advert", 137: "nd-redirect"}

// xtICMP follows libipt_icmp's translation (struct ipt_icmp: type,
// code[2], invflags): only whole types have one.
func xtICMP(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[3]
	if b[0] == 0xff {
		x.add("ip protocol icmp")
		return true
	}
	name, ok := icmpTypeNames[b[0]]
	if b[1] == b[2] || !ok || b[1] != 0 || b[2] != 0xff {
		return false
	}
	x.add("icmp type%s %s", invStr(b[3]&1 != 0, " !="), name)
	return true
}

// xtICMP6 follows libip6t_icmp6's translation (struct ip6t_icmp).
func xtICMP6(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[3]
	name, ok := icmp6TypeNames[b[0]]
	if b[1] == b[2] || !ok {
		return false
	}
	if (b[0] < 133 || b[0] > 137) && (b[1] != 0 || b[2] != 0xff) {
		return false
	}
	x.add("icmpv6 type%s %s", invStr(b[3]&1 != 0, " !="), name)
	return true
}

// xtMac follows libxt_mac's translation (struct xt_mac_info).
func xtMac(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[11]
	x.add("ether saddr%s %02x:%02x:%02x:%02x:%02x:%02x", invStr(xtU32(b, 8) != 0, " !="), b[0], b[1], b[2], b[3], b[4], b[5])
	return true
}

// xtIPRange follows libxt_iprange's revision 1 translation
// (struct xt_iprange_mtinfo).
func xtIPRange(x *xlateBuf, b []byte, proto string, alen int) bool {
	_ = b[64]
	flags := b[64]
	addr := func(off int) string {
		if alen == 4 {
			return ip4(b, off)
		}
		return ip6(b, off)
	}
	if flags&1 != 0 {
		x.add("%s saddr%s %s", proto, invStr(flags&0x10 != 0, " !="), addr(0))
		x.add("-%s", addr(16))
	}
	if flags&2 != 0 {
		x.add("%s daddr%s %s", proto, invStr(flags&0x20 != 0, " !="), addr(32))
		x.add("-%s", addr(48))
	}
	return true
}

// xtLength follows libxt_length's translation (struct xt_length_info).
func xtLength(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[4]
	x.add("meta length %s", invStr(b[4] != 0, "!= "))
	lo, hi := xtU16(b, 0), xtU16(b, 2)
	if lo == hi {
		x.add("%d", lo)
	} else {
		x.add("%d-%d", lo, hi)
	}
	return true
}

// xtPkttype follows libxt_pkttype's translation (struct xt_pkttype_info).
func xtPkttype(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[7]
	x.add("pkttype%s ", invStr(xtU32(b, 4) != 0, " !="))
	switch t := int32(xtU32(b, 0)); t {
	case 0:
		x.add("unicast")
	case 1:
		x.add("broadcast")
	case 2:
		x.add("multicast")
	default:
		x.add("%d", t)
	}
	return true
}

var rtnNames = []string{"unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit"}

// xtAddrtype follows libxt_addrtype's revision 1 translation
// (struct xt_addrtype_info_v1: source, dest, flags).
func xtAddrtype(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[7]
	src, dst, flags := xtU16(b, 0), xtU16(b, 2), xtU32(b, 4)
	x.add("fib ")
	val := dst
	if src != 0 {
		x.add("saddr ")
		val = src
	} else {
		x.add("daddr ")
	}
	if flags&4 != 0 {
		x.add(". iif ")
	} else if flags&8 != 0 {
		x.add(". oif ")
	}
	x.add("type ")
	if flags&3 != 0 {
		x.add("!= ")
	}
	braces := bits.OnesCount16(val) > 1
	if braces {
		x.add("{ ")
	}
	sep := ""
	for i, n := range rtnNames {
		if val&(1<<i) != 0 {
			x.add("%s%s", sep, n)
			sep = ", "
		}
	}
	if braces {
		x.add(" }")
	}
	return true
}

// xtHL follows libip6t_hl's translation (struct ip6t_hl_info).
func xtHL(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[1]
	ops := []string{"", "!= ", "lt ", "gt "}
	if int(b[0]) >= len(ops) {
		return false
	}
	x.add("ip6 hoplimit %s%d", ops[b[0]], b[1])
	return true
}
