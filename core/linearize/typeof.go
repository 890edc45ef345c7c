package linearize

import (
	"encoding/binary"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/types"
)

// nft's expression kinds (enum expr_types) as written in the typeof
// userdata of sets (NFTNL_UDATA_SET_TYPEOF_EXPR). Named sets (core/compile)
// and anonymous sets (here) share this vocabulary.
const (
	EtypeVerdict = 1  // EXPR_VERDICT
	EtypePayload = 7  // EXPR_PAYLOAD
	EtypeExthdr  = 8  // EXPR_EXTHDR
	EtypeMeta    = 9  // EXPR_META
	EtypeSocket  = 10 // EXPR_SOCKET
	EtypeOsf     = 11 // EXPR_OSF
	EtypeCt      = 12 // EXPR_CT
	EtypeConcat  = 13 // EXPR_CONCAT
	EtypeNumgen  = 23 // EXPR_NUMGEN
	EtypeHash    = 24 // EXPR_HASH
	EtypeRt      = 25 // EXPR_RT
	EtypeFib     = 26 // EXPR_FIB
	EtypeXfrm    = 27 // EXPR_XFRM
)

// Nested TLVs of NFTNL_UDATA_SET_KEY_TYPEOF / NFTNL_UDATA_SET_DATA_TYPEOF.
const (
	UdTypeofExpr    = 0 // NFTNL_UDATA_SET_TYPEOF_EXPR
	UdTypeofData    = 1 // NFTNL_UDATA_SET_TYPEOF_DATA
	UdConcatSubType = 0 // NFTNL_UDATA_SET_KEY_CONCAT_SUB_TYPE
	UdConcatSubData = 1 // NFTNL_UDATA_SET_KEY_CONCAT_SUB_DATA
)

// ProtoDescIDs are nft's enum proto_desc_id values.
var ProtoDescIDs = map[*types.Proto]uint32{
	types.ProtoAH: 1, types.ProtoESP: 2, types.ProtoComp: 3, types.ProtoICMP: 4, types.ProtoIGMP: 5,
	types.ProtoUDP: 6, types.ProtoUDPLite: 7, types.ProtoTCP: 8, types.ProtoDCCP: 9, types.ProtoSCTP: 10,
	types.ProtoTH: 11, types.ProtoIP: 12, types.ProtoIP6: 13, types.ProtoICMP6: 14, types.ProtoARP: 15,
	types.ProtoVLAN: 16, types.ProtoEth: 17,
}

// Udata builds nftnl_udata TLVs (type byte, length byte, value).
type Udata []byte

// U32 appends a TLV holding a host order 32-bit value.
func (u Udata) U32(t uint8, v uint32) Udata {
	u = append(u, t, 4)
	return binary.NativeEndian.AppendUint32(u, v)
}

// Nest appends a TLV whose value is what fill appends.
func (u Udata) Nest(t uint8, fill func(Udata) Udata) Udata {
	start := len(u)
	u = append(u, t, 0)
	u = fill(u)
	u[start+1] = byte(len(u) - start - 2)
	return u
}

// KeyTypeof appends the typeof nest (tag t: NFTNL_UDATA_SET_KEY_TYPEOF
// or DATA_TYPEOF) nft writes for the key expression of an anonymous set,
// or nothing when nft's expression has no description (binary
// operations, bitfields, raw payloads).
func KeyTypeof(u Udata, t uint8, l *eval.Load) Udata {
	if l.Concat != nil {
		for _, sub := range l.Concat {
			if _, _, ok := exprTypeof(nil, sub, anonConcat); !ok {
				return u
			}
		}
		return u.Nest(t, func(u Udata) Udata {
			u = u.U32(UdTypeofExpr, EtypeConcat)
			return u.Nest(UdTypeofData, func(u Udata) Udata {
				for i, sub := range l.Concat {
					_, et, _ := exprTypeof(nil, sub, anonConcat)
					u = u.Nest(uint8(i), func(u Udata) Udata {
						u = u.U32(UdConcatSubType, et)
						return u.Nest(UdConcatSubData, func(u Udata) Udata {
							b, _, _ := exprTypeof(u, sub, anonConcat)
							return b
						})
					})
				}
				return u
			})
		})
	}
	if _, _, ok := exprTypeof(nil, l, anonKey); !ok {
		return u
	}
	return u.Nest(t, func(u Udata) Udata {
		_, et, _ := exprTypeof(nil, l, anonKey)
		u = u.U32(UdTypeofExpr, et)
		return u.Nest(UdTypeofData, func(u Udata) Udata {
			b, _, _ := exprTypeof(u, l, anonKey)
			return b
		})
	})
}

// typeofMode says which expression a typeof description is written for.
// nft describes the same expression kinds in both kinds of set, but an
// anonymous set's key is the rule's own expression (a masked field is a
// binary operation to nft) while a named set's is its `typeof`
// declaration (the field itself).
type typeofMode int

const (
	anonKey    typeofMode = iota // the whole key of an anonymous set
	anonConcat                   // one member of an anonymous set's concatenation
	declared                     // a named set's typeof declaration
)

// DeclTypeof appends the build_udata TLVs of a named set's typeof key or
// data expression (or of one member of its concatenation) and returns its
// nft expression kind; ok is false for expressions nft writes no
// description for.
func DeclTypeof(u Udata, l *eval.Load) (Udata, uint32, bool) {
	return exprTypeof(u, l, declared)
}

// exprTypeof appends the build_udata TLVs of one expression and returns
// its nft expression kind; ok is false for expressions nft writes no
// description for. A bitfield (a masked header field) alone is a binary
// operation to nft and goes undescribed; inside a concatenation it is the
// field and is described.
func exprTypeof(u Udata, l *eval.Load, mode typeofMode) (Udata, uint32, bool) {
	if mode == declared {
		if l.Proto != nil || (l.Payload != nil && l.Tmpl == l.Payload) {
			return declPayloadTypeof(u, l)
		}
	} else {
		if len(l.Binop) > 0 || (l.Mask != nil && mode == anonKey) {
			return u, 0, false
		}
		if l.Payload != nil && l.Tmpl == l.Payload {
			return anonPayloadTypeof(u, l)
		}
	}
	switch x := l.Tmpl.(type) {
	case *expr.Exthdr:
		return ExthdrTypeof(u, l, x)
	case *expr.Meta:
		return u.U32(0, x.Key), EtypeMeta, true // NFTNL_UDATA_META_KEY
	case *expr.Ct:
		dir := uint32(0xffffffff) // no direction: nft's -1
		if x.Direction != nil {
			dir = uint32(*x.Direction)
		}
		u = u.U32(0, x.Key) // NFTNL_UDATA_CT_KEY
		u = u.U32(1, dir)   // NFTNL_UDATA_CT_DIR
		return u, EtypeCt, true
	case *expr.Rt:
		return u.U32(0, x.Key), EtypeRt, true // NFTNL_UDATA_RT_KEY
	case *expr.Socket:
		return u.U32(0, x.Key), EtypeSocket, true // NFTNL_UDATA_SOCKET_KEY
	case *expr.Osf:
		if mode != declared {
			return u, 0, false
		}
		return u, EtypeOsf, true
	case *expr.Fib:
		u = u.U32(0, x.Result) // NFTNL_UDATA_FIB_RESULT
		u = u.U32(1, x.Flags)  // NFTNL_UDATA_FIB_FLAGS
		return u, EtypeFib, true
	case *expr.Numgen:
		u = u.U32(0, x.Type)    // NFTNL_UDATA_NUMGEN_TYPE
		u = u.U32(1, x.Modulus) // NFTNL_UDATA_NUMGEN_MOD
		u = u.U32(2, x.Offset)  // NFTNL_UDATA_NUMGEN_OFFSET
		return u, EtypeNumgen, true
	case *expr.Hash:
		// The seed counts when the text gave one: a rule's hash
		// remembers that; a declaration's jhash always has one.
		seed, set := uint32(0), uint32(0)
		hasSeed := x.Type == 0
		if mode != declared {
			h, ok := l.Node.(*ast.Hash)
			hasSeed = ok && h.HasSeed
		}
		if hasSeed && x.Seed != nil {
			seed, set = *x.Seed, 1
		}
		u = u.U32(0, x.Type)    // NFTNL_UDATA_HASH_TYPE
		u = u.U32(1, x.Offset)  // NFTNL_UDATA_HASH_OFFSET
		u = u.U32(2, x.Modulus) // NFTNL_UDATA_HASH_MOD
		u = u.U32(3, seed)      // NFTNL_UDATA_HASH_SEED
		u = u.U32(4, set)       // NFTNL_UDATA_HASH_SEED_SET
		return u, EtypeHash, true
	case *expr.Xfrm:
		u = u.U32(0, x.Key)         // NFTNL_UDATA_XFRM_KEY
		u = u.U32(1, x.SPNum)       // NFTNL_UDATA_XFRM_SPNUM
		u = u.U32(2, uint32(x.Dir)) // NFTNL_UDATA_XFRM_DIR
		return u, EtypeXfrm, true
	}
	return u, 0, false
}

// anonPayloadTypeof is the payload description of an anonymous set's key:
// the header field the rule loads, or a raw payload's base, offset and
// length.
func anonPayloadTypeof(u Udata, l *eval.Load) (Udata, uint32, bool) {
	p, field := l.Proto, l.Field
	if p == nil && l.Payload.Base == 2 {
		// a raw transport payload that covers a th field is that field
		for _, f := range types.ProtoTH.Fields {
			if f.Offset == l.BitOff && f.Len == l.Bits {
				p, field = types.ProtoTH, f.Name
			}
		}
	}
	id := ProtoDescIDs[p]
	if id == 0 {
		u = u.U32(0, 0)                // NFTNL_UDATA_SET_KEY_PAYLOAD_DESC
		u = u.U32(1, 0)                // NFTNL_UDATA_SET_KEY_PAYLOAD_TYPE
		u = u.U32(2, l.Payload.Base+1) // NFTNL_UDATA_SET_KEY_PAYLOAD_BASE
		u = u.U32(3, uint32(l.BitOff)) // NFTNL_UDATA_SET_KEY_PAYLOAD_OFFSET
		u = u.U32(4, uint32(l.Bits))   // NFTNL_UDATA_SET_KEY_PAYLOAD_LEN
		return u, EtypePayload, true
	}
	u = u.U32(0, id)                   // NFTNL_UDATA_SET_KEY_PAYLOAD_DESC
	u = u.U32(1, fieldIndex(p, field)) // NFTNL_UDATA_SET_KEY_PAYLOAD_TYPE
	if l.Type == types.Integer && p == l.Proto {
		u = u.U32(4, uint32(l.Bits)) // NFTNL_UDATA_SET_KEY_PAYLOAD_LEN
	}
	return u, EtypePayload, true
}

// declPayloadTypeof is the payload description of a named set's typeof
// declaration: the header field, or a raw payload's base and offset.
func declPayloadTypeof(u Udata, l *eval.Load) (Udata, uint32, bool) {
	id := ProtoDescIDs[l.Proto]
	typ := uint32(0)
	if id != 0 {
		typ = fieldIndex(l.Proto, l.Field)
	}
	u = u.U32(0, id)  // NFTNL_UDATA_SET_KEY_PAYLOAD_DESC
	u = u.U32(1, typ) // NFTNL_UDATA_SET_KEY_PAYLOAD_TYPE
	if id == 0 && l.Payload != nil {
		u = u.U32(2, l.Payload.Base+1)   // NFTNL_UDATA_SET_KEY_PAYLOAD_BASE
		u = u.U32(3, l.Payload.Offset*8) // NFTNL_UDATA_SET_KEY_PAYLOAD_OFFSET
	}
	if l.Type == types.Integer {
		u = u.U32(4, uint32(l.Bits)) // NFTNL_UDATA_SET_KEY_PAYLOAD_LEN
	}
	return u, EtypePayload, true
}

// fieldIndex is nft's template index of field in p (from 1; 0 when p has
// no such field).
func fieldIndex(p *types.Proto, field string) uint32 {
	typ := uint32(0)
	for i, f := range p.Fields {
		if f.Name == field {
			typ = uint32(i + 1)
		}
	}
	return typ
}

// exthdrDescID is nft's enum exthdr_desc_id of d: its position in
// types.Exthdrs, from 1.
func exthdrDescID(d *types.ExthdrDesc) uint32 {
	for i, x := range types.Exthdrs {
		if x == d {
			return uint32(i + 1)
		}
	}
	return 0
}

// ExthdrTypeof is nft's exthdr_expr_build_udata: the field's template
// index, and the header's description (IPv6) or the operation and option
// kind (TCP options). Named sets (core/compile) and anonymous sets share
// it.
func ExthdrTypeof(u Udata, l *eval.Load, x *expr.Exthdr) (Udata, uint32, bool) {
	n, ok := l.Node.(*ast.Exthdr)
	if !ok || n.Raw || n.Field == "" {
		return u, 0, false
	}
	switch n.Kind {
	case "ip6":
		d := types.ExthdrByName(n.Name)
		if d == nil {
			return u, 0, false
		}
		typ := -1
		for i, f := range d.Fields {
			if f.Name == n.Field {
				typ = i + 1
			}
		}
		if d.Array != "" && n.Field == d.Array {
			typ = len(d.Fields) + int(n.Index)
		}
		if typ < 0 {
			return u, 0, false
		}
		u = u.U32(1, uint32(typ))     // NFTNL_UDATA_EXTHDR_TYPE
		u = u.U32(0, exthdrDescID(d)) // NFTNL_UDATA_EXTHDR_DESC
		return u, EtypeExthdr, true
	case "tcp option":
		o, block := types.TCPOptByName(n.Name)
		if o == nil {
			return u, 0, false
		}
		typ := -1
		for i, f := range o.Fields {
			if f.Name == n.Field {
				typ = i
			}
		}
		if typ < 0 {
			return u, 0, false
		}
		if block > 0 && (n.Field == "left" || n.Field == "right") {
			typ += 2 * block
		}
		u = u.U32(1, uint32(typ))    // NFTNL_UDATA_EXTHDR_TYPE
		u = u.U32(2, x.Op)           // NFTNL_UDATA_EXTHDR_OP
		u = u.U32(0, uint32(o.Kind)) // NFTNL_UDATA_EXTHDR_DESC
		return u, EtypeExthdr, true
	}
	return u, 0, false
}
