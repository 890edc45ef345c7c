package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

var ifindexLoad = &eval.Load{Type: types.IfIndex, Order: types.OrderHost, Bits: 32, RegBits: 32}

// dup emits `dup to ADDR [device DEV]` (`dup to DEV` in netdev tables).
func (c *Ctx) dup(ec *eval.Ctx, x *ast.Dup) error {
	e := &expr.Dup{}
	if ec.Family == ruleset.FamilyNetdev {
		u := c.Alloc(32, false)
		defer c.Release(32, false)
		if err := c.value(ec, x.Addr, ifindexLoad, u); err != nil {
			return err
		}
		e.SRegDev = Reg(u)
		c.Add(e)
		return nil
	}
	var fam uint32 = nfprotoIPv4
	if ec.Family == ruleset.FamilyIP6 {
		fam = nfprotoIPv6
	} else if ec.Family != ruleset.FamilyIP {
		return eval.Errorf(x, "unsupported family")
	}
	al := addrLoad(fam)
	if err := c.preDeps(ec, x.Addr); err != nil {
		return err
	}
	u := c.Alloc(al.Bits, false)
	defer c.Release(al.Bits, false)
	if err := c.value(ec, x.Addr, al, u); err != nil {
		return err
	}
	e.SRegAddr = Reg(u)
	if x.Dev != nil {
		d := c.Alloc(32, false)
		defer c.Release(32, false)
		if err := c.value(ec, x.Dev, ifindexLoad, d); err != nil {
			return err
		}
		e.SRegDev = Reg(d)
	}
	c.Add(e)
	return nil
}

// fwd emits `fwd to DEV` or `fwd ip|ip6 to ADDR device DEV` (netdev).
func (c *Ctx) fwd(ec *eval.Ctx, x *ast.Fwd) error {
	if ec.Family != ruleset.FamilyNetdev {
		return eval.Errorf(x, "unsupported family")
	}
	e := &expr.Fwd{}
	dev := x.Dev
	if x.Addr == nil && dev == nil {
		return eval.Errorf(x, "missing destination")
	}
	if err := c.preDeps(ec, dev); err != nil {
		return err
	}
	d := c.Alloc(32, false)
	defer c.Release(32, false)
	if err := c.value(ec, dev, ifindexLoad, d); err != nil {
		return err
	}
	e.SRegDev = Reg(d)
	if x.Addr != nil {
		var fam uint32
		switch x.Family {
		case "ip":
			fam = nfprotoIPv4
		case "ip6":
			fam = nfprotoIPv6
		default:
			return eval.Errorf(x, "missing family")
		}
		al := addrLoad(fam)
		u := c.Alloc(al.Bits, false)
		defer c.Release(al.Bits, false)
		if err := c.value(ec, x.Addr, al, u); err != nil {
			return err
		}
		e.SRegAddr, e.NFProto = Reg(u), fam
	}
	c.Add(e)
	return nil
}
