package compile

import (
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/linearize"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// typeofUdata appends the NFTNL_UDATA_SET_KEY_TYPEOF (or DATA_TYPEOF)
// nest nft writes for a set key or data expression: the expression kind
// and its own description, so that listings can print `typeof ...`.
// Keys declared with `type` write nothing for a single datatype and an
// empty concatenation for several (nft's value expressions have no
// description). It reports false when the expression has none either.
func typeofUdata(u linearize.Udata, t uint8, l *eval.Load, typed bool) linearize.Udata {
	if l.Concat != nil {
		return u.Nest(t, func(u linearize.Udata) linearize.Udata {
			u = u.U32(linearize.UdTypeofExpr, linearize.EtypeConcat)
			return u.Nest(linearize.UdTypeofData, func(u linearize.Udata) linearize.Udata {
				if typed {
					return u
				}
				for i, sub := range l.Concat {
					_, et, ok := exprUdata(nil, sub)
					if !ok {
						break
					}
					u = u.Nest(uint8(i), func(u linearize.Udata) linearize.Udata {
						u = u.U32(linearize.UdConcatSubType, et)
						return u.Nest(linearize.UdConcatSubData, func(u linearize.Udata) linearize.Udata {
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
	return u.Nest(t, func(u linearize.Udata) linearize.Udata {
		u = u.U32(linearize.UdTypeofExpr, et)
		return u.Nest(linearize.UdTypeofData, func(u linearize.Udata) linearize.Udata {
			b, _, _ := exprUdata(u, l)
			return b
		})
	})
}

// exprUdata appends the build_udata TLVs of one expression and returns
// its nft expression kind; ok is false for expressions nft writes no
// description for.
func exprUdata(u linearize.Udata, l *eval.Load) (linearize.Udata, uint32, bool) {
	switch {
	case l.Proto != nil || (l.Payload != nil && l.Tmpl == l.Payload):
		id := linearize.ProtoDescIDs[l.Proto]
		typ := uint32(0)
		if id != 0 {
			for i, f := range l.Proto.Fields {
				if f.Name == l.Field {
					typ = uint32(i + 1)
				}
			}
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
		return u, linearize.EtypePayload, true
	}
	switch x := l.Tmpl.(type) {
	case *expr.Exthdr:
		return linearize.ExthdrTypeof(u, l, x)
	case *expr.Meta:
		return u.U32(0, x.Key), linearize.EtypeMeta, true // NFTNL_UDATA_META_KEY
	case *expr.Ct:
		dir := uint32(0xffffffff) // no direction: nft's -1
		if x.Direction != nil {
			dir = uint32(*x.Direction)
		}
		u = u.U32(0, x.Key) // NFTNL_UDATA_CT_KEY
		u = u.U32(1, dir)   // NFTNL_UDATA_CT_DIR
		return u, linearize.EtypeCt, true
	case *expr.Rt:
		return u.U32(0, x.Key), linearize.EtypeRt, true // NFTNL_UDATA_RT_KEY
	case *expr.Socket:
		return u.U32(0, x.Key), linearize.EtypeSocket, true // NFTNL_UDATA_SOCKET_KEY
	case *expr.Osf:
		return u, linearize.EtypeOsf, true
	case *expr.Fib:
		u = u.U32(0, x.Result) // NFTNL_UDATA_FIB_RESULT
		u = u.U32(1, x.Flags)  // NFTNL_UDATA_FIB_FLAGS
		return u, linearize.EtypeFib, true
	case *expr.Numgen:
		u = u.U32(0, x.Type)    // NFTNL_UDATA_NUMGEN_TYPE
		u = u.U32(1, x.Modulus) // NFTNL_UDATA_NUMGEN_MOD
		u = u.U32(2, x.Offset)  // NFTNL_UDATA_NUMGEN_OFFSET
		return u, linearize.EtypeNumgen, true
	case *expr.Hash:
		seed, set := uint32(0), uint32(0)
		if x.Seed != nil && x.Type == 0 {
			seed, set = *x.Seed, 1
		}
		u = u.U32(0, x.Type)    // NFTNL_UDATA_HASH_TYPE
		u = u.U32(1, x.Offset)  // NFTNL_UDATA_HASH_OFFSET
		u = u.U32(2, x.Modulus) // NFTNL_UDATA_HASH_MOD
		u = u.U32(3, seed)      // NFTNL_UDATA_HASH_SEED
		u = u.U32(4, set)       // NFTNL_UDATA_HASH_SEED_SET
		return u, linearize.EtypeHash, true
	case *expr.Xfrm:
		u = u.U32(0, x.Key)         // NFTNL_UDATA_XFRM_KEY
		u = u.U32(1, x.SPNum)       // NFTNL_UDATA_XFRM_SPNUM
		u = u.U32(2, uint32(x.Dir)) // NFTNL_UDATA_XFRM_DIR
		return u, linearize.EtypeXfrm, true
	}
	return u, 0, false
}

// setUdata builds a named set's NFTA_SET_USERDATA the way nft's
// mnl_nft_set_add does: key byte order, data byte order (maps), merge
// flag, key typeof, data typeof and data interval flag (maps; object
// maps have the flag only), comment.
func setUdata(key, data *eval.Load, keyTyped, dataTyped, isMap, isObjMap, dataInterval, merge bool, comment *string) []byte {
	var u linearize.Udata
	u = u.U32(ruleset.UdataSetKeyByteorder, uint32(keyOrder(key)))
	if isMap {
		u = u.U32(ruleset.UdataSetDataByteorder, uint32(keyOrder(data)))
	}
	if merge {
		u = u.U32(ruleset.UdataSetMergeElements, 1)
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
		u = u.U32(ruleset.UdataSetDataInterval, iv)
	}
	if comment != nil {
		u = append(u, ruleset.UdataSetComment, byte(len(*comment)+1))
		u = append(u, *comment...)
		u = append(u, 0)
	}
	return u
}
