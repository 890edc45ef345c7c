package delinearize

import (
	"fmt"

	"github.com/nfsh/nfsh/core/expr"
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
	0:  {"eol", 0, []optField{{"kind", 0, 8}}},
	1:  {"nop", 1, []optField{{"kind", 0, 8}}},
	2:  {"maxseg", 2, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"size", 16, 16}}},
	3:  {"window", 3, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"count", 16, 8}}},
	4:  {"sack-perm", 4, []optField{{"kind", 0, 8}, {"length", 8, 8}}},
	5:  {"sack", 5, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"left", 16, 32}, {"right", 48, 32}}},
	8:  {"timestamp", 8, []optField{{"kind", 0, 8}, {"length", 8, 8}, {"tsval", 16, 32}, {"tsecr", 48, 32}}},
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
	off, n := int(x.Offset)*8, int(x.Len)*8
	nd := &node{k: kExthdr, t: dtInteger, order: OrderBig, len: n, key: uint32(x.Type), offset: off,
		extra: map[string]uint64{"op": uint64(x.Op), "flags": uint64(x.Flags)}}
	present := x.Flags&expr.ExthdrFPresent != 0
	switch x.Op {
	case expr.ExthdrOpTCPOpt:
		d := tcpOpts[int(x.Type)]
		if d != nil {
			if present {
				nd.text = "tcp option " + d.name
				nd.t, nd.len = dtBoolean, 1
				return nd
			}
			for _, f := range d.fields {
				if f.offset == off && f.len == n {
					nd.text = "tcp option " + d.name + " " + f.name
					return nd
				}
			}
		}
		nd.text = fmt.Sprintf("tcp option @%d,%d,%d", x.Type, off, n)
	case expr.ExthdrOpIPv6:
		d := ip6Exthdrs[int(x.Type)]
		if d != nil {
			if present {
				nd.text = "exthdr " + d.name
				nd.t, nd.len = dtBoolean, 1
				return nd
			}
			for _, f := range d.fields {
				if f.offset == off && f.len == n {
					nd.text = d.name + " " + f.name
					if f.name == "nexthdr" {
						nd.t = dtInetProto
					}
					return nd
				}
			}
		}
		nd.text = fmt.Sprintf("exthdr @%d,%d,%d", x.Type, off, n)
	default:
		nd.text = fmt.Sprintf("exthdr @%d,%d,%d", x.Type, off, n)
	}
	return nd
}
