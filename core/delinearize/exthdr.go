package delinearize

import (
	"fmt"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

type optField struct {
	name   string
	offset int // bits
	len    int // bits
}

type optDesc struct {
	name   string
	kind   int
	fields []optField
}

var tcpOpts = map[int]*optDesc{
	0: {"eol", 0, []optField{{"kind", 0, 8}}},
	1: {"nop", 1, []optField{{"kind", 0, 8}}},
	2: {"maxseg", 2, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"size", 16, 16}}},
	3: {"window", 3, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"count", 16, 8}}},
	4: {"sack-perm", 4, []optField{{"kind", 0, 8}, {"length", 8, 8}}},
	5: {"sack", 5, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"left", 16, 32}, {"right", 48, 32},
		{"left", 80, 32}, {"right", 112, 32}, {"left", 144, 32}, {"right", 176, 32}, {"left", 208, 32}, {"right", 240, 32}}},
	8:  {"timestamp", 8, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"tsval", 16, 32}, {"tsecr", 48, 32}}},
	19: {"md5sig", 19, []optField{{"kind", 0, 8}, {"length", 8, 8}}},
	34: {"fastopen", 34, []optField{{"kind", 0, 8}, {"length", 8, 8}}},
	30: {"mptcp", 30, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"subtype", 16, 4}}},
}

var ip6Exthdrs = map[int]*optDesc{
	0:   {"hbh", 0, []optField{{"nexthdr", 0, 8}, {"hdrlength", 8, 8}}},
	43:  {"rt", 43, []optField{{"nexthdr", 0, 8}, {"hdrlength", 8, 8}, {"type", 16, 8}, {"seg-left", 24, 8}}},
	44:  {"frag", 44, []optField{{"nexthdr", 0, 8}, {"reserved", 8, 8}, {"frag-off", 16, 13}, {"reserved2", 29, 2}, {"more-fragments", 31, 1}, {"id", 32, 32}}},
	60:  {"dst", 60, []optField{{"nexthdr", 0, 8}, {"hdrlength", 8, 8}}},
	135: {"mh", 135, []optField{{"nexthdr", 0, 8}, {"hdrlength", 8, 8}, {"type", 16, 8}, {"reserved", 24, 8}, {"checksum", 32, 16}}},
}

// exthdrNode builds the nft expression of an exthdr load.
func exthdrNode(x *expr.Exthdr) *node {
	return exthdrNodeBits(x, int(x.Offset)*8, int(x.Len)*8)
}

// exthdrNodeBits names an exthdr load of n bits at bit offset off.
func exthdrNodeBits(x *expr.Exthdr, off, n int) *node {
	nd := &node{k: kExthdr, t: types.Integer, order: types.OrderBig, len: n, key: uint32(x.Type), offset: off,
		extra: map[string]uint64{"op": uint64(x.Op), "flags": uint64(x.Flags)}, ex: x}
	present := x.Flags&expr.ExthdrFPresent != 0
	switch x.Op {
	case expr.ExthdrOpTCPOpt:
		d := tcpOpts[int(x.Type)]
		if d != nil {
			if present {
				nd.text = "tcp option " + d.name
				nd.t, nd.len = types.Boolean, 1
				return nd
			}
			for _, f := range d.fields {
				if f.offset == off && f.len == n {
					nd.text = "tcp option " + d.name
					if off/64 != 0 {
						nd.text += itoa(off / 64)
					}
					nd.text += " " + f.name
					nd.extra["tmpl"] = 1
					return nd
				}
			}
		} else if off == 0 && present {
			nd.text = "tcp option " + itoa(int(x.Type))
			nd.t, nd.len = types.Boolean, 1
			return nd
		}
		nd.text = fmt.Sprintf("tcp option @%d,%d,%d", x.Type, off, n)
	case expr.ExthdrOpIPv6:
		d := ip6Exthdrs[int(x.Type)]
		if d != nil {
			if present {
				nd.text = "exthdr " + d.name
				nd.t, nd.len = types.Boolean, 1
				return nd
			}
			for _, f := range d.fields {
				if f.offset == off && f.len == n {
					nd.text = d.name + " " + f.name
					if f.name == "nexthdr" {
						nd.t = types.InetProto
					}
					if d.name == "mh" && f.name == "type" {
						nd.t = types.MHType
					}
					nd.extra["tmpl"] = 1
					return nd
				}
			}
		}
		if x.Type == 43 && !present {
			// exthdr_init_raw tries the routing header variants: srh,
			// then rt0 (rt2 has no matchable fields)
			for _, d := range []*optDesc{rtSRH, rtRT0} {
				for _, f := range d.fields {
					if f.offset == off && f.len == n {
						nd.text = d.name + " " + f.name
						if f.len == 128 {
							nd.t = types.IP6Addr
						}
						nd.extra["tmpl"] = 1
						return nd
					}
				}
			}
		}
		nd.text = fmt.Sprintf("exthdr @%d,%d,%d", x.Type, off, n)
	case exthdrOpSCTP:
		return optNode(nd, "sctp chunk ", sctpChunks[int(x.Type)], present, off, n, x)
	case exthdrOpIPv4:
		return optNode(nd, "ip option ", ipOpts[int(x.Type)], present, off, n, x)
	default:
		nd.text = fmt.Sprintf("exthdr @%d,%d,%d", x.Type, off, n)
	}
	return nd
}

// Exthdr operations beyond those core/expr names.
const (
	exthdrOpIPv4 = 2 // NFT_EXTHDR_OP_IPV4
	exthdrOpSCTP = 3 // NFT_EXTHDR_OP_SCTP
)

// optNode names an ip option or sctp chunk load ("sctp chunk init
// flags", "ip option rr exists"); all their fields are integers.
func optNode(nd *node, prefix string, d *optDesc, present bool, off, n int, x *expr.Exthdr) *node {
	if d != nil {
		if present {
			nd.text = prefix + d.name
			nd.t, nd.len = types.Boolean, 1
			return nd
		}
		for _, f := range d.fields {
			if f.offset == off && f.len == n {
				nd.text = prefix + d.name + " " + f.name
				nd.extra["tmpl"] = 1
				return nd
			}
		}
	}
	nd.text = fmt.Sprintf("exthdr @%d,%d,%d", x.Type, off, n)
	return nd
}

var sctpCommon = []optField{{"type", 0, 8}, {"flags", 8, 8}, {"length", 16, 16}}

func sctpChunk(name string, kind int, more ...optField) *optDesc {
	return &optDesc{name, kind, append(append([]optField{}, sctpCommon...), more...)}
}

// sctpChunks mirrors nft's sctp_chunk_protocols.
var sctpChunks = map[int]*optDesc{
	0: sctpChunk("data", 0, optField{"tsn", 32, 32}, optField{"stream", 64, 16}, optField{"ssn", 80, 16}, optField{"ppid", 96, 32}),
	1: sctpChunk("init", 1, optField{"init-tag", 32, 32}, optField{"a-rwnd", 64, 32}, optField{"num-outbound-streams", 96, 16},
		optField{"num-inbound-streams", 112, 16}, optField{"initial-tsn", 128, 32}),
	2: sctpChunk("init-ack", 2, optField{"init-tag", 32, 32}, optField{"a-rwnd", 64, 32}, optField{"num-outbound-streams", 96, 16},
		optField{"num-inbound-streams", 112, 16}, optField{"initial-tsn", 128, 32}),
	3: sctpChunk("sack", 3, optField{"cum-tsn-ack", 32, 32}, optField{"a-rwnd", 64, 32}, optField{"num-gap-ack-blocks", 96, 16},
		optField{"num-dup-tsns", 112, 16}),
	4:   sctpChunk("heartbeat", 4),
	5:   sctpChunk("heartbeat-ack", 5),
	6:   sctpChunk("abort", 6),
	7:   sctpChunk("shutdown", 7, optField{"cum-tsn-ack", 32, 32}),
	8:   sctpChunk("shutdown-ack", 8),
	9:   sctpChunk("error", 9),
	10:  sctpChunk("cookie-echo", 10),
	11:  sctpChunk("cookie-ack", 11),
	12:  sctpChunk("ecne", 12, optField{"lowest-tsn", 32, 32}),
	13:  sctpChunk("cwr", 13, optField{"lowest-tsn", 32, 32}),
	14:  sctpChunk("shutdown-complete", 14),
	128: sctpChunk("asconf-ack", 128, optField{"seqno", 32, 32}),
	192: sctpChunk("forward-tsn", 192, optField{"new-cum-tsn", 32, 32}),
	193: sctpChunk("asconf", 193, optField{"seqno", 32, 32}),
}

// ipOpts mirrors nft's ipopt_protocols.
var ipOpts = map[int]*optDesc{
	131: {"lsrr", 131, []optField{{"type", 0, 8}, {"length", 8, 8}, {"ptr", 16, 8}, {"addr", 24, 32}}},
	7:   {"rr", 7, []optField{{"type", 0, 8}, {"length", 8, 8}, {"ptr", 16, 8}, {"addr", 24, 32}}},
	137: {"ssrr", 137, []optField{{"type", 0, 8}, {"length", 8, 8}, {"ptr", 16, 8}, {"addr", 24, 32}}},
	148: {"ra", 148, []optField{{"type", 0, 8}, {"length", 8, 8}, {"value", 16, 16}}},
}

// exthdrFindTemplate is exthdr_find_template: a mask on an exthdr load
// that selects one header field turns the load into that field; it
// returns the shift to apply to the compared values.
func exthdrFindTemplate(left, mask *node) (*node, int, bool) {
	if left.k != kExthdr || left.ex == nil || mask.k != kValue || mask.v.Sign() == 0 {
		return nil, 0, false
	}
	x := left.ex
	if x.Op == exthdrOpSCTP {
		return nil, 0, false
	}
	if x.Op == expr.ExthdrOpTCPOpt && left.extra["tmpl"] != 0 {
		return nil, 0, false
	}
	maskOff := int(mask.v.TrailingZeroBits())
	maskLen := maskOff
	for maskLen < mask.v.BitLen() && mask.v.Bit(maskLen) == 1 {
		maskLen++
	}
	off := left.offset + (mask.len+7)/8*8 - maskLen
	n := exthdrNodeBits(x, off, maskLen-maskOff)
	if n.extra["tmpl"] == 0 {
		return nil, 0, false
	}
	return n, maskOff, true
}

// Routing header variants (nft's exthdr_rt4 and exthdr_rt0).
var (
	rtSRH = &optDesc{"srh", 43, []optField{{"last-entry", 32, 8}, {"flags", 40, 8}, {"tag", 48, 16},
		{"sid[1]", 64, 128}, {"sid[2]", 192, 128}}}
	rtRT0 = &optDesc{"rt0", 43, []optField{{"reserved", 32, 32}, {"addr[1]", 64, 128}, {"addr[2]", 192, 128}}}
)
