package delinearize

import "github.com/nfsh/nfsh/core/types"

// exprPost is expr_postprocess; it may replace *pp.
func (p *postCtx) exprPost(pp **node) {
	e := *pp
	if e == nil {
		return
	}
	switch e.k {
	case kMap:
		if e.left.k == kBinop {
			p.mapBinopPost(e)
		}
		p.exprPost(&e.left)
		if e.right.k == kSetRef && e.right.set.lazy != nil && e.right.set.key.t == types.Invalid {
			e.right.setType(e.left.t, e.left.order)
		}
		p.exprPost(&e.right)
	case kMapping:
		p.exprPost(&e.left)
		p.exprPost(&e.right)
	case kSet:
		for i := range e.args {
			p.exprPost(&e.args[i])
		}
	case kConcat:
		var subs []*types.Datatype
		if e.t != nil {
			subs = e.t.Subtypes
		}
		p.flags |= ppInConcat
		var nt []*types.Datatype
		for i := range e.args {
			if len(subs) == len(e.args) {
				e.args[i].setType(subs[i], subs[i].Order)
			}
			p.exprPost(&e.args[i])
			t := e.args[i].t
			if t == nil {
				t = types.Invalid
			}
			nt = append(nt, t)
		}
		p.flags &^= ppInConcat
		e.t = types.Concat(nt)
	case kUnary:
		p.exprPost(&e.left)
		o := types.OrderHost
		if e.left.order == types.OrderHost {
			o = types.OrderBig
		}
		e.t, e.order = e.left.t, o
	case kBinop:
		p.exprPost(&e.left)
		switch e.op {
		case opLshift, opRshift:
			e.right.setType(types.Integer, types.OrderHost)
		case opAnd:
			e.right.setType(e.left.t, e.left.order)
			if p.flags&(ppInConcat|ppInSetElem) != 0 && e.left.k == kPayload && e.right.k == kValue {
				p.binopPostInner(e, e.left, e.right, pp)
				return
			}
		default:
			e.right.setType(e.left.t, e.left.order)
		}
		p.exprPost(&e.right)
		e.t, e.order = e.left.t, e.left.order
	case kRelational:
		if e.left.k == kPayload {
			p.payloadMatchPost(e, e.left)
			return
		}
		p.exprPost(&e.left)
		e.right.setType(e.left.t, e.left.order)
		p.exprPost(&e.right)
		switch e.left.k {
		case kCt, kMeta:
			p.ctMetaPost(e)
		case kBinop:
			p.relBinopPost(pp)
		}
	case kPayload:
		p.payloadComplete(e)
		p.depKill(e)
	case kValue:
		if e.order == types.OrderHost {
			e.v = switchOrder(e.v, e.len/8)
		}
		if e.t.Basetype() == types.String {
			*pp = stringPost(e)
			e = *pp
		}
		if e.t.IsBitmask() && e.t != types.Bitmask && p.flags&ppNoBitmaskSplit == 0 {
			*pp = bitmaskToBinops(e)
		}
	case kRange:
		p.exprPost(&e.left)
		p.exprPost(&e.right)
	case kPrefix:
		p.exprPost(&e.left)
	case kSetElem:
		p.flags |= ppInSetElem
		p.exprPost(&e.left)
		p.flags &^= ppInSetElem
	case kExthdr:
		switch e.extra["op"] {
		case 1: // tcpopt
			if p.depExists(baseTransport) {
				p.depRelease(baseTransport)
			}
		case 0, 2:
			if p.depExists(baseNetwork) {
				p.depRelease(baseNetwork)
			}
		}
	case kHash:
		if e.hashArg != nil {
			p.exprPost(&e.hashArg)
		}
	case kCt:
		ctUpdateType(p.pc, e)
	}
}

// stringPost handles NUL termination and wildcards of string values.
func stringPost(e *node) *node {
	nb := (e.len + 7) / 8
	if nb == 0 {
		return e
	}
	data := e.bytesOrder(types.OrderHost)
	if data[nb-1] == 0 {
		l := indexByte(data, 0)
		if l > 0 && data[l-1] == '*' {
			s := append(append([]byte{}, data[:l-1]...), '\\', '*', 0)
			return strNode(e, s)
		}
		return e
	}
	// not NUL-terminated: a prefix match (wildcard)
	s := append(append([]byte{}, data...), '*', 0)
	return strNode(e, s)
}

func strNode(e *node, s []byte) *node {
	n := &node{k: kValue, t: e.t, order: types.OrderHost, len: len(s) * 8}
	n.v = newBigBytes(reverse(s))
	return n
}

// bitmaskToBinops splits a flag value into an OR tree of single flags.
func bitmaskToBinops(e *node) *node {
	if e.v.Sign() == 0 {
		return e
	}
	var out *node
	for i := 0; i < e.v.BitLen(); i++ {
		if e.v.Bit(i) == 0 {
			continue
		}
		f := &node{k: kValue, t: e.t, order: e.order, len: e.len, v: newBig(0)}
		f.v.SetBit(f.v, i, 1)
		if out == nil {
			out = f
		} else {
			out = &node{k: kBinop, op: opOr, left: out, right: f, t: e.t, order: e.order, len: e.len}
		}
	}
	return out
}

func (p *postCtx) ctMetaPost(e *node) {
	left, right := e.left, e.right
	if right.k == kSet || right.k == kSetRef {
		right.setType(left.t, left.order)
	}
	if e.op != opEq {
		return
	}
	if right.k == kRange || right.k == kSet || right.k == kSetRef {
		return
	}
	p.pctxUpdate(e)
	base := int(left.mbase)
	if base < baseTransport {
		if p.depExists(base) && p.metaMayKill(e) {
			p.depRelease(base)
		}
		if left.protocol {
			p.depStore(p.cur, base)
		}
	}
}

func etherToNFProto(v uint64) uint8 {
	switch v {
	case 0x0800:
		return 2
	case 0x86dd:
		return 10
	}
	return 0
}

func (p *postCtx) metaMayKill(e *node) bool {
	dep := p.depGet(baseNetwork)
	if dep == nil {
		return true
	}
	var nfproto uint8
	switch dep.left.k {
	case kMeta:
		switch dep.left.key {
		case 15:
			nfproto = uint8(dep.right.v.Uint64())
		case 1:
			nfproto = etherToNFProto(dep.right.v.Uint64())
		default:
			return true
		}
	case kPayload:
		if dep.left.base != baseLL || dep.left.t != types.EtherType {
			return true
		}
		nfproto = etherToNFProto(dep.right.v.Uint64())
	default:
		return true
	}
	switch p.family {
	case 1, 5, 7:
	case 2, 10:
		return p.family == nfproto
	default:
		return true
	}
	if e.left.k != kMeta || e.left.key != 16 {
		return true
	}
	l4 := e.right.v.Uint64()
	switch l4 {
	case 1, 58:
	default:
		return false
	}
	if (nfproto == 2 && l4 == 58) || (nfproto == 10 && l4 == 1) {
		return false
	}
	return true
}

func (p *postCtx) payloadMatchPost(e *node, payload *node) {
	switch e.op {
	case opEq, opNeq:
		if e.right.k == kValue {
			p.payloadMatchExpand(e, payload)
			return
		}
		if e.right.k == kSetRef {
			s := e.right.set
			if s.anonymous && s.init != nil && len(s.init.args) > 0 {
				el := s.init.args[0]
				if el.k == kSetElem && el.left.k == kValue {
					p.payloadICMPCheck(payload, el.left)
				}
			}
		}
	}
	p.payloadComplete(payload)
	e.right.setType(payload.t, payload.order)
	p.exprPost(&e.right)
	p.depKill(payload)
}

func (p *postCtx) payloadICMPCheck(e, v *node) {
	if e.base != baseTransport || e.len != 8 || v.len != 8 || p.pc.icmpType != 0 {
		return
	}
	d := p.pc.desc(e.base)
	if d != protoICMP && d != protoICMP6 {
		return
	}
	for i := 1; i < len(d.fields); i++ {
		f := d.fields[i]
		if f.offset != e.offset || f.len != e.len {
			continue
		}
		if d.protocolKey != i {
			return
		}
		e.desc, e.tmpl = d, f
		p.pc.icmpType = uint8(v.v.Uint64())
		return
	}
}

// payloadMatchExpand is payload_match_expand.
func (p *postCtx) payloadMatchExpand(e *node, payload *node) {
	right := e.right
	base := payload.base
	lefts := p.payloadExpand(payload)
	var news []*stmt
	r := right.clone()
	for _, l := range lefts {
		tmp := spliceValue(r, l.len)
		tmp.setType(l.t, l.order)
		if l.tmpl != nil && l.len < l.tmpl.len {
			tmp.v.Lsh(tmp.v, uint(l.tmpl.len-l.len))
			tmp.len = l.tmpl.len
			tmp = &node{k: kPrefix, left: tmp, plen: l.len, len: l.tmpl.len}
		}
		// nft inserts the new matches before the statement being
		// processed, so their values never see expr_postprocess: a
		// multi-flag value is not split into `|` binops (tcp flags == 0xff)
		if tmp.k == kValue && tmp.t.IsBitmask() {
			p.flags |= ppNoBitmaskSplit
			p.exprPost(&tmp)
			p.flags &^= ppNoBitmaskSplit
		} else {
			p.exprPost(&tmp)
		}
		nexpr := &node{k: kRelational, op: e.op, left: l, right: tmp}
		ns := &stmt{k: sExpr, expr: nexpr}
		news = append(news, ns)
		p.insertBefore(p.cur, ns)
		if e.op == opEq {
			p.pctxUpdate(nexpr)
		}
		b := base
		if p.isStacked(p.pc.desc(b), nexpr) {
			b--
		}
		p.depKill(nexpr.left)
		if e.op == opEq && l.protocol {
			p.depStore(ns, b)
		}
	}
	p.removeStmt(p.cur)
	if len(news) > 0 {
		p.cur = news[len(news)-1]
	} else {
		p.cur = nil
	}
}

func (p *postCtx) isStacked(d *protoDesc, rel *node) bool {
	if rel.left.k != kPayload || !rel.left.protocol || rel.op != opEq || rel.right.k != kValue {
		return false
	}
	next := d.findUpper(rel.right.v.Uint64())
	return next != nil && next.base == d.base
}

func (p *postCtx) insertBefore(at *stmt, s *stmt) {
	for i, x := range p.stmts {
		if x == at {
			p.stmts = append(p.stmts[:i], append([]*stmt{s}, p.stmts[i:]...)...)
			if i <= p.idx {
				p.idx++
			}
			return
		}
	}
	p.stmts = append(p.stmts, s)
}

// binopAdjust shifts values right by shift after a mask was absorbed.
func binopAdjust(left *node, right *node, shift int) {
	adj := func(v *node) {
		v.v.Rsh(v.v, uint(shift))
		v.len = left.len
	}
	switch right.k {
	case kValue:
		adj(right)
	case kSetRef:
		if right.set.lazy != nil {
			right.set.shift, right.set.shiftLen = shift, left.len
			right.set.rebuild()
			return
		}
		if !right.set.anonymous || right.set.init == nil {
			return
		}
		for _, el := range right.set.init.args {
			k := el
			if k.k == kSetElem {
				k = k.left
			}
			if k.k == kMapping {
				k = k.left
				if k.k == kSetElem {
					k = k.left
				}
			}
			switch k.k {
			case kValue:
				adj(k)
			case kRange:
				adj(k.left)
				adj(k.right)
			}
		}
	case kRange:
		adj(right.left)
		adj(right.right)
	}
}

func (p *postCtx) binopPostInner(e *node, left, mask *node, binopp **node) {
	if left.k == kExthdr {
		p.exthdrBinopPost(e, left, mask, binopp)
		return
	}
	if left.k != kPayload {
		return
	}
	shift, ok := p.payloadTrim(left, mask)
	if !ok {
		return
	}
	var right *node
	switch e.k {
	case kBinop, kRelational:
		right = e.right
		if e == *binopp {
			right = nil
		}
	case kMap:
		right = e.right
	}
	if right != nil {
		binopAdjust(left, right, shift)
	}
	*binopp = left
	if e.k == kRelational {
		p.payloadMatchPost(e, left)
	} else {
		p.payloadComplete(left)
	}
}

func (p *postCtx) mapBinopPost(m *node) {
	b := m.left
	if b.op != opAnd || b.left.k != kPayload || b.right.k != kValue {
		return
	}
	p.binopPostInner(m, b.left, b.right, &m.left)
}

func binopTreeToList(e *node) *node {
	var items []*node
	var walk func(x *node)
	walk = func(x *node) {
		if x.k == kBinop && x.op == opOr {
			walk(x.left)
			walk(x.right)
			return
		}
		items = append(items, x)
	}
	walk(e)
	if len(items) == 1 {
		return items[0]
	}
	return &node{k: kList, args: items}
}

func maskIsPrefix(m *node) bool {
	n1 := scan1(m.v, 0)
	if n1 < 0 {
		return true
	}
	n2 := scan0(m.v, n1+1)
	return n2 >= m.len
}

func maskToPrefix(m *node) int {
	n := scan1(m.v, 0)
	if n < 0 {
		return 0
	}
	return scan0(m.v, n+1) - n
}

// relBinopPost is relational_binop_postprocess.
func (p *postCtx) relBinopPost(pp **node) {
	e := *pp
	binop, right := e.left, e.right
	rbase := right.t
	isBitmaskRight := rbase != nil && rbase.Base != nil && rbase.Base.Is(types.Bitmask)
	if binop.op == opAnd && (e.op == opNeq || e.op == opEq) && isBitmaskRight {
		switch right.k {
		case kValue:
			if right.v.Sign() == 0 {
				e.left = binop.left
				e.right = binopTreeToList(binop.right)
				if e.op == opNeq {
					e.op = opImplicit
				} else {
					e.op = opNeg
				}
			} else if binop.right.k == kValue && right.k == kValue && binop.right.v.Cmp(right.v) == 0 {
				// flag == flag
			} else {
				*pp = &node{k: kFlagcmp, op: e.op, left: binop.left, args: []*node{binopTreeToList(binop.right), right}}
			}
		case kBinop:
			*pp = &node{k: kFlagcmp, op: e.op, left: binop.left, args: []*node{binopTreeToList(binop.right), binopTreeToList(right)}}
		}
		return
	}
	if binop.left.t != nil && binop.left.t.Prefix && binop.op == opAnd && right.k == kValue && binop.right.k == kValue && maskIsPrefix(binop.right) {
		e.left = binop.left
		e.right = &node{k: kPrefix, left: right, plen: maskToPrefix(binop.right), len: right.len}
		return
	}
	if binop.op == opAnd && binop.right.k == kValue {
		p.binopPostInner(e, binop.left, binop.right, &e.left)
		return
	}
	if binop.op == opRshift && binop.left.k == kBinop && binop.left.op == opAnd && binop.right.k == kValue && binop.left.right.k == kValue {
		inner := binop.left
		p.binopPostInner(binop, inner.left, inner.right, &binop.left)
		if binop.right.v.Sign() == 0 {
			e.left = binop.left
		}
	}
}

// exthdrBinopPost is __binop_postprocess for exthdr loads: the mask is
// folded into the header field it selects and the values are shifted.
func (p *postCtx) exthdrBinopPost(e *node, left, mask *node, binopp **node) {
	nl, shift, ok := exthdrFindTemplate(left, mask)
	if !ok {
		return
	}
	var right *node
	switch e.k {
	case kBinop, kRelational:
		right = e.right
		if e == *binopp {
			right = nil
		}
	case kMap:
		right = e.right
	}
	if right != nil {
		binopAdjust(nl, right, shift)
	}
	*binopp = nl
	if right != nil {
		right.setType(nl.t, nl.order)
	}
}
