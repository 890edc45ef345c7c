package delinearize

import "fmt"

func init() {
	xtTargets[xtKey(0, "LOG")] = xtLog
	xtTargets[xtKey(2, "REJECT")] = xtReject4
	xtTargets[xtKey(10, "REJECT")] = xtReject6
	xtTargets[xtKey(0, "MARK")] = xtMark
	xtTargets[xtKey(0, "CONNMARK")] = xtConnmark
	xtTargets[xtKey(0, "TCPMSS")] = xtTCPMSS
	for _, n := range []struct{ name, verb string }{
		{"SNAT", "snat"}, {"DNAT", "dnat"}, {"MASQUERADE", "masquerade"}, {"REDIRECT", "redirect"},
	} {
		verb := n.verb
		xtTargets[xtKey(2, n.name)] = func(x *xlateBuf, c xtCtx, b []byte) bool { return xtNAT(x, b, 2, verb) }
		xtTargets[xtKey(10, n.name)] = func(x *xlateBuf, c xtCtx, b []byte) bool { return xtNAT(x, b, 10, verb) }
	}
}

var syslogLevels = map[uint8]string{1: "alert", 2: "crit", 7: "debug", 0: "emerg", 3: "err", 6: "info", 5: "notice", 4: "warn"}

// xtLog follows libxt_LOG's translation (struct xt_log_info: level,
// logflags, prefix[30]).
func xtLog(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[31]
	level, flags := b[0], b[1]
	name, known := syslogLevels[level]
	x.add("log")
	if p := cstr(b[2:32]); p != "" {
		x.add(" prefix \"%s\"", p)
	}
	if level != 4 && known {
		x.add(" level %s", name)
	} else if !known {
		return false
	}
	if flags&0x2f == 0x2f {
		x.add(" flags all")
		return true
	}
	if flags&3 != 0 {
		delim := " "
		x.add(" flags tcp")
		if flags&1 != 0 {
			x.add(" sequence")
			delim = ","
		}
		if flags&2 != 0 {
			x.add("%soptions", delim)
		}
	}
	if flags&4 != 0 {
		x.add(" flags ip options")
	}
	if flags&8 != 0 {
		x.add(" flags skuid")
	}
	if flags&0x20 != 0 {
		x.add(" flags ether")
	}
	return true
}

var reject4Names = []string{"net-unreachable", "host-unreachable", "prot-unreachable", "port-unreachable",
	"(null)", "net-prohibited", "host-prohibited", "tcp reset", "admin-prohibited"}

// xtReject4 follows libipt_REJECT's translation (struct ipt_reject_info).
func xtReject4(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[3]
	w := xtU32(b, 0)
	switch {
	case w == 3:
		x.add("reject")
	case w == 7:
		x.add("reject with %s", reject4Names[w])
	case w < uint32(len(reject4Names)):
		x.add("reject with icmp type %s", reject4Names[w])
	default:
		return false
	}
	return true
}

var reject6Names = []string{"no-route", "admin-prohibited", "(null)", "addr-unreachable", "port-unreachable",
	"(null)", "tcp reset", "policy-fail", "reject-route"}

// xtReject6 follows libip6t_REJECT's translation (struct ip6t_reject_info).
func xtReject6(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[3]
	w := xtU32(b, 0)
	switch {
	case w == 4:
		x.add("reject")
	case w == 6:
		x.add("reject with %s", reject6Names[w])
	case w < uint32(len(reject6Names)):
		x.add("reject with icmpv6 type %s", reject6Names[w])
	default:
		return false
	}
	return true
}

// xtMark follows libxt_MARK's revision 2 translation (struct
// xt_mark_tginfo2: mark, mask).
func xtMark(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[7]
	mark, mask := xtU32(b, 0), xtU32(b, 4)
	x.add("meta mark set ")
	switch {
	case mask == 0xffffffff:
		x.add("0x%x ", mark)
	case mark == 0:
		x.add("mark and 0x%x ", ^mask)
	case mark == mask:
		x.add("mark or 0x%x ", mark)
	case mask == 0:
		x.add("mark xor 0x%x ", mark)
	default:
		x.add("mark and 0x%x xor 0x%x ", ^mask, mark)
	}
	return true
}

// xtConnmark follows libxt_CONNMARK's revision 2 translation (struct
// xt_connmark_tginfo2: ctmark, ctmask, nfmask, shift_dir, shift_bits, mode).
func xtConnmark(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[14]
	ctmark, ctmask, nfmask := xtU32(b, 0), xtU32(b, 4), xtU32(b, 8)
	dir, shift, mode := b[12], b[13], b[14]
	braces := ""
	if shift != 0 {
		braces = "( "
	}
	switch mode {
	case 0: // XT_CONNMARK_SET
		x.add("ct mark set %s", braces)
		switch {
		case ctmask == 0xffffffff:
			x.add("0x%x ", ctmark)
		case ctmark == 0:
			x.add("ct mark and 0x%x", ^ctmask)
		case ctmark == ctmask:
			x.add("ct mark or 0x%x", ctmark)
		case ctmask == 0:
			x.add("ct mark xor 0x%x", ctmark)
		default:
			x.add("ct mark xor 0x%x and 0x%x", ctmark, ^ctmask)
		}
	case 1, 2: // XT_CONNMARK_SAVE, XT_CONNMARK_RESTORE
		if mode == 1 {
			x.add("ct mark set %smark", braces)
		} else {
			x.add("meta mark set %sct mark", braces)
		}
		if nfmask != 0xffffffff || ctmask != 0xffffffff {
			if nfmask != ctmask {
				return false
			}
			x.add(" and 0x%x", nfmask)
		}
	}
	if mode <= 2 && shift != 0 {
		op := "<<"
		if dir != 0 {
			op = ">>"
		}
		x.add(" ) %s %d", op, shift)
	}
	return true
}

// xtTCPMSS follows libxt_TCPMSS's translation (struct xt_tcpmss_info).
func xtTCPMSS(x *xlateBuf, c xtCtx, b []byte) bool {
	_ = b[1]
	if mss := xtU16(b, 0); mss == 0xffff {
		x.add("tcp option maxseg size set rt mtu")
	} else {
		x.add("tcp option maxseg size set %d", mss)
	}
	return true
}

// xtNAT follows libxt_NAT's translation. IPv4 revision 0 targets carry a
// struct nf_nat_ipv4_multi_range_compat, IPv6 ones (and DNAT revision 2)
// a struct nf_nat_range / nf_nat_range2; the layout is told by the size.
func xtNAT(x *xlateBuf, b []byte, family uint8, verb string) bool {
	var flags uint32
	var lo, hi string
	var plo, phi, pbase uint16
	same := true
	switch {
	case family == 2 && len(b) >= 20 && len(b) < 40:
		flags = xtU32(b, 4)
		lo, hi = ip4(b, 8), ip4(b, 12)
		same = lo == hi
		plo, phi = be16(b, 16), be16(b, 18)
	case len(b) >= 40:
		flags = xtU32(b, 0)
		if family == 2 {
			lo, hi = ip4(b, 4), ip4(b, 20)
			same = string(b[4:20]) == string(b[20:36])
		} else {
			lo, hi = ip6(b, 4), ip6(b, 20)
			same = string(b[4:20]) == string(b[20:36])
		}
		plo, phi = be16(b, 36), be16(b, 38)
		if len(b) >= 42 {
			pbase = be16(b, 40)
		}
	default:
		return false
	}
	if flags&0x20 != 0 { // NF_NAT_RANGE_PROTO_OFFSET
		return false
	}
	var r string
	brackets := family == 10 && flags&2 != 0
	if flags&1 != 0 { // NF_NAT_RANGE_MAP_IPS
		if brackets {
			r += "["
		}
		r += lo
		if !same {
			r += "-" + hi
		}
		if brackets {
			r += "]"
		}
	}
	if flags&2 != 0 { // NF_NAT_RANGE_PROTO_SPECIFIED
		r += fmt.Sprintf(":%d", plo)
		if phi != plo {
			r += fmt.Sprintf("-%d", phi)
		}
		if flags&0x20 != 0 {
			r += fmt.Sprintf("/%d", pbase)
		}
	}
	x.add("%s", verb)
	if r != "" {
		x.add(" to %s", r)
	}
	sep := " "
	for _, f := range []struct {
		bit  uint32
		name string
	}{{4, "random"}, {16, "fully-random"}, {8, "persistent"}} {
		if flags&f.bit != 0 {
			x.add("%s%s", sep, f.name)
			sep = ","
		}
	}
	return true
}

func be16(b []byte, off int) uint16 { return uint16(b[off])<<8 | uint16(b[off+1]) }
