package delinearize

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

func udataU32(b []byte, t uint8) (uint32, bool) {
	v, ok := ruleset.UdataGet(b, t)
	if !ok || len(v) != 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(v), true
}

func orderFromUdata(v uint32, ok bool, t *types.Datatype) types.ByteOrder {
	if ok {
		switch v {
		case 1:
			return types.OrderHost
		case 2:
			return types.OrderBig
		}
	}
	return t.Order
}

// SetInfo builds the printer's view of set s (key and data types and its
// elements as nft would list them).
func SetInfo(t *ruleset.Table, s *ruleset.Set, o *Options) *setInfo {
	si := &setInfo{name: s.Name, flags: s.Flags, anonymous: s.Flags&ruleset.SetAnonymous != 0, objType: s.ObjType}
	kt := types.Lookup(s.KeyType)
	kv, kok := udataU32(s.Userdata, ruleset.UdataSetKeyByteorder)
	si.key = &node{k: kValue, t: kt, order: orderFromUdata(kv, kok, kt), len: int(s.KeyLen) * 8}
	if s.Flags&ruleset.SetMap != 0 {
		if s.DataType == 0xffffff00 {
			si.dataIsVerdict = true
			si.data = &node{k: kValue, t: types.Verdict, len: int(s.DataLen) * 8}
		} else {
			dt := types.Lookup(s.DataType)
			dv, dok := udataU32(s.Userdata, ruleset.UdataSetDataByteorder)
			si.data = &node{k: kValue, t: dt, order: orderFromUdata(dv, dok, dt), len: int(s.DataLen) * 8}
			if v, ok := udataU32(s.Userdata, ruleset.UdataSetDataInterval); ok && v != 0 {
				si.data.extra = map[string]uint64{"interval": 1}
			}
		}
	}
	si.applyTypeof(s)
	if s.Size != nil {
		si.size = *s.Size
	}
	if s.KeyType == 0 || (si.data != nil && s.DataType == 0) {
		// untyped (e.g. built from debug output): type from the users
		si.lazy, si.opts = s, o
		if s.KeyType != 0 {
			si.init = setElements(s, si, o)
		}
		if si.init == nil {
			si.init = &node{k: kSet, set: si}
		}
		return si
	}
	if si.anonymous {
		si.init = setElements(s, si, o)
		return si
	}
	// a named set's elements are only needed by its declaration and by
	// a few rule matches: they are built on first use (elements)
	si.src, si.opts = s, o
	return si
}

// elements returns the kSet of the set's elements, building those of a
// named set on first use.
func (si *setInfo) elements() *node {
	if si.init == nil && si.src != nil {
		si.init = setElements(si.src, si, si.opts)
		si.src = nil
	}
	return si.init
}

func (si *setInfo) materializeKey(t *types.Datatype, o types.ByteOrder) {
	si.key.t, si.key.order = t, o
	si.rebuild()
}

// rebuild re-creates the elements of a lazily typed set.
func (si *setInfo) rebuild() {
	if si.key.t == types.Invalid || (si.data != nil && si.data.t == types.Invalid) {
		return
	}
	si.init = setElements(si.lazy, si, si.opts)
	if si.shift > 0 {
		lazy := si.lazy
		si.lazy = nil
		binopAdjust(&node{len: si.shiftLen}, &node{k: kSetRef, set: si}, si.shift)
		si.lazy = lazy
	}
}

func (si *setInfo) materializeData(t *types.Datatype, o types.ByteOrder) {
	si.data.t, si.data.order = t, o
	si.rebuild()
}

func (si *setInfo) keyValue(mem []byte, typ *node) *node {
	v := newValue(mem, typ.len)
	if len(mem)*8 < typ.len || typ.len == 0 {
		v.len = len(mem) * 8
	}
	v.t, v.order = typ.t, typ.order
	return v
}

// finishValue applies byte order and bitmask splitting to an element key.
func finishValue(v *node, interval bool) *node {
	if len(v.t.Subtypes) > 0 {
		return splitConcatElem(v, interval)
	}
	if !interval && v.order == types.OrderHost {
		v.v = switchOrder(v.v, v.len/8)
	}
	if v.t.IsBitmask() && v.t != types.Bitmask {
		return bitmaskToBinops(v)
	}
	if v.t.Basetype() == types.String {
		return stringPost(v)
	}
	return v
}

// splitConcatElem splits a concatenated key into its members
// (concat_elem_expr). In interval sets host-order members are stored big
// endian, strings never are.
func splitConcatElem(v *node, interval bool) *node {
	cat, _ := concatMembers(v.bytesOrder(types.OrderBig), v.t, interval)
	return cat
}

// concatMembers reads one value per member type of t from mem (each
// padded to 32 bits) and returns them with the bytes consumed.
func concatMembers(mem []byte, t *types.Datatype, interval bool) (*node, int) {
	cat := &node{k: kConcat, t: t}
	off := 0
	for _, st := range t.Subtypes {
		n := (st.Size + 7) / 8
		if st.Size == 0 {
			n = 16
		}
		end := off + n
		if end > len(mem) {
			end = len(mem)
		}
		if off > end {
			off = end
		}
		m := newValue(mem[off:end], (end-off)*8)
		m.t, m.order = st, st.Order
		cat.args = append(cat.args, finishValue(m, interval && st.Basetype() != types.String))
		off += (n + 3) / 4 * 4
	}
	return cat, off
}

// concatIntervalData is netlink_parse_concat_elem for interval map data:
// all low member values, then all high ones, paired into ranges.
func concatIntervalData(mem []byte, t *types.Datatype, interval bool) *node {
	lo, n := concatMembers(mem, t, interval)
	if n > len(mem) {
		n = len(mem)
	}
	hi, _ := concatMembers(mem[n:], t, interval)
	out := &node{k: kConcat, t: t}
	for i, l := range lo.args {
		if i >= len(hi.args) {
			out.args = append(out.args, l)
			continue
		}
		h := hi.args[i]
		switch {
		case l.k == kValue && h.k == kValue && l.v.Cmp(h.v) == 0:
			out.args = append(out.args, l)
		case l.t == types.IPAddr || l.t == types.IP6Addr:
			out.args = append(out.args, rangeToPrefix(&node{k: kRange, left: l, right: h, t: l.t}))
		default:
			out.args = append(out.args, &node{k: kRange, left: l, right: h, t: l.t})
		}
	}
	return out
}

func sortKey(e *ruleset.Element, si *setInfo) *bigInt {
	if e.Flags&ruleset.ElemCatchall != 0 {
		return new(bigInt).Lsh(newBig(1), 1024)
	}
	k := e.Key
	if len(si.key.t.Subtypes) > 0 {
		// nft sorts concatenations by the host-endian value of the
		// concatenated member bytes
		var data []byte
		off := 0
		for _, st := range si.key.t.Subtypes {
			n := (st.Size + 7) / 8
			if off+n <= len(k) {
				data = append(data, k[off:off+n]...)
			}
			off += (n + 3) / 4 * 4
		}
		return newBigBytes(reverse(data))
	}
	v := newBigBytes(k)
	if si.key.order == types.OrderHost {
		v = newBigBytes(reverse(k))
	}
	if t := si.key.t; t.IsBitmask() && t != types.Bitmask && v.Sign() != 0 {
		// the element becomes a chain of `|` binops and nft's mergesort
		// looks at its leftmost operand: the lowest flag
		low := new(bigInt).And(v, new(bigInt).Neg(v))
		return low
	}
	return v
}

// elemKey is an element with its precomputed sort key.
type elemKey struct {
	e *ruleset.Element
	k *bigInt
}

func setElements(s *ruleset.Set, si *setInfo, o *Options) *node {
	set := &node{k: kSet, t: si.key.t, set: si}
	eachElement(s, si, o, func(n *node) { set.args = append(set.args, n) })
	return set
}

// eachElement calls emit with each element of s as nft would list it, in
// nft's order. Each node is built when it is emitted, so a caller that
// prints and drops them never holds the whole list.
func eachElement(s *ruleset.Set, si *setInfo, o *Options, emit func(*node)) {
	interval := s.Flags&ruleset.SetInterval != 0
	if interval && len(si.key.t.Subtypes) == 0 {
		// intervalDecompose sorts by the key bytes itself; elements with
		// equal key bytes have equal sort keys, so sorting here first
		// would not change its result
		intervalDecompose(s.Elements, si, o, emit)
		return
	}
	elems := append([]*ruleset.Element(nil), s.Elements...)
	if !interval {
		// nft collects the dumped elements in reverse before its stable
		// sort: elements with equal sort keys list last-dumped first
		for i, j := 0, len(elems)-1; i < j; i, j = i+1, j-1 {
			elems[i], elems[j] = elems[j], elems[i]
		}
		// concatenated interval sets (concat_range_aggregate) keep the
		// kernel's order; the others are sorted by value (list_expr_sort).
		// Each sort key is computed once, not twice per comparison.
		keyed := make([]elemKey, len(elems))
		for i, e := range elems {
			keyed[i] = elemKey{e, sortKey(e, si)}
		}
		slices.SortStableFunc(keyed, func(a, b elemKey) int { return a.k.Cmp(b.k) })
		for i := range keyed {
			elems[i] = keyed[i].e
		}
	}
	for _, e := range elems {
		if interval && e.Flags&ruleset.ElemIntervalEnd != 0 {
			continue
		}
		emit(elemNode(e, si, o, interval))
	}
}

func elemNode(e *ruleset.Element, si *setInfo, o *Options, interval bool) *node {
	var key *node
	if e.Flags&ruleset.ElemCatchall != 0 {
		key = &node{k: kCatchall}
	} else {
		key = finishValue(si.keyValue(e.Key, si.key), interval)
		if len(e.KeyEnd) > 0 {
			hi := finishValue(si.keyValue(e.KeyEnd, si.key), interval)
			key = concatRange(key, hi)
			if len(si.key.t.Subtypes) > 0 {
				key = concatStringWildcards(key, e.Key, e.KeyEnd, si.key.t)
			}
		}
	}
	return wrapElem(key, e, si, o)
}

// concatRange merges the low and high keys of a concatenated range element.
func concatRange(lo, hi *node) *node {
	if lo.k != kConcat || hi.k != kConcat || len(lo.args) != len(hi.args) {
		return &node{k: kRange, left: lo, right: hi}
	}
	out := &node{k: kConcat, t: lo.t}
	for i := range lo.args {
		a, b := lo.args[i], hi.args[i]
		if a.k == kValue && b.k == kValue && a.v.Cmp(b.v) == 0 {
			out.args = append(out.args, a)
			continue
		}
		out.args = append(out.args, rangeOrPrefix(a, b))
	}
	return out
}

func rangeOrPrefix(lo, hi *node) *node {
	if lo.k != kValue || hi.k != kValue {
		return &node{k: kRange, left: lo, right: hi, t: lo.t}
	}
	if lo.t.Prefix || lo.t.Basetype() == types.Integer && lo.order == types.OrderBig {
		x := new(bigInt).Xor(lo.v, hi.v)
		b := x.BitLen()
		if x.Sign() != 0 && new(bigInt).Add(x, newBig(1)).BitLen() == b+1 && new(bigInt).And(lo.v, x).Sign() == 0 && lo.t.Prefix {
			return &node{k: kPrefix, left: lo, plen: lo.len - b, len: lo.len, t: lo.t}
		}
	}
	return &node{k: kRange, left: lo, right: hi, t: lo.t}
}

func wrapElem(key *node, e *ruleset.Element, si *setInfo, o *Options) *node {
	el := si.newNode()
	el.k, el.left, el.t = kSetElem, key, si.key.t
	if e.Timeout != nil || e.Expiration != nil || len(e.Userdata) > 0 || len(e.Exprs) > 0 {
		ei := &elemInfo{}
		if e.Timeout != nil {
			ei.timeout = *e.Timeout
		}
		if e.Expiration != nil {
			ei.expiration = *e.Expiration
		}
		ei.comment = ruleset.UdataString(e.Userdata, ruleset.UdataSetElemComment)
		for _, x := range e.Exprs {
			ei.stmts = append(ei.stmts, Stmts(0, []expr.Expr{x}, nil)...)
		}
		el.elem = ei
	}
	if si.data != nil {
		var data *node
		switch {
		case e.Verdict != nil:
			data = verdictNode(e.Verdict)
		case si.dataIsVerdict:
			data = &node{k: kText, text: "unknown"}
		default:
			d := si.keyValue(e.Data, si.data)
			if si.data.extra != nil && si.data.extra["interval"] != 0 && len(si.data.t.Subtypes) > 0 {
				data = concatIntervalData(e.Data, si.data.t, si.flags&ruleset.SetInterval != 0)
			} else if si.data.extra != nil && si.data.extra["interval"] != 0 && len(si.data.t.Subtypes) == 0 && len(e.Data) >= 2*(si.data.len/16) {
				half := len(e.Data) / 2
				lo := finishValue(si.keyValue(e.Data[:half], &node{t: si.data.t, order: si.data.order, len: half * 8}), false)
				hi := finishValue(si.keyValue(e.Data[half:], &node{t: si.data.t, order: si.data.order, len: half * 8}), false)
				data = rangeOrPrefix(lo, hi)
			} else {
				data = finishValue(d, false)
			}
		}
		return &node{k: kMapping, left: el, right: data, t: si.key.t}
	}
	if si.flags&ruleset.SetObject != 0 {
		name := string(e.ObjRef)
		return &node{k: kMapping, left: el, right: &node{k: kText, text: `"` + name + `"`}, t: si.key.t}
	}
	return el
}

// intervalDecompose turns interval start/end elements into values,
// prefixes and ranges (nft's interval_map_decompose): sort by value with
// ends before starts of the same value, close a start directly followed by
// another start at that start, pair each start with the next end and let a
// last open start run to the end of the key space. Each element goes to
// emit as soon as it is known.
func intervalDecompose(elems []*ruleset.Element, si *setInfo, o *Options, emit func(*node)) {
	// 16 bytes per element: the key is read from the element
	type ivEl struct {
		e   *ruleset.Element
		idx int32 // dump position: equal elements keep their order
		end bool
	}
	var catchall *ruleset.Element
	sorted := make([]ivEl, 0, len(elems))
	for _, e := range elems {
		if e.Flags&ruleset.ElemCatchall != 0 {
			catchall = e
			continue
		}
		sorted = append(sorted, ivEl{e: e, end: e.Flags&ruleset.ElemIntervalEnd != 0, idx: int32(len(sorted))})
	}
	// a stable sort, done as pdqsort with the dump position as the last
	// key: the kernel dumps its tree in (reverse) order, which pdqsort
	// handles in linear time and the merge-based stable sort does not.
	// Interval keys are stored big endian whatever the type's order.
	slices.SortFunc(sorted, func(a, b ivEl) int {
		if c := cmpBigEndian(a.e.Key, b.e.Key); c != 0 {
			return c
		}
		switch {
		case a.end && !b.end:
			return -1
		case b.end && !a.end:
			return 1
		}
		return int(a.idx - b.idx)
	})
	nb := int(si.key.len / 8)
	// pair each start with the element after it: an end, or a start that
	// closes the open interval just before itself
	var low *ivEl
	pair := func(x *ivEl) {
		if low == nil {
			if !x.end {
				low = x
			}
			return
		}
		var lov, hiv *bigInt
		if r := si.reuse; r != nil {
			lov, hiv = r.lov.SetBytes(low.e.Key), r.hiv.SetBytes(x.e.Key)
		} else {
			lov, hiv = newBigBytes(low.e.Key), newBigBytes(x.e.Key)
		}
		emit(si.addInterval(low.e, lov, hiv.Sub(hiv, bigOne), o))
		low = nil
	}
	open := false
	for i := range sorted {
		x := &sorted[i]
		switch {
		case x.end:
			open = false
		case open:
			pair(&ivEl{e: x.e, end: true})
		default:
			open = true
		}
		pair(x)
	}
	if low != nil {
		emit(si.addInterval(low.e, newBigBytes(low.e.Key), bitmask(nb*8), o))
	}
	if catchall != nil {
		emit(wrapElem(&node{k: kCatchall}, catchall, si, o))
	}
}

var bigOne = newBig(1)

// cmpBigEndian compares two unsigned big-endian numbers.
func cmpBigEndian(a, b []byte) int {
	for len(a) > 0 && a[0] == 0 {
		a = a[1:]
	}
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return bytes.Compare(a, b)
}

// addInterval is nft's add_interval: the element from lov to hiv as a
// value, a prefix or a range.
func (si *setInfo) addInterval(e *ruleset.Element, lov, hiv *bigInt, o *Options) *node {
	nb := int(si.key.len / 8)
	lo := si.newNode()
	lo.k, lo.t, lo.order, lo.len, lo.v = kValue, si.key.t, types.OrderBig, si.key.len, lov
	if len(e.Key)*8 < si.key.len || si.key.len == 0 {
		lo.len = len(e.Key) * 8
	}
	if lo.t.Basetype() == types.String {
		lo.order = types.OrderHost
		lo.v = switchOrder(lov, nb)
	}
	var key *node
	if hiv.Cmp(lov) == 0 {
		key = finishValue(lo, true)
	} else {
		var b int
		var isPfx bool
		if lov.IsUint64() && hiv.IsUint64() {
			l, x := lov.Uint64(), lov.Uint64()^hiv.Uint64()
			b = bits.Len64(x)
			isPfx = x&(x+1) == 0 && l&x == 0
		} else {
			x := new(bigInt).Xor(lov, hiv)
			b = x.BitLen()
			isPfx = new(bigInt).Add(x, newBig(1)).BitLen() == b+1 && new(bigInt).And(lov, x).Sign() == 0
		}
		if isPfx && lo.t.Prefix {
			key = si.newNode()
			key.k, key.left, key.plen, key.len, key.t = kPrefix, finishValue(lo, true), lo.len-b, lo.len, lo.t
		} else if isPfx && lo.t.Basetype() == types.String {
			key = intervalToString(lo, b)
		} else {
			hi := &node{k: kValue, t: lo.t, order: lo.order, len: lo.len, v: hiv}
			key = &node{k: kRange, left: finishValue(lo, true), right: finishValue(hi, true), t: lo.t}
		}
	}
	return wrapElem(key, e, si, o)
}

// intervalToString is nft's interval_to_string: a string prefix interval
// becomes a `name*` wildcard value when the prefix is whole bytes and the
// low value is a non-empty NUL-terminated string; otherwise a prefix.
func intervalToString(lo *node, hostBits int) *node {
	nb := (lo.len + 7) / 8
	plen := lo.len - hostBits
	pfx := &node{k: kPrefix, left: lo, plen: plen, len: lo.len, t: lo.t}
	if plen > lo.len || plen%8 != 0 {
		return pfx
	}
	data := lo.bytesOrder(types.OrderHost)
	if len(data) > nb {
		data = data[:nb]
	}
	n := indexByte(data, 0)
	if n < 0 {
		n = len(data)
	}
	if n >= nb || n == 0 {
		return pfx
	}
	s := append(append([]byte{}, data[:n]...), '*')
	return &node{k: kValue, t: lo.t, order: types.OrderHost, len: len(s) * 8, v: newBigBytes(reverse(s))}
}

// applyTypeof uses the typeof expressions nft stored in the set's userdata
// (NFTNL_UDATA_SET_KEY_TYPEOF / _DATA_TYPEOF) like netlink_delinearize_set:
// when they fit the kernel lengths they give the element types and the
// declaration prints `typeof EXPR`. A map whose data typeof does not fit
// drops the key typeof too.
func (si *setInfo) applyTypeof(s *ruleset.Set) {
	var kx, dx *node
	if b, ok := ruleset.UdataGet(s.Userdata, ruleset.UdataSetKeyTypeof); ok {
		kx = typeofExpr(b)
	}
	if si.data != nil {
		if b, ok := ruleset.UdataGet(s.Userdata, ruleset.UdataSetDataTypeof); ok && !si.dataIsVerdict {
			dx = typeofExpr(b)
		}
		if si.dataIsVerdict {
			if _, ok := ruleset.UdataGet(s.Userdata, ruleset.UdataSetDataTypeof); !ok {
				kx = nil
			}
		} else if typeofValid(dx, s.DataLen) {
			si.data.t, si.data.order = memberTypeOrConcat(dx), dx.order
			si.typeofData = dx
		} else {
			kx = nil
		}
	}
	if !typeofValid(kx, s.KeyLen) {
		si.typeofData = nil
		return
	}
	si.typeofKey = kx
	si.key.t = memberTypeOrConcat(kx)
	if kx.k != kConcat {
		si.key.order = kx.order
	}
}

func memberTypeOrConcat(x *node) *types.Datatype {
	if x.t == nil {
		return types.Invalid
	}
	return x.t
}

// concatStringWildcards redoes the string members of a concatenated range
// like concat_range_aggregate: a range from "abc" to "abc\xff..." is the
// wildcard "abc*"; other string ranges stay ranges of the raw strings.
func concatStringWildcards(key *node, lo, hi []byte, t *types.Datatype) *node {
	if key.k != kConcat || len(key.args) != len(t.Subtypes) {
		return key
	}
	off := 0
	for i, st := range t.Subtypes {
		n := (st.Size + 7) / 8
		if st.Size == 0 {
			n = 16
		}
		end := off + n
		if end > len(lo) || end > len(hi) {
			break
		}
		if st.Basetype() == types.String && !bytesEqual(lo[off:end], hi[off:end]) {
			l, h := lo[off:end], hi[off:end]
			p := 0
			for p < n && l[p] == h[p] {
				p++
			}
			wild := true
			for j := p; j < n; j++ {
				if l[j] != 0 || h[j] != 0xff {
					wild = false
				}
			}
			if wild {
				s := append(append([]byte{}, l[:p]...), '*', 0)
				key.args[i] = strNode(&node{t: st}, s)
			} else {
				a := &node{k: kValue, t: st, order: types.OrderHost, len: n * 8, v: newBigBytes(reverse(append([]byte{}, l...)))}
				b := &node{k: kValue, t: st, order: types.OrderHost, len: n * 8, v: newBigBytes(reverse(append([]byte{}, h...)))}
				key.args[i] = &node{k: kRange, left: a, right: b, t: st}
			}
		}
		off += (n + 3) / 4 * 4
	}
	return key
}

func bytesEqual(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
