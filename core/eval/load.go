package eval

import (
	"math/big"
	"net"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// Expr evaluates a left-hand (loading) expression.
func (c *Ctx) Expr(n ast.Expr) (*Load, error) {
	switch x := n.(type) {
	case *ast.Variable:
		return c.Expr(x.Value)
	case *ast.Payload:
		return c.payload(x)
	case *ast.RawPayload:
		return c.rawPayload(x)
	case *ast.Meta:
		return c.meta(x)
	case *ast.Ct:
		return c.ct(x)
	case *ast.Exthdr:
		return c.exthdr(x)
	case *ast.Concat:
		l := &Load{Node: x}
		for _, e := range x.Exprs {
			sub, err := c.Expr(e)
			if err != nil {
				return nil, err
			}
			if err := KeyCheck(sub); err != nil {
				return nil, err
			}
			if sub.Concat != nil {
				l.Concat = append(l.Concat, sub.Concat...)
			} else {
				l.Concat = append(l.Concat, sub)
			}
		}
		for _, s := range l.Concat {
			l.RegBits += ((s.RegBits + 31) / 32) * 32
			l.Bits += ((s.RegBits + 31) / 32) * 32
		}
		return l, nil
	case *ast.Binary:
		l, err := c.Expr(x.X)
		if err != nil {
			return nil, err
		}
		v, err := c.Value(x.Y, l)
		if err != nil {
			return nil, err
		}
		if v.Kind != VConst && v.Kind != VMask {
			return nil, Errorf(x.Y, "Binary operation (%s) is undefined for %s expressions", x.Op, "non-constant")
		}
		cp := *l
		cp.Binop = append(append([]Binop(nil), l.Binop...), Binop{Op: x.Op, V: v.C.V})
		return &cp, nil
	case *ast.Rt:
		return c.rt(x)
	case *ast.Fib:
		return c.fib(x)
	case *ast.Socket:
		key, ok := types.LookupKey(types.SocketKeys, x.Key)
		if !ok {
			return nil, Errorf(x, "unknown socket key %s", x.Key)
		}
		return &Load{Node: x, Tmpl: &expr.Socket{Key: key.Num, Level: uint32(x.Level)}, Type: key.Type, Order: key.Order, Bits: key.Len, RegBits: roundBits(key.Len)}, nil
	case *ast.Numgen:
		t := uint32(0)
		if x.Mode == "random" {
			t = 1
		}
		return &Load{Node: x, Tmpl: &expr.Numgen{Modulus: uint32(x.Mod), Type: t, Offset: uint32(x.Offset)}, Type: types.Integer, Order: types.OrderHost, Bits: 32, RegBits: 32}, nil
	case *ast.Hash:
		h := &expr.Hash{Modulus: uint32(x.Mod), Offset: uint32(x.Offset)}
		l := &Load{Node: x, Tmpl: h, Type: types.Integer, Order: types.OrderHost, Bits: 32, RegBits: 32}
		if x.Kind == "symhash" {
			h.Type = 1
		} else {
			in, err := c.Expr(x.X)
			if err != nil {
				return nil, err
			}
			l.Inner = in
			h.Len = uint32(in.Bytes())
			if in.Concat != nil {
				h.Len = uint32(in.RegBits / 8)
			}
			// Without a seed nft sends none and the kernel picks a
			// random one (and does not list it).
			if x.HasSeed {
				s := uint32(x.Seed)
				h.Seed = &s
			}
		}
		return l, nil
	case *ast.Osf:
		var fl uint32
		var ttl uint8
		switch x.TTL {
		case "":
		case "loose":
			ttl = 1
		case "skip":
			ttl = 2
		default:
			// the error points at the option after `osf ttl `
			p := x.Pos()
			p.Col += len("osf ttl ")
			p.Off += len("osf ttl ")
			p.Len = len(x.TTL)
			return nil, &diag.Error{Op: "eval", Pos: p, Msg: "invalid ttl option"}
		}
		if x.Key == "version" {
			fl = 1
		}
		return &Load{Node: x, Tmpl: &expr.Osf{TTL: ttl, Flags: fl}, Type: types.String, Order: types.OrderHost, Bits: 128, RegBits: 128}, nil
	case *ast.Ipsec:
		name := x.Key
		if x.Key == "saddr" || x.Key == "daddr" {
			f := x.Family
			if f == "" {
				f = "ip"
			}
			name = x.Key + " " + f
		}
		if x.Spnum > 255 {
			return nil, Errorf(x, "Invalid spnum %d, max is 255", x.Spnum)
		}
		key, ok := types.LookupKey(types.XfrmKeys, name)
		if !ok {
			return nil, Errorf(x, "unknown ipsec key %s", x.Key)
		}
		dir := uint8(0)
		if x.Dir == "out" {
			dir = 1
		}
		return &Load{Node: x, Tmpl: &expr.Xfrm{Key: key.Num, Dir: dir, SPNum: uint32(x.Spnum)}, Type: key.Type, Order: key.Order, Bits: key.Len, RegBits: roundBits(key.Len)}, nil
	}
	return nil, Errorf(n, "expression is not a valid match key")
}

func roundBits(b int) int { return ((b + 7) / 8) * 8 }

func (c *Ctx) payload(n *ast.Payload) (*Load, error) {
	p := types.ProtoByName(n.Proto)
	if p == nil {
		return nil, Errorf(n, "unknown protocol %s", n.Proto)
	}
	fld, ok := p.Field(n.Field)
	if !ok {
		return nil, Errorf(n, "unknown %s field %s", n.Proto, n.Field)
	}
	if err := c.needDep(n, p); err != nil {
		return nil, err
	}
	if err := c.icmpDep(n, p, fld); err != nil {
		return nil, err
	}
	if p.Base == types.BaseLL && c.llOff > 0 && c.proto[types.BaseLL] == p {
		fld.Offset += c.llOff
	}
	return payloadLoad(n, p, fld), nil
}

func payloadLoad(n ast.Node, p *types.Proto, fld types.Field) *Load {
	off := fld.Offset
	nbytes := (off%8 + fld.Len + 7) / 8
	l := &Load{Node: n, Type: fld.Type, Order: types.OrderBig, Bits: fld.Len, RegBits: nbytes * 8, Proto: p, Field: fld.Name, BitOff: off}
	pl := &expr.Payload{Base: uint32(p.Base - 1), Offset: uint32(off / 8), Len: uint32(nbytes)}
	l.Tmpl = pl
	l.Payload = pl
	if off%8 != 0 || fld.Len%8 != 0 {
		l.Shift = nbytes*8 - off%8 - fld.Len
		m := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(fld.Len)), big.NewInt(1))
		l.Mask = m.Lsh(m, uint(l.Shift))
	}
	if fld.Type.Order == types.OrderHost && fld.Len <= 8 {
		l.Order = types.OrderBig
	}
	return l
}

func (c *Ctx) rawPayload(n *ast.RawPayload) (*Load, error) {
	var base uint32
	switch n.Base {
	case "ll":
		base = 0
	case "nh":
		base = 1
	case "th":
		base = 2
		if c.proto[types.BaseTransport] == nil && (c.Family == ruleset.FamilyInet || c.Family == ruleset.FamilyIP || c.Family == ruleset.FamilyIP6 || c.Family == ruleset.FamilyBridge || c.Family == ruleset.FamilyNetdev) {
			// nft adds no dependency for raw transport payloads
		}
	case "ih":
		base = 3
	default:
		return nil, Errorf(n, "unknown payload base %s", n.Base)
	}
	off, ln := int(n.Offset), int(n.Len)
	nbytes := (off%8 + ln + 7) / 8
	l := &Load{Node: n, Type: types.Integer, Order: types.OrderBig, Bits: ln, RegBits: nbytes * 8, BitOff: off}
	pl := &expr.Payload{Base: base, Offset: uint32(off / 8), Len: uint32(nbytes)}
	l.Tmpl, l.Payload = pl, pl
	if off%8 != 0 || ln%8 != 0 {
		l.Shift = nbytes*8 - off%8 - ln
		m := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(ln)), big.NewInt(1))
		l.Mask = m.Lsh(m, uint(l.Shift))
	}
	return l, nil
}

// needDep generates the dependency of a header field of p.
func (c *Ctx) needDep(n ast.Node, p *types.Proto) error {
	base := p.Base
	if p == types.ProtoTH {
		return nil
	}
	if cur := c.proto[base]; cur != nil {
		if cur == p {
			return nil
		}
		if base == types.BaseLL && (cur == types.ProtoNetdev || cur == types.ProtoInet) && (p == types.ProtoEth || p == types.ProtoVLAN) {
			// link layer of an inet/netdev chain: require an ethernet device
			c.Deps = append(c.Deps, c.metaMatch(n, "iiftype", arphrdEther))
			c.proto[base] = types.ProtoEth
			if p == types.ProtoEth {
				return nil
			}
			if err := c.addDep(n, types.ProtoEth, p); err != nil {
				return err
			}
			c.llOff += types.ProtoEth.Length
			return nil
		}
		if cur == types.ProtoInetService && base == types.BaseTransport {
			return nil
		}
		if base == types.BaseLL && cur == types.ProtoVLAN && p == types.ProtoEth {
			// the outer ethernet header of a vlan packet
			return nil
		}
		if base == types.BaseLL && (cur == types.ProtoEth || cur == types.ProtoVLAN) && p == types.ProtoVLAN {
			// stacked link layer header (ether type vlan)
			if c.proto[types.BaseNetwork] != nil {
				return Errorf(n, "conflicting protocols specified: %s vs. %s", c.proto[types.BaseNetwork].Name, p.Name)
			}
			if err := c.addDep(n, cur, p); err != nil {
				return err
			}
			c.llOff += cur.Length
			return nil
		}
		return Errorf(n, "conflicting protocols specified: %s vs. %s", cur.Name, p.Name)
	}
	hb := c.hookBase()
	if base < hb {
		if base < hb-1 {
			return Errorf(n, "payload base is invalid for this family")
		}
		if p != types.ProtoEth && p != types.ProtoVLAN {
			return Errorf(n, "protocol specification is invalid for this family")
		}
		c.Deps = append(c.Deps, c.metaMatch(n, "iiftype", arphrdEther))
		c.proto[base] = types.ProtoEth
		if p == types.ProtoVLAN {
			if err := c.addDep(n, types.ProtoEth, p); err != nil {
				return err
			}
			c.llOff += types.ProtoEth.Length
		}
		return nil
	}
	lower := c.proto[base-1]
	if lower == nil {
		switch base {
		case types.BaseLL:
			lower = c.llProto()
		case types.BaseTransport:
			if p == types.ProtoICMP || p == types.ProtoICMP6 || p == types.ProtoIGMP {
				ll := c.proto[types.BaseLL]
				if ll == nil {
					ll = c.llProto()
				}
				if ll != nil {
					up := types.ProtoIP
					if p == types.ProtoICMP6 {
						up = types.ProtoIP6
					}
					if err := c.addDep(n, ll, up); err != nil {
						return err
					}
					lower = up
					break
				}
			}
			lower = types.ProtoInetService
		}
	}
	if lower == nil {
		return Errorf(n, "ambiguous payload specification: no %s protocol specified", types.BaseNames[base-1])
	}
	if c.Family == ruleset.FamilyBridge && lower == types.ProtoEth && (p == types.ProtoIP || p == types.ProtoIP6) {
		lower = types.ProtoNetdev
	}
	if lower == types.ProtoInet && p != types.ProtoIP && p != types.ProtoIP6 {
		// arp or vlan in inet tables: nothing to depend on
		return Errorf(n, "conflicting protocols specified: %s vs. %s", lower.Name, p.Name)
	}
	return c.addDep(n, lower, p)
}

func (c *Ctx) llProto() *types.Proto {
	switch c.Family {
	case ruleset.FamilyInet:
		return types.ProtoInet
	case ruleset.FamilyBridge:
		return types.ProtoEth
	case ruleset.FamilyNetdev:
		return types.ProtoNetdev
	}
	return nil
}

func (c *Ctx) addDep(n ast.Node, lower, upper *types.Proto) error {
	num, ok := lower.Num(upper)
	if !ok {
		return Errorf(n, "conflicting protocols specified: %s vs. %s", lower.Name, upper.Name)
	}
	key := lower.Key
	var l *Load
	if key.Meta != 0 {
		mk, _ := types.MetaKey(key.Name)
		l = metaLoad(n, mk)
	} else {
		if lower.Base == types.BaseLL && c.llOff > 0 && c.proto[types.BaseLL] == lower {
			key.Offset += c.llOff
		}
		l = payloadLoad(n, lower, key)
	}
	k := &Const{Node: n, Type: key.Type, Order: l.Order, V: new(big.Int).SetUint64(num), Bits: key.Len}
	c.Deps = append(c.Deps, &Match{Node: n, Left: l, Op: "==", Right: &Value{Node: n, Kind: VConst, C: k}})
	c.proto[upper.Base] = upper
	return nil
}

// arphrdEther is the interface type of ethernet devices (ARPHRD_ETHER),
// which a link layer header match depends on.
var arphrdEther = func() *big.Int {
	v, _ := types.ARPHRDSymbols.Lookup("ether")
	return new(big.Int).SetUint64(v)
}()

func (c *Ctx) metaMatch(n ast.Node, key string, v *big.Int) *Match {
	mk, _ := types.MetaKey(key)
	l := metaLoad(n, mk)
	return &Match{Node: n, Left: l, Op: "==", Right: &Value{Node: n, Kind: VConst, C: &Const{Node: n, Type: mk.Type, Order: mk.Order, V: v, Bits: mk.Len}}}
}

func metaLoad(n ast.Node, mk types.Key) *Load {
	return &Load{Node: n, Tmpl: &expr.Meta{Key: mk.Num}, Type: mk.Type, Order: mk.Order, Bits: mk.Len, RegBits: roundBits(mk.Len)}
}

// Update records what an equality match tells about the packet's
// protocols (`meta l4proto tcp`, `ip protocol tcp`, `ether type ip6`).
func (c *Ctx) Update(m *Match) {
	if m.Op != "==" && m.Op != "implicit" || m.Left.Concat != nil {
		return
	}
	switch m.Right.Kind {
	case VConst:
		c.update(m.Left, m.Right.C.V)
	case VSet:
		for _, e := range m.Right.Elems {
			if e.Key != nil && e.Key.Kind == VConst {
				c.update(m.Left, e.Key.C.V)
			}
		}
	}
}

func (c *Ctx) update(left *Load, v *big.Int) {
	m := &Match{Left: left}
	if cur := c.proto[types.BaseLL]; m.Left.Tmpl != nil && isMetaKey(m.Left.Tmpl, 8) && v.IsUint64() && v.Uint64() == 1 && (cur == nil || cur == types.ProtoInet || cur == types.ProtoNetdev) {
		// meta iiftype ether: the link layer is ethernet
		c.proto[types.BaseLL] = types.ProtoEth
		return
	}
	if !v.IsUint64() {
		return
	}
	var lower *types.Proto
	if mm, ok := m.Left.Tmpl.(*expr.Meta); ok {
		switch mm.Key {
		case 16: // l4proto
			lower = types.ProtoInetService
			if np := c.proto[types.BaseNetwork]; np == types.ProtoIP || np == types.ProtoIP6 {
				lower = np
			}
		case 15: // nfproto
			lower = types.ProtoInet
		case 1: // protocol
			lower = types.ProtoNetdev
		}
	} else if m.Left.Proto != nil && m.Left.Mask == nil {
		p := m.Left.Proto
		switch {
		case p == types.ProtoIP && m.Left.Field == "protocol", p == types.ProtoIP6 && m.Left.Field == "nexthdr":
			lower = types.ProtoInetService
		case p.Key.Name == m.Left.Field && p.Key.Meta == 0 && (p == types.ProtoEth || p == types.ProtoVLAN || p == types.ProtoAH || p == types.ProtoComp):
			lower = p
		}
	}
	if (m.Left.Proto == types.ProtoICMP || m.Left.Proto == types.ProtoICMP6) && m.Left.Field == "type" {
		t := uint8(v.Uint64())
		switch {
		case m.Left.Proto == types.ProtoICMP && t == 0:
			t = 8
		case m.Left.Proto == types.ProtoICMP6 && t == 129:
			t = 128
		}
		c.icmpType = t
	}
	if lower == nil {
		return
	}
	if up := lower.Upper(v.Uint64()); up != nil {
		if up.Base == types.BaseLL && lower.Base == types.BaseLL {
			c.llOff += lower.Length
		}
		c.proto[up.Base] = up
	}
}

func (c *Ctx) meta(n *ast.Meta) (*Load, error) {
	mk, ok := types.MetaKey(n.Key)
	if !ok {
		return nil, Errorf(n, "unknown meta key %s", n.Key)
	}
	if n.Key == "nfproto" && c.Family != ruleset.FamilyInet {
		return nil, Errorf(n, "meta nfproto is only useful in the inet family")
	}
	return metaLoad(n, mk), nil
}

func (c *Ctx) ct(n *ast.Ct) (*Load, error) {
	name := n.Key
	if n.Family != "" {
		name = n.Family + " " + n.Key
	}
	key, ok := types.CtKey(name)
	if !ok {
		return nil, Errorf(n, "unknown ct key %s", name)
	}
	ct := &expr.Ct{Key: key.Num}
	switch n.Dir {
	case "original":
		d := uint8(0)
		ct.Direction = &d
	case "reply":
		d := uint8(1)
		ct.Direction = &d
	}
	l := &Load{Node: n, Tmpl: ct, Type: key.Type, Order: key.Order, Bits: key.Len, RegBits: roundBits(key.Len)}
	switch name {
	case "saddr", "daddr":
		if n.Dir == "" {
			return nil, Errorf(n, "Conntrack expressions require a direction")
		}
		switch {
		case c.proto[types.BaseNetwork] == types.ProtoIP || c.Family == ruleset.FamilyIP:
			l.Type, l.Bits, l.RegBits = types.IPAddr, 32, 32
		case c.proto[types.BaseNetwork] == types.ProtoIP6 || c.Family == ruleset.FamilyIP6:
			l.Type, l.Bits, l.RegBits = types.IP6Addr, 128, 128
		default:
			return nil, Errorf(n, "Conntrack address requires a network protocol context, use \"ct %s ip %s\"", n.Dir, n.Key)
		}
	case "ip saddr", "ip daddr", "ip6 saddr", "ip6 daddr":
		want := types.ProtoIP
		if n.Family == "ip6" {
			want = types.ProtoIP6
		}
		if cur := c.proto[types.BaseNetwork]; cur != nil && cur != want {
			return nil, Errorf(n, "conflicting protocols specified: %s vs. %s", cur.Name, want.Name)
		}
	case "proto-src", "proto-dst":
		if n.Dir == "" {
			return nil, Errorf(n, "Conntrack expressions require a direction")
		}
	}
	switch name {
	case "l3proto", "protocol", "bytes", "packets", "avgpkt", "zone", "ip saddr", "ip daddr", "ip6 saddr", "ip6 daddr", "proto-src", "proto-dst", "saddr", "daddr", "expiration", "state", "status", "mark", "direction", "label", "helper", "event", "secmark", "id":
	}
	return l, nil
}

func (c *Ctx) rt(n *ast.Rt) (*Load, error) {
	name := n.Key
	if n.Key == "nexthop" {
		switch {
		case n.Family == "ip6":
			name = "nexthop6"
		case n.Family == "ip":
		case c.Family == ruleset.FamilyIP6 || c.proto[types.BaseNetwork] == types.ProtoIP6:
			name = "nexthop6"
		case c.Family == ruleset.FamilyIP || c.proto[types.BaseNetwork] == types.ProtoIP:
		default:
			return nil, Errorf(n, "cannot determine ip protocol version, use \"ip nexthop\" or \"ip6 nexthop\" instead")
		}
	}
	key, ok := types.LookupKey(types.RtKeys, name)
	if !ok {
		return nil, Errorf(n, "unknown rt key %s", n.Key)
	}
	switch {
	case name == "nexthop" && c.Family == ruleset.FamilyIP6:
		return nil, Errorf(n, "ip nexthop will not match")
	case name == "nexthop6" && c.Family == ruleset.FamilyIP:
		return nil, Errorf(n, "ip6 nexthop will not match")
	}
	return &Load{Node: n, Tmpl: &expr.Rt{Key: key.Num}, Type: key.Type, Order: key.Order, Bits: key.Len, RegBits: roundBits(key.Len)}, nil
}

func (c *Ctx) fib(n *ast.Fib) (*Load, error) {
	var flags uint32
	for _, f := range n.Flags {
		switch f {
		case "saddr":
			flags |= 1
		case "daddr":
			flags |= 2
		case "mark":
			flags |= 4
		case "iif":
			flags |= 8
		case "oif":
			flags |= 16
		}
	}
	var res uint32
	l := &Load{Node: n, Order: types.OrderHost}
	switch n.Result {
	case "oif":
		res, l.Type, l.Bits = 1, types.IfIndex, 32
	case "oifname":
		res, l.Type, l.Bits = 2, types.IfName, 128
	case "type":
		res, l.Type, l.Bits = 3, types.FibAddr, 32
	default:
		return nil, Errorf(n, "unknown fib result %s", n.Result)
	}
	if flags&3 == 0 {
		return nil, Errorf(n, "fib: need either saddr or daddr")
	}
	if flags&3 == 3 {
		return nil, Errorf(n, "fib: saddr and daddr are mutually exclusive")
	}
	if flags&24 == 24 {
		return nil, Errorf(n, "fib: iif and oif are mutually exclusive")
	}
	l.RegBits = l.Bits
	l.Tmpl = &expr.Fib{Flags: flags, Result: res}
	return l, nil
}

func isIfname(s string) bool {
	_, err := net.InterfaceByName(s)
	return err == nil
}

var _ = strings.TrimSpace

// icmpDepTypes are the ICMP types a field's dependency (types.Field.ICMPDep,
// nft's icmp_dep) stands for: echo fields accept echo request and reply.
var icmpDepTypes = map[types.ICMPDep][]uint64{
	types.ICMPDepEcho: {8, 0}, types.ICMPDepAddress: {5}, types.ICMPDepMTU: {3},
	types.ICMP6DepEcho: {128, 129}, types.ICMP6DepMTU: {2}, types.ICMP6DepMGMQ: {130}, types.ICMP6DepPPTR: {4},
}

func (c *Ctx) icmpDep(n ast.Node, p *types.Proto, fld types.Field) error {
	vals := icmpDepTypes[fld.ICMPDep]
	if len(vals) == 0 {
		return nil
	}
	want := uint8(vals[0])
	if c.icmpType == want {
		return nil
	}
	if c.icmpType != 0 {
		return Errorf(n, "incompatible icmp match: rule has %d, need %d", c.icmpType, want)
	}
	c.icmpType = want
	tf, _ := p.Field("type")
	l := payloadLoad(n, p, tf)
	mk := func(v uint64) *Value {
		return &Value{Node: n, Kind: VConst, C: &Const{Node: n, Type: tf.Type, Order: types.OrderBig, V: new(big.Int).SetUint64(v), Bits: 8}}
	}
	var right *Value
	if len(vals) == 1 {
		right = mk(vals[0])
	} else {
		right = &Value{Node: n, Kind: VSet}
		for _, v := range vals {
			right.Elems = append(right.Elems, &Elem{Node: n, Key: mk(v)})
		}
	}
	c.Deps = append(c.Deps, &Match{Node: n, Left: l, Op: "==", Right: right})
	return nil
}

// Dep generates the dependency a header of protocol p needs (as
// payload_gen_dependency does for reject), appending it to c.Deps.
func (c *Ctx) Dep(n ast.Node, p *types.Proto) error { return c.needDep(n, p) }

func isMetaKey(e expr.Expr, key uint32) bool {
	m, ok := e.(*expr.Meta)
	return ok && m.Key == key
}

// KeyCheck rejects loads that cannot be the key of a set, map or
// concatenation: conntrack addresses without an explicit family have no
// fixed type there.
func KeyCheck(l *Load) error {
	if ct, ok := l.Node.(*ast.Ct); ok && ct.Family == "" && (ct.Key == "saddr" || ct.Key == "daddr") {
		return Errorf(ct, "specify either ip or ip6 for address matching")
	}
	return nil
}
