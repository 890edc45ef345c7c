package linearize

import (
	"sort"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// Kinds of statement records.
const (
	recExpr    = iota // an expression statement (match) that is not mergeable
	recPayload        // a payload == / != constant match (may merge)
	recBarrier        // any other statement: merging does not cross it
)

// rec is one statement of the rule (a match, a dependency or another
// statement) as a slice of the emitted expressions; it lets Rule merge
// adjacent payload matches the way nft's stmt_reduce does.
type rec struct {
	start, end int
	kind       int
	// payload matches
	base     uint32
	off, len int // bytes
	op       uint32
	data     []byte
	reg      uint32
	proto    bool // the field is a protocol key (EXPR_F_PROTOCOL)
	metaProt uint16
	isMetaP  bool
	exprs    []expr.Expr
	dead     bool
	// pos is the source of the statement that emitted the record.
	pos diag.Pos
}

// closeRec turns the expressions emitted since the last record into a
// record of kind k.
func (c *Ctx) closeRec(k int) *rec {
	if len(c.Exprs) == c.mark && k != recBarrier {
		return nil
	}
	r := &rec{start: c.mark, end: len(c.Exprs), kind: k, pos: c.cur}
	c.recs = append(c.recs, r)
	c.mark = len(c.Exprs)
	return r
}

// noteMatch records the match just emitted, with its merge information.
func (c *Ctx) noteMatch(m *eval.Match) {
	l := m.Left
	r := c.closeRec(recExpr)
	if r == nil {
		return
	}
	ex := c.Exprs[r.start:r.end]
	if mm, ok := l.Tmpl.(*expr.Meta); ok && mm.Key == 1 && (m.Op == "==" || m.Op == "implicit") && m.Right.Kind == eval.VConst && len(ex) == 2 {
		r.isMetaP = true
		r.metaProt = uint16(m.Right.C.V.Uint64())
		return
	}
	pl, ok := l.Tmpl.(*expr.Payload)
	if !ok || l.Mask != nil || len(l.Binop) > 0 || l.Concat != nil || m.Mask != nil || l.Inner != nil {
		return
	}
	if m.Op != "==" && m.Op != "implicit" && m.Op != "!=" {
		return
	}
	if m.Right.Kind != eval.VConst && m.Right.Kind != eval.VMask || m.Right.C.Wildcard {
		return
	}
	if len(ex) < 2 {
		return
	}
	if _, ok := ex[0].(*expr.Payload); !ok {
		return
	}
	cmp, ok := ex[len(ex)-1].(*expr.Cmp)
	if !ok || (len(ex) == 3 && !isBitwise(ex[1])) || len(ex) > 3 {
		return
	}
	r.kind = recPayload
	r.base, r.off, r.len = pl.Base, int(pl.Offset), int(pl.Len)
	r.op = expr.CmpEq
	if m.Op == "!=" {
		r.op = expr.CmpNeq
	}
	r.data = constBytes(m.Right.C, l, false)
	r.reg = cmp.SReg
	if l.Proto != nil && l.Proto.Key.Meta == 0 && l.Proto.Key.Name == l.Field {
		r.proto = true
	}
	if l.Proto == types.ProtoIP && l.Field == "protocol" || l.Proto == types.ProtoIP6 && l.Field == "nexthdr" {
		r.proto = true
	}
}

func isBitwise(e expr.Expr) bool { _, ok := e.(*expr.Bitwise); return ok }

// reduce merges adjacent payload matches (nft's stmt_reduce) and drops a
// redundant `meta protocol` match of the table's own family.
func (c *Ctx) reduce(fam ruleset.Family) {
	if len(c.Exprs) > c.mark {
		c.closeRec(recBarrier)
	}
	for _, r := range c.recs {
		r.exprs = append([]expr.Expr(nil), c.Exprs[r.start:r.end]...)
	}
	var group []*rec
	var dead *rec
	for _, r := range c.recs {
		if dead != nil {
			dead.dead = true
			dead = nil
		}
		switch r.kind {
		case recBarrier:
			if len(group) >= 2 {
				merge(group)
			}
			group = nil
			continue
		case recPayload:
			group = append(group, r)
		case recExpr:
			if r.isMetaP && isFamilyProtocol(fam, r.metaProt) {
				dead = r
			}
		}
	}
	if len(group) > 1 {
		merge(group)
	}
	var out []expr.Expr
	for _, r := range c.recs {
		if !r.dead {
			out = append(out, r.exprs...)
		}
	}
	pos := make([]diag.Pos, 0, len(out))
	for _, r := range c.recs {
		if !r.dead {
			for range r.exprs {
				pos = append(pos, r.pos)
			}
		}
	}
	c.Exprs, c.ExprPos = out, pos
	c.recs, c.mark = nil, len(out)
}

func adjacent(a, b *rec) bool {
	return a.base == b.base && a.off+a.len == b.off
}

func canMerge(a, b *rec) bool {
	if !adjacent(a, b) {
		return false
	}
	total := a.len + b.len
	if total > 16 {
		return false
	}
	if total <= 4 || a.base == 0 || a.len > 4 || b.len > 4 {
		return true
	}
	return false
}

func merge(sa []*rec) {
	sort.SliceStable(sa, func(i, j int) bool {
		if sa[i].base != sa[j].base {
			return sa[i].base < sa[j].base
		}
		return sa[i].off < sa[j].off
	})
	last := sa[0]
	for i := 1; i < len(sa); i++ {
		this := sa[i]
		if !canMerge(last, this) || last.op != this.op {
			last = this
			continue
		}
		m := &rec{kind: recPayload, base: last.base, off: last.off, len: last.len + this.len, op: last.op,
			data: append(append([]byte(nil), last.data...), this.data...)}
		keep, drop := last, this
		if this.proto {
			keep, drop = this, last
			m.proto = true
		}
		m.reg = keep.reg
		m.start, m.end, m.pos = keep.start, keep.end, keep.pos
		m.exprs = []expr.Expr{
			&expr.Payload{DReg: m.reg, Base: m.base, Offset: uint32(m.off), Len: uint32(m.len)},
			&expr.Cmp{SReg: m.reg, Op: m.op, Data: m.data},
		}
		*keep = *m
		drop.dead = true
		drop.exprs = nil
		last = keep
	}
}

// isFamilyProtocol reports whether v is the ether type of fam's own
// network protocol (ip or ip6), so `meta protocol v` is redundant there.
func isFamilyProtocol(fam ruleset.Family, v uint16) bool {
	var p *types.Proto
	switch fam {
	case ruleset.FamilyIP:
		p = types.ProtoIP
	case ruleset.FamilyIP6:
		p = types.ProtoIP6
	default:
		return false
	}
	n, ok := types.ProtoEth.Num(p)
	return ok && n == uint64(v)
}
