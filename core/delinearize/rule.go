// Package delinearize turns the kernel expressions of a rule back into nft
// statements, undoing what nft's linearization did (implicit protocol
// dependencies, merged payload loads, masks, byte order conversions,
// anonymous sets and maps), and prints them exactly as `nft list` does.
//
// It is the inverse of core/linearize and follows nft 1.0.6's
// netlink_delinearize.c: expressions are read into a register machine that
// yields statements, and a postprocessing pass types values and removes
// redundant protocol matches. Anything that cannot be lifted prints as
// "unknown" (or "xt match ..." for xtables matches); nothing is dropped.
package delinearize

import (
	"strings"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// Rule returns the text of rule r of table t as `nft list` prints it
// inside a chain (statements, then the comment). Sets the rule refers to
// are looked up among r.Sets (anonymous) and t.Sets (named).
func Rule(t *ruleset.Table, r *ruleset.Rule, o *Options) (text string, err error) {
	return ruleDepth(t, r, o, 0)
}

// ruleDepth is Rule inside depth levels of bound chains.
func ruleDepth(t *ruleset.Table, r *ruleset.Rule, o *Options, depth int) (text string, err error) {
	defer func() {
		if x := recover(); x != nil {
			if panicOnBug {
				panic(x)
			}
			text = "unknown"
			err = nil
		}
	}()
	lookup := func(name string) *setInfo {
		for _, s := range r.Sets {
			if s.Name == name {
				return SetInfo(t, s, o)
			}
		}
		if t != nil {
			if s := t.Set(name); s != nil {
				return SetInfo(t, s, o)
			}
		}
		return nil
	}
	fam := uint8(0)
	if t != nil {
		fam = uint8(t.Family)
	}
	bound := func(name string) (string, bool) {
		if t == nil {
			return "", false
		}
		c := t.Chain(name)
		if c == nil || c.Flags&chainBinding == 0 || depth > 16 {
			return "", false
		}
		depth++
		defer func() { depth-- }()
		var sb strings.Builder
		for _, br := range c.Rules {
			txt, err := ruleDepth(t, br, o, depth)
			if err != nil {
				txt = "unknown"
			}
			sb.WriteString("\t\t\t" + txt + "\n")
		}
		return sb.String(), true
	}
	stmts := stmtsCtx(fam, r.Exprs, lookup, bound)
	parts := make([]string, 0, len(stmts))
	for _, s := range stmts {
		parts = append(parts, s.print(o))
	}
	text = strings.Join(parts, " ")
	if c := r.Comment(); c != "" {
		if text != "" {
			text += " "
		}
		text += `comment "` + c + `"`
	}
	if o != nil && o.Handles && r.Handle != 0 {
		text += " # handle " + itoa(int(r.Handle))
	}
	return text, nil
}

// Stmts delinearizes exprs of a rule in a table of the given family.
func Stmts(family uint8, exprs []expr.Expr, sets func(string) *setInfo) []*stmt {
	return stmtsCtx(family, exprs, sets, nil)
}

// chainBinding is NFT_CHAIN_BINDING, the flag of anonymous chains.
const chainBinding = 0x4

func stmtsCtx(family uint8, exprs []expr.Expr, sets func(string) *setInfo, bound func(string) (string, bool)) []*stmt {
	if sets == nil {
		sets = func(string) *setInfo { return nil }
	}
	pc := &parseCtx{family: family, sets: sets, bound: bound}
	for _, e := range exprs {
		pc.cur = nil
		pc.parse(e)
	}
	return postprocess(family, pc.stmts)
}

func postprocess(family uint8, in []*stmt) []*stmt {
	p := &postCtx{pc: newProtoCtx(family), family: family}
	p.stmts = append([]*stmt(nil), in...)
	for p.idx = 0; p.idx < len(p.stmts); p.idx++ {
		s := p.stmts[p.idx]
		p.cur = s
		switch s.k {
		case sExpr:
			p.exprPost(&s.expr)
			if p.cur != nil && p.cur.k == sExpr && p.dc.prev != nil && p.dc.prev.k == sExpr {
				if o, ok := mayMergeRange(p.cur.expr, p.dc.prev.expr); ok {
					p.mergeRange(o)
				}
			}
		case sPayload:
			p.stmtPayloadPost(s)
		case sExthdr:
			p.exprPost(&s.val)
		case sMeta:
			p.exprPost(&s.val)
		case sCt:
			p.exprPost(&s.val)
			if s.val.k == kBinop && s.num == 18 {
				s.val = binopTreeToList(s.val)
			}
		case sNat:
			if s.a != nil {
				p.exprPost(&s.a)
			}
			if s.b != nil {
				p.dc = depCtx{}
				p.exprPost(&s.b)
			}
		case sTproxy:
			if s.a != nil {
				p.exprPost(&s.a)
			}
			if s.b != nil {
				p.dc = depCtx{}
				p.exprPost(&s.b)
			}
		case sReject:
			p.rejectPost(s)
		case sSet, sMeter:
			p.exprPost(&s.key)
		case sMap:
			p.exprPost(&s.key)
			p.exprPost(&s.val)
		case sDup:
			if s.a != nil {
				p.exprPost(&s.a)
			}
			if s.b != nil {
				p.exprPost(&s.b)
			}
		case sFwd:
			if s.a != nil {
				p.exprPost(&s.a)
			}
			if s.b != nil {
				p.exprPost(&s.b)
			}
		case sObjref:
			p.exprPost(&s.expr)
		case sQueue:
			if s.expr != nil && s.expr.k != kValue && s.expr.k != kRange {
				p.exprPost(&s.expr)
			}
		}
		p.dc.prev = p.cur
		if s.k != sExpr {
			p.dc = depCtx{}
		}
	}
	return p.stmts
}

func mayMergeRange(e, prev *node) (op, bool) {
	if e.k != kRelational || prev.k != kRelational {
		return 0, false
	}
	l, pl := e.left, prev.left
	if l.k == kUnary {
		l = l.left
	}
	if pl.k == kUnary {
		pl = pl.left
	}
	if l.k != pl.k {
		return 0, false
	}
	if e.op == opLte && prev.op == opGte {
		return opEq, true
	}
	if e.op == opGt && prev.op == opLt {
		return opNeq, true
	}
	return 0, false
}

func (p *postCtx) mergeRange(o op) {
	prev, cur := p.dc.prev, p.cur
	r := &node{k: kRange, left: prev.expr.right.clone(), right: cur.expr.right.clone()}
	r.t = cur.expr.right.t
	rel := &node{k: kRelational, op: o, left: cur.expr.left.clone(), right: r}
	ns := &stmt{k: sExpr, expr: rel}
	p.insertBefore(cur, ns)
	p.removeStmt(prev)
	p.removeStmt(cur)
	p.cur = ns
}

func (p *postCtx) rejectPost(s *stmt) {
	switch p.family {
	case 2:
		s.family = 2
		s.a.t = types.ICMPCode
		if s.num == 1 && p.depExists(baseTransport) {
			p.depRelease(baseTransport)
		}
	case 10:
		s.family = 10
		s.a.t = types.ICMPv6Code
		if s.num == 1 && p.depExists(baseTransport) {
			p.depRelease(baseTransport)
		}
	case 1, 7, 5:
		if s.num == 2 {
			s.a.t = types.ICMPXCode
			break
		}
		s.verbose = true
		d := p.pc.desc(baseNetwork)
		switch d {
		case protoIP:
			s.family = 2
			s.a.t = types.ICMPCode
		case protoIP6:
			s.family = 10
			s.a.t = types.ICMPv6Code
		}
		if p.depExists(baseNetwork) {
			p.depRelease(baseNetwork)
		}
	}
}

// stmtPayloadPost is stmt_payload_postprocess.
func (p *postCtx) stmtPayloadPost(s *stmt) {
	p.payloadComplete(s.key)
	if !payloadKnown(s.key) {
		p.stmtPayloadBinopPost(s)
	}
	p.exprPost(&s.key)
	s.val.setType(s.key.t, s.key.order)
	p.exprPost(&s.val)
}

func (p *postCtx) stmtPayloadBinopPost(s *stmt) {
	e := s.val
	if e.k != kBinop {
		return
	}
	switch e.left.k {
	case kBinop:
		if e.op != opOr || e.right.k != kValue {
			return
		}
		b := e.left
		if b.op != opAnd || b.left.k != kPayload || b.right.k != kValue {
			return
		}
		payload, mask := b.left, b.right
		if payload.base != s.key.base || payload.offset != s.key.offset {
			return
		}
		saved := new(bigInt).Set(mask.v)
		bm := bitmask(payload.len)
		bm.Xor(bm, mask.v)
		bm.Xor(bm, e.right.v)
		mask.v = bm
		shift, ok := p.payloadTrim(payload, mask)
		if !ok {
			mask.v = saved
			return
		}
		binopAdjust(payload, e.right, shift)
		p.payloadComplete(payload)
		if !payloadKnown(payload) {
			mask.v = saved
			return
		}
		s.key = payload
		s.val = e.right
	case kPayload:
		if e.right.k != kValue {
			return
		}
		switch e.op {
		case opAnd:
			bm := bitmask(e.left.len)
			bm.Xor(bm, e.right.v)
			e.right.v = bm
		case opOr:
		default:
			return
		}
		shift, ok := p.payloadTrim(e.left, e.right)
		if ok {
			binopAdjust(e.left, e.right, shift)
			p.payloadComplete(e.left)
			e.right.setType(e.left.t, e.left.order)
		}
		if !payloadKnown(e.left) {
			return
		}
		if e.op == opAnd {
			e.right.v = newBig(0)
		}
		s.key = e.left
		s.val = e.right
	}
}

// panicOnBug makes Rule re-raise internal panics instead of printing
// "unknown"; the fuzz target sets it to find them.
var panicOnBug = false
