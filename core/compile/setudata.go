package compile

import (
	"encoding/binary"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// nft's expression kinds (enum expr_types) as written in the typeof
// userdata of sets (NFTNL_UDATA_SET_TYPEOF_EXPR).
const (
	etypePayload = 7  // EXPR_PAYLOAD
	etypeExthdr  = 8  // EXPR_EXTHDR
	etypeMeta    = 9  // EXPR_META
	etypeSocket  = 10 // EXPR_SOCKET
	etypeOsf     = 11 // EXPR_OSF
	etypeCt      = 12 // EXPR_CT
	etypeConcat  = 13 // EXPR_CONCAT
	etypeNumgen  = 23 // EXPR_NUMGEN
	etypeHash    = 24 // EXPR_HASH
	etypeRt      = 25 // EXPR_RT
	etypeFib     = 26 // EXPR_FIB
	etypeXfrm    = 27 // EXPR_XFRM
)

// Nested TLVs of NFTNL_UDATA_SET_KEY_TYPEOF / NFTNL_UDATA_SET_DATA_TYPEOF.
const (
	udTypeofExpr = 0 // NFTNL_UDATA_SET_TYPEOF_EXPR
	udTypeofData = 1 // NFTNL_UDATA_SET_TYPEOF_DATA

	udConcatSubType = 0 // NFTNL_UDATA_SET_KEY_CONCAT_SUB_TYPE
	udConcatSubData = 1 // NFTNL_UDATA_SET_KEY_CONCAT_SUB_DATA
)

// protoDescIDs are nft's enum proto_desc_id values.
var protoDescIDs = map[*types.Proto]uint32{
	types.ProtoAH: 1, types.ProtoESP: 2, types.ProtoComp: 3, types.ProtoICMP: 4, types.ProtoIGMP: 5,
	types.ProtoUDP: 6, types.ProtoUDPLite: 7, types.ProtoTCP: 8, types.ProtoDCCP: 9, types.ProtoSCTP: 10,
	types.ProtoTH: 11, types.ProtoIP: 12, types.ProtoIP6: 13, types.ProtoICMP6: 14, types.ProtoARP: 15,
	types.ProtoVLAN: 16, types.ProtoEth: 17,
}

// udata builds nftnl_udata TLVs (type byte, length byte, value).
type udata []byte

func (u udata) u32(t uint8, v uint32) udata {
	u = append(u, t, 4)
	return binary.NativeEndian.AppendUint32(u, v)
}

// nest appends a TLV whose value is what fill appends.
func (u udata) nest(t uint8, fill func(udata) udata) udata {
	start := len(u)
	u = append(u, t, 0)
	u = fill(u)
	u[start+1] = byte(len(u) - start - 2)
	return u
}

// typeofUdata appends the NFTNL_UDATA_SET_KEY_TYPEOF (or DATA_TYPEOF)
// nest nft writes for a set key or data expression: the expression kind
// and its own description, so that listings can print `typeof ...`.
// Keys declared with `type` write nothing for a single datatype and an
// empty concatenation for several (nft's value expressions have no
// description). It reports false when the expression has none either.
func typeofUdata(u udata, t uint8, l *eval.Load, typed bool) udata {
	if l.Concat != nil {
		return u.nest(t, func(u udata) udata {
			u = u.u32(udTypeofExpr, etypeConcat)
			return u.nest(udTypeofData, func(u udata) udata {
				if typed {
					return u
				}
				for i, sub := range l.Concat {
					_, et, ok := exprUdata(nil, sub)
					if !ok {
						break
					}
					u = u.nest(uint8(i), func(u udata) udata {
						u = u.u32(udConcatSubType, et)
						return u.nest(udConcatSubData, func(u udata) udata {
							b, _, _ := exprUdata(u, sub)
							return b
						})
					})
				}
				return u
			})
		})
	}
	if typed {
		return u
	}
	_, et, ok := exprUdata(nil, l)
	if !ok {
		return u
	}
	return u.nest(t, func(u udata) udata {
		u = u.u32(udTypeofExpr, et)
		return u.nest(udTypeofData, func(u udata) udata {
			b, _, _ := exprUdata(u, l)
			return b
		})
	})
}

// exprUdata appends the build_udata TLVs of one expression and returns
// its nft expression kind; ok is false for expressions nft writes no
// description for.
func exprUdata(u udata, l *eval.Load) (udata, uint32, bool) {
	switch {
	case l.Proto != nil || (l.Payload != nil && l.Tmpl == l.Payload):
		id := protoDescIDs[l.Proto]
		typ := uint32(0)
		if id != 0 {
			for i, f := range l.Proto.Fields {
				if f.Name == l.Field {
					typ = uint32(i + 1)
				}
			}
		}
		u = u.u32(0, id)  // NFTNL_UDATA_SET_KEY_PAYLOAD_DESC
		u = u.u32(1, typ) // NFTNL_UDATA_SET_KEY_PAYLOAD_TYPE
		if id == 0 && l.Payload != nil {
			u = u.u32(2, l.Payload.Base+1)   // NFTNL_UDATA_SET_KEY_PAYLOAD_BASE
			u = u.u32(3, l.Payload.Offset*8) // NFTNL_UDATA_SET_KEY_PAYLOAD_OFFSET
		}
		if l.Type == types.Integer {
			u = u.u32(4, uint32(l.Bits)) // NFTNL_UDATA_SET_KEY_PAYLOAD_LEN
		}
		return u, etypePayload, true
	}
	switch x := l.Tmpl.(type) {
	case *expr.Exthdr:
		return exthdrUdata(u, l, x)
	case *expr.Meta:
		return u.u32(0, x.Key), etypeMeta, true // NFTNL_UDATA_META_KEY
	case *expr.Ct:
		dir := uint32(0xffffffff) // no direction: nft's -1
		if x.Direction != nil {
			dir = uint32(*x.Direction)
		}
		u = u.u32(0, x.Key) // NFTNL_UDATA_CT_KEY
		u = u.u32(1, dir)   // NFTNL_UDATA_CT_DIR
		return u, etypeCt, true
	case *expr.Rt:
		return u.u32(0, x.Key), etypeRt, true // NFTNL_UDATA_RT_KEY
	case *expr.Socket:
		return u.u32(0, x.Key), etypeSocket, true // NFTNL_UDATA_SOCKET_KEY
	case *expr.Osf:
		return u, etypeOsf, true
	case *expr.Fib:
		u = u.u32(0, x.Result) // NFTNL_UDATA_FIB_RESULT
		u = u.u32(1, x.Flags)  // NFTNL_UDATA_FIB_FLAGS
		return u, etypeFib, true
	case *expr.Numgen:
		u = u.u32(0, x.Type)    // NFTNL_UDATA_NUMGEN_TYPE
		u = u.u32(1, x.Modulus) // NFTNL_UDATA_NUMGEN_MOD
		u = u.u32(2, x.Offset)  // NFTNL_UDATA_NUMGEN_OFFSET
		return u, etypeNumgen, true
	case *expr.Hash:
		seed, set := uint32(0), uint32(0)
		if x.Seed != nil && x.Type == 0 {
			seed, set = *x.Seed, 1
		}
		u = u.u32(0, x.Type)    // NFTNL_UDATA_HASH_TYPE
		u = u.u32(1, x.Offset)  // NFTNL_UDATA_HASH_OFFSET
		u = u.u32(2, x.Modulus) // NFTNL_UDATA_HASH_MOD
		u = u.u32(3, seed)      // NFTNL_UDATA_HASH_SEED
		u = u.u32(4, set)       // NFTNL_UDATA_HASH_SEED_SET
		return u, etypeHash, true
	case *expr.Xfrm:
		u = u.u32(0, x.Key)         // NFTNL_UDATA_XFRM_KEY
		u = u.u32(1, x.SPNum)       // NFTNL_UDATA_XFRM_SPNUM
		u = u.u32(2, uint32(x.Dir)) // NFTNL_UDATA_XFRM_DIR
		return u, etypeXfrm, true
	}
	return u, 0, false
}

// setUdata builds a named set's NFTA_SET_USERDATA the way nft's
// mnl_nft_set_add does: key byte order, data byte order (maps), merge
// flag, key typeof, data typeof and data interval flag (maps; object
// maps have the flag only), comment.
func setUdata(key, data *eval.Load, keyTyped, dataTyped, isMap, isObjMap, dataInterval, merge bool, comment *string) []byte {
	var u udata
	u = u.u32(ruleset.UdataSetKeyByteorder, uint32(keyOrder(key)))
	if isMap {
		u = u.u32(ruleset.UdataSetDataByteorder, uint32(keyOrder(data)))
	}
	if merge {
		u = u.u32(ruleset.UdataSetMergeElements, 1)
	}
	u = typeofUdata(u, ruleset.UdataSetKeyTypeof, key, keyTyped)
	if isMap || isObjMap {
		if isMap {
			u = typeofUdata(u, ruleset.UdataSetDataTypeof, data, dataTyped)
		}
		iv := uint32(0)
		if dataInterval {
			iv = 1
		}
		u = u.u32(ruleset.UdataSetDataInterval, iv)
	}
	if comment != nil {
		u = append(u, ruleset.UdataSetComment, byte(len(*comment)+1))
		u = append(u, *comment...)
		u = append(u, 0)
	}
	return u
}

// ip6ExthdrIDs are nft's enum exthdr_desc_id values.
var ip6ExthdrIDs = map[string]uint32{"hbh": 1, "rt": 2, "rt0": 3, "rt2": 4, "srh": 5, "frag": 6, "dst": 7, "mh": 8}

// exthdrUdata is nft's exthdr_expr_build_udata: the field's template
// index, and the header's description (IPv6) or the operation and option
// kind (TCP options).
func exthdrUdata(u udata, l *eval.Load, x *expr.Exthdr) (udata, uint32, bool) {
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
		u = u.u32(1, uint32(typ))          // NFTNL_UDATA_EXTHDR_TYPE
		u = u.u32(0, ip6ExthdrIDs[d.Name]) // NFTNL_UDATA_EXTHDR_DESC
		return u, etypeExthdr, true
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
		u = u.u32(1, uint32(typ))    // NFTNL_UDATA_EXTHDR_TYPE
		u = u.u32(2, x.Op)           // NFTNL_UDATA_EXTHDR_OP
		u = u.u32(0, uint32(o.Kind)) // NFTNL_UDATA_EXTHDR_DESC
		return u, etypeExthdr, true
	}
	return u, 0, false
}
