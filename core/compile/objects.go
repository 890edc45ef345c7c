package compile

import (
	"encoding/binary"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/linearize"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// nfprotos are the l3proto names of ct objects (NFPROTO_*).
var nfprotos = map[string]uint16{"inet": 1, "ip": 2, "arp": 3, "netdev": 5, "bridge": 7, "ip6": 10}

// ctTimeoutStates are nft's conntrack timeout states per layer 4
// protocol, with nft's default timeouts in seconds (src/rule.c).
var ctTimeoutStates = map[uint8]struct {
	names []string
	dflt  []uint32
}{
	6: {
		names: []string{"syn_sent", "syn_recv", "established", "fin_wait", "close_wait", "last_ack", "time_wait", "close", "syn_sent2", "retrans", "unack"},
		dflt:  []uint32{120, 60, 432000, 120, 60, 30, 120, 10, 120, 300, 300},
	},
	17: {names: []string{"unreplied", "replied"}, dflt: []uint32{30, 120}},
}

// attrs builds netlink attributes in network byte order, the way
// libnftnl's object builders do.
type attrs []byte

func (a attrs) put(t uint16, v []byte) attrs {
	a = binary.LittleEndian.AppendUint16(a, uint16(4+len(v)))
	a = binary.LittleEndian.AppendUint16(a, t)
	a = append(a, v...)
	for len(a)%4 != 0 {
		a = append(a, 0)
	}
	return a
}
func (a attrs) u8(t uint16, v uint8) attrs   { return a.put(t, []byte{v}) }
func (a attrs) u16(t uint16, v uint16) attrs { return a.put(t, binary.BigEndian.AppendUint16(nil, v)) }
func (a attrs) u32(t uint16, v uint32) attrs { return a.put(t, binary.BigEndian.AppendUint32(nil, v)) }
func (a attrs) u64(t uint16, v uint64) attrs { return a.put(t, binary.BigEndian.AppendUint64(nil, v)) }
func (a attrs) str(t uint16, s string) attrs { return a.put(t, []byte(s)) }
func (a attrs) nest(t uint16, inner attrs) attrs {
	return a.put(t|0x8000, inner) // NLA_F_NESTED
}

// object compiles a stateful object declaration to its NFTA_OBJ_DATA.
func (c *Compiler) object(fam ruleset.Family, name string, o *ast.Object) (*ruleset.Object, error) {
	out := &ruleset.Object{Type: linearize.ObjTypes[o.Kind], Name: name, Pos: o.Pos()}
	if o.Comment != nil {
		out.Userdata = ruleset.UdataSet(nil, ruleset.UdataObjComment, append([]byte(o.Comment.Text), 0))
	}
	ec := eval.NewCtx(fam)
	var a attrs
	switch o.Kind {
	case ast.ObjCounter:
		var pk, by uint64
		if x := o.Counter; x != nil {
			if x.Packets != nil {
				pk = x.Packets.V
			}
			if x.Bytes != nil {
				by = x.Bytes.V
			}
		}
		a = a.u64(1, by) // NFTA_COUNTER_BYTES
		a = a.u64(2, pk) // NFTA_COUNTER_PACKETS
	case ast.ObjQuota:
		x := o.Quota
		if x == nil {
			return nil, errAt(o, "quota needs an amount")
		}
		if err := checkUnit(x, x.Unit, x.UsedUnit); err != nil {
			return nil, err
		}
		var used, flags uint64
		if x.Used != nil {
			used = x.Used.V * unitBytes(x.UsedUnit)
		}
		if x.Over {
			flags = 1 // NFT_QUOTA_F_INV
		}
		a = a.u64(1, x.Amount*unitBytes(x.Unit)) // NFTA_QUOTA_BYTES
		a = a.u64(4, used)                       // NFTA_QUOTA_CONSUMED
		a = a.u32(2, uint32(flags))              // NFTA_QUOTA_FLAGS
	case ast.ObjLimit:
		x := o.Limit
		if x == nil {
			return nil, errAt(o, "limit needs a rate")
		}
		if err := checkUnit(x, x.RateUnit, x.BurstUnit); err != nil && x.BurstUnit != "packets" {
			return nil, err
		}
		rate, burst, typ := x.Rate, uint64(5), uint32(0)
		if x.RateUnit != "" {
			typ = 1 // NFT_LIMIT_PKT_BYTES
			rate = x.Rate * unitBytes(x.RateUnit)
			burst = 0
			if x.Burst != nil {
				burst = x.Burst.V * unitBytes(x.BurstUnit)
			}
		} else if x.Burst != nil {
			burst = x.Burst.V
		}
		per, ok := linearize.PerSeconds[x.Per]
		if !ok {
			return nil, errAt(x, "wrong rate format")
		}
		if rate == 0 {
			return nil, errAt(x, "limit rate must be > 0")
		}
		flags := uint32(0)
		if x.Over {
			flags = 1 // NFT_LIMIT_F_INV
		}
		a = a.u64(1, rate)          // NFTA_LIMIT_RATE
		a = a.u64(2, per)           // NFTA_LIMIT_UNIT
		a = a.u32(3, uint32(burst)) // NFTA_LIMIT_BURST
		a = a.u32(4, typ)           // NFTA_LIMIT_TYPE
		a = a.u32(5, flags)         // NFTA_LIMIT_FLAGS
	case ast.ObjCtHelper:
		x := o.CtHelper
		if x == nil || x.Type == nil {
			return nil, errAt(o, "ct helper needs a type")
		}
		if len(x.Type.Text) >= 16 { // NF_CT_HELPER_NAME_LEN
			return nil, errAt(x.Type, "helper name too long, maximum length is 15")
		}
		l4, err := l4proto(x.Protocol, o)
		if err != nil {
			return nil, err
		}
		a = a.str(1, x.Type.Text) // NFTA_CT_HELPER_NAME
		if x.L3Proto != nil {
			l3, err := l3proto(x.L3Proto)
			if err != nil {
				return nil, err
			}
			if fam != ruleset.FamilyInet && uint16(fam) != l3 {
				// the kernel refuses it (EINVAL)
				return nil, errAt(x.L3Proto, "l3proto %s does not match the %s table", x.L3Proto.Name, fam)
			}
			a = a.u16(2, l3) // NFTA_CT_HELPER_L3PROTO
		}
		a = a.u8(3, l4) // NFTA_CT_HELPER_L4PROTO
	case ast.ObjCtTimeout:
		x := o.CtTimeout
		if x == nil {
			return nil, errAt(o, "ct timeout needs a protocol")
		}
		l4, err := l4proto(x.Protocol, o)
		if err != nil {
			return nil, err
		}
		st := ctTimeoutStates[l4]
		vals := append([]uint32(nil), st.dflt...)
		for _, p := range x.Policy {
			i := -1
			for j, n := range st.names {
				if n == p.State.Name {
					i = j
				}
			}
			if i < 0 {
				return nil, errAt(p, "invalid state for this protocol")
			}
			ms, err := ec.Duration(p.Value)
			if err != nil {
				return nil, err
			}
			vals[i] = uint32(ms / 1000)
		}
		if x.L3Proto != nil {
			l3, err := l3proto(x.L3Proto)
			if err != nil {
				return nil, err
			}
			a = a.u16(1, l3) // NFTA_CT_TIMEOUT_L3PROTO
		}
		a = a.u8(2, l4) // NFTA_CT_TIMEOUT_L4PROTO
		var d attrs
		for i, v := range vals {
			d = d.u32(uint16(i+1), v)
		}
		a = a.nest(3, d) // NFTA_CT_TIMEOUT_DATA
	case ast.ObjCtExpect:
		x := o.CtExpect
		if x == nil || x.Protocol == nil || x.DPort == nil || x.Timeout == nil || x.Size == nil {
			return nil, errAt(o, "missing options")
		}
		l4, err := l4proto(x.Protocol, o)
		if err != nil {
			return nil, err
		}
		ms, err := ec.Duration(x.Timeout)
		if err != nil {
			return nil, err
		}
		if x.L3Proto != nil {
			l3, err := l3proto(x.L3Proto)
			if err != nil {
				return nil, err
			}
			a = a.u16(1, l3) // NFTA_CT_EXPECT_L3PROTO
		}
		a = a.u8(2, l4)                 // NFTA_CT_EXPECT_L4PROTO
		a = a.u16(3, uint16(x.DPort.V)) // NFTA_CT_EXPECT_DPORT
		// libnftnl sends this one in host byte order
		a = a.put(4, binary.NativeEndian.AppendUint32(nil, uint32(ms))) // NFTA_CT_EXPECT_TIMEOUT
		a = a.u8(5, uint8(x.Size.V))                                    // NFTA_CT_EXPECT_SIZE
	case ast.ObjSecmark:
		if o.Secmark == nil {
			return nil, errAt(o, "secmark needs a context")
		}
		if len(o.Secmark.Text) >= 256 { // NFT_SECMARK_CTX_MAXLEN
			return nil, errAt(o.Secmark, "secmark context too long, maximum length is 255")
		}
		a = a.str(1, o.Secmark.Text) // NFTA_SECMARK_CTX
	case ast.ObjSynproxy:
		var mss uint16
		var ws uint8
		var flags uint32
		if x := o.Synproxy; x != nil {
			if x.Mss != nil {
				mss, flags = uint16(x.Mss.V), flags|1 // NF_SYNPROXY_OPT_MSS
			}
			if x.Wscale != nil {
				ws, flags = uint8(x.Wscale.V), flags|2 // NF_SYNPROXY_OPT_WSCALE
			}
			if x.SackPerm {
				flags |= 4 // NF_SYNPROXY_OPT_SACK_PERM
			}
			if x.Timestamp {
				flags |= 8 // NF_SYNPROXY_OPT_TIMESTAMP
			}
		}
		a = a.u16(1, mss)   // NFTA_SYNPROXY_MSS
		a = a.u8(2, ws)     // NFTA_SYNPROXY_WSCALE
		a = a.u32(3, flags) // NFTA_SYNPROXY_FLAGS
	default:
		return nil, errAt(o, "unsupported object type %s", o.Kind)
	}
	out.Data = a
	return out, nil
}

func l4proto(id *ast.Ident, at ast.Node) (uint8, error) {
	if id == nil {
		return 0, errAt(at, "missing protocol")
	}
	if n, ok := types.ProtocolNumber(id.Name); ok {
		return n, nil
	}
	return 0, errAt(id, "unknown protocol %s", id.Name)
}

func l3proto(id *ast.Ident) (uint16, error) {
	if v, ok := nfprotos[id.Name]; ok {
		return v, nil
	}
	return 0, errAt(id, "unknown layer 3 protocol %s", id.Name)
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

// checkUnit rejects byte units nft 1.0.6 does not know (it has bytes,
// kbytes and mbytes).
func checkUnit(at ast.Node, units ...string) error {
	for _, u := range units {
		switch u {
		case "", "bytes", "kbytes", "mbytes":
		default:
			return errAt(at, "Wrong rate format")
		}
	}
	return nil
}

// Flowtable flags (NFT_FLOWTABLE_*).
const (
	flowtableHWOffload = 0x1 // NFT_FLOWTABLE_HW_OFFLOAD
	flowtableCounter   = 0x2 // NFT_FLOWTABLE_COUNTER
)

// flowtable compiles a flowtable declaration; at is where errors point
// when the declaration has no body.
func (c *Compiler) flowtable(fam ruleset.Family, name string, f *ast.Flowtable, at ast.Node) (*ruleset.Flowtable, error) {
	if err := checkName(nil, at.Pos(), "flowtable", name); err != nil {
		return nil, err
	}
	out := &ruleset.Flowtable{Name: name, Pos: at.Pos()}
	if f == nil {
		return out, nil
	}
	if f.Hook != nil {
		if f.Hook.Name != "ingress" {
			return nil, errAt(f.Hook, "unknown flowtable hook %s", f.Hook.Name)
		}
		prio, err := c.priority(ruleset.FamilyNetdev, 0, f.Priority)
		if err != nil {
			return nil, err
		}
		out.Priority = prio
	}
	devs, err := deviceNames(f.Devices)
	if err != nil {
		return nil, err
	}
	out.Devices = devs
	for _, fl := range f.Flags {
		switch fl.Name {
		case "offload":
			out.Flags |= flowtableHWOffload
		default:
			return nil, errAt(fl, "unknown flowtable flag %s", fl.Name)
		}
	}
	if f.Counter {
		out.Flags |= flowtableCounter
	}
	return out, nil
}
