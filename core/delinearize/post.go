package delinearize

import "github.com/nfsh/nfsh/core/types"

// protoCtx tracks the protocol at each base (nft's proto_ctx).
type protoCtx struct {
	family   uint8
	protos   [5]*protoDesc
	stacked  []*protoDesc
	icmpType uint8
}

func newProtoCtx(family uint8) *protoCtx {
	pc := &protoCtx{family: family}
	b, d := hookDesc(family)
	if d != nil {
		pc.protos[b] = d
	}
	return pc
}

func (pc *protoCtx) desc(base int) *protoDesc {
	if base < 0 || base >= len(pc.protos) {
		return nil
	}
	return pc.protos[base]
}

func (pc *protoCtx) update(base int, d *protoDesc) {
	if base >= 0 && base < len(pc.protos) {
		pc.protos[base] = d
	}
}

// depCtx remembers protocol matches that may be implied by later ones.
type depCtx struct {
	pdeps    [5]*stmt
	icmpType uint8
	prev     *stmt
}

type postCtx struct {
	pc     *protoCtx
	dc     depCtx
	family uint8
	stmts  []*stmt // output list
	idx    int
	cur    *stmt
	flags  int
}

const (
	ppInConcat = 1 << iota
	ppInSetElem
	ppRemoveOpAnd // unused: nft's RULE_PP_REMOVE_OP_AND is ppInConcat|ppInSetElem
	ppNoBitmaskSplit
)

func (p *postCtx) removeStmt(s *stmt) {
	for i, x := range p.stmts {
		if x == s {
			p.stmts = append(p.stmts[:i], p.stmts[i+1:]...)
			if i <= p.idx {
				p.idx--
			}
			return
		}
	}
}

func (p *postCtx) depExists(base int) bool {
	if p.dc.pdeps[base] != nil {
		return true
	}
	return base == baseTransport && p.dc.pdeps[baseInner] != nil
}

func (p *postCtx) depGet(base int) *node {
	if p.dc.pdeps[base] != nil {
		return p.dc.pdeps[base].expr
	}
	if base == baseTransport && p.dc.pdeps[baseInner] != nil {
		return p.dc.pdeps[baseInner].expr
	}
	return nil
}

func (p *postCtx) depRelease(base int) {
	b := base
	if p.dc.pdeps[b] == nil && base == baseTransport {
		b = baseInner
	}
	s := p.dc.pdeps[b]
	if s == nil {
		return
	}
	p.removeStmt(s)
	if s == p.dc.prev {
		p.dc.prev = nil
	}
	p.dc.pdeps[b] = nil
}

func (p *postCtx) depStore(s *stmt, base int) {
	// payload_dependency_store_icmp_type
	dep := s.expr
	if dep.left.k == kPayload && dep.right.k == kValue && dep.right.len == 8 {
		if dep.left.desc == protoICMP {
			t := uint8(dep.right.v.Uint64())
			if t == 0 {
				t = 8
			}
			p.dc.icmpType = t
			if t == 8 {
				return
			}
		} else if dep.left.desc == protoICMP6 {
			t := uint8(dep.right.v.Uint64())
			p.dc.icmpType = t
			if t == 128 || t == 129 {
				return
			}
		}
	}
	if base+1 < len(p.dc.pdeps) {
		p.dc.pdeps[base+1] = s
	}
}

func icmpDepType(d int) uint8 {
	switch d {
	case icmpEcho:
		return 8
	case icmp6Echo:
		return 128
	case icmpMTU:
		return 3
	case icmpAddress:
		return 5
	case icmp6MTU:
		return 2
	case icmp6MGMQ:
		return 130
	case icmp6PPTR:
		return 4
	}
	return 0
}

func (p *postCtx) mayKill(e *node) bool {
	dep := p.depGet(e.base)
	switch p.family {
	case 7, 5, 1:
		if dep.left.k == kPayload && dep.left.base == baseNetwork &&
			(dep.left.desc == protoIP || dep.left.desc == protoIP6) && e.base == baseTransport {
			return false
		}
		if dep.left.k == kPayload && dep.op == opEq && e.base == dep.left.base {
			if e.protocol {
				return false
			}
			if e.base == baseLL {
				if dep.left.desc == protoVLAN {
					return false
				}
				if dep.left.desc == protoEth && dep.right.k == kValue && dep.right.len == 16 {
					return dep.right.v.Uint64() == 0x8100
				}
				return true
			}
		}
	}
	if e.base != baseTransport {
		return true
	}
	if dep.left.k != kPayload || dep.left.base != baseTransport {
		return true
	}
	if dep.left.desc == protoICMP || dep.left.desc == protoICMP6 {
		if e.tmpl == nil || e.tmpl.icmpDep == 0 || e.tmpl.icmpDep == icmpAny {
			return false
		}
		if dep.left.desc != e.desc {
			return false
		}
		return p.dc.icmpType == icmpDepType(e.tmpl.icmpDep)
	}
	return true
}

func (p *postCtx) depKill(e *node) {
	if e.desc != protoUnknown && p.depExists(e.base) && p.mayKill(e) {
		p.depRelease(e.base)
	}
}

func (p *postCtx) stackedDesc(top *protoDesc, e *node) (*protoDesc, int) {
	off := e.offset
	if e.base != baseLL || off < top.length {
		return top, 0
	}
	total := 0
	for _, s := range p.pc.stacked {
		if off < s.length {
			return s, total
		}
		off -= s.length
		total += s.length
	}
	return top, total
}

// payloadComplete is payload_expr_complete.
func (p *postCtx) payloadComplete(e *node) {
	d := p.pc.desc(e.base)
	if d == nil || d == protoInet {
		return
	}
	d, total := p.stackedDesc(d, e)
	off := e.offset - total
	for i, f := range d.fields {
		if f == nil || f.offset != off || f.len != e.len {
			continue
		}
		if f.metaKey && i == 0 {
			continue
		}
		if f.icmpDep != 0 && p.pc.icmpType != 0 && p.pc.icmpType != icmpDepType(f.icmpDep) {
			continue
		}
		e.t = f.t
		e.desc, e.tmpl = d, f
		e.protocol = d.isProtocolField(i)
		return
	}
}

func payloadKnown(e *node) bool {
	return e.desc != nil && e.tmpl != nil && e.desc != protoUnknown
}

// payloadTrim is payload_expr_trim.
func (p *postCtx) payloadTrim(e *node, mask *node) (int, bool) {
	d := p.pc.desc(e.base)
	if d == nil {
		return 0, false
	}
	d, total := p.stackedDesc(d, e)
	poff := e.offset - total
	maskOff := scan1(mask.v, 0)
	if maskOff < 0 {
		maskOff = 0
	}
	maskLen := scan0(mask.v, maskOff+1)
	plen := e.len
	off := (mask.len+7)/8*8 - maskLen
	poff += off
	l := 0
	for i := 1; i < len(d.fields); i++ {
		f := d.fields[i]
		if f == nil || f.offset != poff {
			continue
		}
		if f.len > plen {
			return 0, false
		}
		plen -= f.len
		poff += f.len
		l += f.len
		if plen == 0 {
			return 0, false
		}
		if maskOff+l == maskLen {
			e.offset += off
			e.len = l
			return maskOff, true
		}
	}
	return 0, false
}

// payloadExpand is payload_expr_expand.
func (p *postCtx) payloadExpand(e *node) []*node {
	var out []*node
	d := p.pc.desc(e.base)
	poff := e.offset
	elen := e.len
	if d != nil && d != protoUnknown {
		var total int
		d, total = p.stackedDesc(d, e)
		poff -= total
		for i := 1; i < len(d.fields); i++ {
			f := d.fields[i]
			if f == nil || f.len == 0 {
				break
			}
			if f.offset != poff {
				continue
			}
			if f.icmpDep != 0 && p.pc.icmpType != 0 && p.pc.icmpType != icmpDepType(f.icmpDep) {
				continue
			}
			if f.len <= elen {
				out = append(out, payloadFromTmpl(d, i))
				elen -= f.len
				poff += f.len
				if elen == 0 {
					return out
				}
			} else if elen > 0 {
				n := payloadFromTmpl(d, i)
				n.len = elen
				return append(out, n)
			} else {
				break
			}
		}
	}
	n := &node{k: kPayload, base: e.base, offset: poff, len: elen, t: types.XInteger, order: types.OrderBig, desc: protoUnknown}
	payloadInitRaw(n)
	return append(out, n)
}

func payloadFromTmpl(d *protoDesc, i int) *node {
	f := d.fields[i]
	return &node{k: kPayload, base: d.base, offset: f.offset, len: f.len, t: f.t, order: f.order,
		desc: d, tmpl: f, protocol: d.isProtocolField(i)}
}

// spliceValue takes the top bits of v (a value of total length v.len).
func spliceValue(v *node, bits int) *node {
	shift := v.len - bits
	n := &node{k: kValue, len: bits, t: v.t, order: v.order}
	n.v = new(bigInt).Rsh(v.v, uint(shift))
	v.v = new(bigInt).And(v.v, bitmask(shift))
	v.len -= bits
	return n
}

// pctxUpdate is relational_expr_pctx_update.
func (p *postCtx) pctxUpdate(rel *node) {
	left, right := rel.left, rel.right
	if !left.protocol {
		return
	}
	var vals []*node
	if right.k == kValue {
		vals = []*node{right}
	} else if right.k == kSetRef && right.set.elements() != nil {
		for _, el := range right.set.elements().args {
			if el.k == kSetElem && el.left.k == kValue {
				vals = append(vals, el.left)
			}
		}
	} else {
		return
	}
	for _, v := range vals {
		switch left.k {
		case kPayload:
			p.payloadPctxUpdate(left, v)
		case kMeta:
			p.metaPctxUpdate(left, v)
		case kCt:
			// ct_expr_pctx_update: ct protocol / l3proto select the
			// header above their base (typing ct proto-src/dst)
			if b := p.pc.desc(int(left.mbase)); b != nil {
				if d := b.findUpper(v.v.Uint64()); d != nil {
					p.pc.update(int(left.mbase)+1, d)
				}
			}
		}
	}
}

func (p *postCtx) payloadPctxUpdate(left, right *node) {
	proto := right.v.Uint64()
	base := p.pc.desc(left.base)
	d := base.findUpper(proto)
	if d == nil {
		if base == protoICMP {
			if proto == 0 {
				proto = 8
			}
			p.pc.icmpType = uint8(proto)
		} else if base == protoICMP6 {
			if proto == 129 {
				proto = 128
			}
			p.pc.icmpType = uint8(proto)
		}
		return
	}
	if d.base == base.base && !left.isRaw && d.base == baseLL {
		p.pc.stacked = append(p.pc.stacked, base)
	}
	p.pc.update(d.base, d)
}

func (p *postCtx) metaPctxUpdate(left, right *node) {
	hb, hd := hookDesc(p.family)
	v := right.v.Uint64()
	switch left.key {
	case 8: // iiftype
		if hb < baseNetwork && p.family != 1 && p.family != 5 {
			return
		}
		d := protoUnknown
		if v == 1 { // ARPHRD_ETHER
			d = protoEth
		}
		p.pc.update(baseLL, d)
	case 15: // nfproto
		d := hd.findUpper(v)
		if d == nil {
			d = protoUnknown
			if int(v) == int(p.family) && hb == baseNetwork {
				d = hd
			}
		}
		p.pc.update(baseNetwork, d)
	case 16: // l4proto
		d := protoInetSvc.findUpper(v)
		if d == nil {
			d = protoUnknown
		}
		p.pc.update(baseTransport, d)
	case 1: // protocol
		if hb != baseLL || (p.family != 5 && p.family != 7) {
			return
		}
		d := hd.findUpper(v)
		if d == nil {
			d = protoUnknown
		}
		p.pc.update(baseNetwork, d)
	}
}
