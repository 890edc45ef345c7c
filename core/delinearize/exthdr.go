package delinearize

import (
	"fmt"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

// optDesc is the printer's view of an extension header, TCP option, SCTP
// chunk or IP option of core/types: its fields in template order.
type optDesc struct {
	name   string
	kind   int
	fields []types.Field
}

// The core/types tables by kind (IPv6 exthdrs: the first of a type, so
// 43 is rt), and the routing header variants rt0 and srh.
var (
	tcpOpts    = map[int]*optDesc{}
	ip6Exthdrs = map[int]*optDesc{}
	sctpChunks = map[int]*optDesc{}
	ipOpts     = map[int]*optDesc{}
	// ip6ExthdrByID is indexed by nft's enum exthdr_desc_id (the order of
	// types.Exthdrs, from 1).
	ip6ExthdrByID = map[uint32]*optDesc{}
	rtSRH, rtRT0  *optDesc
)

func init() {
	for _, o := range types.TCPOpts {
		tcpOpts[int(o.Kind)] = &optDesc{o.Name, int(o.Kind), o.Templates()}
	}
	for i, d := range types.Exthdrs {
		od := &optDesc{d.Name, int(d.Type), d.Templates()}
		if _, ok := ip6Exthdrs[int(d.Type)]; !ok {
			ip6Exthdrs[int(d.Type)] = od
		}
		ip6ExthdrByID[uint32(i+1)] = od
		switch d.Name {
		case "srh":
			rtSRH = od
		case "rt0":
			rtRT0 = od
		}
	}
	for _, c := range types.SCTPChunks {
		sctpChunks[int(c.Type)] = &optDesc{c.Name, int(c.Type), c.Fields}
	}
	for _, o := range types.IPOpts {
		ipOpts[int(o.Type)] = &optDesc{o.Name, int(o.Type), o.Fields}
	}
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
				if f.Offset == off && f.Len == n {
					nd.text = "tcp option " + d.name
					if off/64 != 0 {
						nd.text += itoa(off / 64)
					}
					nd.text += " " + f.Name
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
				if f.Offset == off && f.Len == n {
					nd.text = d.name + " " + f.Name
					nd.t = f.Type
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
					if f.Offset == off && f.Len == n {
						nd.text = d.name + " " + f.Name
						if f.Len == 128 {
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
			if f.Offset == off && f.Len == n {
				nd.text = prefix + d.name + " " + f.Name
				nd.extra["tmpl"] = 1
				return nd
			}
		}
	}
	nd.text = fmt.Sprintf("exthdr @%d,%d,%d", x.Type, off, n)
	return nd
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
