package trace

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/delinearize"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// This file turns the packet headers of a trace into the statements of
// the "packet:" line, the way nft 1.0.6's trace_print_packet does: each
// header is cut into the header fields of the protocol in effect at its
// layer (what is left over is a raw @ll/@nh/@th match), checksums and the
// fields a protocol filters out are dropped, the rest is ordered by the
// protocol's preferred order, protocol fields select the next layer's
// protocol, and redundant protocol matches are removed as in a rule
// listing, except that an ICMP type is never removed. Each field then
// prints through core/delinearize as the payload match a rule would hold.

// format is nft's proto_desc.format of a protocol: the preferred order of
// its fields and the fields never printed (by field name).
type protoFormat struct {
	order  []string
	filter []string
}

var formats = map[*types.Proto]protoFormat{
	types.ProtoIP: {order: []string{"saddr", "daddr", "dscp", "ecn", "ttl", "id", "protocol", "length"},
		filter: []string{"version", "hdrlength", "frag-off"}},
	types.ProtoIP6: {order: []string{"saddr", "daddr", "dscp", "ecn", "hoplimit", "flowlabel", "nexthdr", "length"},
		filter: []string{"version"}},
	types.ProtoTCP: {filter: []string{"sequence", "ackseq", "doff", "reserved", "urgptr"}},
	types.ProtoAH:  {order: []string{"spi", "hdrlength", "nexthdr"}, filter: []string{"reserved", "sequence"}},
	types.ProtoARP: {filter: []string{"htype", "ptype", "hlen", "plen", "saddr ether", "daddr ether", "saddr ip", "daddr ip"}},
	types.ProtoEth: {order: []string{"saddr", "daddr", "type"}},
}

// pstmt is one statement of the packet line: a header field (or a raw
// run of bits when proto is nil) compared with the packet's value.
type pstmt struct {
	proto *types.Proto // nil: raw
	field types.Field  // the template; Len may be cut short by the header's end
	base  types.Base
	off   int    // bit offset in the header
	bits  int    // bit length
	hdr   []byte // the whole header
	// net is the network protocol and its key value that selected a
	// transport protocol (for printing transport fields with their
	// dependency).
	net    *types.Proto
	netNum uint64
}

// value returns the statement's bits as a number.
func (s *pstmt) value() *big.Int {
	v := new(big.Int).SetBytes(s.hdr)
	v.Rsh(v, uint(len(s.hdr)*8-s.off-s.bits))
	return v.And(v, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(s.bits)), big.NewInt(1)))
}

func (s *pstmt) protocol() bool {
	if s.proto == nil {
		return false
	}
	switch {
	case s.proto == types.ProtoIP && s.field.Name == "protocol", s.proto == types.ProtoIP6 && s.field.Name == "nexthdr":
		return true
	}
	return s.proto.Key.Meta == 0 && s.proto.Key.Name != "" && s.proto.Key.Name == s.field.Name && s.proto.Key.Offset == s.field.Offset
}

// upper returns the protocol a protocol field's value selects.
func (s *pstmt) upper() *types.Proto {
	if !s.protocol() || !s.value().IsUint64() {
		return nil
	}
	return s.proto.Upper(s.value().Uint64())
}

// pktCtx is the state of one packet line (nft's proto_ctx and
// payload_dep_ctx).
type pktCtx struct {
	family   uint8
	proto    [types.BaseInner + 1]*types.Proto
	net      *types.Proto // the network protocol that selected proto[BaseTransport]
	netNum   uint64
	pdeps    [types.BaseInner + 2]*pstmt
	icmpType uint64
	out      []*pstmt
}

// arphrdEther is ARPHRD_ETHER, the only device type nft maps to a link
// layer protocol.
const arphrdEther = 1

// packetStmts returns the statements of the packet line of t.
func packetStmts(t *Trace) []*pstmt {
	pc := &pktCtx{family: t.Family}
	switch t.Family {
	case unix.NFPROTO_BRIDGE:
		pc.proto[types.BaseLL] = types.ProtoEth
	case unix.NFPROTO_NETDEV:
		pc.proto[types.BaseLL] = types.ProtoNetdev
	case unix.NFPROTO_INET:
		pc.proto[types.BaseLL] = types.ProtoInet
	case unix.NFPROTO_IPV4:
		pc.proto[types.BaseNetwork] = types.ProtoIP
	case unix.NFPROTO_IPV6:
		pc.proto[types.BaseNetwork] = types.ProtoIP6
	case unix.NFPROTO_ARP:
		pc.proto[types.BaseNetwork] = types.ProtoARP
	}
	if ll := pc.proto[types.BaseLL]; (ll == types.ProtoInet || ll == types.ProtoNetdev) && t.Has(unix.NFTA_TRACE_NFPROTO) {
		pc.proto[types.BaseLL] = nil
		pc.proto[types.BaseNetwork] = ll.Upper(uint64(t.NFProto))
	}
	if pc.proto[types.BaseLL] == nil && t.Has(unix.NFTA_TRACE_IIFTYPE) && t.IIfType == arphrdEther {
		pc.proto[types.BaseLL] = types.ProtoEth
	}
	if t.Has(unix.NFTA_TRACE_LL_HEADER) {
		pc.gen(types.BaseLL, t.LL)
	}
	if t.Has(unix.NFTA_TRACE_NETWORK_HEADER) {
		pc.gen(types.BaseNetwork, t.Network)
	}
	if t.Has(unix.NFTA_TRACE_TRANSPORT_HEADER) {
		pc.gen(types.BaseTransport, t.Transport)
	}
	return pc.out
}

// expand cuts a header into the fields of desc (nft's payload_expr_expand
// of a raw load of the whole header).
func expand(desc *types.Proto, base types.Base, hdr []byte) []*pstmt {
	total, off := len(hdr)*8, 0
	var list []*pstmt
	if desc != nil {
		for _, f := range desc.Fields {
			if f.Len == 0 {
				break
			}
			if f.Offset != off {
				continue
			}
			rest := total - off
			if rest <= 0 {
				break
			}
			s := &pstmt{proto: desc, field: f, base: base, off: off, bits: min(f.Len, rest), hdr: hdr}
			list = append(list, s)
			off += s.bits
			if off == total {
				return list
			}
		}
	}
	if total > off {
		list = append(list, &pstmt{base: base, off: off, bits: total - off, hdr: hdr})
	}
	return list
}

// gen adds the statements of one header (nft's trace_gen_stmts).
func (pc *pktCtx) gen(base types.Base, hdr []byte) {
	desc := pc.proto[base]
	var unordered []*pstmt
	for _, s := range expand(desc, base, hdr) {
		if s.proto != nil {
			if s.proto.HasCsum && s.field.Offset == s.proto.Checksum && s.field.Name == "checksum" {
				continue
			}
			if slices.Contains(formats[s.proto].filter, s.field.Name) {
				continue
			}
		}
		if base == types.BaseTransport {
			s.net, s.netNum = pc.net, pc.netNum
		}
		unordered = append(unordered, s)
		// A stacked protocol on the same layer (vlan) makes nft re-expand
		// the rest of the header; here the rest stays raw.
		if up := s.upper(); up != nil && up.Base != base {
			pc.proto[up.Base] = up
			if up.Base == types.BaseTransport {
				pc.net, pc.netNum = s.proto, s.value().Uint64()
			}
		}
	}
	for n := 0; ; n++ {
		i := slices.IndexFunc(unordered, func(s *pstmt) bool {
			if s.proto == nil {
				return true
			}
			order := formats[s.proto].order
			return n >= len(order) || order[n] == s.field.Name
		})
		if i < 0 {
			return // what no order slot takes is not printed (as in nft)
		}
		s := unordered[i]
		unordered = slices.Delete(unordered, i, i+1)
		pc.out = append(pc.out, s)
		b := base
		if up := s.upper(); up != nil && up.Base == s.proto.Base {
			b--
		}
		if pc.icmpType == 0 {
			pc.kill(s)
		}
		if s.protocol() {
			pc.store(s, b)
		}
	}
}

func (pc *pktCtx) dep(base types.Base) (*pstmt, types.Base) {
	if d := pc.pdeps[base]; d != nil {
		return d, base
	}
	if base == types.BaseTransport && pc.pdeps[types.BaseInner] != nil {
		return pc.pdeps[types.BaseInner], types.BaseInner
	}
	return nil, 0
}

// kill removes the protocol match s makes redundant (nft's
// payload_dependency_kill).
func (pc *pktCtx) kill(s *pstmt) {
	if s.proto == nil {
		return
	}
	dep, slot := pc.dep(s.base)
	if dep == nil || !pc.mayKill(dep, s) {
		return
	}
	pc.out = slices.DeleteFunc(pc.out, func(x *pstmt) bool { return x == dep })
	pc.pdeps[slot] = nil
}

func (pc *pktCtx) mayKill(dep, s *pstmt) bool {
	switch pc.family {
	case unix.NFPROTO_BRIDGE, unix.NFPROTO_NETDEV, unix.NFPROTO_INET:
		if dep.base == types.BaseNetwork && (dep.proto == types.ProtoIP || dep.proto == types.ProtoIP6) && s.base == types.BaseTransport {
			return false
		}
		if s.base == dep.base {
			if s.protocol() {
				return false
			}
			if s.base == types.BaseLL {
				if dep.proto == types.ProtoVLAN {
					return false
				}
				if dep.proto == types.ProtoEth && dep.bits == 16 {
					return dep.value().Uint64() == 0x8100
				}
				return true
			}
		}
	}
	if s.base != types.BaseTransport || dep.base != types.BaseTransport {
		return true
	}
	if dep.proto == types.ProtoICMP || dep.proto == types.ProtoICMP6 {
		want, ok := icmpDepType[s.field.ICMPDep]
		if !ok || dep.proto != s.proto {
			return false
		}
		return pc.icmpType == want
	}
	return true
}

// icmpDepType maps a field's ICMP dependency to the type it needs (nft's
// icmp_dep_to_type).
var icmpDepType = map[types.ICMPDep]uint64{
	types.ICMPDepEcho: 8, types.ICMP6DepEcho: 128, types.ICMPDepMTU: 3, types.ICMPDepAddress: 5,
	types.ICMP6DepMTU: 2, types.ICMP6DepMGMQ: 130, types.ICMP6DepPPTR: 4,
}

// store remembers a protocol match that a higher layer may make
// redundant (nft's payload_dependency_store); ICMP echo types are never
// stored, and any ICMP type stops later removals.
func (pc *pktCtx) store(s *pstmt, b types.Base) {
	if s.bits == 8 && (s.proto == types.ProtoICMP || s.proto == types.ProtoICMP6) {
		typ := s.value().Uint64()
		if s.proto == types.ProtoICMP {
			if typ == 0 {
				typ = 8 // echo-reply counts as echo-request
			}
			pc.icmpType = typ
			if typ == 8 {
				return
			}
		} else {
			pc.icmpType = typ
			if typ == 128 || typ == 129 {
				return
			}
		}
	}
	if int(b)+1 < len(pc.pdeps) {
		pc.pdeps[b+1] = s
	}
}

var baseNames = [...]string{types.BaseLL: "ll", types.BaseNetwork: "nh", types.BaseTransport: "th", types.BaseInner: "ih"}

// text prints the statement as nft does: a header field match printed by
// core/delinearize from the payload match a rule would hold, or a raw
// match in hexadecimal.
func (s *pstmt) text(o *delinearize.Options) string {
	if s.proto == nil {
		if s.base == types.BaseTransport && s.bits == 16 && (s.off == 0 || s.off == 16) {
			name := "sport"
			if s.off == 16 {
				name = "dport"
			}
			return "th " + name + " " + s.value().String()
		}
		return fmt.Sprintf("@%s,%d,%d 0x%s", baseNames[s.base], s.off, s.bits, s.value().Text(16))
	}
	fam := uint8(unix.NFPROTO_IPV4)
	var exprs []expr.Expr
	switch s.base {
	case types.BaseLL:
		fam = unix.NFPROTO_BRIDGE
	case types.BaseNetwork:
		switch s.proto {
		case types.ProtoIP6:
			fam = unix.NFPROTO_IPV6
		case types.ProtoARP:
			fam = unix.NFPROTO_ARP
		}
	case types.BaseTransport:
		// The network protocol match that selects the transport
		// protocol; the listing removes it as redundant.
		switch s.net {
		case types.ProtoIP6:
			fam = unix.NFPROTO_IPV6
			exprs = append(exprs, &expr.Payload{DReg: 1, Base: expr.PayloadBaseNetwork, Offset: 6, Len: 1},
				&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{byte(s.netNum)}})
		case types.ProtoIP:
			exprs = append(exprs, &expr.Payload{DReg: 1, Base: expr.PayloadBaseNetwork, Offset: 9, Len: 1},
				&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{byte(s.netNum)}})
		}
	}
	exprs = append(exprs, s.match()...)
	txt, err := delinearize.Rule(&ruleset.Table{Family: ruleset.Family(fam)}, &ruleset.Rule{Exprs: exprs}, o)
	if err != nil || txt == "" {
		return fmt.Sprintf("@%s,%d,%d 0x%s", baseNames[s.base], s.off, s.bits, s.value().Text(16))
	}
	return txt
}

// match returns the kernel expressions of `FIELD == value` as nft
// linearizes them: a load of the bytes holding the field, a mask when it
// does not fill them, a comparison.
func (s *pstmt) match() []expr.Expr {
	first, end := s.off/8, (s.off+s.bits+7)/8
	n := end - first
	data := append([]byte(nil), s.hdr[first:end]...)
	out := []expr.Expr{&expr.Payload{DReg: 1, Base: uint32(s.base - 1), Offset: uint32(first), Len: uint32(n)}}
	if s.off%8 != 0 || s.bits%8 != 0 {
		mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(s.bits)), big.NewInt(1))
		mask.Lsh(mask, uint(end*8-s.off-s.bits))
		mb := make([]byte, n)
		mask.FillBytes(mb)
		for i := range data {
			data[i] &= mb[i]
		}
		out = append(out, &expr.Bitwise{SReg: 1, DReg: 1, Op: expr.BitwiseBool, Len: uint32(n), Mask: mb, Xor: make([]byte, n)})
	}
	return append(out, &expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: data})
}

// metaText prints `KEY value` for a meta key (iif, oif, mark) holding v.
func metaText(key uint32, v uint32, o *delinearize.Options) string {
	data := binary.NativeEndian.AppendUint32(nil, v)
	exprs := []expr.Expr{&expr.Meta{Key: key, DReg: 1}, &expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: data}}
	txt, err := delinearize.Rule(&ruleset.Table{Family: ruleset.FamilyIP}, &ruleset.Rule{Exprs: exprs}, o)
	if err != nil {
		return fmt.Sprintf("meta %d %d", key, v)
	}
	return txt
}
