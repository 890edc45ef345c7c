package delinearize

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

const maxRegs = 16

// parseCtx is the register machine state while reading kernel expressions.
type parseCtx struct {
	family uint8
	regs   [maxRegs + 1]*node
	stmts  []*stmt
	cur    *stmt
	sets   func(name string) *setInfo
	// bound returns the listing lines of a bound (anonymous) chain, or
	// false when name is an ordinary chain.
	bound func(name string) (string, bool)
}

func regIndex(r uint32) int {
	if r >= 1 && r <= 4 {
		return int(1 + (r-1)*4)
	}
	if r >= 8 {
		return int(1 + r - 8)
	}
	return 0
}

func (c *parseCtx) set(r uint32, n *node) {
	i := regIndex(r)
	if i <= 0 || i > maxRegs || n == nil {
		return
	}
	c.regs[i] = n
}

func (c *parseCtx) get(r uint32) *node {
	i := regIndex(r)
	if i <= 0 || i > maxRegs {
		return nil
	}
	return c.regs[i].clone()
}

func paddedLen(bits int) int { return (bits + 31) / 32 * 32 }

// concat builds a concatenation from consecutive registers covering bits.
func (c *parseCtx) concat(r uint32, bits int) *node {
	cat := &node{k: kConcat}
	i := regIndex(r)
	for bits > 0 {
		if i <= 0 || i > maxRegs || c.regs[i] == nil {
			return nil
		}
		e := c.regs[i].clone()
		cat.args = append(cat.args, e)
		consumed := paddedLen(e.len)
		if consumed == 0 {
			return nil
		}
		bits -= consumed
		i += consumed / 32
	}
	cat.len = 0
	for _, a := range cat.args {
		cat.len += a.len
	}
	return cat
}

func (c *parseCtx) emit(s *stmt) { c.stmts = append(c.stmts, s) }

func textStmt(s string) *stmt { return &stmt{k: sText, text: s} }

func verdictNode(v *expr.Verdict) *node {
	return &node{k: kVerdict, t: types.Verdict, verdict: v.Code, text: v.Chain}
}

func (c *parseCtx) parse(e expr.Expr) {
	defer func() {
		if r := recover(); r != nil {
			if panicOnBug {
				panic(r)
			}
			c.emit(textStmt("unknown"))
		}
	}()
	switch x := e.(type) {
	case *expr.Immediate:
		if x.Verdict != nil {
			v := x.Verdict
			if (v.Code == expr.VerdictJump || v.Code == expr.VerdictGoto) && c.bound != nil {
				if body, ok := c.bound(v.Chain); ok {
					// chain_stmt_print: the bound chain's rules inline
					verb := "jump"
					if v.Code == expr.VerdictGoto {
						verb = "goto"
					}
					c.emit(textStmt(verb + " {\n" + body + "\t\t}"))
					return
				}
			}
			c.emit(&stmt{k: sVerdict, expr: verdictNode(x.Verdict)})
			return
		}
		if x.DReg == 0 {
			c.emit(textStmt("unknown"))
			return
		}
		c.set(x.DReg, newValue(x.Data, len(x.Data)*8))
	case *expr.Payload:
		if x.SReg == 0 {
			n := &node{k: kPayload, base: int(x.Base) + 1, offset: int(x.Offset) * 8, len: int(x.Len) * 8, t: types.XInteger, order: types.OrderBig, isRaw: true}
			payloadInitRaw(n)
			c.set(x.DReg, n)
			return
		}
		val := c.get(x.SReg)
		if val == nil {
			c.emit(textStmt("unknown"))
			return
		}
		n := &node{k: kPayload, base: int(x.Base) + 1, offset: int(x.Offset) * 8, len: int(x.Len) * 8, t: types.XInteger, order: types.OrderBig, isRaw: true}
		payloadInitRaw(n)
		c.emit(&stmt{k: sPayload, key: n, val: val})
	case *expr.Cmp:
		left := c.get(x.SReg)
		if left == nil {
			c.emit(textStmt("unknown"))
			return
		}
		right := newValue(x.Data, len(x.Data)*8)
		if left.len > right.len && left.t.Basetype() != types.String {
			right.v.Lsh(right.v, uint(left.len-right.len))
			p := &node{k: kPrefix, left: right, plen: right.len}
			right.len = left.len
			right = p
		} else if left.len > 0 && left.len < right.len {
			cat := c.concat(x.SReg, right.len)
			if cat == nil {
				c.emit(textStmt("unknown"))
				return
			}
			left = cat
			right = spliceConcatData(cat, x.Data)
		}
		c.emit(&stmt{k: sExpr, expr: &node{k: kRelational, op: cmpOp(x.Op), left: left, right: right}})
	case *expr.Range:
		left := c.get(x.SReg)
		if left == nil {
			c.emit(textStmt("unknown"))
			return
		}
		o := opEq
		if x.Op == expr.RangeNeq {
			o = opNeq
		}
		r := &node{k: kRange, left: newValue(x.FromData, len(x.FromData)*8), right: newValue(x.ToData, len(x.ToData)*8)}
		c.emit(&stmt{k: sExpr, expr: &node{k: kRelational, op: o, left: left, right: r}})
	case *expr.Lookup:
		set := c.sets(x.SetName)
		if set == nil {
			c.emit(textStmt("unknown"))
			return
		}
		left := c.get(x.SReg)
		if left == nil {
			c.emit(textStmt("unknown"))
			return
		}
		if left.len < set.key.len {
			if cat := c.concat(x.SReg, set.key.len); cat != nil {
				left = cat
			}
		}
		right := &node{k: kSetRef, set: set, t: set.key.t}
		if x.DReg != nil {
			m := &node{k: kMap, left: left, right: right}
			if *x.DReg != 0 {
				if set.data != nil {
					m.t, m.order, m.len = set.data.t, set.data.order, set.data.len
				}
				c.set(*x.DReg, m)
				return
			}
			c.emit(&stmt{k: sExpr, expr: m})
			return
		}
		rel := &node{k: kRelational, op: opEq, left: left, right: right}
		if x.Flags&expr.LookupInvert != 0 {
			rel.op = opNeq
		}
		c.emit(&stmt{k: sExpr, expr: rel})
	case *expr.Bitwise:
		left := c.get(x.SReg)
		if left == nil {
			c.emit(textStmt("unknown"))
			return
		}
		var n *node
		switch x.Op {
		case expr.BitwiseBool:
			n = parseBitwiseBool(left, x.Mask, x.Xor)
		case expr.BitwiseLshift, expr.BitwiseRshift:
			o := opLshift
			if x.Op == expr.BitwiseRshift {
				o = opRshift
			}
			r := newValue(x.Data, len(x.Data)*8)
			r.order = types.OrderHost
			n = &node{k: kBinop, op: o, left: left, right: r, t: left.t, order: left.order, len: left.len}
		default:
			n = left
		}
		c.set(x.DReg, n)
	case *expr.Byteorder:
		arg := c.get(x.SReg)
		if arg == nil {
			c.emit(textStmt("unknown"))
			return
		}
		o := opNtoh
		if x.Op == expr.ByteorderHton {
			o = opHton
		}
		c.set(x.DReg, &node{k: kUnary, op: o, left: arg, len: arg.len, t: arg.t, order: arg.order})
	case *expr.Meta:
		if x.SReg == 0 {
			c.set(x.DReg, newMeta(x.Key))
			return
		}
		v := c.get(x.SReg)
		if v == nil {
			c.emit(textStmt("unknown"))
			return
		}
		m := newMeta(x.Key)
		v.setType(m.t, m.order)
		c.emit(&stmt{k: sMeta, num: x.Key, val: v})
	case *expr.Ct:
		dir := -1
		if x.Direction != nil {
			dir = int(*x.Direction)
		}
		if x.SReg == 0 {
			c.set(x.DReg, newCt(x.Key, dir))
			return
		}
		v := c.get(x.SReg)
		if v == nil {
			c.emit(textStmt("unknown"))
			return
		}
		m := newCt(x.Key, dir)
		v.setType(m.t, m.order)
		c.emit(&stmt{k: sCt, num: x.Key, family: dir, val: v})
	case *expr.Exthdr:
		n := exthdrNode(x)
		if x.DReg != 0 {
			c.set(x.DReg, n)
		} else if x.SReg != 0 {
			v := c.get(x.SReg)
			if v == nil {
				c.emit(textStmt("unknown"))
				return
			}
			v.setType(n.t, n.order)
			c.emit(&stmt{k: sExthdr, key: n, val: v})
		} else {
			if x.Op == expr.ExthdrOpTCPOpt {
				// option reset: named by kind, or by number when unknown
				name := itoa(int(x.Type))
				if d := tcpOpts[int(x.Type)]; d != nil {
					name = d.name
				}
				c.emit(textStmt("reset tcp option " + name))
				return
			}
			c.emit(&stmt{k: sText, printFn: func(o *Options) string { return "reset " + n.print(o) }})
		}
	case *expr.Rt:
		t := keyTmpl(types.RtKeys, x.Key)
		switch x.Key {
		case 1: // NFT_RT_NEXTHOP4
			t.Name = "ip nexthop"
		case 2: // NFT_RT_NEXTHOP6
			t.Name = "ip6 nexthop"
		}
		c.set(x.DReg, &node{k: kRt, key: x.Key, t: t.Type, order: t.Order, len: t.Len, text: "rt " + t.Name})
	case *expr.Fib:
		c.set(x.DReg, fibNode(x))
	case *expr.Socket:
		c.set(x.DReg, socketNode(x))
	case *expr.Osf:
		txt := "osf"
		if x.TTL == 1 {
			txt += " ttl loose"
		} else if x.TTL == 2 {
			txt += " ttl skip"
		}
		if x.Flags&1 != 0 {
			txt += " version"
		} else {
			txt += " name"
		}
		c.set(x.DReg, &node{k: kOsf, t: types.String, order: types.OrderHost, len: 128, text: txt})
	case *expr.Numgen:
		c.set(x.DReg, numgenNode(x))
	case *expr.Hash:
		n := &node{k: kHash, key: x.Type, t: types.Integer, order: types.OrderHost, len: 32,
			extra: map[string]uint64{"mod": uint64(x.Modulus), "offset": uint64(x.Offset)}}
		if x.Seed != nil {
			n.extra["seedset"] = 1
			n.extra["seed"] = uint64(*x.Seed)
		}
		if x.Type != 1 {
			h := c.get(x.SReg)
			if h == nil {
				c.emit(textStmt("unknown"))
				return
			}
			if h.len < int(x.Len)*8 {
				if cat := c.concat(x.SReg, int(x.Len)*8); cat != nil {
					h = cat
				}
			}
			n.hashArg = h
		}
		c.set(x.DReg, n)
	case *expr.Xfrm:
		c.set(x.DReg, xfrmNode(x))
	case *expr.Counter:
		p, b := x.Packets, x.Bytes
		c.emit(&stmt{k: sText, printFn: func(o *Options) string {
			if o != nil && o.Stateless {
				return "counter"
			}
			return fmt.Sprintf("counter packets %d bytes %d", p, b)
		}})
	case *expr.Log:
		c.emit(textStmt(logString(x)))
	case *expr.Limit:
		c.emit(textStmt(limitString(x)))
	case *expr.Quota:
		q := *x
		c.emit(&stmt{k: sText, printFn: func(o *Options) string {
			inv := ""
			if q.Flags&1 != 0 {
				inv = "over "
			}
			v, u := rateUnit(q.Bytes)
			s := fmt.Sprintf("quota %s%d %s", inv, v, u)
			if (o == nil || !o.Stateless) && q.Consumed != 0 {
				v, u = rateUnit(q.Consumed)
				s += fmt.Sprintf(" used %d %s", v, u)
			}
			return s
		}})
	case *expr.Connlimit:
		over := ""
		if x.Flags != 0 {
			over = "over "
		}
		c.emit(textStmt(fmt.Sprintf("ct count %s%d", over, x.Count)))
	case *expr.Reject:
		code := 0
		if x.ICMPCode != nil {
			code = int(*x.ICMPCode)
		}
		v := newValue([]byte{byte(code)}, 8)
		v.t = types.Integer
		c.emit(&stmt{k: sReject, num: x.Type, code: code, a: v})
	case *expr.Nat:
		c.parseNat(x)
	case *expr.Masq:
		s := &stmt{k: sNat, natType: 2, flags: x.Flags}
		s.b = c.protoRange(x.RegProtoMin, x.RegProtoMax)
		c.emit(s)
	case *expr.Redir:
		s := &stmt{k: sNat, natType: 3, flags: x.Flags}
		s.b = c.protoRange(x.RegProtoMin, x.RegProtoMax)
		c.emit(s)
	case *expr.Tproxy:
		s := &stmt{k: sTproxy, family: int(x.Family), tfamily: int(c.family)}
		if x.RegAddr != 0 {
			a := c.get(x.RegAddr)
			if a != nil {
				if x.Family == 10 {
					a.setType(types.IP6Addr, types.OrderBig)
				} else {
					a.setType(types.IPAddr, types.OrderBig)
				}
				s.a = a
			}
		}
		if x.RegPort != 0 {
			if p := c.get(x.RegPort); p != nil {
				p.setType(types.InetService, types.OrderBig)
				s.b = p
			}
		}
		c.emit(s)
	case *expr.Queue:
		s := &stmt{k: sQueue, flags: uint32(x.Flags)}
		if x.SRegQnum != 0 {
			s.expr = c.get(x.SRegQnum)
		} else {
			lo := &node{k: kValue, t: types.Integer, order: types.OrderHost, len: 16, v: bigU(uint64(x.Num))}
			s.expr = lo
			if x.Total > 1 {
				hi := &node{k: kValue, t: types.Integer, order: types.OrderHost, len: 16, v: bigU(uint64(x.Total) + uint64(x.Num) - 1)}
				s.expr = &node{k: kRange, left: lo, right: hi}
			}
		}
		c.emit(s)
	case *expr.Dup:
		s := &stmt{k: sDup}
		if x.SRegAddr != 0 {
			a := c.get(x.SRegAddr)
			if a != nil {
				switch c.family {
				case 2:
					a.setType(types.IPAddr, types.OrderBig)
				case 10:
					a.setType(types.IP6Addr, types.OrderBig)
				}
				s.a = a
			}
		}
		if x.SRegDev != 0 {
			d := c.get(x.SRegDev)
			if d != nil {
				d.setType(types.IfIndex, types.OrderHost)
				if s.a == nil {
					s.a = d
				} else {
					s.b = d
				}
			}
		}
		c.emit(s)
	case *expr.Fwd:
		s := &stmt{k: sFwd, family: int(x.NFProto)}
		if x.SRegDev != 0 {
			if d := c.get(x.SRegDev); d != nil {
				d.setType(types.IfIndex, types.OrderHost)
				s.a = d
			}
		}
		if x.SRegAddr != 0 {
			if a := c.get(x.SRegAddr); a != nil {
				if x.NFProto == 10 {
					a.setType(types.IP6Addr, types.OrderBig)
				} else {
					a.setType(types.IPAddr, types.OrderBig)
				}
				s.b = a
			}
		}
		if s.a == nil {
			s.a = &node{k: kText, text: "unknown"}
		}
		c.emit(s)
	case *expr.Synproxy:
		c.emit(textStmt(synproxyString(x)))
	case *expr.Notrack:
		c.emit(textStmt("notrack"))
	case *expr.FlowOffload:
		c.emit(textStmt("flow add @" + x.TableName))
	case *expr.Dynset:
		c.parseDynset(x)
	case *expr.Objref:
		c.parseObjref(x)
	case *expr.Last:
		c.emit(&stmt{k: sText, printFn: func(o *Options) string {
			if x.Set == 0 || (o != nil && o.Stateless) {
				return "last"
			}
			return "last used " + timeString(x.Msecs)
		}})
	case *expr.Match, *expr.Target:
		c.emit(c.xtStmtFor(x))
	default:
		c.emit(textStmt("unknown"))
	}
}

func bigU(v uint64) *bigInt { return newBig(v) }

func cmpOp(o uint32) op {
	switch o {
	case expr.CmpEq:
		return opEq
	case expr.CmpNeq:
		return opNeq
	case expr.CmpLt:
		return opLt
	case expr.CmpLte:
		return opLte
	case expr.CmpGt:
		return opGt
	case expr.CmpGte:
		return opGte
	}
	return opInvalid
}

// spliceConcatData splits a cmp value into the members of a concatenation.
func spliceConcatData(cat *node, data []byte) *node {
	out := &node{k: kConcat}
	off := 0
	for _, a := range cat.args {
		nb := (a.len + 7) / 8
		end := off + nb
		if end > len(data) {
			end = len(data)
		}
		v := newValue(data[off:end], a.len)
		out.args = append(out.args, v)
		off += paddedLen(a.len) / 8
	}
	return out
}

func payloadInitRaw(n *node) {
	if n.base != baseTransport || n.len != 16 {
		return
	}
	switch n.offset {
	case 0:
		n.desc, n.tmpl = protoTH, protoTH.fields[1]
		n.t = types.InetService
	case 16:
		n.desc, n.tmpl = protoTH, protoTH.fields[2]
		n.t = types.InetService
	}
}

// parseBitwiseBool is netlink_parse_bitwise_bool.
func parseBitwiseBool(left *node, maskB, xorB []byte) *node {
	mask := newValue(maskB, len(maskB)*8)
	xor := newValue(xorB, len(xorB)*8)
	m := new(bigInt).Set(mask.v)
	x := new(bigInt).Set(xor.v)
	o := newBig(0)
	if scan0(m, 0) != mask.len || x.Sign() != 0 {
		o.And(m, x)
		o.Xor(o, x)
		x.And(x, m)
		m.Or(m, o)
	}
	e := left
	if left.len > 0 && scan0(m, 0) == left.len {
		// mask covers the whole value
	} else {
		mask.v = m
		e = &node{k: kBinop, op: opAnd, left: e, right: mask, len: left.len, t: left.t, order: left.order}
	}
	if x.Sign() != 0 {
		xor.v = x
		e = &node{k: kBinop, op: opXor, left: e, right: xor, len: left.len, t: left.t, order: left.order}
	}
	if o.Sign() != 0 {
		or := newValue(xorB, len(xorB)*8)
		or.v = o
		e = &node{k: kBinop, op: opOr, left: e, right: or, len: left.len, t: left.t, order: left.order}
	}
	return e
}

func (c *parseCtx) protoRange(rmin, rmax uint32) *node {
	var p *node
	if rmin != 0 {
		p = c.get(rmin)
		if p != nil {
			p.setType(types.InetService, types.OrderBig)
		}
	}
	if rmax != 0 && rmax != rmin {
		q := c.get(rmax)
		if q != nil {
			q.setType(types.InetService, types.OrderBig)
			if p != nil {
				q = &node{k: kRange, left: p, right: q}
			}
			p = q
		}
	}
	return p
}

func (c *parseCtx) parseNat(x *expr.Nat) {
	s := &stmt{k: sNat, natType: x.Type, flags: x.Flags}
	fam := int(x.Family)
	if c.family == 1 {
		s.family = fam
	}
	if x.Flags&0x40 != 0 { // NF_NAT_RANGE_NETMAP
		s.prefix = true
	}
	addrType := types.IPAddr
	if fam == 10 {
		addrType = types.IP6Addr
	}
	var addr *node
	if x.RegAddrMin != 0 {
		addr = c.get(x.RegAddrMin)
		if addr != nil {
			addr.setType(addrType, types.OrderBig)
			s.a = addr
		}
	}
	if isNatAddrMap(addr, fam) {
		s.family = fam
		c.emit(s)
		return
	}
	if x.RegAddrMax != 0 && x.RegAddrMax != x.RegAddrMin {
		a2 := c.get(x.RegAddrMax)
		if a2 != nil {
			a2.setType(addrType, types.OrderBig)
			if s.a != nil {
				a2 = rangeToPrefix(&node{k: kRange, left: s.a, right: a2})
			}
			s.a = a2
			addr = a2
		}
	}
	if isNatProtoMap(addr, fam) {
		s.family = fam
		c.emit(s)
		return
	}
	s.b = c.protoRange(x.RegProtoMin, x.RegProtoMax)
	c.emit(s)
}

func isNatAddrMap(addr *node, fam int) bool {
	if addr == nil || addr.k != kMap || addr.right.k != kSetRef || addr.right.set.data == nil {
		return false
	}
	d := addr.right.set.data
	if d.extra == nil || d.extra["interval"] == 0 {
		return false
	}
	switch fam {
	case 2:
		return d.len == 64 || d.len == 128
	case 10:
		return d.len == 256 || d.len == 320
	}
	return false
}

func isNatProtoMap(addr *node, fam int) bool {
	if addr == nil || addr.k != kMap || addr.right.k != kSetRef || addr.right.set.data == nil {
		return false
	}
	d := addr.right.set.data
	switch fam {
	case 2:
		return d.len == 64
	case 10:
		return d.len == 160
	}
	return false
}

// rangeToPrefix is range_expr_to_prefix.
func rangeToPrefix(r *node) *node {
	lo, hi := r.left, r.right
	if lo.k != kValue || hi.k != kValue {
		return r
	}
	x := new(bigInt).Xor(lo.v, hi.v)
	// x must be of the form 0..01..1 with lo having zeros there
	bits := x.BitLen()
	if new(bigInt).Add(x, newBig(1)).BitLen() != bits+1 && x.Sign() != 0 {
		return r
	}
	if new(bigInt).And(lo.v, x).Sign() != 0 {
		return r
	}
	if x.Sign() == 0 {
		return r
	}
	plen := lo.len - bits
	return &node{k: kPrefix, left: lo, plen: plen, len: lo.len, t: lo.t}
}

func (c *parseCtx) parseDynset(x *expr.Dynset) {
	set := c.sets(x.SetName)
	if set == nil {
		c.emit(textStmt("unknown"))
		return
	}
	key := c.get(x.SRegKey)
	if key == nil {
		c.emit(textStmt("unknown"))
		return
	}
	if key.len < set.key.len {
		if cat := c.concatKey(x.SRegKey, set.key); cat != nil {
			key = cat
		}
	}
	elem := &node{k: kSetElem, left: key, t: key.t}
	if x.Timeout != 0 {
		elem.elem = &elemInfo{timeout: x.Timeout}
	}
	var subs []*stmt
	for _, e := range x.Exprs {
		sub := &parseCtx{family: c.family, sets: c.sets, regs: c.regs}
		sub.parse(e)
		subs = append(subs, sub.stmts...)
	}
	var data *node
	if x.SRegData != 0 {
		data = c.get(x.SRegData)
		if data != nil && set.data != nil && data.len < set.data.len {
			if cat := c.concat(x.SRegData, set.data.len); cat != nil {
				data = cat
			}
		}
	}
	ref := &node{k: kSetRef, set: set}
	if data != nil {
		if set.data != nil {
			data.setType(set.data.t, set.data.order)
		}
		c.emit(&stmt{k: sMap, setRef: ref, key: elem, val: data, num: x.Op, sub: subs})
		return
	}
	if len(subs) > 0 && set.anonymous {
		c.emit(&stmt{k: sMeter, setRef: ref, key: elem, sub: subs, num: set.size})
		return
	}
	c.emit(&stmt{k: sSet, setRef: ref, key: elem, num: x.Op, sub: subs})
}

func (c *parseCtx) concatKey(r uint32, key *node) *node {
	cat := c.concat(r, key.len)
	if cat == nil {
		return nil
	}
	if key.t != nil && len(key.t.Subtypes) == len(cat.args) {
		for i, a := range cat.args {
			st := key.t.Subtypes[i]
			a.setType(st, st.Order)
		}
	}
	return cat
}

func (c *parseCtx) parseObjref(x *expr.Objref) {
	if x.ImmName != "" || x.SetSReg == 0 {
		v := &node{k: kValue, t: types.String, order: types.OrderHost, len: (len(x.ImmName) + 1) * 8}
		v.v = newBigBytes(append([]byte(x.ImmName), 0))
		c.emit(&stmt{k: sObjref, num: x.ImmType, expr: v})
		return
	}
	set := c.sets(x.SetName)
	if set == nil {
		c.emit(textStmt("unknown"))
		return
	}
	left := c.get(x.SetSReg)
	if left == nil {
		c.emit(textStmt("unknown"))
		return
	}
	if left.len < set.key.len {
		if cat := c.concat(x.SetSReg, set.key.len); cat != nil {
			left = cat
		}
	}
	m := &node{k: kMap, left: left, right: &node{k: kSetRef, set: set}, t: types.String, order: types.OrderHost}
	c.emit(&stmt{k: sObjref, num: set.objType, expr: m})
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

func logString(x *expr.Log) string {
	var sb strings.Builder
	sb.WriteString("log")
	if x.Prefix != nil {
		fmt.Fprintf(&sb, " prefix \"%s\"", *x.Prefix)
	}
	if x.Group != nil {
		fmt.Fprintf(&sb, " group %d", *x.Group)
	}
	if x.Snaplen != nil {
		fmt.Fprintf(&sb, " snaplen %d", *x.Snaplen)
	}
	if x.QThreshold != nil {
		fmt.Fprintf(&sb, " queue-threshold %d", *x.QThreshold)
	}
	if x.Level != nil && *x.Level != 4 {
		l := "unknown"
		if int(*x.Level) < len(logLevels) {
			l = logLevels[*x.Level]
		}
		sb.WriteString(" level " + l)
	}
	var f uint32
	if x.Flags != nil {
		f = *x.Flags
	}
	if f&0x2f == 0x2f {
		sb.WriteString(" flags all")
	} else {
		if f&0x3 != 0 {
			sb.WriteString(" flags tcp")
			d := " "
			if f&0x1 != 0 {
				sb.WriteString(" sequence")
				d = ","
			}
			if f&0x2 != 0 {
				sb.WriteString(d + "options")
			}
		}
		if f&0x4 != 0 {
			sb.WriteString(" flags ip options")
		}
		if f&0x8 != 0 {
			sb.WriteString(" flags skuid")
		}
		if f&0x20 != 0 {
			sb.WriteString(" flags ether")
		}
	}
	return sb.String()
}

func limitString(x *expr.Limit) string {
	inv := ""
	if x.Flags&1 != 0 {
		inv = "over "
	}
	if x.Type == 0 {
		s := fmt.Sprintf("limit rate %s%d/%s", inv, x.Rate, timeUnit(x.Unit))
		if x.Burst != 0 && x.Burst != 5 {
			s += fmt.Sprintf(" burst %d packets", x.Burst)
		}
		return s
	}
	r, u := rateUnit(x.Rate)
	s := fmt.Sprintf("limit rate %s%d %s/%s", inv, r, u, timeUnit(x.Unit))
	if x.Burst != 0 {
		b, bu := rateUnit(uint64(x.Burst))
		s += fmt.Sprintf(" burst %d %s", b, bu)
	}
	return s
}

func synproxyString(x *expr.Synproxy) string {
	ts, sack := "", ""
	if x.Flags&0x8 != 0 { // NF_SYNPROXY_OPT_TIMESTAMP
		ts = " timestamp"
	}
	if x.Flags&0x4 != 0 { // NF_SYNPROXY_OPT_SACK_PERM
		sack = " sack-perm"
	}
	switch {
	case x.Flags&0x3 == 0x3:
		return fmt.Sprintf("synproxy mss %d wscale %d%s%s", x.MSS, x.Wscale, ts, sack)
	case x.Flags&0x1 != 0:
		return fmt.Sprintf("synproxy mss %d%s%s", x.MSS, ts, sack)
	case x.Flags&0x2 != 0:
		return fmt.Sprintf("synproxy wscale %d%s%s", x.Wscale, ts, sack)
	}
	return "synproxy" + ts + sack
}

func fibNode(x *expr.Fib) *node {
	flags := x.Flags &^ 0x20 // NFTA_FIB_F_PRESENT
	var parts []string
	names := []struct {
		f uint32
		s string
	}{{1, "saddr"}, {2, "daddr"}, {4, "mark"}, {8, "iif"}, {16, "oif"}}
	var sb strings.Builder
	sb.WriteString("fib ")
	for _, n := range names {
		if flags&n.f == 0 {
			continue
		}
		sb.WriteString(n.s)
		flags &^= n.f
		if flags != 0 {
			sb.WriteString(" . ")
		}
	}
	_ = parts
	if flags != 0 {
		fmt.Fprintf(&sb, "0x%x", flags)
	}
	var t *types.Datatype
	bits := 32
	res := "unknown"
	switch x.Result {
	case 1:
		res, t = "oif", types.IfIndex
	case 2:
		res, t, bits = "oifname", types.IfName, 128
	case 3:
		res, t = "type", types.FibAddr
	default:
		t = types.Integer
	}
	sb.WriteString(" " + res)
	n := &node{k: kFib, t: t, order: types.OrderHost, len: bits, text: sb.String()}
	if x.Flags&0x20 != 0 {
		n.t, n.len = types.Boolean, 1
	}
	return n
}

func socketNode(x *expr.Socket) *node {
	t := keyTmpl(types.SocketKeys, x.Key)
	n := &node{k: kSocket, t: t.Type, order: t.Order, len: t.Len, text: "socket " + t.Name}
	if x.Key == 3 { // NFT_SOCKET_CGROUPV2
		n.text += fmt.Sprintf(" level %d", x.Level)
	}
	return n
}

func xfrmNode(x *expr.Xfrm) *node {
	dir := "in"
	if x.Dir == 1 {
		dir = "out"
	}
	sp := ""
	if x.SPNum != 0 {
		sp = fmt.Sprintf("spnum %d ", x.SPNum)
	}
	t := keyTmpl(types.XfrmKeys, x.Key)
	name := t.Name
	if addr, fam, ok := strings.Cut(name, " "); ok { // "daddr ip" prints as "ip daddr"
		name = fam + " " + addr
	}
	return &node{k: kXfrm, t: t.Type, order: t.Order, len: t.Len, text: "ipsec " + dir + " " + sp + name}
}

var _ = binary.BigEndian

// numgenNode is the numgen expression of x.
func numgenNode(x *expr.Numgen) *node {
	name := "inc"
	if x.Type == 1 {
		name = "random"
	}
	txt := fmt.Sprintf("numgen %s mod %d", name, x.Modulus)
	if x.Offset != 0 {
		txt += fmt.Sprintf(" offset %d", x.Offset)
	}
	return &node{k: kNumgen, t: types.Integer, order: types.OrderHost, len: 32, text: txt}
}
