// Package linearize turns evaluated rules (core/eval) into kernel
// expressions (core/expr): register allocation like nft (32-bit units,
// 128-bit registers where aligned), byte order conversions, prefix and
// range matches, anonymous sets and maps with their elements.
package linearize

import (
	"math/big"
	"sort"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// Ctx collects the expressions and anonymous sets of one rule.
type Ctx struct {
	Exprs []expr.Expr
	// ExprPos holds, for each of Exprs (once Rule has returned), the
	// source of the statement that produced it, as nft locates it: the
	// keyword of log, queue, reject, counter and nat statements, the
	// name of an object reference, else the whole statement.
	ExprPos []diag.Pos
	Sets    []*ruleset.Set
	cur     diag.Pos // the statement being linearized
	low     uint32   // next free 32-bit register unit; 1 = NFT_REG_1
	// statement records for payload merging
	recs []*rec
	mark int
}

// New returns an empty rule linearizer.
func New() *Ctx { return &Ctx{low: 1} }

// Reg converts a 32-bit register unit to the number nft sends.
func Reg(unit uint32) uint32 {
	u := unit - 1
	if u%4 == 0 {
		return 1 + u/4
	}
	return 8 + u
}

// Alloc reserves registers for bits and returns the first unit.
func (c *Ctx) Alloc(bits int, concat bool) uint32 {
	n := uint32(4)
	if concat {
		n = uint32((bits + 31) / 32)
	}
	r := c.low
	c.low += n
	return r
}

// Release frees what Alloc reserved.
func (c *Ctx) Release(bits int, concat bool) {
	n := uint32(4)
	if concat {
		n = uint32((bits + 31) / 32)
	}
	c.low -= n
}

// Add appends expressions.
func (c *Ctx) Add(es ...expr.Expr) { c.Exprs = append(c.Exprs, es...) }

// withDReg returns a copy of a load template writing to dreg.
func withDReg(t expr.Expr, dreg uint32) expr.Expr {
	switch x := t.(type) {
	case *expr.Payload:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Meta:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Ct:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Exthdr:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Rt:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Fib:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Socket:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Osf:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Xfrm:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Numgen:
		y := *x
		y.DReg = dreg
		return &y
	case *expr.Hash:
		y := *x
		y.DReg = dreg
		if y.Type == 0 {
			y.SReg = dreg
		}
		return &y
	}
	return t
}

// Load emits l into the register unit; hton converts host-order values
// to big endian (for ranges, comparisons and interval sets).
func (c *Ctx) Load(l *eval.Load, unit uint32, hton bool) {
	if l.Concat != nil {
		u := unit
		for _, s := range l.Concat {
			c.Load(s, u, hton)
			u += uint32((s.RegBits + 31) / 32)
		}
		return
	}
	reg := Reg(unit)
	if l.Inner != nil {
		// jhash: the input gets registers of its own (netlink_gen_hash)
		concat := l.Inner.Concat != nil
		iu := c.Alloc(l.Inner.RegBits, concat)
		c.Load(l.Inner, iu, false)
		c.Release(l.Inner.RegBits, concat)
		h := withDReg(l.Tmpl, reg).(*expr.Hash)
		h.SReg = Reg(iu)
		c.Add(h)
	} else {
		c.Add(withDReg(l.Tmpl, reg))
	}
	n := uint32(l.Bytes())
	if l.Mask != nil {
		c.Add(&expr.Bitwise{SReg: reg, DReg: reg, Len: n, Mask: types.ToBytes(l.Mask, int(n), types.OrderBig), Xor: make([]byte, n)})
	}
	c.binops(l, reg)
	if hton && NeedsHton(l) {
		c.Add(&expr.Byteorder{SReg: reg, DReg: reg, Op: expr.ByteorderHton, Len: n, Size: htonSize(n)})
	}
}

func htonSize(n uint32) uint32 {
	switch {
	case n%8 == 0 && n > 4:
		return 8
	case n%4 == 0:
		return 4
	case n%2 == 0:
		return 2
	}
	return n
}

// NeedsHton reports whether l is in host byte order and wider than a byte.
func NeedsHton(l *eval.Load) bool {
	return l.Order == types.OrderHost && l.Bytes() > 1 && !l.Type.IsString()
}

// binops emits the binary operations of l on reg. Like nft 1.0.6
// (netlink_gen_bitwise_mask_xor), a run of &, | and ^ becomes one
// bitwise whose mask and xor combine the run: `& 0xff00 | 1` is
// `( reg & 0xff00 ) ^ 0x1`; a shift stands alone.
func (c *Ctx) binops(l *eval.Load, reg uint32) {
	n := int(l.Bytes())
	all := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(n*8)), big.NewInt(1))
	var mask, xor *big.Int
	flush := func() {
		if mask != nil {
			c.Add(&expr.Bitwise{SReg: reg, DReg: reg, Len: uint32(n), Mask: types.ToBytes(mask, n, l.Order), Xor: types.ToBytes(xor, n, l.Order)})
		}
		mask, xor = nil, nil
	}
	for _, b := range l.Binop {
		switch b.Op {
		case "&", "|", "^":
			if mask == nil {
				mask, xor = new(big.Int).Set(all), new(big.Int)
			}
			switch b.Op {
			case "&":
				mask.And(mask, b.V)
				xor.And(xor, b.V)
			case "|":
				mask.AndNot(mask, b.V)
				xor.Or(xor, b.V)
			case "^":
				xor.Xor(xor, b.V)
			}
		case "<<", ">>":
			flush()
			bw := &expr.Bitwise{SReg: reg, DReg: reg, Len: uint32(n), Op: expr.BitwiseLshift}
			if b.Op == ">>" {
				bw.Op = expr.BitwiseRshift
			}
			bw.Data = types.ToBytes(b.V, 4, types.OrderHost)
			c.Add(bw)
		}
	}
	flush()
}

// constBytes renders a constant for a load; big forces big endian.
func constBytes(k *eval.Const, l *eval.Load, big bool) []byte {
	n := l.Bytes()
	kk := *k
	if big && kk.Order == types.OrderHost {
		kk.Order = types.OrderBig
	}
	if l.Mask != nil && !kk.Type.IsString() {
		v := new(mathInt).Lsh(k.V, uint(l.Shift))
		kk.V = v
		kk.Order = types.OrderBig
	}
	return kk.Bytes(n)
}

type mathInt = big.Int

// Match emits a relational match.
func (c *Ctx) Match(m *eval.Match) error {
	c.closeRec(recExpr)
	if err := c.match0(m); err != nil {
		return err
	}
	c.noteMatch(m)
	return nil
}

func (c *Ctx) match0(m *eval.Match) error {
	l := m.Left
	concat := l.Concat != nil
	switch m.Right.Kind {
	case eval.VSet, eval.VSetRef:
		return c.lookup(m)
	}
	unit := c.Alloc(l.RegBits, concat)
	defer c.Release(l.RegBits, concat)
	reg := Reg(unit)
	r := m.Right
	switch r.Kind {
	case eval.VConst, eval.VMask:
		k := r.C
		if k.Wildcard {
			c.Load(l, unit, false)
			c.Add(&expr.Cmp{SReg: reg, Op: cmpOp(m.Op), Data: k.Bytes((k.Bits + 7) / 8)})
			return nil
		}
		if m.Mask != nil {
			c.Load(l, unit, false)
			n := l.Bytes()
			c.Add(&expr.Bitwise{SReg: reg, DReg: reg, Len: uint32(n), Mask: constBytes(m.Mask, l, false), Xor: make([]byte, n)})
			c.Add(&expr.Cmp{SReg: reg, Op: cmpOp(m.Op), Data: constBytes(k, l, false)})
			return nil
		}
		if m.Op == "!flags" {
			c.Load(l, unit, false)
			n := l.Bytes()
			c.Add(&expr.Bitwise{SReg: reg, DReg: reg, OmitOp: true, Len: uint32(n), Mask: constBytes(k, l, false), Xor: make([]byte, n)})
			c.Add(&expr.Cmp{SReg: reg, Op: expr.CmpEq, Data: make([]byte, n)})
			return nil
		}
		flags := l.Type.IsBitmask() && (m.Op == "implicit" && k.V.Sign() != 0) && l.Concat == nil
		if flags && len(l.Binop) > 0 {
			// nft compares the masked value directly (netlink_gen_flagcmp)
			c.Load(l, unit, false)
			c.Add(&expr.Cmp{SReg: reg, Op: expr.CmpEq, Data: constBytes(k, l, false)})
			return nil
		}
		if flags {
			c.Load(l, unit, false)
			n := l.Bytes()
			c.Add(&expr.Bitwise{SReg: reg, DReg: reg, OmitOp: true, Len: uint32(n), Mask: constBytes(k, l, false), Xor: make([]byte, n)})
			c.Add(&expr.Cmp{SReg: reg, Op: expr.CmpNeq, Data: make([]byte, n)})
			return nil
		}
		ordered := m.Op == "<" || m.Op == ">" || m.Op == "<=" || m.Op == ">="
		c.Load(l, unit, ordered)
		var data []byte
		if concat {
			data = concatBytes(r, l, false)
		} else {
			data = constBytes(k, l, ordered && NeedsHton(l))
		}
		c.Add(&expr.Cmp{SReg: reg, Op: cmpOp(m.Op), Data: data})
	case eval.VConcat:
		c.Load(l, unit, false)
		c.Add(&expr.Cmp{SReg: reg, Op: cmpOp(m.Op), Data: concatBytes(r, l, false)})
	case eval.VRange:
		c.Load(l, unit, true)
		big := NeedsHton(l)
		lo, hi := constBytes(r.Lo, l, big), constBytes(r.Hi, l, big)
		if m.Op == "!=" {
			c.Add(&expr.Range{SReg: reg, Op: expr.RangeNeq, FromData: lo, ToData: hi})
		} else {
			c.Add(&expr.Cmp{SReg: reg, Op: expr.CmpGte, Data: lo}, &expr.Cmp{SReg: reg, Op: expr.CmpLte, Data: hi})
		}
	case eval.VPrefix:
		if pl, ok := l.Tmpl.(*expr.Payload); ok && l.Mask == nil && r.Plen > 0 && r.Plen%8 == 0 && len(l.Binop) == 0 {
			q := *pl
			q.Len = uint32(r.Plen / 8)
			q.DReg = reg
			c.Add(&q)
			full := constBytes(r.Lo, l, false)
			c.Add(&expr.Cmp{SReg: reg, Op: cmpOp(m.Op), Data: full[:r.Plen/8]})
			return nil
		}
		if _, ok := l.Tmpl.(*expr.Payload); !ok && l.Tmpl != nil && l.Order == types.OrderBig && l.Mask == nil && r.Plen > 0 && r.Plen%8 == 0 && len(l.Binop) == 0 {
			// netlink_gen_relational: a byte-aligned prefix compares the
			// leading bytes of the register only
			c.Load(l, unit, false)
			full := constBytes(r.Lo, l, false)
			c.Add(&expr.Cmp{SReg: reg, Op: cmpOp(m.Op), Data: full[:r.Plen/8]})
			return nil
		}
		c.Load(l, unit, false)
		n := l.Bytes()
		mask := new(big.Int).Xor(r.Hi.V, r.Lo.V)
		all := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(l.Bits)), big.NewInt(1))
		mask.AndNot(all, mask)
		mk := &eval.Const{Type: r.Lo.Type, Order: r.Lo.Order, V: mask, Bits: l.Bits}
		c.Add(&expr.Bitwise{SReg: reg, DReg: reg, OmitOp: true, Len: uint32(n), Mask: constBytes(mk, l, false), Xor: make([]byte, n)})
		c.Add(&expr.Cmp{SReg: reg, Op: cmpOp(m.Op), Data: constBytes(r.Lo, l, false)})
	}
	return nil
}

func cmpOp(op string) uint32 {
	switch op {
	case "!=":
		return expr.CmpNeq
	case "<":
		return expr.CmpLt
	case "<=":
		return expr.CmpLte
	case ">":
		return expr.CmpGt
	case ">=":
		return expr.CmpGte
	}
	return expr.CmpEq
}

// concatBytes renders a concatenated constant, each field in its own
// 32-bit aligned slot.
func concatBytes(v *eval.Value, l *eval.Load, big bool) []byte {
	var out []byte
	for i, p := range v.Parts {
		sub := l.Concat[i]
		n := ((sub.RegBits + 31) / 32) * 4
		var b []byte
		switch p.Kind {
		case eval.VConst, eval.VMask:
			b = constBytes(p.C, sub, big && NeedsHton(sub))
		case eval.VRange, eval.VPrefix:
			b = constBytes(p.Lo, sub, big && NeedsHton(sub))
		}
		pad := make([]byte, n)
		copy(pad, b)
		out = append(out, pad...)
	}
	return out
}

func concatEndBytes(v *eval.Value, l *eval.Load, big bool) []byte {
	var out []byte
	for i, p := range v.Parts {
		sub := l.Concat[i]
		n := ((sub.RegBits + 31) / 32) * 4
		var b []byte
		switch p.Kind {
		case eval.VConst, eval.VMask:
			b = constBytes(p.C, sub, big && NeedsHton(sub))
		case eval.VRange, eval.VPrefix:
			b = constBytes(p.Hi, sub, big && NeedsHton(sub))
		}
		pad := make([]byte, n)
		copy(pad, b)
		out = append(out, pad...)
	}
	return out
}

var _ = sort.Slice
