package linearize

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// tproxy emits the tproxy statement (stmt_evaluate_tproxy).
func (c *Ctx) tproxy(ec *eval.Ctx, x *ast.Tproxy) error {
	var fam uint32
	switch x.Family {
	case "ip":
		fam = nfprotoIPv4
	case "ip6":
		fam = nfprotoIPv6
	}
	switch ec.Family {
	case ruleset.FamilyIP:
		if fam == 0 {
			fam = nfprotoIPv4
		}
	case ruleset.FamilyIP6:
		if fam == 0 {
			fam = nfprotoIPv6
		}
	case ruleset.FamilyInet:
	default:
		return eval.Errorf(x, "tproxy is only supported for IPv4/IPv6/INET")
	}
	if ec.Proto(types.BaseTransport) == nil {
		return eval.Errorf(x, "Transparent proxy support requires transport protocol match")
	}
	if x.Addr == nil && x.Port == nil {
		return eval.Errorf(x, "Either address or port must be specified!")
	}
	if err := l3Conflict(ec, x, fam, "tproxy"); err != nil && (fam != 0 || x.Addr != nil) {
		return err
	}
	e := &expr.Tproxy{Family: fam}
	if x.Addr != nil {
		if _, ok := unwrap(x.Addr).(*ast.Range); ok {
			return eval.Errorf(x, "Address ranges are not supported for tproxy.")
		}
		if fam != nfprotoIPv4 && fam != nfprotoIPv6 {
			return eval.Errorf(x, "ip or ip6 must be specified with address for inet tables.")
		}
		al := addrLoad(fam)
		u := c.Alloc(al.Bits, false)
		defer c.Release(al.Bits, false)
		if err := c.value(ec, x.Addr, al, u); err != nil {
			return err
		}
		e.RegAddr = Reg(u)
	}
	if x.Port != nil {
		u := c.Alloc(16, false)
		defer c.Release(16, false)
		if err := c.value(ec, x.Port, portLoad, u); err != nil {
			return err
		}
		e.RegPort = Reg(u)
	}
	c.Add(e)
	return nil
}
