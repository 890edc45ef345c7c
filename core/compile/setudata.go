package compile

import (
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/linearize"
	"github.com/nfsh/nfsh/core/ruleset"
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
					_, et, ok := linearize.DeclTypeof(nil, sub)
					if !ok {
						break
					}
					u = u.Nest(uint8(i), func(u linearize.Udata) linearize.Udata {
						u = u.U32(linearize.UdConcatSubType, et)
						return u.Nest(linearize.UdConcatSubData, func(u linearize.Udata) linearize.Udata {
							b, _, _ := linearize.DeclTypeof(u, sub)
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
	_, et, ok := linearize.DeclTypeof(nil, l)
	if !ok {
		return u
	}
	return u.Nest(t, func(u linearize.Udata) linearize.Udata {
		u = u.U32(linearize.UdTypeofExpr, et)
		return u.Nest(linearize.UdTypeofData, func(u linearize.Udata) linearize.Udata {
			b, _, _ := linearize.DeclTypeof(u, l)
			return b
		})
	})
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
