package linearize

import (
	"bytes"
	"math/big"
	"sort"

	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// KeyType returns the NFTA_SET_KEY_TYPE and key length in bytes of l.
func KeyType(l *eval.Load) (uint32, uint32) {
	if l.Concat == nil {
		return l.Type.ID, uint32(l.Bytes())
	}
	var t, n uint32
	for _, s := range l.Concat {
		t = t<<types.TypeBits | s.Type.ID
		n += uint32(((s.RegBits + 31) / 32) * 4)
	}
	return t, n
}

// isInterval reports whether a set literal needs an interval set.
func isInterval(v *eval.Value) bool {
	for _, e := range v.Elems {
		if e.Key == nil {
			continue
		}
		switch e.Key.Kind {
		case eval.VRange, eval.VPrefix:
			return true
		case eval.VConcat:
			for _, p := range e.Key.Parts {
				if p.Kind == eval.VRange || p.Kind == eval.VPrefix {
					return true
				}
			}
		}
	}
	return false
}

// AnonSet builds the anonymous set (or map, with data) for a literal.
func (c *Ctx) AnonSet(v *eval.Value, key *eval.Load, data *eval.Load, name string) (*ruleset.Set, error) {
	s := &ruleset.Set{Name: name, Flags: ruleset.SetAnonymous | ruleset.SetConstant}
	s.KeyType, s.KeyLen = KeyType(key)
	interval := isInterval(v)
	dataInterval := data != nil && isDataInterval(v)
	if len(name) > 2 && name[:2] == "__" {
		defer setUdata(s, key, data, dataInterval)
	}
	if interval {
		s.Flags |= ruleset.SetInterval
		if key.Concat != nil {
			s.Flags |= ruleset.SetConcat
		}
	}
	if key.Concat != nil && interval {
		// nft describes the fields (NFTA_SET_DESC_CONCAT) only for
		// concatenated ranges; the kernel refuses the description on a
		// set without NFT_SET_CONCAT.
		for _, sub := range key.Concat {
			s.Concat = append(s.Concat, uint32(sub.Bytes()))
		}
	}
	if data != nil {
		s.Flags |= ruleset.SetMap
		if data.Type == types.Verdict {
			s.DataType = types.VerdictDataType
		} else {
			s.DataType, s.DataLen = KeyType(data)
			if dataInterval {
				s.DataLen *= 2
			}
		}
	}
	for _, e := range v.Elems {
		if e.Key != nil && (e.Key.Kind == eval.VConst || e.Key.Kind == eval.VMask) && e.Key.C.Wildcard {
			interval = true
			s.Flags |= ruleset.SetInterval
		}
	}
	hton := interval && NeedsHtonKey(key)
	if !interval || key.Concat != nil {
		for _, e := range v.Elems {
			el := &ruleset.Element{}
			if e.Catch {
				el.Flags = ruleset.ElemCatchall
			} else if key.Concat != nil {
				el.Key = concatBytes(e.Key, key, interval)
				if interval {
					el.KeyEnd = concatEndBytes(e.Key, key, interval)
				}
			} else {
				el.Key = constBytes(e.Key.C, key, false)
			}
			if err := setData(el, e, data, dataInterval); err != nil {
				return nil, err
			}
			el.Timeout = e.Timeout
			if e.Comment != "" {
				el.Userdata = ruleset.UdataSet(nil, ruleset.UdataSetElemComment, append([]byte(e.Comment), 0))
			}
			s.Elements = append(s.Elements, el)
		}
		setSize(s)
		return s, nil
	}
	// Single-field interval set: start elements and exclusive end elements.
	type iv struct {
		lo, hi *big.Int
		e      *eval.Elem
	}
	var ivs []iv
	for _, e := range v.Elems {
		if e.Catch {
			continue
		}
		lo, hi := ElemBounds(e, key)
		ivs = append(ivs, iv{lo, hi, e})
	}
	sort.SliceStable(ivs, func(i, j int) bool { return ivs[i].lo.Cmp(ivs[j].lo) < 0 })
	if data == nil {
		var merged []iv
		for _, x := range ivs {
			if n := len(merged); n > 0 {
				last := &merged[n-1]
				if x.lo.Cmp(new(big.Int).Add(last.hi, big.NewInt(1))) <= 0 {
					if x.hi.Cmp(last.hi) > 0 {
						last.hi = x.hi
					}
					continue
				}
			}
			merged = append(merged, x)
		}
		ivs = merged
	} else {
		for i := 1; i < len(ivs); i++ {
			if ivs[i].lo.Cmp(ivs[i-1].hi) <= 0 {
				return nil, eval.Errorf(ivs[i].e.Key.Node, "conflicting intervals specified")
			}
		}
	}
	n := key.Bytes()
	order := key.Order
	if hton || key.Type.IsString() {
		order = types.OrderBig
	}
	enc := func(x *big.Int) []byte {
		if key.Type.IsString() {
			return types.ToBytes(x, n, types.OrderBig)
		}
		if key.Mask != nil {
			x = new(big.Int).Lsh(x, uint(key.Shift))
		}
		return types.ToBytes(x, n, order)
	}
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(key.Bits)), big.NewInt(1))
	skipped := 0
	if len(ivs) > 0 && ivs[0].lo.Sign() != 0 {
		s.Elements = append(s.Elements, &ruleset.Element{Key: enc(big.NewInt(0)), Flags: ruleset.ElemIntervalEnd})
	}
	for i, x := range ivs {
		el := &ruleset.Element{Key: enc(x.lo)}
		if err := setData(el, x.e, data, dataInterval); err != nil {
			return nil, err
		}
		el.Timeout = x.e.Timeout
		s.Elements = append(s.Elements, el)
		end := new(big.Int).Add(x.hi, big.NewInt(1))
		if x.hi.Cmp(max) >= 0 {
			el.Userdata = ruleset.UdataSet(el.Userdata, ruleset.UdataSetElemFlags, le32(1)) // NFTNL_SET_ELEM_F_INTERVAL_OPEN
			// nft 1.0.6 (this build) counts the end element it leaves out
			// of an open interval in the size too
			skipped++
			continue
		}
		if i+1 < len(ivs) && ivs[i+1].lo.Cmp(end) == 0 {
			// nft still counts the dropped end element in the size
			skipped++
			continue
		}
		s.Elements = append(s.Elements, &ruleset.Element{Key: enc(end), Flags: ruleset.ElemIntervalEnd})
	}
	_ = bytes.Equal
	setSize(s)
	if s.Size != nil {
		*s.Size += uint32(skipped)
	}
	return s, nil
}

// ElemBounds returns the first and last key value an element of a
// single-field interval set covers: a range or prefix's bounds, an
// interface name prefix (`eth*`) over the remaining bytes of key, or the
// value itself.
func ElemBounds(e *eval.Elem, key *eval.Load) (lo, hi *big.Int) {
	switch e.Key.Kind {
	case eval.VRange, eval.VPrefix:
		return e.Key.Lo.V, e.Key.Hi.V
	}
	k := e.Key.C
	if !k.Wildcard {
		return k.V, k.V
	}
	shift := uint(key.Bits - k.Bits)
	lo = new(big.Int).Lsh(k.V, shift)
	hi = new(big.Int).Or(lo, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), shift), big.NewInt(1)))
	return lo, hi
}

// NeedsHtonKey reports whether an interval set key needs conversion.
func NeedsHtonKey(l *eval.Load) bool {
	if l.Concat != nil {
		for _, s := range l.Concat {
			if NeedsHton(s) {
				return true
			}
		}
		return false
	}
	return NeedsHton(l)
}

func setData(el *ruleset.Element, e *eval.Elem, data *eval.Load, dataInterval bool) error {
	if data == nil || e.Data == nil {
		return nil
	}
	if e.Data.C != nil && e.Data.C.Verdict != nil {
		el.Verdict = e.Data.C.Verdict
		return nil
	}
	switch e.Data.Kind {
	case eval.VConst, eval.VMask:
		el.Data = constBytes(e.Data.C, data, false)
		if dataInterval {
			el.Data = append(pad4(el.Data), pad4(el.Data)...)
		}
	case eval.VConcat:
		el.Data = concatBytes(e.Data, data, false)
		if dataInterval {
			el.Data = append(el.Data, concatEndBytes(e.Data, data, false)...)
		}
	case eval.VRange, eval.VPrefix:
		el.Data = constBytes(e.Data.Lo, data, false)
		if dataInterval {
			el.Data = append(pad4(el.Data), pad4(constBytes(e.Data.Hi, data, false))...)
		}
	}
	return nil
}

func pad4(b []byte) []byte {
	n := (len(b) + 3) / 4 * 4
	out := make([]byte, n)
	copy(out, b)
	return out
}

// isDataInterval reports whether map data holds ranges or prefixes (the
// data is then stored as low and high values, EXPR_F_INTERVAL).
func isDataInterval(v *eval.Value) bool {
	for _, e := range v.Elems {
		if e.Data == nil {
			continue
		}
		switch e.Data.Kind {
		case eval.VRange, eval.VPrefix:
			return true
		case eval.VConcat:
			for _, p := range e.Data.Parts {
				if p.Kind == eval.VRange || p.Kind == eval.VPrefix {
					return true
				}
			}
		}
	}
	return false
}

func (c *Ctx) lookup(m *eval.Match) error {
	l := m.Left
	concat := l.Concat != nil
	unit := c.Alloc(l.RegBits, concat)
	defer c.Release(l.RegBits, concat)
	var name string
	var id uint32
	hton := false
	if m.Right.Kind == eval.VSetRef {
		name = m.Right.SetRef.Name
		hton = m.Right.SetRef.Flags&ruleset.SetInterval != 0
	} else {
		s, err := c.AnonSet(m.Right, l, nil, "__set%d")
		if err != nil {
			return err
		}
		c.Sets = append(c.Sets, s)
		name = s.Name
		hton = s.Flags&ruleset.SetInterval != 0
	}
	c.Load(l, unit, hton)
	lk := &expr.Lookup{SReg: Reg(unit), SetName: name, SetID: id}
	if m.Op == "!=" {
		lk.Flags = expr.LookupInvert
	}
	c.Add(lk)
	return nil
}

// setSize records the element count of a constant anonymous set as its
// size, as nft sends it (NFTA_SET_DESC_SIZE = number of elements sent).
func setSize(s *ruleset.Set) {
	if s.Flags&ruleset.SetAnonymous == 0 {
		return
	}

	n := uint32(len(s.Elements))
	s.Size = &n
}

// setUdata records the userdata nft sends for an anonymous set
// (mnl_nft_set_add): key byte order; for sets the merge flag (interval
// sets) and the key's typeof; for maps the data byte order, the data
// typeof of verdict maps and the data interval flag.
func setUdata(s *ruleset.Set, key, data *eval.Load, dataInterval bool) {
	u := Udata(nil).U32(ruleset.UdataSetKeyByteorder, uint32(keyByteorder(key)))
	if s.Flags&ruleset.SetMap == 0 || data == nil {
		if s.Flags&ruleset.SetInterval != 0 {
			u = u.U32(ruleset.UdataSetMergeElements, 1)
		}
		s.Userdata = KeyTypeof(u, ruleset.UdataSetKeyTypeof, key)
		return
	}
	var o uint32
	if data.Type != types.Verdict {
		o = uint32(keyByteorder(data))
	}
	u = u.U32(ruleset.UdataSetDataByteorder, o)
	if key.Concat != nil {
		u = KeyTypeof(u, ruleset.UdataSetKeyTypeof, key)
	}
	if data.Type == types.Verdict {
		u = u.Nest(ruleset.UdataSetDataTypeof, func(u Udata) Udata {
			u = u.U32(UdTypeofExpr, EtypeVerdict)
			return u.Nest(UdTypeofData, func(u Udata) Udata { return u })
		})
	}
	di := uint32(0)
	if dataInterval {
		di = 1
	}
	s.Userdata = u.U32(ruleset.UdataSetDataInterval, di)
}

// objmapUdata is the userdata of an anonymous object map: key byte order
// and the data interval flag.
func objmapUdata(key *eval.Load) []byte {
	u := Udata(nil).U32(ruleset.UdataSetKeyByteorder, uint32(keyByteorder(key)))
	return u.U32(ruleset.UdataSetDataInterval, 0)
}
