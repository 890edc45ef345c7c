package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

// NFT_QUEUE_FLAG_*.
const (
	queueBypass = 0x1
	queueFanout = 0x2
)

// queue emits the queue statement: a constant queue number or range, or
// a queue number computed into a register (numgen, hash, map).
func (c *Ctx) queue(ec *eval.Ctx, x *ast.Queue) error {
	e := &expr.Queue{Total: 1}
	for _, f := range x.Flags {
		switch f {
		case "bypass":
			e.Flags |= queueBypass
		case "fanout":
			e.Flags |= queueFanout
		}
	}
	num := unwrap(x.Num)
	like := &eval.Load{Type: types.Integer, Order: types.OrderHost, Bits: 16, RegBits: 16}
	switch n := num.(type) {
	case nil:
	case *ast.Number, *ast.Symbol, *ast.Range:
		v, err := ec.Value(n, like)
		if err != nil {
			return err
		}
		switch v.Kind {
		case eval.VConst:
			e.Num = uint16(v.C.V.Uint64())
		case eval.VRange:
			lo, hi := v.Lo.V.Uint64(), v.Hi.V.Uint64()
			e.Num, e.Total = uint16(lo), uint16(hi-lo+1)
		default:
			return eval.Errorf(n, "invalid queue number")
		}
		if e.Flags&queueFanout != 0 && v.Kind != eval.VRange {
			return eval.Errorf(n, "fanout requires a range to be specified")
		}
	default:
		if e.Flags&queueFanout != 0 {
			return eval.Errorf(n, "fanout requires a range to be specified")
		}
		var max uint64
		switch g := n.(type) {
		case *ast.Hash:
			max = g.Offset + g.Mod - 1
		case *ast.Numgen:
			max = g.Offset + g.Mod - 1
		}
		if max > 65535 {
			return eval.Errorf(n, "queue expression max value exceeds 65535")
		}
		if err := c.preDeps(ec, n); err != nil {
			return err
		}
		u := c.Alloc(32, false)
		defer c.Release(32, false)
		if err := c.value(ec, n, like, u); err != nil {
			return err
		}
		e.SRegQnum, e.Num, e.Total = Reg(u), 0, 0
	}
	c.Add(e)
	return nil
}
