package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// NFT_DYNSET_OP_*.
var dynsetOps = map[string]uint32{"add": 0, "update": 1, "delete": 2}

// stateful linearizes the statements attached to a set element (counter,
// limit, quota, ct count) into expressions.
func (c *Ctx) stateful(ec *eval.Ctx, stmts []ast.Stmt) ([]expr.Expr, error) {
	sub := New()
	for _, s := range stmts {
		switch s.(type) {
		case *ast.Counter, *ast.Limit, *ast.Quota, *ast.Connlimit, *ast.Last:
		default:
			return nil, eval.Errorf(s, "statement is not stateful")
		}
		if err := sub.stmt(ec, s); err != nil {
			return nil, err
		}
	}
	return sub.Exprs, nil
}

// dynset emits `add @s { key }`, `update @m { key : data }`, `delete @s { key }`.
func (c *Ctx) dynset(ec *eval.Ctx, x *ast.DynSet) error {
	ref, ok := unwrap(x.Set).(*ast.SetRef)
	if !ok {
		return eval.Errorf(x.Set, "expected a set reference")
	}
	if ec.LookupSet(ref.Name) == nil {
		return ec.UnknownSet(ref, ref.Name)
	}
	si := ec.Decls.Set(ref.Name)
	key, err := ec.Expr(x.Key.Key)
	if err != nil {
		return err
	}
	if err := c.flushDeps(ec); err != nil {
		return err
	}
	e := &expr.Dynset{Op: dynsetOps[x.Op], SetName: si.Name}
	if x.Key.Timeout != nil {
		ms, err := ec.Duration(x.Key.Timeout)
		if err != nil {
			return err
		}
		e.Timeout = ms
	}
	concat := key.Concat != nil
	ku := c.Alloc(key.RegBits, concat)
	defer c.Release(key.RegBits, concat)
	c.Load(key, ku, si.Flags&ruleset.SetInterval != 0)
	e.SRegKey = Reg(ku)
	if x.Data != nil {
		if si.Data == nil {
			return eval.Errorf(x.Data, "set is not a map")
		}
		like := &eval.Load{Type: si.Data, Order: si.Data.Order, Bits: si.Data.Size, RegBits: (si.Data.Size + 7) / 8 * 8}
		du := c.Alloc(like.RegBits, false)
		defer c.Release(like.RegBits, false)
		if err := c.value(ec, x.Data, like, du); err != nil {
			return err
		}
		e.SRegData = Reg(du)
	}
	st, err := c.stateful(ec, x.Stmts)
	if err != nil {
		return err
	}
	if x.Key != nil && len(x.Key.Stmts) > 0 {
		more, err := c.stateful(ec, x.Key.Stmts)
		if err != nil {
			return err
		}
		st = append(st, more...)
	}
	e.Exprs = st
	c.Add(e)
	return nil
}

// meter emits the legacy meter statement: an implicit dynamic set and a
// dynset add (update with a timeout) with the stateful statement.
func (c *Ctx) meter(ec *eval.Ctx, x *ast.Meter) error {
	key, err := ec.Expr(x.Key.Key)
	if err != nil {
		return err
	}
	if err := c.flushDeps(ec); err != nil {
		return err
	}
	s := &ruleset.Set{Name: x.Name, Flags: ruleset.SetAnonymous | ruleset.SetEval}
	// A meter's set is a hash: no NFTA_SET_DESC_CONCAT (nft describes the
	// fields of concatenated ranges only; the kernel refuses it elsewhere).
	s.KeyType, s.KeyLen = KeyType(key)
	// nft 1.0.6 adds the key to the meter's set, or updates it (refreshing
	// its timeout) when the key has a timeout
	e := &expr.Dynset{Op: dynsetOps["add"], SetName: x.Name}
	if x.Key.Timeout != nil {
		ms, err := ec.Duration(x.Key.Timeout)
		if err != nil {
			return err
		}
		e.Timeout = ms
		e.Op = dynsetOps["update"]
		s.Flags |= ruleset.SetTimeout
	}
	if x.Size != nil {
		n := uint32(x.Size.V)
		s.Size = &n
	}
	s.Userdata = ruleset.UdataSet(nil, ruleset.UdataSetKeyByteorder, le32(uint32(keyByteorder(key))))
	c.Sets = append(c.Sets, s)
	concat := key.Concat != nil
	ku := c.Alloc(key.RegBits, concat)
	defer c.Release(key.RegBits, concat)
	c.Load(key, ku, false)
	e.SRegKey = Reg(ku)
	st, err := c.stateful(ec, []ast.Stmt{x.Stmt})
	if err != nil {
		return err
	}
	e.Exprs = st
	c.Add(e)
	return nil
}

func keyByteorder(l *eval.Load) types.ByteOrder {
	if l.Concat != nil {
		return types.OrderInvalid
	}
	return l.Order
}

func le32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
