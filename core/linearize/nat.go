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
	natProtoSpecified = 0x2
	natRandom         = 0x4
	natPersistent     = 0x8
	natFullyRandom    = 0x10
	natNetmap         = 0x40
)

// NFPROTO_* values of the nat family attribute.
const (
	nfprotoInet = 1
	nfprotoIPv4 = 2
	nfprotoIPv6 = 10
)

func addrLoad(fam uint32) *eval.Load {
	if fam == nfprotoIPv6 {
		return &eval.Load{Type: types.IP6Addr, Order: types.OrderBig, Bits: 128, RegBits: 128}
	}
	return &eval.Load{Type: types.IPAddr, Order: types.OrderBig, Bits: 32, RegBits: 32}
}

var portLoad = &eval.Load{Type: types.InetService, Order: types.OrderBig, Bits: 16, RegBits: 16}

func unwrap(e ast.Expr) ast.Expr {
	for {
		v, ok := e.(*ast.Variable)
		if !ok {
			return e
		}
		e = v.Value
	}
}

// natFamily is nat_evaluate_family: the address family of the statement.
func natFamily(ec *eval.Ctx, x *ast.Nat) (uint32, error) {
	var fam uint32
	switch x.Family {
	case "ip":
		fam = nfprotoIPv4
	case "ip6":
		fam = nfprotoIPv6
	}
	switch ec.Family {
	case ruleset.FamilyIP, ruleset.FamilyIP6:
		if fam == 0 {
			fam = nfprotoIPv4
			if ec.Family == ruleset.FamilyIP6 {
				fam = nfprotoIPv6
			}
		}
		return fam, nil
	case ruleset.FamilyInet:
		if x.Addr == nil {
			return nfprotoInet, nil
		}
		if fam != 0 {
			return fam, nil
		}
		switch ec.Proto(types.BaseNetwork) {
		case types.ProtoIP:
			return nfprotoIPv4, nil
		case types.ProtoIP6:
			return nfprotoIPv6, nil
		}
		return 0, nil
	}
	return 0, eval.Errorf(x, "NAT is only supported for IPv4/IPv6")
}

func l3Conflict(ec *eval.Ctx, n ast.Node, fam uint32, stmt string) error {
	np := ec.Proto(types.BaseNetwork)
	if np == types.ProtoIP && fam != nfprotoIPv4 || np == types.ProtoIP6 && fam != nfprotoIPv6 {
		fs := "ip"
		if fam == nfprotoIPv6 {
			fs = "ip6"
		} else if fam != nfprotoIPv4 {
			fs = "unknown"
		}
		return eval.Errorf(n, "conflicting protocols specified: %s vs. %s. You must specify ip or ip6 family in %s statement", np.Name, fs, stmt)
	}
	return nil
}

// hasTransportKey reports whether a nat map key already selects the
// transport protocol (nat_evaluate_addr_has_th_expr).
func hasTransportKey(l *eval.Load) bool {
	if l == nil || l.Concat == nil {
		return false
	}
	for _, s := range l.Concat {
		if s.Proto != nil && s.Proto.Base == types.BaseTransport && s.Proto != types.ProtoTH {
			return true
		}
		if s.Proto != nil && s.Proto.Base == types.BaseNetwork && (s.Field == "protocol" || s.Field == "nexthdr") {
			return true
		}
	}
	return false
}

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
	if x.Type == "prefix" {
		flags |= natNetmap
	}
	fam, err := natFamily(ec, x)
	if err != nil {
		return err
	}
	name := x.Kind
	if name == "masquerade" {
		name = "masq"
	}
	if name == "redirect" {
		name = "redir"
	}
	var amin, amax, pmin, pmax uint32
	var mapKey *eval.Load
	addr := unwrap(x.Addr)
	if addr != nil {
		if err := l3Conflict(ec, x, fam, x.Kind); err != nil {
			return err
		}
		if fam != nfprotoIPv4 && fam != nfprotoIPv6 {
			return eval.Errorf(x, "ip or ip6 must be specified with address for inet tables.")
		}
		al := addrLoad(fam)
		abits := al.Bits
		space := uint32((abits + 31) / 32)
		if a, ok := addr.(*ast.MapLookup); ok {
			key, err := ec.Expr(a.X)
			if err != nil {
				return err
			}
			if err := c.flushDeps(ec); err != nil {
				return err
			}
			mapKey = key
		}
		u := c.Alloc(abits, false)
		defer c.Release(abits, false)
		amin = Reg(u)
		switch a := addr.(type) {
		case *ast.MapLookup:
			key := mapKey
			m := unwrap(a.Map)
			concatData := false
			dataInterval := false
			data := al
			if se, ok := m.(*ast.SetExpr); ok {
				for _, e := range se.Elems {
					if mp, ok := e.(*ast.Mapping); ok {
						if _, ok := unwrap(mp.Value).(*ast.Concat); ok {
							concatData = true
						}
					}
				}
			} else if sr, ok := m.(*ast.SetRef); ok && ec.Decls != nil {
				if si := ec.Decls.Set(sr.Name); si != nil && si.Data != nil && si.DataBits > abits {
					concatData = true
				}
			}
			if concatData {
				data = &eval.Load{Concat: []*eval.Load{al, portLoad}}
				data.RegBits = int(space)*32 + 32
				data.Bits = data.RegBits
			}
			if se, ok := m.(*ast.SetExpr); ok {
				v, err := ec.MapLiteral(se, key, data)
				if err != nil {
					return err
				}
				dataInterval = isDataInterval(v)
			}
			if concatData && ec.Proto(types.BaseTransport) == nil && !hasTransportKey(key) {
				return eval.Errorf(x, "transport protocol mapping is only valid after transport protocol match")
			}
			if err := c.mapLookup(ec, a, key, a.Map, data, u); err != nil {
				return err
			}
			if dataInterval {
				au := u + space
				if concatData {
					amax = Reg(au + 1)
					pmin = Reg(au)
					pmax = Reg(au + 2)
				} else {
					amax = Reg(au)
				}
			} else if concatData {
				pmin = Reg(u + space)
			}
			if concatData && x.Port != nil {
				return eval.Errorf(x.Port, "port is not allowed with a concatenated nat map")
			}
		default:
			v, err := ec.Value(addr, al)
			if err != nil {
				if l, lerr := ec.Expr(addr); lerr == nil {
					if err := c.flushDeps(ec); err != nil {
						return err
					}
					c.Load(l, u, false)
					break
				}
				return err
			}
			switch v.Kind {
			case eval.VConst:
				c.Add(&expr.Immediate{DReg: amin, Data: constBytes(v.C, al, false)})
			case eval.VRange, eval.VPrefix:
				u2 := c.Alloc(abits, false)
				defer c.Release(abits, false)
				amax = Reg(u2)
				c.Add(&expr.Immediate{DReg: amin, Data: constBytes(v.Lo, al, false)})
				c.Add(&expr.Immediate{DReg: amax, Data: constBytes(v.Hi, al, false)})
			default:
				return eval.Errorf(addr, "invalid nat address")
			}
		}
	}
	if x.Port != nil {
		if ec.Proto(types.BaseTransport) == nil && !hasTransportKey(mapKey) {
			return eval.Errorf(x.Port, "transport protocol mapping is only valid after transport protocol match")
		}
		flags |= natProtoSpecified
		port := unwrap(x.Port)
		u := c.Alloc(16, false)
		defer c.Release(16, false)
		pmin = Reg(u)
		if r, ok := port.(*ast.Range); ok {
			v, err := ec.Value(r, portLoad)
			if err != nil {
				return err
			}
			u2 := c.Alloc(16, false)
			defer c.Release(16, false)
			pmax = Reg(u2)
			c.Add(&expr.Immediate{DReg: pmin, Data: constBytes(v.Lo, portLoad, false)})
			c.Add(&expr.Immediate{DReg: pmax, Data: constBytes(v.Hi, portLoad, false)})
		} else if err := c.value(ec, port, portLoad, u); err != nil {
			return err
		}
	}
	switch x.Kind {
	case "masquerade":
		c.Add(&expr.Masq{Flags: flags, RegProtoMin: pmin, RegProtoMax: pmax})
	case "redirect":
		c.Add(&expr.Redir{Flags: flags, RegProtoMin: pmin, RegProtoMax: pmax})
	default:
		e := &expr.Nat{Family: fam, Flags: flags, RegAddrMin: amin, RegAddrMax: amax, RegProtoMin: pmin, RegProtoMax: pmax}
		if x.Kind == "dnat" {
			e.Type = 1
		}
		c.Add(e)
	}
	_ = name
	return nil
}
