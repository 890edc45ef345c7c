package wire

import (
	"fmt"

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
//
// Element dumps are the bulk of a pull (one message per ~32 KiB of
// elements), so this decoder walks the attributes by hand instead of
// through netlink.AttributeDecoder: the elements of a message share one
// slab, and their keys, data and userdata one byte arena, which makes a
// message cost a handful of allocations instead of several per element.
func DecodeSetElems(attrs []byte) (ref ElemsRef, elems []*ruleset.Element, err error) {
	var list []byte
	it := attrIter{b: attrs}
	for it.next() {
		switch it.typ {
		case attrElemListTable: // NFTA_SET_ELEM_LIST_TABLE
			ref.Table = attrString(it.val)
		case attrElemListSet: // NFTA_SET_ELEM_LIST_SET
			ref.Set = attrString(it.val)
		case attrElemListSetID: // NFTA_SET_ELEM_LIST_SET_ID
			if ref.SetID, err = attrU32(it.typ, it.val); err != nil {
				return ref, nil, decodeErr("set elements", err)
			}
		case attrElemListElements: // NFTA_SET_ELEM_LIST_ELEMENTS
			list = it.val
		}
	}
	if it.err != nil {
		return ref, nil, decodeErr("set elements", it.err)
	}
	if list == nil {
		return ref, nil, nil
	}
	n := 0
	for li := (attrIter{b: list}); li.next(); {
		n++
	}
	slab := make([]ruleset.Element, n)
	elems = make([]*ruleset.Element, 0, n)
	arena := make([]byte, 0, len(list))
	li := attrIter{b: list}
	for i := 0; li.next(); i++ {
		e := &slab[i]
		if err := decodeElemAttrs(li.val, e, &arena); err != nil {
			return ref, nil, decodeErr("set elements", err)
		}
		elems = append(elems, e)
	}
	if li.err != nil {
		return ref, nil, decodeErr("set elements", li.err)
	}
	return ref, elems, nil
}

// attrIter walks a run of netlink attributes without allocating: after a
// true next, typ (flag bits removed) and val describe the attribute. A
// malformed length stops the walk and sets err.
type attrIter struct {
	b   []byte
	typ uint16
	val []byte
	err error
}

func (it *attrIter) next() bool {
	if it.err != nil || len(it.b) == 0 {
		return false
	}
	if len(it.b) < 4 {
		it.err = fmt.Errorf("netlink: %d trailing bytes, too short for an attribute", len(it.b))
		return false
	}
	l := int(it.b[0]) | int(it.b[1])<<8
	if l < 4 || l > len(it.b) {
		it.err = fmt.Errorf("netlink: attribute length %d out of range (%d bytes left)", l, len(it.b))
		return false
	}
	it.typ = (uint16(it.b[2]) | uint16(it.b[3])<<8) & 0x3fff
	it.val = it.b[4:l:l]
	if a := (l + 3) &^ 3; a < len(it.b) {
		it.b = it.b[a:]
	} else {
		it.b = nil
	}
	return true
}

// attrString returns an attribute's string without its NUL terminators.
func attrString(v []byte) string {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return string(v)
}

// attrU32 and attrU64 read big-endian integer attributes of exact size.
func attrU32(typ uint16, v []byte) (uint32, error) {
	if len(v) != 4 {
		return 0, fmt.Errorf("netlink: attribute %d is not a uint32; length: %d", typ, len(v))
	}
	return be.Uint32(v), nil
}

func attrU64(typ uint16, v []byte) (uint64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("netlink: attribute %d is not a uint64; length: %d", typ, len(v))
	}
	return be.Uint64(v), nil
}

// arenaCopy copies v into the arena and returns the copy, capped so that
// appending to it cannot overwrite its neighbours.
func arenaCopy(arena *[]byte, v []byte) []byte {
	a := *arena
	if len(v) > cap(a)-len(a) {
		return append([]byte{}, v...)
	}
	i := len(a)
	a = append(a, v...)
	*arena = a
	return a[i:len(a):len(a)]
}

// decodeElemAttrs decodes the attributes of one element.
func decodeElemAttrs(b []byte, e *ruleset.Element, arena *[]byte) error {
	it := attrIter{b: b}
	var err error
	for it.next() && err == nil {
		switch it.typ {
		case attrElemKey: // NFTA_SET_ELEM_KEY
			e.Key, err = decodeDataArena(it.val, arena)
		case attrElemKeyEnd: // NFTA_SET_ELEM_KEY_END
			e.KeyEnd, err = decodeDataArena(it.val, arena)
		case attrElemData: // NFTA_SET_ELEM_DATA
			if v, ok := dataValue(it.val); ok {
				e.Data = arenaCopy(arena, v)
			} else {
				e.Data, e.Verdict, err = expr.UnmarshalData(it.val)
			}
		case attrElemFlags: // NFTA_SET_ELEM_FLAGS
			e.Flags, err = attrU32(it.typ, it.val)
		case attrElemTimeout: // NFTA_SET_ELEM_TIMEOUT
			var v uint64
			v, err = attrU64(it.typ, it.val)
			e.Timeout = ptr64(v)
		case attrElemExpiration: // NFTA_SET_ELEM_EXPIRATION
			var v uint64
			v, err = attrU64(it.typ, it.val)
			e.Expiration = ptr64(v)
		case attrElemUserdata: // NFTA_SET_ELEM_USERDATA
			e.Userdata = arenaCopy(arena, it.val)
		case attrElemObjref: // NFTA_SET_ELEM_OBJREF
			e.ObjRef = attrString(it.val)
		case attrElemExpr: // NFTA_SET_ELEM_EXPR
			var x expr.Expr
			if x, err = expr.UnmarshalOne(it.val); err == nil {
				e.Exprs = append(e.Exprs, x)
			}
		case attrElemExpressions: // NFTA_SET_ELEM_EXPRESSIONS
			var xs []expr.Expr
			xs, err = expr.Unmarshal(it.val)
			e.Exprs = append(e.Exprs, xs...)
		}
	}
	if err != nil {
		return err
	}
	return it.err
}

// decodeDataArena decodes a data attribute that must hold a value (keys).
func decodeDataArena(b []byte, arena *[]byte) ([]byte, error) {
	if v, ok := dataValue(b); ok {
		return arenaCopy(arena, v), nil
	}
	v, _, err := expr.UnmarshalData(b)
	return v, err
}

// dataValue returns the value of a data attribute that is a lone
// NFTA_DATA_VALUE.
func dataValue(b []byte) ([]byte, bool) {
	if len(b) >= 4 {
		l := int(b[0]) | int(b[1])<<8
		t := (uint16(b[2]) | uint16(b[3])<<8) & 0x3fff
		if t == attrDataValue && l >= 4 && l <= len(b) && (l+3)&^3 >= len(b) {
			return b[4:l], true
		}
	}
	return nil, false
}
