package eval

import (
	"math/big"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

// NFT_EXTHDR_OP_* and flags.
const (
	exthdrOpIPv6   = 0
	exthdrOpTCPOpt = 1
	exthdrOpIPv4   = 2
	exthdrOpSCTP   = 3
	exthdrFPresent = 1
)

func (c *Ctx) exthdr(n *ast.Exthdr) (*Load, error) {
	switch n.Kind {
	case "ip6":
		return c.ip6Exthdr(n)
	case "tcp option":
		return c.tcpOpt(n)
	case "sctp chunk":
		return c.sctpChunk(n)
	}
	return nil, Errorf(n, "%s extension headers are not supported yet", n.Kind)
}

func (c *Ctx) ip6Exthdr(n *ast.Exthdr) (*Load, error) {
	d := types.ExthdrByName(n.Name)
	if d == nil {
		return nil, Errorf(n, "unknown extension header %s", n.Name)
	}
	if err := c.exthdrDep(n, types.ProtoIP6); err != nil {
		return nil, err
	}
	if n.Field == "" {
		e := &expr.Exthdr{Type: d.Type, Offset: 0, Len: 1, Op: exthdrOpIPv6, Flags: exthdrFPresent}
		return &Load{Node: n, Tmpl: e, Type: types.Boolean, Order: types.OrderHost, Bits: 8, RegBits: 8}, nil
	}
	fld, ok := d.Field(n.Field, int(n.Index))
	if !ok {
		return nil, Errorf(n, "unknown %s field %s", n.Name, n.Field)
	}
	off := fld.Offset
	nbytes := (off%8 + fld.Len + 7) / 8
	e := &expr.Exthdr{Type: d.Type, Offset: uint32(off / 8), Len: uint32(nbytes), Op: exthdrOpIPv6}
	l := &Load{Node: n, Tmpl: e, Type: fld.Type, Order: types.OrderBig, Bits: fld.Len, RegBits: nbytes * 8, BitOff: off}
	if off%8 != 0 || fld.Len%8 != 0 {
		l.Shift = nbytes*8 - off%8 - fld.Len
		m := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(fld.Len)), big.NewInt(1))
		l.Mask = m.Lsh(m, uint(l.Shift))
	}
	return l, nil
}

// exthdrDep requires the network protocol p (expr_evaluate_exthdr); the
// dependency goes to the start of the rule.
func (c *Ctx) exthdrDep(n ast.Node, p *types.Proto) error {
	cur := c.proto[types.BaseNetwork]
	if cur == p {
		return nil
	}
	if cur != nil {
		return Errorf(n, "cannot use exthdr with %s", cur.Name)
	}
	saved := c.Deps
	c.Deps = nil
	if err := c.needDep(n, p); err != nil {
		c.Deps = saved
		return err
	}
	c.PrependDeps = append(c.PrependDeps, c.Deps...)
	c.Deps = saved
	return nil
}

func (c *Ctx) tcpOpt(n *ast.Exthdr) (*Load, error) {
	var kind uint8
	var fld types.Field
	if n.Raw {
		k, err := c.optKind(n)
		if err != nil {
			return nil, err
		}
		kind = k
		fld = types.Field{Name: "raw", Type: types.Integer, Offset: int(n.Offset), Len: int(n.Len)}
	} else {
		o, block := types.TCPOptByName(n.Name)
		if o == nil {
			k, err := c.optKind(n)
			if err != nil {
				return nil, err
			}
			kind = k
			if n.Field != "" && n.Field != "kind" {
				return nil, Errorf(n, "unknown tcp option field %s", n.Field)
			}
			o = &types.TCPOpt{Kind: kind, Fields: []types.Field{{Name: "kind", Type: types.Integer, Len: 8}}}
		}
		kind = o.Kind
		if n.Field == "" {
			e := &expr.Exthdr{Type: kind, Offset: 0, Len: 1, Op: exthdrOpTCPOpt, Flags: exthdrFPresent}
			return &Load{Node: n, Tmpl: e, Type: types.Boolean, Order: types.OrderHost, Bits: 8, RegBits: 8}, nil
		}
		found := false
		for _, x := range o.Fields {
			if x.Name == n.Field {
				fld, found = x, true
			}
		}
		if !found {
			return nil, Errorf(n, "unknown %s option field %s", o.Name, n.Field)
		}
		if block > 0 && (fld.Name == "left" || fld.Name == "right") {
			fld.Offset += block * 64
		}
	}
	if fld.Offset+fld.Len > (15*4-20)*8 {
		return nil, Errorf(n, "offset and size %d exceeds max tcp headerlen (%d)", fld.Offset+fld.Len, (15*4-20)*8)
	}
	off := fld.Offset
	nbytes := (off%8 + fld.Len + 7) / 8
	e := &expr.Exthdr{Type: kind, Offset: uint32(off / 8), Len: uint32(nbytes), Op: exthdrOpTCPOpt}
	l := &Load{Node: n, Tmpl: e, Type: fld.Type, Order: types.OrderBig, Bits: fld.Len, RegBits: nbytes * 8, BitOff: off}
	if off%8 != 0 || fld.Len%8 != 0 {
		l.Shift = nbytes*8 - off%8 - fld.Len
		m := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(fld.Len)), big.NewInt(1))
		l.Mask = m.Lsh(m, uint(l.Shift))
	}
	return l, nil
}

// optKind parses a numeric option kind (0-255).
func (c *Ctx) optKind(n *ast.Exthdr) (uint8, error) {
	v, ok := types.ParseUint(n.Name)
	if !ok {
		return 0, Errorf(n, "unknown tcp option %s", n.Name)
	}
	if v.BitLen() > 8 {
		return 0, Errorf(n, "value too large")
	}
	return uint8(v.Uint64()), nil
}

func (c *Ctx) sctpChunk(n *ast.Exthdr) (*Load, error) {
	ch := types.SCTPChunkByName(n.Name)
	if ch == nil {
		return nil, Errorf(n, "unknown sctp chunk %s", n.Name)
	}
	if n.Field == "" {
		e := &expr.Exthdr{Type: ch.Type, Offset: 0, Len: 1, Op: exthdrOpSCTP, Flags: exthdrFPresent}
		return &Load{Node: n, Tmpl: e, Type: types.Boolean, Order: types.OrderHost, Bits: 8, RegBits: 8}, nil
	}
	for _, fld := range ch.Fields {
		if fld.Name != n.Field {
			continue
		}
		nbytes := (fld.Offset%8 + fld.Len + 7) / 8
		e := &expr.Exthdr{Type: ch.Type, Offset: uint32(fld.Offset / 8), Len: uint32(nbytes), Op: exthdrOpSCTP}
		return &Load{Node: n, Tmpl: e, Type: fld.Type, Order: types.OrderBig, Bits: fld.Len, RegBits: nbytes * 8, BitOff: fld.Offset}, nil
	}
	return nil, Errorf(n, "unknown sctp chunk %s field %s", n.Name, n.Field)
}
