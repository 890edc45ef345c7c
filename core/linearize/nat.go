package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// NAT range flags (NF_NAT_RANGE_*).
const (
	natMapIPs         = 0x1
	natProtoSpecified = 0x2
	natRandom         = 0x4
	natPersistent     = 0x8
	natFullyRandom    = 0x10
	natNetmap         = 0x40
)

func (c *Ctx) nat(ec *eval.Ctx, x *ast.Nat) error {
	var flags uint32
	for _, f := range x.Flags {
		switch f {
		case "random":
			flags |= natRandom
		case "fully-random":
			flags |= natFullyRandom
		case "persistent":
			flags |= natPersistent
		case "netmap":
			flags |= natNetmap
		}
	}
	portLoad := &eval.Load{Type: types.InetService, Order: types.OrderBig, Bits: 16, RegBits: 16}
	loadPort := func() (uint32, uint32, error) {
		if x.Port == nil {
			return 0, 0, nil
		}
		v, err := ec.Value(x.Port, portLoad)
		if err != nil {
			return 0, 0, err
		}
		u := c.Alloc(16, false)
		switch v.Kind {
		case eval.VRange:
			c.Add(&expr.Immediate{DReg: Reg(u), Data: constBytes(v.Lo, portLoad, false)})
			u2 := c.Alloc(16, false)
			c.Add(&expr.Immediate{DReg: Reg(u2), Data: constBytes(v.Hi, portLoad, false)})
			return Reg(u), Reg(u2), nil
		case eval.VConst:
			c.Add(&expr.Immediate{DReg: Reg(u), Data: constBytes(v.C, portLoad, false)})
			return Reg(u), Reg(u), nil
		}
		return 0, 0, eval.Errorf(x.Port, "invalid port")
	}
	switch x.Kind {
	case "masquerade", "redirect":
		if x.Port != nil {
			flags |= natProtoSpecified
		}
		pmin, pmax, err := loadPort()
		if err != nil {
			return err
		}
		if x.Kind == "masquerade" {
			c.Add(&expr.Masq{Flags: flags, RegProtoMin: pmin, RegProtoMax: pmax})
		} else {
			c.Add(&expr.Redir{Flags: flags, RegProtoMin: pmin, RegProtoMax: pmax})
		}
		return nil
	}
	e := &expr.Nat{}
	if x.Kind == "dnat" {
		e.Type = 1
	}
	fam := x.Family
	switch ec.Family {
	case ruleset.FamilyIP:
		fam = "ip"
	case ruleset.FamilyIP6:
		fam = "ip6"
	}
	addrLoad := &eval.Load{Type: types.IPAddr, Order: types.OrderBig, Bits: 32, RegBits: 32}
	e.Family = 2
	if fam == "ip6" {
		e.Family = 10
		addrLoad = &eval.Load{Type: types.IP6Addr, Order: types.OrderBig, Bits: 128, RegBits: 128}
	} else if fam == "" && x.Addr != nil {
		return eval.Errorf(x, "specify `%s ip' or '%s ip6' in inet table to disambiguate", x.Kind, x.Kind)
	}
	if x.Addr != nil {
		a := x.Addr
		if v, ok := a.(*ast.Variable); ok {
			a = v.Value
		}
		switch a.(type) {
		case *ast.Symbol, *ast.String, *ast.Number, *ast.Range, *ast.Prefix:
			v, err := ec.Value(a, addrLoad)
			if err != nil {
				return err
			}
			u := c.Alloc(addrLoad.Bits, false)
			switch v.Kind {
			case eval.VConst:
				c.Add(&expr.Immediate{DReg: Reg(u), Data: constBytes(v.C, addrLoad, false)})
				e.RegAddrMin = Reg(u)
			case eval.VRange, eval.VPrefix:
				c.Add(&expr.Immediate{DReg: Reg(u), Data: constBytes(v.Lo, addrLoad, false)})
				u2 := c.Alloc(addrLoad.Bits, false)
				c.Add(&expr.Immediate{DReg: Reg(u2), Data: constBytes(v.Hi, addrLoad, false)})
				e.RegAddrMin, e.RegAddrMax = Reg(u), Reg(u2)
				if v.Kind == eval.VPrefix {
					flags |= natNetmap
				}
			}
		default:
			u := c.Alloc(addrLoad.Bits, false)
			if err := c.value(ec, a, addrLoad, u); err != nil {
				return err
			}
			e.RegAddrMin = Reg(u)
		}
	}
	if x.Port != nil {
		flags |= natProtoSpecified
	}
	pmin, pmax, err := loadPort()
	if err != nil {
		return err
	}
	e.RegProtoMin, e.RegProtoMax = pmin, pmax
	e.Flags = flags
	c.Add(e)
	return nil
}
