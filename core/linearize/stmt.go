package linearize

import (
	"math/big"
	"strconv"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// Rule evaluates and linearizes the statements of a rule.
func Rule(ec *eval.Ctx, r *ast.Rule) (*Ctx, error) {
	ec.Reset()
	c := New()
	var term ast.Stmt
	for _, s := range r.Stmts {
		if term != nil {
			return nil, eval.Errorf(s, "Statement after terminal statement has no effect")
		}
		c.cur = stmtPos(s)
		if err := c.stmt(ec, s); err != nil {
			return nil, err
		}
		if isTerminal(s) {
			term = s
		}
		if _, ok := s.(*ast.Match); ok {
			c.closeRec(recExpr)
		} else {
			c.closeRec(recBarrier)
		}
	}
	c.reduce(ec.Family)
	return c, nil
}

func (c *Ctx) flushDeps(ec *eval.Ctx) error {
	if len(ec.PrependDeps) > 0 {
		pre := ec.PrependDeps
		ec.PrependDeps = nil
		saved := ec.Deps
		ec.Deps = pre
		if err := c.prependDeps(ec); err != nil {
			return err
		}
		ec.Deps = saved
	}
	deps := ec.Deps
	ec.Deps = nil
	for _, d := range deps {
		if err := c.Match(d); err != nil {
			return err
		}
	}
	return nil
}

func (c *Ctx) stmt(ec *eval.Ctx, s ast.Stmt) error {
	switch x := s.(type) {
	case *ast.Match:
		return c.match(ec, x)
	case *ast.VerdictStmt:
		v, err := ec.Verdict(x.Verdict)
		if err != nil {
			return err
		}
		c.Add(&expr.Immediate{DReg: 0, Verdict: v})
		return nil
	case *ast.VerdictMap:
		l, err := ec.Expr(x.Key)
		if err != nil {
			return err
		}
		if err := c.flushDeps(ec); err != nil {
			return err
		}
		return c.mapLookup(ec, x, l, x.Map, eval.VerdictLoad, 0)
	case *ast.Counter:
		e := &expr.Counter{}
		if x.Packets != nil {
			e.Packets = x.Packets.V
		}
		if x.Bytes != nil {
			e.Bytes = x.Bytes.V
		}
		c.Add(e)
		return nil
	case *ast.Log:
		return c.log(ec, x)
	case *ast.Limit:
		return c.limit(x)
	case *ast.Quota:
		q := &expr.Quota{Bytes: x.Amount * unitBytes(x.Unit)}
		if x.Used != nil {
			q.Consumed = x.Used.V * unitBytes(x.UsedUnit)
		}
		if x.Over {
			q.Flags = 1
		}
		c.Add(q)
		return nil
	case *ast.Notrack:
		c.Add(&expr.Notrack{})
		return nil
	case *ast.Assign:
		return c.assign(ec, x)
	case *ast.Nat:
		return c.nat(ec, x)
	case *ast.Reject:
		return c.reject(ec, x)
	case *ast.ObjRef:
		return c.objref(ec, x)
	case *ast.DynSet:
		return c.dynset(ec, x)
	case *ast.Queue:
		return c.queue(ec, x)
	case *ast.Tproxy:
		return c.tproxy(ec, x)
	case *ast.Dup:
		return c.dup(ec, x)
	case *ast.Synproxy:
		return c.synproxy(x)
	case *ast.Fwd:
		return c.fwd(ec, x)
	case *ast.Meter:
		return c.meter(ec, x)
	case *ast.OptStrip:
		// `reset tcp option NAME`: an exthdr with neither register
		l, err := ec.Expr(x.Option)
		if err != nil {
			return err
		}
		t, ok := l.Tmpl.(*expr.Exthdr)
		if !ok {
			return eval.Errorf(x, "cannot reset this option")
		}
		c.Add(&expr.Exthdr{Type: t.Type, Op: t.Op})
		return nil
	case *ast.Connlimit:
		e := &expr.Connlimit{Count: uint32(x.Count)}
		if x.Over {
			e.Flags = 1
		}
		c.Add(e)
		return nil
	}
	return eval.Errorf(s, "statement not supported yet")
}

func unitBytes(u string) uint64 {
	switch u {
	case "kbytes":
		return 1024
	case "mbytes":
		return 1024 * 1024
	}
	return 1
}

func (c *Ctx) match(ec *eval.Ctx, m *ast.Match) error {
	if ml, ok := m.Left.(*ast.MapLookup); ok {
		_ = ml
		return eval.Errorf(m, "map lookups in matches are not supported yet")
	}
	l, err := ec.Expr(m.Left)
	if err != nil {
		return err
	}
	if f, ok := l.Tmpl.(*expr.Fib); ok && isBoolWord(m.Right) {
		// `fib ... oif exists`: the kernel stores whether a result exists
		g := *f
		g.Flags |= 0x20 // NFTA_FIB_F_PRESENT
		cp := *l
		cp.Tmpl, cp.Type = &g, types.Boolean
		l = &cp
	}
	r, err := ec.Value(m.Right, l)
	if err != nil {
		return err
	}
	if err := c.flushDeps(ec); err != nil {
		return err
	}
	op := m.Op
	switch op {
	case "":
		op = "implicit"
	case "!":
		op = "!flags"
		if len(l.Binop) > 0 {
			return eval.Errorf(m, "cannot combine negation with binary expression")
		}
		if r.Kind != eval.VConst && r.Kind != eval.VMask || !l.Type.IsBitmask() {
			return eval.Errorf(m, "negation can only be used with singleton bitmask values")
		}
	}
	// nft moves a trailing xor to the constant side: (x ^ a) == b -> x == a ^ b
	if n := len(l.Binop); n > 0 && l.Binop[n-1].Op == "^" && r.Kind == eval.VConst {
		k := *r.C
		k.V = new(big.Int).Xor(k.V, l.Binop[n-1].V)
		r = &eval.Value{Node: r.Node, Kind: eval.VConst, C: &k}
		cp := *l
		cp.Binop = l.Binop[:n-1]
		l = &cp
	}
	em := &eval.Match{Node: m, Left: l, Op: op, Right: r}
	if m.Mask != nil {
		mv, err := ec.Value(m.Mask, l)
		if err != nil {
			return err
		}
		em.Mask = mv.C
	}
	if err := c.Match(em); err != nil {
		return err
	}
	ec.Update(em)
	return nil
}

// mapLookup emits a map or verdict map lookup of key l into dreg unit
// (0 = verdict register).
func (c *Ctx) mapLookup(ec *eval.Ctx, n ast.Node, l *eval.Load, m ast.Expr, data *eval.Load, dunit uint32) error {
	if v, ok := m.(*ast.Variable); ok {
		m = v.Value
	}
	if err := eval.KeyCheck(l); err != nil {
		return err
	}
	concat := l.Concat != nil
	var unit uint32
	if dunit != 0 {
		// the key is loaded into the destination register (netlink_gen_map)
		unit = dunit
		if concat {
			space := uint32((l.RegBits + 31) / 32)
			c.low += space
			defer func() { c.low -= space }()
		}
	} else {
		unit = c.Alloc(l.RegBits, concat)
		defer c.Release(l.RegBits, concat)
	}
	var name string
	hton := false
	switch x := m.(type) {
	case *ast.SetExpr:
		v, err := ec.MapLiteral(x, l, data)
		if err != nil {
			return err
		}
		s, err := c.AnonSet(v, l, data, "__map%d")
		if err != nil {
			return err
		}
		c.Sets = append(c.Sets, s)
		name = s.Name
		hton = s.Flags&ruleset.SetInterval != 0
	case *ast.SetRef:
		s := ec.LookupSet(x.Name)
		if s == nil {
			return ec.UnknownSet(x, x.Name)
		}
		if s.Flags&ruleset.SetMap == 0 {
			return eval.Errorf(x, "Expression is not a map")
		}
		if err := eval.SetKeyMismatch(x, l, s, true); err != nil {
			return err
		}
		name = s.Name
		hton = s.Flags&ruleset.SetInterval != 0
	default:
		return eval.Errorf(m, "expected a map")
	}
	c.Load(l, unit, hton)
	dreg := uint32(0)
	if dunit != 0 {
		dreg = Reg(dunit)
	}
	c.Add(&expr.Lookup{SReg: Reg(unit), DReg: &dreg, SetName: name})
	return nil
}

var logLevels = map[string]uint32{"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warn": 4, "notice": 5, "info": 6, "debug": 7, "audit": 8}

func (c *Ctx) log(ec *eval.Ctx, x *ast.Log) error {
	e := &expr.Log{}
	if x.Prefix != nil {
		s, err := ec.Name(x.Prefix)
		if err != nil {
			return err
		}
		e.Prefix = &s
	}
	// stmt_evaluate_log: the error points at the `log` keyword
	kw := x.Pos()
	kw.Len = 3
	if x.Group != nil || x.Snaplen != nil || x.QueueThreshold != nil {
		if x.Level != nil {
			return &diag.Error{Op: "eval", Pos: kw, Msg: "level and group are mutually exclusive"}
		}
		if len(x.Flags) > 0 {
			return &diag.Error{Op: "eval", Pos: kw, Msg: "flags and group are mutually exclusive"}
		}
	}
	if x.Level != nil && x.Level.Name == "audit" && (x.Prefix != nil || x.Group != nil || x.Snaplen != nil || x.QueueThreshold != nil || len(x.Flags) > 0) {
		return &diag.Error{Op: "eval", Pos: kw, Msg: "log level audit doesn't support any further options"}
	}
	if x.Group != nil {
		g := uint16(x.Group.V)
		e.Group = &g
	}
	if x.Snaplen != nil {
		v := uint32(x.Snaplen.V)
		e.Snaplen = &v
	}
	if x.QueueThreshold != nil {
		v := uint16(x.QueueThreshold.V)
		e.QThreshold = &v
	}
	if x.Level != nil {
		lv, ok := logLevels[x.Level.Name]
		if !ok {
			return eval.Errorf(x.Level, "invalid log level")
		}
		e.Level = &lv
	}
	if len(x.Flags) > 0 {
		var f uint32
		for _, fl := range x.Flags {
			switch fl {
			case "tcp sequence":
				f |= 1
			case "tcp options":
				f |= 2
			case "ip options":
				f |= 4
			case "skuid":
				f |= 8
			case "ether":
				f |= 0x20
			case "all":
				f |= 0x2f
			}
		}
		e.Flags = &f
	}
	c.Add(e)
	return nil
}

// PerSeconds are the seconds of the time units of a rate (`10/minute`).
var PerSeconds = map[string]uint64{"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}

func (c *Ctx) limit(x *ast.Limit) error {
	switch x.RateUnit {
	case "", "bytes", "kbytes", "mbytes":
	default:
		// the parser's rate unit check: the error covers `RATE UNIT`
		p := x.Pos()
		skip := len("limit rate ")
		if x.Over {
			skip += len("over ")
		}
		rate := strconv.FormatUint(x.Rate, 10)
		p.Col += skip
		p.Off += skip
		p.Len = len(rate) + 1 + len(x.RateUnit)
		return &diag.Error{Op: "eval", Pos: p, Msg: "Wrong rate format"}
	}
	e := &expr.Limit{Rate: x.Rate, Unit: PerSeconds[x.Per]}
	if x.RateUnit != "" {
		e.Type = 1
		e.Rate = x.Rate * unitBytes(x.RateUnit)
		if x.Burst != nil {
			e.Burst = uint32(x.Burst.V * unitBytes(x.BurstUnit))
		}
	} else {
		e.Burst = 5
		if x.Burst != nil {
			e.Burst = uint32(x.Burst.V)
		}
	}
	if x.Over {
		e.Flags = 1
	}
	c.Add(e)
	return nil
}

func (c *Ctx) assign(ec *eval.Ctx, x *ast.Assign) error {
	tgt, err := ec.Expr(x.Target)
	if err != nil {
		return err
	}
	if err := c.flushDeps(ec); err != nil {
		return err
	}
	if err := c.preDeps(ec, x.Value); err != nil {
		return err
	}
	if _, ok := tgt.Tmpl.(*expr.Payload); ok {
		return c.payloadWrite(ec, x, tgt)
	}
	unit := c.Alloc(tgt.RegBits, false)
	defer c.Release(tgt.RegBits, false)
	reg := Reg(unit)
	if err := c.value(ec, x.Value, tgt, unit); err != nil {
		return err
	}
	switch t := tgt.Tmpl.(type) {
	case *expr.Meta:
		c.Add(&expr.Meta{Key: t.Key, SReg: reg})
	case *expr.Ct:
		c.Add(&expr.Ct{Key: t.Key, Direction: t.Direction, SReg: reg})
	case *expr.Exthdr:
		c.Add(&expr.Exthdr{SReg: reg, Type: t.Type, Offset: t.Offset, Len: t.Len, Op: t.Op})
	default:
		return eval.Errorf(x, "cannot set this expression")
	}
	return nil
}

// value loads a statement argument of type like into unit.
func (c *Ctx) value(ec *eval.Ctx, n ast.Expr, like *eval.Load, unit uint32) error {
	if v, ok := n.(*ast.Variable); ok {
		n = v.Value
	}
	switch x := n.(type) {
	case *ast.Number, *ast.Symbol, *ast.String, *ast.Binary, *ast.List:
		if !isConstExpr(x) {
			break
		}
		v, err := ec.Value(n, like)
		if err != nil {
			return err
		}
		c.Add(&expr.Immediate{DReg: Reg(unit), Data: constBytes(v.C, like, false)})
		return nil
	case *ast.MapLookup:
		l, err := ec.Expr(x.X)
		if err != nil {
			return err
		}
		if err := c.flushDeps(ec); err != nil {
			return err
		}
		return c.mapLookup(ec, x, l, x.Map, like, unit)
	}
	l, err := ec.Expr(n)
	if err != nil {
		return err
	}
	if err := c.flushDeps(ec); err != nil {
		return err
	}
	c.Load(l, unit, false)
	if like.Order == types.OrderBig && l.Concat == nil && NeedsHton(l) {
		// byteorder_conversion: a host order value stored in a network
		// order field
		n := uint32(l.Bytes())
		c.Add(&expr.Byteorder{SReg: Reg(unit), DReg: Reg(unit), Op: expr.ByteorderHton, Len: n, Size: htonSize(n)})
	}
	return nil
}

// isTerminal reports whether s ends rule evaluation (STMT_F_TERMINAL).
func isTerminal(s ast.Stmt) bool {
	switch x := s.(type) {
	case *ast.VerdictStmt:
		return x.Verdict.Kind != "continue"
	case *ast.Nat, *ast.Reject, *ast.Queue:
		return true
	case *ast.Fwd:
		return true
	}
	return false
}

// preDeps evaluates the expressions of a statement argument once so that
// their protocol dependencies are emitted before the statement allocates
// registers (nft inserts them as statements of their own).
func (c *Ctx) preDeps(ec *eval.Ctx, n ast.Expr) error {
	var walk func(n ast.Expr)
	walk = func(n ast.Expr) {
		switch x := n.(type) {
		case *ast.Variable:
			walk(x.Value)
		case *ast.MapLookup:
			walk(x.X)
		case *ast.Concat:
			for _, e := range x.Exprs {
				walk(e)
			}
		case *ast.Binary:
			walk(x.X)
		case *ast.Payload, *ast.Meta, *ast.Ct, *ast.Exthdr, *ast.RawPayload, *ast.Rt, *ast.Hash, *ast.Numgen:
			_, _ = ec.Expr(n)
		}
	}
	walk(n)
	return c.flushDeps(ec)
}

// isConstExpr reports whether n is built from constants only.
func isConstExpr(n ast.Expr) bool {
	switch x := n.(type) {
	case *ast.Number, *ast.Symbol, *ast.String:
		return true
	case *ast.Variable:
		return isConstExpr(x.Value)
	case *ast.Binary:
		return isConstExpr(x.X) && isConstExpr(x.Y)
	case *ast.List:
		for _, e := range x.Exprs {
			if !isConstExpr(e) {
				return false
			}
		}
		return true
	}
	return false
}

// isBoolWord reports whether n is the boolean keyword exists or missing.
func isBoolWord(n ast.Expr) bool {
	if v, ok := n.(*ast.Variable); ok {
		return isBoolWord(v.Value)
	}
	sym, ok := n.(*ast.Symbol)
	return ok && (sym.Text == "exists" || sym.Text == "missing")
}
