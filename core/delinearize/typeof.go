package delinearize

import (
	"encoding/binary"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// nft's expression kinds as stored in typeof userdata (enum expr_types).
const (
	etypePayload = 7  // EXPR_PAYLOAD
	etypeExthdr  = 8  // EXPR_EXTHDR
	etypeMeta    = 9  // EXPR_META
	etypeCt      = 12 // EXPR_CT
	etypeOsf     = 11 // EXPR_OSF
	etypeConcat  = 13 // EXPR_CONCAT
	etypeNumgen  = 23 // EXPR_NUMGEN
	etypeXfrm    = 27 // EXPR_XFRM
)

// Typeof TLVs inside NFTNL_UDATA_SET_{KEY,DATA}_TYPEOF.
const (
	udTypeofExpr = 0 // NFTNL_UDATA_SET_TYPEOF_EXPR
	udTypeofData = 1 // NFTNL_UDATA_SET_TYPEOF_DATA

	udPayloadDesc   = 0 // NFTNL_UDATA_SET_KEY_PAYLOAD_DESC
	udPayloadType   = 1 // NFTNL_UDATA_SET_KEY_PAYLOAD_TYPE
	udPayloadBase   = 2 // NFTNL_UDATA_SET_KEY_PAYLOAD_BASE
	udPayloadOffset = 3 // NFTNL_UDATA_SET_KEY_PAYLOAD_OFFSET
	udPayloadLen    = 4 // NFTNL_UDATA_SET_KEY_PAYLOAD_LEN

	udConcatSubType = 0 // NFTNL_UDATA_SET_KEY_CONCAT_SUB_TYPE
	udConcatSubData = 1 // NFTNL_UDATA_SET_KEY_CONCAT_SUB_DATA

	udMetaKey = 0 // NFTNL_UDATA_META_KEY
	udCtKey   = 0 // NFTNL_UDATA_CT_KEY
	udCtDir   = 1 // NFTNL_UDATA_CT_DIR
)

// protoByID maps nft's enum proto_desc_id to the printer's descriptions.
var protoByID = map[uint32]*protoDesc{
	1: protoAH, 2: protoESP, 3: protoComp, 4: protoICMP, 5: protoIGMP, 6: protoUDP, 7: protoUDPLite,
	8: protoTCP, 9: protoDCCP, 10: protoSCTP, 11: protoTH, 12: protoIP, 13: protoIP6, 14: protoICMP6,
	15: protoARP, 16: protoVLAN, 17: protoEth,
}

// udataTLVs parses b into a type-indexed table; it reports false when b is
// malformed (nftnl_udata_parse failing).
func udataTLVs(b []byte) (map[uint8][]byte, bool) {
	tlvs, ok := ruleset.ParseUdata(b)
	if !ok {
		return nil, false
	}
	m := make(map[uint8][]byte, len(tlvs))
	for _, t := range tlvs {
		m[t.Type] = t.Value
	}
	return m, true
}

func udU32(m map[uint8][]byte, t uint8) (uint32, bool) {
	v, ok := m[t]
	if !ok || len(v) != 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(v), true
}

// typeofExpr decodes a NFTNL_UDATA_SET_*_TYPEOF value into the expression
// it describes (nft's set_make_key), or nil.
func typeofExpr(b []byte) *node {
	m, ok := udataTLVs(b)
	if !ok {
		return nil
	}
	et, ok := udU32(m, udTypeofExpr)
	data, dok := m[udTypeofData]
	if !ok || !dok {
		return nil
	}
	return typeofParse(et, data)
}

func typeofParse(etype uint32, data []byte) *node {
	switch etype {
	case etypePayload:
		return typeofPayload(data)
	case etypeMeta:
		m, ok := udataTLVs(data)
		if !ok {
			return nil
		}
		k, ok := udU32(m, udMetaKey)
		if !ok {
			return nil
		}
		return newMeta(k)
	case etypeCt:
		m, ok := udataTLVs(data)
		if !ok {
			return nil
		}
		k, ok1 := udU32(m, udCtKey)
		d, ok2 := udU32(m, udCtDir)
		if !ok1 || !ok2 {
			return nil
		}
		return newCt(k, int(int8(d)))
	case etypeConcat:
		return typeofConcat(data)
	case etypeNumgen:
		m, ok := udataTLVs(data)
		if !ok {
			return nil
		}
		typ, ok1 := udU32(m, 0) // NFTNL_UDATA_NUMGEN_TYPE
		mod, ok2 := udU32(m, 1) // NFTNL_UDATA_NUMGEN_MOD
		off, ok3 := udU32(m, 2) // NFTNL_UDATA_NUMGEN_OFFSET
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		return numgenNode(&expr.Numgen{Type: typ, Modulus: mod, Offset: off})
	case etypeOsf:
		return &node{k: kOsf, t: types.String, order: types.OrderHost, len: 128, text: "osf name"}
	case etypeExthdr:
		return typeofExthdr(data)
	case etypeXfrm:
		m, ok := udataTLVs(data)
		if !ok {
			return nil
		}
		k, ok1 := udU32(m, 0)  // NFTNL_UDATA_XFRM_KEY
		sp, ok2 := udU32(m, 1) // NFTNL_UDATA_XFRM_SPNUM
		d, ok3 := udU32(m, 2)  // NFTNL_UDATA_XFRM_DIR
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		return xfrmNode(&expr.Xfrm{Key: k, SPNum: sp, Dir: uint8(d)})
	}
	return nil
}

// ip6ExthdrByID maps nft's enum exthdr_desc_id to header descriptions.
// ipOptFieldNames are nft's IPOPT_FIELD_* template indexes.
var ipOptFieldNames = map[uint32]string{1: "type", 2: "length", 3: "value", 4: "ptr", 5: "addr"}

// typeofExthdr is exthdr_expr_parse_udata: desc id (or option/chunk
// type), template index and operation.
func typeofExthdr(data []byte) *node {
	m, ok := udataTLVs(data)
	if !ok {
		return nil
	}
	id, ok1 := udU32(m, 0)  // NFTNL_UDATA_EXTHDR_DESC
	typ, ok2 := udU32(m, 1) // NFTNL_UDATA_EXTHDR_TYPE
	if !ok1 || !ok2 {
		return nil
	}
	op, ok := udU32(m, 2) // NFTNL_UDATA_EXTHDR_OP
	if !ok {
		op = expr.ExthdrOpIPv6
	}
	var d *optDesc
	var f *types.Field
	switch op {
	case expr.ExthdrOpIPv6:
		d = ip6ExthdrByID[id]
		if d != nil && typ >= 1 && int(typ) <= len(d.fields) {
			f = &d.fields[typ-1]
		}
	case expr.ExthdrOpTCPOpt:
		d = tcpOpts[int(id)]
		if d != nil && int(typ) < len(d.fields) {
			f = &d.fields[typ]
		}
	case exthdrOpSCTP:
		d = sctpChunks[int(id)]
		if d != nil && int(typ) < len(d.fields) {
			f = &d.fields[typ]
		}
	case exthdrOpIPv4:
		d = ipOpts[int(id)]
		if d != nil {
			for i := range d.fields {
				if d.fields[i].Name == ipOptFieldNames[typ] {
					f = &d.fields[i]
				}
			}
		}
	}
	if d == nil || f == nil {
		return nil
	}
	n := exthdrNodeBits(&expr.Exthdr{Type: uint8(d.kind), Op: op}, f.Offset, f.Len)
	if op == expr.ExthdrOpIPv6 && (d == rtRT0 || d == rtSRH) {
		n.text = d.name + " " + f.Name
	}
	return n
}

func typeofPayload(data []byte) *node {
	m, ok := udataTLVs(data)
	if !ok {
		return nil
	}
	for _, t := range []uint8{udPayloadDesc, udPayloadType, udPayloadBase, udPayloadOffset, udPayloadLen} {
		if v, ok := m[t]; ok && len(v) != 4 {
			return nil
		}
	}
	id, ok1 := udU32(m, udPayloadDesc)
	typ, ok2 := udU32(m, udPayloadType)
	if !ok1 || !ok2 {
		return nil
	}
	length, _ := udU32(m, udPayloadLen)
	d := protoByID[id]
	if d == nil {
		base, ok1 := udU32(m, udPayloadBase)
		off, ok2 := udU32(m, udPayloadOffset)
		if !ok1 || !ok2 {
			return nil
		}
		t := *types.XInteger
		t.Size, t.Order, t.Base = int(length), types.OrderBig, types.XInteger
		return &node{k: kPayload, base: int(base), offset: int(off), len: int(length), t: &t, order: types.OrderBig, desc: protoUnknown, isRaw: true}
	}
	if int(typ) >= len(d.fields) || d.fields[typ] == nil {
		return nil
	}
	n := payloadFromTmpl(d, int(typ))
	if length != 0 {
		n.len = int(length)
	}
	return n
}

func typeofConcat(data []byte) *node {
	tlvs, ok := ruleset.ParseUdata(data)
	if !ok {
		return nil
	}
	nests := map[uint8][]byte{}
	for _, t := range tlvs {
		if t.Type >= 16 || len(t.Value) <= 4 {
			return nil
		}
		nests[t.Type] = t.Value
	}
	cat := &node{k: kConcat}
	var subs []*types.Datatype
	for i := uint8(0); i < 16; i++ {
		nb, ok := nests[i]
		if !ok {
			break
		}
		m, ok := udataTLVs(nb)
		if !ok {
			return nil
		}
		et, ok := udU32(m, udConcatSubType)
		sd, dok := m[udConcatSubData]
		if !ok || !dok || len(sd) <= 4 {
			return nil
		}
		x := typeofParse(et, sd)
		if x == nil {
			return nil
		}
		cat.args = append(cat.args, x)
		subs = append(subs, memberType(x))
		cat.len += (x.len + 31) / 32 * 32
	}
	if len(cat.args) == 0 {
		return nil
	}
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.Name
	}
	cat.t = &types.Datatype{Name: joinDot(names), Size: cat.len, Subtypes: subs}
	return cat
}

// memberType is the type a concatenation member's element value gets: the
// expression's type with its own length and byte order.
func memberType(x *node) *types.Datatype {
	t := x.t
	if t == nil {
		t = types.Invalid
	}
	if t.Size == x.len && (t.Order == x.order || x.order == types.OrderInvalid) {
		return t
	}
	// a sized copy; it derives from t's base so identity checks against
	// t (bitmask, integer) do not change how its values print
	c := *t
	c.Size = x.len
	if t.Base == nil {
		c.Base = t
	}
	if x.order != types.OrderInvalid {
		c.Order = x.order
	}
	return &c
}

func joinDot(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " . "
		}
		out += x
	}
	return out
}

// typeofValid is set_udata_key_valid: the expression must be as long as
// the kernel key.
func typeofValid(x *node, bytes uint32) bool {
	return x != nil && uint32((x.len+7)/8) == bytes
}
