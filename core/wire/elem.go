package wire

import (
	"fmt"

	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// maxNest is the largest nested attribute netlink can express.
const maxNest = 0xffff

// ElemsRef names the set a set element message is about.
type ElemsRef struct {
	Table string
	Set   string // NFTA_SET_ELEM_LIST_SET
	SetID uint32 // NFTA_SET_ELEM_LIST_SET_ID, sent when non-zero (set created in the same batch)
}

// SetElems appends NEWSETELEM, DELSETELEM or DESTROYSETELEM (typ)
// messages for elems, splitting the list over as many messages as needed
// so that NFTA_SET_ELEM_LIST_ELEMENTS never exceeds the 16-bit attribute
// length (as nft does). With no elements and typ DELSETELEM it flushes the
// set. It returns the index of each message and, for each message, the
// index in elems of its first element. nft passes NLM_F_CREATE (plus
// NLM_F_EXCL for `create`) for NEWSETELEM.
func SetElems(s Sink, typ uint16, family ruleset.Family, ref ElemsRef, elems []*ruleset.Element, nlflags uint16) (msgs, firsts []int, err error) {
	head := func() []byte {
		b := s.Begin(typ, uint8(family), nlflags)
		b = putStrz(b, attrElemListTable, ref.Table) // NFTA_SET_ELEM_LIST_TABLE
		b = putStrz(b, attrElemListSet, ref.Set)     // NFTA_SET_ELEM_LIST_SET
		if ref.SetID != 0 {
			b = putU32(b, attrElemListSetID, ref.SetID) // NFTA_SET_ELEM_LIST_SET_ID
		}
		return b
	}
	b := head()
	if len(elems) == 0 {
		return []int{s.End(b)}, []int{0}, nil
	}
	b, list := nestStart(b, attrElemListElements) // NFTA_SET_ELEM_LIST_ELEMENTS
	first, nla := 0, uint16(0)
	for i, e := range elems {
		start := len(b)
		// Element attribute types count up across messages, and an
		// element moved to the next message gets a new number: as in nft.
		nla++
		b, err = appendElem(b, nla, e)
		if err != nil {
			return nil, nil, err
		}
		if len(b)-start > maxNest-64 {
			return nil, nil, &diag.Error{Op: "encode set element", Pos: e.Pos, Msg: fmt.Sprintf("element takes %d bytes, more than a netlink attribute holds", len(b)-start)}
		}
		if len(b)-list > maxNest {
			b = nestEnd(b[:start], list)
			msgs = append(msgs, s.End(b))
			firsts = append(firsts, first)
			first = i
			b = head()
			b, list = nestStart(b, attrElemListElements)
			nla++
			if b, err = appendElem(b, nla, e); err != nil {
				return nil, nil, err
			}
		}
	}
	b = nestEnd(b, list)
	msgs = append(msgs, s.End(b))
	firsts = append(firsts, first)
	return msgs, firsts, nil
}

// appendElem appends one element as a nested attribute of type typ, with
// the attribute order of libnftnl.
func appendElem(b []byte, typ uint16, e *ruleset.Element) ([]byte, error) {
	var exprs [][]byte
	for _, x := range e.Exprs {
		eb, err := expr.MarshalOne(x)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, eb)
	}
	b, n := nestStart(b, typ)
	if e.Flags != 0 {
		b = putU32(b, attrElemFlags, e.Flags) // NFTA_SET_ELEM_FLAGS
	}
	if e.Timeout != nil {
		b = putU64(b, attrElemTimeout, *e.Timeout) // NFTA_SET_ELEM_TIMEOUT
	}
	if e.Expiration != nil {
		b = putU64(b, attrElemExpiration, *e.Expiration) // NFTA_SET_ELEM_EXPIRATION
	}
	if e.Key != nil {
		b = putValue(b, attrElemKey, e.Key) // NFTA_SET_ELEM_KEY
	}
	if e.KeyEnd != nil {
		b = putValue(b, attrElemKeyEnd, e.KeyEnd) // NFTA_SET_ELEM_KEY_END
	}
	switch {
	case e.Verdict != nil:
		var d, v int
		b, d = nestStart(b, attrElemData)        // NFTA_SET_ELEM_DATA
		b, v = nestStart(b, attrDataVerdict)     // NFTA_DATA_VERDICT
		b = putU32(b, 1, uint32(e.Verdict.Code)) // NFTA_VERDICT_CODE
		if e.Verdict.Chain != "" {
			b = putStrz(b, 2, e.Verdict.Chain) // NFTA_VERDICT_CHAIN
		}
		b = nestEnd(b, v)
		b = nestEnd(b, d)
	case e.Data != nil:
		b = putValue(b, attrElemData, e.Data) // NFTA_SET_ELEM_DATA
	}
	if len(e.Userdata) > 0 {
		b = putAttr(b, attrElemUserdata, e.Userdata) // NFTA_SET_ELEM_USERDATA
	}
	if e.ObjRef != "" {
		b = putStrz(b, attrElemObjref, e.ObjRef) // NFTA_SET_ELEM_OBJREF
	}
	b = putExprs(b, attrElemExpr, attrElemExpressions, exprs)
	return nestEnd(b, n), nil
}

// putValue appends a data attribute holding NFTA_DATA_VALUE v.
func putValue(b []byte, typ uint16, v []byte) []byte {
	b, n := nestStart(b, typ)
	b = putAttr(b, attrDataValue, v) // NFTA_DATA_VALUE
	return nestEnd(b, n)
}

// DecodeSetElems decodes the attributes of a NEWSETELEM message.
func DecodeSetElems(attrs []byte) (ref ElemsRef, elems []*ruleset.Element, err error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return ref, nil, decodeErr("set elements", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case attrElemListTable: // NFTA_SET_ELEM_LIST_TABLE
			ref.Table = ad.String()
		case attrElemListSet: // NFTA_SET_ELEM_LIST_SET
			ref.Set = ad.String()
		case attrElemListSetID: // NFTA_SET_ELEM_LIST_SET_ID
			ref.SetID = ad.Uint32()
		case attrElemListElements: // NFTA_SET_ELEM_LIST_ELEMENTS
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					e := &ruleset.Element{}
					nad.Nested(func(ead *netlink.AttributeDecoder) error {
						return decodeElem(ead, e)
					})
					elems = append(elems, e)
				}
				return nil
			})
		}
	}
	if err := ad.Err(); err != nil {
		return ref, nil, decodeErr("set elements", err)
	}
	return ref, elems, nil
}

// decodeElem decodes the attributes of one element.
func decodeElem(ad *netlink.AttributeDecoder, e *ruleset.Element) error {
	for ad.Next() {
		switch ad.Type() {
		case attrElemKey: // NFTA_SET_ELEM_KEY
			ad.Do(func(b []byte) error {
				v, _, err := decodeData(b)
				e.Key = v
				return err
			})
		case attrElemKeyEnd: // NFTA_SET_ELEM_KEY_END
			ad.Do(func(b []byte) error {
				v, _, err := decodeData(b)
				e.KeyEnd = v
				return err
			})
		case attrElemData: // NFTA_SET_ELEM_DATA
			ad.Do(func(b []byte) error {
				v, vd, err := decodeData(b)
				e.Data, e.Verdict = v, vd
				return err
			})
		case attrElemFlags: // NFTA_SET_ELEM_FLAGS
			e.Flags = ad.Uint32()
		case attrElemTimeout: // NFTA_SET_ELEM_TIMEOUT
			e.Timeout = ptr64(ad.Uint64())
		case attrElemExpiration: // NFTA_SET_ELEM_EXPIRATION
			e.Expiration = ptr64(ad.Uint64())
		case attrElemUserdata: // NFTA_SET_ELEM_USERDATA
			e.Userdata = ad.Bytes()
		case attrElemObjref: // NFTA_SET_ELEM_OBJREF
			e.ObjRef = ad.String()
		case attrElemExpr: // NFTA_SET_ELEM_EXPR
			ad.Do(func(b []byte) error {
				x, err := expr.UnmarshalOne(b)
				if err == nil {
					e.Exprs = append(e.Exprs, x)
				}
				return err
			})
		case attrElemExpressions: // NFTA_SET_ELEM_EXPRESSIONS
			ad.Do(func(b []byte) error {
				xs, err := expr.Unmarshal(b)
				e.Exprs = append(e.Exprs, xs...)
				return err
			})
		}
	}
	return ad.Err()
}

// decodeData decodes the payload of a data attribute. The common case, a
// lone NFTA_DATA_VALUE, is read directly; anything else goes through
// expr.UnmarshalData.
func decodeData(b []byte) ([]byte, *expr.Verdict, error) {
	if len(b) >= 4 {
		l := int(b[0]) | int(b[1])<<8
		t := (uint16(b[2]) | uint16(b[3])<<8) & 0x3fff
		if t == attrDataValue && l >= 4 && l <= len(b) && (l+3)&^3 >= len(b) {
			return append([]byte{}, b[4:l]...), nil, nil
		}
	}
	return expr.UnmarshalData(b)
}
