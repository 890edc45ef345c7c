package eval

import (
	"math/big"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

// Value evaluates a right-hand side against the type of l.
func (c *Ctx) Value(n ast.Expr, l *Load) (*Value, error) {
	switch x := n.(type) {
	case *ast.Variable:
		return c.Value(x.Value, l)
	case *ast.Prefix:
		base, err := c.Value(x.X, l)
		if err != nil {
			return nil, err
		}
		if base.Kind != VConst {
			return nil, Errorf(x, "prefix base must be a constant")
		}
		bits := l.Bits
		if l.Concat != nil {
			return nil, Errorf(x, "prefix on concatenation")
		}
		if int(x.Len) > bits {
			return nil, Errorf(x, "Prefix length %d is invalid for type of %d bits", x.Len, bits)
		}
		host := bits - int(x.Len)
		mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(host)), big.NewInt(1))
		lo := new(big.Int).AndNot(base.C.V, mask)
		hi := new(big.Int).Or(lo, mask)
		return &Value{Node: x, Kind: VPrefix, C: base.C, Plen: int(x.Len), Lo: c.konst(x, l, lo), Hi: c.konst(x, l, hi)}, nil
	case *ast.Range:
		lo, err := c.Value(x.Lo, l)
		if err != nil {
			return nil, err
		}
		hi, err := c.Value(x.Hi, l)
		if err != nil {
			return nil, err
		}
		if lo.Kind != VConst || hi.Kind != VConst {
			return nil, Errorf(x, "range bounds must be constants")
		}
		if lo.C.V.Cmp(hi.C.V) > 0 {
			return nil, Errorf(x, "Range has zero or negative size")
		}
		return &Value{Node: x, Kind: VRange, Lo: lo.C, Hi: hi.C}, nil
	case *ast.Concat:
		if l.Concat == nil {
			return nil, Errorf(x, "concatenation on a non-concatenated key")
		}
		if len(x.Exprs) != len(l.Concat) {
			return nil, Errorf(x, "datatype mismatch, expected %d concatenated values, got %d", len(l.Concat), len(x.Exprs))
		}
		v := &Value{Node: x, Kind: VConcat}
		for i, e := range x.Exprs {
			p, err := c.Value(e, l.Concat[i])
			if err != nil {
				return nil, err
			}
			v.Parts = append(v.Parts, p)
		}
		return v, nil
	case *ast.SetExpr:
		v, err := c.setLiteral(x, l, nil)
		if err != nil {
			return nil, err
		}
		return singleton(v), nil
	case *ast.SetRef:
		s := c.LookupSet(x.Name)
		if s == nil {
			return nil, c.UnknownSet(x, x.Name)
		}
		if err := SetKeyMismatch(x, l, s, false); err != nil {
			return nil, err
		}
		return &Value{Node: x, Kind: VSetRef, SetRef: s}, nil
	case *ast.List:
		acc := new(big.Int)
		for _, e := range x.Exprs {
			v, err := c.Value(e, l)
			if err != nil {
				return nil, err
			}
			if v.Kind != VConst && v.Kind != VMask {
				return nil, Errorf(e, "expected a constant")
			}
			acc.Or(acc, v.C.V)
		}
		if !l.Type.IsBitmask() {
			return nil, Errorf(x, "Expression is not a bitmask")
		}
		return &Value{Node: x, Kind: VMask, C: c.konst(x, l, acc)}, nil
	case *ast.Binary:
		a, err := c.Value(x.X, l)
		if err != nil {
			return nil, err
		}
		b, err := c.Value(x.Y, l)
		if err != nil {
			return nil, err
		}
		if (a.Kind != VConst && a.Kind != VMask) || (b.Kind != VConst && b.Kind != VMask) {
			return nil, Errorf(x, "Binary operation on non-constant")
		}
		r := new(big.Int)
		switch x.Op {
		case "|":
			r.Or(a.C.V, b.C.V)
		case "&":
			r.And(a.C.V, b.C.V)
		case "^":
			r.Xor(a.C.V, b.C.V)
		case "<<":
			r.Lsh(a.C.V, uint(b.C.V.Uint64()))
		case ">>":
			r.Rsh(a.C.V, uint(b.C.V.Uint64()))
		default:
			return nil, Errorf(x, "unsupported operator %s", x.Op)
		}
		return &Value{Node: x, Kind: VConst, C: c.konst(x, l, r)}, nil
	case *ast.Number, *ast.Symbol, *ast.String:
		k, err := c.Const(n, l.Type, l.Order, l.Bits)
		if err != nil {
			return nil, err
		}
		if nb, ok := n.(*ast.Number); ok && l.Payload != nil && l.Bits == 0 && l.Concat == nil && k.V != nil && k.V.Sign() != 0 {
			// a raw payload of length 0 holds only 0
			return nil, Errorf(n, "Value %s exceeds valid range 0-0", nb.Text)
		}
		return &Value{Node: n, Kind: VConst, C: k}, nil
	}
	return nil, Errorf(n, "unsupported right-hand side")
}

func (c *Ctx) konst(n ast.Node, l *Load, v *big.Int) *Const {
	return &Const{Node: n, Type: l.Type, Order: l.Order, V: v, Bits: l.Bits}
}

// Const parses a number, symbol or string as a constant of type dt,
// bits wide, in byte order o.
func (c *Ctx) Const(n ast.Expr, dt *types.Datatype, o types.ByteOrder, bits int) (*Const, error) {
	k := &Const{Node: n, Type: dt, Order: o, Bits: bits}
	var text string
	switch x := n.(type) {
	case *ast.Variable:
		return c.Const(x.Value, dt, o, bits)
	case *ast.Number:
		if !dt.IsString() && dt.ID != types.TypeTime && dt.ID != types.TypeTimeDate && dt.ID != types.TypeCtLabel {
			k.V = new(big.Int).SetUint64(x.Value)
			if bits > 0 && k.V.BitLen() > bits {
				return nil, Errorf(n, "Value %s exceeds valid range 0-%s", x.Text, maxOf(bits))
			}
			if dt.ID == types.TypeTimeDay && x.Value > 6 {
				// day_type_parse: days of the week are 0 (Sunday) to 6
				return nil, Errorf(n, "Value %s exceeds valid range 0-6", x.Text)
			}
			return k, nil
		}
		text = x.Text
	case *ast.Symbol:
		text = x.Text
		if verdictWords[text] {
			// a keyword of nft's grammar, never a value
			return nil, &diag.Error{Op: "parse", Pos: x.Pos(), Msg: "syntax error, unexpected '" + text + "', expecting a value"}
		}
	case *ast.String:
		text = x.Text
	default:
		return nil, Errorf(n, "expected a constant value")
	}
	if dt.IsString() {
		if text == "" {
			return nil, Errorf(n, "Empty string is not allowed")
		}
		if strings.HasSuffix(text, "*") && !strings.HasSuffix(text, "\\*") {
			text = strings.TrimSuffix(text, "*")
			k.Wildcard = true
			k.V = new(big.Int).SetBytes([]byte(text))
			k.Bits = len(text) * 8
			return k, nil
		}
		text = strings.ReplaceAll(text, "\\*", "*")
		if bits > 0 && len(text)*8 > bits {
			return nil, Errorf(n, "String exceeds maximum length of %d", bits/8)
		}
		k.V = new(big.Int).SetBytes([]byte(text))
		k.Bits = len(text) * 8
		if bits > 0 {
			// pad: the value is left aligned in bits
			k.V.Lsh(k.V, uint(bits-k.Bits))
			k.Bits = bits
		}
		return k, nil
	}
	if dt == types.Verdict || dt == types.Invalid {
		return nil, Errorf(n, "Could not parse %s", dt.Desc)
	}
	v, err := dt.Parse(text)
	if err != nil {
		return nil, Errorf(n, "%s", err.Error())
	}
	if bits > 0 && v.BitLen() > bits {
		return nil, Errorf(n, "Value %s exceeds valid range 0-%s", text, maxOf(bits))
	}
	k.V = v
	return k, nil
}

// verdictWords are verdict keywords, which nft's parser never takes as values.
var verdictWords = map[string]bool{"accept": true, "drop": true, "continue": true, "return": true, "jump": true, "goto": true}

func maxOf(bits int) string {
	return new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(bits)), big.NewInt(1)).String()
}

// singleton returns the element of an anonymous set literal with
// exactly one element when that element is a plain value, prefix or
// range, and v otherwise. nft 1.0.6 (expr_evaluate_set) replaces such a
// set by its element, so `tcp dport { 22 }` compiles and lists as
// `tcp dport 22`; the element's timeout, comment and statements are
// dropped with the set. Catch-all elements and concatenations stay sets.
func singleton(v *Value) *Value {
	if len(v.Elems) != 1 {
		return v
	}
	e := v.Elems[0]
	if e.Catch || e.Key == nil || e.Data != nil {
		return v
	}
	switch e.Key.Kind {
	case VConst, VPrefix, VRange:
		return e.Key
	}
	return v
}

// setLiteral evaluates a set or map literal; data is the map's data type
// (nil for sets).
func (c *Ctx) setLiteral(x *ast.SetExpr, l *Load, data *Load) (*Value, error) {
	v := &Value{Node: x, Kind: VSet}
	var walk func(es []ast.Expr) error
	walk = func(es []ast.Expr) error {
		for _, e := range es {
			el := &Elem{Node: e}
			key := e
			if m, ok := e.(*ast.Mapping); ok {
				if data == nil {
					return Errorf(e, "mapping in a set")
				}
				key = m.Key
				dv, err := c.dataValue(m.Value, data)
				if err != nil {
					return err
				}
				el.Data = dv
			} else if data != nil {
				if _, ok := e.(*ast.SetExpr); !ok {
					return Errorf(e, "missing data in map")
				}
			}
			if inner, ok := key.(*ast.Elem); ok {
				if inner.Timeout != nil {
					t, err := c.duration(inner.Timeout)
					if err != nil {
						return err
					}
					el.Timeout = &t
				}
				if inner.Expires != nil {
					t, err := c.duration(inner.Expires)
					if err != nil {
						return err
					}
					el.Expires = &t
				}
				if inner.Comment != nil {
					el.Comment = inner.Comment.Text
				}
				el.Stmts = inner.Stmts
				key = inner.Key
			}
			switch k := key.(type) {
			case *ast.SetExpr:
				if err := walk(k.Elems); err != nil {
					return err
				}
				continue
			case *ast.Variable:
				if s, ok := k.Value.(*ast.SetExpr); ok {
					if err := walk(s.Elems); err != nil {
						return err
					}
					continue
				}
			case *ast.CatchAll:
				el.Catch = true
				v.Elems = append(v.Elems, el)
				continue
			}
			kv, err := c.Value(key, l)
			if err != nil {
				return err
			}
			if kv.Kind == VSet || kv.Kind == VSetRef {
				return Errorf(key, "nested set")
			}
			el.Key = kv
			v.Elems = append(v.Elems, el)
		}
		return nil
	}
	if err := walk(x.Elems); err != nil {
		return nil, err
	}
	return v, nil
}

func (c *Ctx) duration(n ast.Expr) (uint64, error) {
	switch x := n.(type) {
	case *ast.Number:
		return x.Value * 1000, nil
	case *ast.Symbol:
		ms, err := types.ParseDuration(x.Text)
		if err != nil {
			return 0, Errorf(n, "%s", err.Error())
		}
		return ms, nil
	case *ast.String:
		ms, err := types.ParseDuration(x.Text)
		if err != nil {
			return 0, Errorf(n, "%s", err.Error())
		}
		return ms, nil
	case *ast.Variable:
		return c.duration(x.Value)
	}
	return 0, Errorf(n, "expected a time value")
}

// Duration evaluates a time value in milliseconds.
func (c *Ctx) Duration(n ast.Expr) (uint64, error) { return c.duration(n) }

// MapLiteral evaluates a map literal with keys typed by key and data by data.
func (c *Ctx) MapLiteral(x *ast.SetExpr, key, data *Load) (*Value, error) {
	return c.setLiteral(x, key, data)
}

// VerdictLoad is the data type of verdict maps.
var VerdictLoad = &Load{Type: types.Verdict, Bits: 0}

func (c *Ctx) dataValue(n ast.Expr, data *Load) (*Value, error) {
	if data.Type == types.Verdict {
		if vv, ok := n.(*ast.Variable); ok {
			return c.dataValue(vv.Value, data)
		}
		vs, ok := n.(*ast.Verdict)
		if !ok {
			return nil, Errorf(n, "expected a verdict")
		}
		vd, err := c.Verdict(vs)
		if err != nil {
			return nil, err
		}
		return &Value{Node: n, Kind: VConst, C: &Const{Node: n, Type: types.Verdict, Verdict: vd}}, nil
	}
	return c.Value(n, data)
}

// Verdict evaluates a verdict.
func (c *Ctx) Verdict(v *ast.Verdict) (*expr.Verdict, error) {
	out := &expr.Verdict{}
	switch v.Kind {
	case "accept":
		out.Code = expr.VerdictAccept
	case "drop":
		out.Code = expr.VerdictDrop
	case "continue":
		out.Code = expr.VerdictContinue
	case "return":
		out.Code = expr.VerdictReturn
	case "queue":
		out.Code = expr.VerdictQueue
	case "jump", "goto":
		out.Code = expr.VerdictJump
		if v.Kind == "goto" {
			out.Code = expr.VerdictGoto
		}
		name, err := c.name(v.Chain)
		if err != nil {
			return nil, err
		}
		if ct, ok := c.Decls.(ChainTables); ok {
			exists, base, known := ct.Chain(name)
			switch {
			case !exists && known:
				return nil, Errorf(v.Chain, "unknown chain '%s' in table %s %s", name, c.Family, c.Table)
			case exists && base:
				return nil, Errorf(v.Chain, "cannot %s to base chain '%s'", v.Kind, name)
			}
		}
		out.Chain = name
	default:
		return nil, Errorf(v, "unknown verdict %s", v.Kind)
	}
	return out, nil
}

func (c *Ctx) name(n ast.Expr) (string, error) {
	switch x := n.(type) {
	case *ast.Symbol:
		return x.Text, nil
	case *ast.String:
		return x.Text, nil
	case *ast.Variable:
		return c.name(x.Value)
	}
	return "", Errorf(n, "expected a name")
}

// Name evaluates a name (chain, object) written as a word or string.
func (c *Ctx) Name(n ast.Expr) (string, error) { return c.name(n) }

// SetKeyMismatch returns nft's "datatype mismatch" error when the key l
// has another type than the keys of the named set s (a lookup, isMap:
// a map lookup); nil when they agree or the set's key type is unknown.
func SetKeyMismatch(n ast.Node, l *Load, s *SetInfo, isMap bool) error {
	var have []*types.Datatype
	if l.Concat != nil {
		for _, p := range l.Concat {
			have = append(have, p.Type)
		}
	} else {
		have = []*types.Datatype{l.Type}
	}
	if len(have) != len(s.Key) || len(have) == 0 {
		return nil
	}
	same := true
	for i, dt := range s.Key {
		if dt == nil || have[i] == nil || dt == types.Integer {
			return nil
		}
		if dt.ID != have[i].ID {
			same = false
		}
	}
	if same {
		return nil
	}
	if isMap {
		return Errorf(n, "datatype mismatch, map expects %s, mapping expression has type %s", typeDesc(s.Key), typeDesc(have))
	}
	return Errorf(n, "datatype mismatch, expected %s, expression has type %s", typeDesc(have), typeDesc(s.Key))
}

// typeDesc describes a (concatenated) type as nft does.
func typeDesc(dts []*types.Datatype) string {
	if len(dts) == 1 {
		return dts[0].Desc
	}
	var parts []string
	for _, dt := range dts {
		parts = append(parts, dt.Desc)
	}
	return strings.Join(parts, " . ")
}

// LookupSet returns the named set or map of the rule's table, or nil.
func (c *Ctx) LookupSet(name string) *SetInfo {
	if c.Decls == nil {
		return nil
	}
	return c.Decls.Set(name)
}

// UnknownSet is the error for a reference to a set the table lacks.
func (c *Ctx) UnknownSet(n ast.Node, name string) error {
	return Errorf(n, "unknown set '%s' in table %s %s", name, c.Family, c.Table)
}
