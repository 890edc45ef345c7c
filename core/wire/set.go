package wire

import (
	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// AddSet appends a NEWSET message for set in table, with id as its
// NFTA_SET_ID (nft always sends one). Elements are not included: send
// them with SetElems. nft passes NLM_F_CREATE (plus NLM_F_EXCL for
// `create`).
func AddSet(s Sink, family ruleset.Family, table string, set *ruleset.Set, id uint32, nlflags uint16) (int, error) {
	var exprs [][]byte
	for _, e := range set.Exprs {
		b, err := expr.MarshalOne(e)
		if err != nil {
			return -1, err
		}
		exprs = append(exprs, b)
	}
	b := s.Begin(0x09, uint8(family), nlflags) // NFT_MSG_NEWSET
	b = putStrz(b, attrSetTable, table)        // NFTA_SET_TABLE
	b = putStrz(b, attrSetName, set.Name)      // NFTA_SET_NAME
	b = putU32(b, attrSetFlags, set.Flags)     // NFTA_SET_FLAGS
	b = putU32(b, attrSetKeyType, set.KeyType) // NFTA_SET_KEY_TYPE
	b = putU32(b, attrSetKeyLen, set.KeyLen)   // NFTA_SET_KEY_LEN
	if set.Flags&ruleset.SetMap != 0 {
		b = putU32(b, attrSetDataType, set.DataType) // NFTA_SET_DATA_TYPE
		b = putU32(b, attrSetDataLen, set.DataLen)   // NFTA_SET_DATA_LEN
	}
	if set.Flags&ruleset.SetObject != 0 {
		b = putU32(b, attrSetObjType, set.ObjType) // NFTA_SET_OBJ_TYPE
	}
	b = putU32(b, attrSetID, id) // NFTA_SET_ID
	if set.Policy != nil {
		b = putU32(b, attrSetPolicy, *set.Policy) // NFTA_SET_POLICY
	}
	if set.Size != nil || len(set.Concat) > 0 {
		var n int
		b, n = nestStart(b, attrSetDesc) // NFTA_SET_DESC
		if set.Size != nil {
			b = putU32(b, attrSetDescSize, *set.Size) // NFTA_SET_DESC_SIZE
		}
		if len(set.Concat) > 0 {
			var c int
			b, c = nestStart(b, attrSetDescConcat) // NFTA_SET_DESC_CONCAT
			for _, l := range set.Concat {
				var e int
				b, e = nestStart(b, attrListElem) // NFTA_LIST_ELEM
				b = putU32(b, attrSetFieldLen, l) // NFTA_SET_FIELD_LEN
				b = nestEnd(b, e)
			}
			b = nestEnd(b, c)
		}
		b = nestEnd(b, n)
	}
	if set.Timeout != nil {
		b = putU64(b, attrSetTimeout, *set.Timeout) // NFTA_SET_TIMEOUT
	}
	if set.GCInterval != nil {
		b = putU32(b, attrSetGCInterval, *set.GCInterval) // NFTA_SET_GC_INTERVAL
	}
	if len(set.Userdata) > 0 {
		b = putAttr(b, attrSetUserdata, set.Userdata) // NFTA_SET_USERDATA
	}
	b = putExprs(b, attrSetExpr, attrSetExpressions, exprs)
	return s.End(b), nil
}

// putExprs appends one expression as single (NFTA_*_EXPR) or several as
// list (NFTA_*_EXPRESSIONS), as libnftnl does.
func putExprs(b []byte, single, list uint16, exprs [][]byte) []byte {
	switch {
	case len(exprs) == 1:
		b = putNested(b, single, exprs[0])
	case len(exprs) > 1:
		var n int
		b, n = nestStart(b, list)
		for _, e := range exprs {
			b = putNested(b, attrListElem, e) // NFTA_LIST_ELEM
		}
		b = nestEnd(b, n)
	}
	return b
}

// DelSet appends a DELSET or DESTROYSET (typ) message naming the set by
// name, or by handle when name is "".
func DelSet(s Sink, typ uint16, family ruleset.Family, table, name string, handle uint64) int {
	b := s.Begin(typ, uint8(family), 0)
	b = putStrz(b, attrSetTable, table) // NFTA_SET_TABLE
	switch {
	case name != "":
		b = putStrz(b, attrSetName, name) // NFTA_SET_NAME
	case handle != 0:
		b = putU64(b, attrSetHandle, handle) // NFTA_SET_HANDLE
	}
	return s.End(b)
}

// DecodeSet decodes the attributes of a NEWSET message (without elements).
func DecodeSet(attrs []byte) (table string, set *ruleset.Set, err error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return "", nil, decodeErr("set", err)
	}
	set = &ruleset.Set{}
	for ad.Next() {
		switch ad.Type() {
		case attrSetTable: // NFTA_SET_TABLE
			table = ad.String()
		case attrSetName: // NFTA_SET_NAME
			set.Name = ad.String()
		case attrSetHandle: // NFTA_SET_HANDLE
			set.Handle = ad.Uint64()
		case attrSetFlags: // NFTA_SET_FLAGS
			set.Flags = ad.Uint32()
		case attrSetKeyType: // NFTA_SET_KEY_TYPE
			set.KeyType = ad.Uint32()
		case attrSetKeyLen: // NFTA_SET_KEY_LEN
			set.KeyLen = ad.Uint32()
		case attrSetDataType: // NFTA_SET_DATA_TYPE
			set.DataType = ad.Uint32()
		case attrSetDataLen: // NFTA_SET_DATA_LEN
			set.DataLen = ad.Uint32()
		case attrSetObjType: // NFTA_SET_OBJ_TYPE
			set.ObjType = ad.Uint32()
		case attrSetPolicy: // NFTA_SET_POLICY
			set.Policy = ptr32(ad.Uint32())
		case attrSetDesc: // NFTA_SET_DESC
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					switch nad.Type() {
					case attrSetDescSize: // NFTA_SET_DESC_SIZE
						set.Size = ptr32(nad.Uint32())
					case attrSetDescConcat: // NFTA_SET_DESC_CONCAT
						nad.Nested(func(cad *netlink.AttributeDecoder) error {
							for cad.Next() {
								if cad.Type() != attrListElem {
									continue
								}
								cad.Nested(func(fad *netlink.AttributeDecoder) error {
									for fad.Next() {
										if fad.Type() == attrSetFieldLen { // NFTA_SET_FIELD_LEN
											set.Concat = append(set.Concat, fad.Uint32())
										}
									}
									return nil
								})
							}
							return nil
						})
					}
				}
				return nil
			})
		case attrSetID: // NFTA_SET_ID
			set.ID = ad.Uint32()
		case attrSetTimeout: // NFTA_SET_TIMEOUT
			set.Timeout = ptr64(ad.Uint64())
		case attrSetGCInterval: // NFTA_SET_GC_INTERVAL
			set.GCInterval = ptr32(ad.Uint32())
		case attrSetUserdata: // NFTA_SET_USERDATA
			set.Userdata = ad.Bytes()
		case attrSetExpr: // NFTA_SET_EXPR
			ad.Do(func(b []byte) error {
				e, err := expr.UnmarshalOne(b)
				if err == nil {
					set.Exprs = append(set.Exprs, e)
				}
				return err
			})
		case attrSetExpressions: // NFTA_SET_EXPRESSIONS
			ad.Do(func(b []byte) error {
				es, err := decodeExprList(b)
				set.Exprs = append(set.Exprs, es...)
				return err
			})
		}
	}
	if err := ad.Err(); err != nil {
		return "", nil, decodeErr("set", err)
	}
	if table == "" || set.Name == "" {
		return "", nil, decodeErr("set", errMissing("NFTA_SET_TABLE or NFTA_SET_NAME"))
	}
	return table, set, nil
}

// decodeExprList decodes a list of NFTA_LIST_ELEM expressions.
func decodeExprList(b []byte) ([]expr.Expr, error) {
	return expr.Unmarshal(b)
}
