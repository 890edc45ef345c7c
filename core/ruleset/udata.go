package ruleset

// Userdata TLV types. nft (libnftnl's nftnl_udata) stores comments and other
// metadata as a sequence of type(u8) len(u8) value TLVs in the *_USERDATA
// attributes; unknown types are ignored by nft, which is what lets nfsh keep
// its own rule tag next to nft's comment.
const (
	UdataTableComment = 0 // NFTNL_UDATA_TABLE_COMMENT
	UdataChainComment = 0 // NFTNL_UDATA_CHAIN_COMMENT
	UdataRuleComment  = 0 // NFTNL_UDATA_RULE_COMMENT
	UdataObjComment   = 0 // NFTNL_UDATA_OBJ_COMMENT

	UdataSetKeyByteorder  = 0 // NFTNL_UDATA_SET_KEYBYTEORDER
	UdataSetDataByteorder = 1 // NFTNL_UDATA_SET_DATABYTEORDER
	UdataSetMergeElements = 2 // NFTNL_UDATA_SET_MERGE_ELEMENTS
	UdataSetKeyTypeof     = 3 // NFTNL_UDATA_SET_KEY_TYPEOF
	UdataSetDataTypeof    = 4 // NFTNL_UDATA_SET_DATA_TYPEOF
	UdataSetExpr          = 5 // NFTNL_UDATA_SET_EXPR
	UdataSetDataInterval  = 6 // NFTNL_UDATA_SET_DATA_INTERVAL
	UdataSetComment       = 7 // NFTNL_UDATA_SET_COMMENT

	UdataSetElemComment = 0 // NFTNL_UDATA_SET_ELEM_COMMENT
	UdataSetElemFlags   = 1 // NFTNL_UDATA_SET_ELEM_FLAGS

	// UdataRuleTag is nfsh's own rule TLV: the rule's stable tag (identity
	// for diff/reconcile). nft ignores it, so tagged tables still list.
	UdataRuleTag = 0x4e
)

// TLV is one userdata entry.
type TLV struct {
	Type  uint8
	Value []byte
}

// ParseUdata splits userdata into TLVs. A truncated trailing entry is
// returned as ok=false together with the entries before it.
func ParseUdata(b []byte) (tlvs []TLV, ok bool) {
	for len(b) > 0 {
		if len(b) < 2 || int(b[1]) > len(b)-2 {
			return tlvs, false
		}
		n := int(b[1])
		tlvs = append(tlvs, TLV{Type: b[0], Value: b[2 : 2+n]})
		b = b[2+n:]
	}
	return tlvs, true
}

// UdataGet returns the value of the first TLV of type t in b.
func UdataGet(b []byte, t uint8) ([]byte, bool) {
	tlvs, _ := ParseUdata(b)
	for _, x := range tlvs {
		if x.Type == t {
			return x.Value, true
		}
	}
	return nil, false
}

// UdataString returns the NUL-terminated string TLV of type t in b.
func UdataString(b []byte, t uint8) string {
	v, ok := UdataGet(b, t)
	if !ok {
		return ""
	}
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// UdataSet returns b with the TLV of type t replaced by value (appended if
// absent, removed if value is nil). The order of the other TLVs is kept.
// Values longer than 255 bytes are truncated, as the TLV length is a u8.
func UdataSet(b []byte, t uint8, value []byte) []byte {
	if len(value) > 255 {
		value = value[:255]
	}
	tlvs, ok := ParseUdata(b)
	var out []byte
	done := false
	for _, x := range tlvs {
		if x.Type == t {
			if value != nil && !done {
				out = append(out, t, byte(len(value)))
				out = append(out, value...)
				done = true
			}
			continue
		}
		out = append(out, x.Type, byte(len(x.Value)))
		out = append(out, x.Value...)
	}
	if value != nil && !done {
		out = append(out, t, byte(len(value)))
		out = append(out, value...)
	}
	if !ok { // keep undecodable trailing bytes as they were
		out = append(out, b[len(encodeTLVs(tlvs)):]...)
	}
	return out
}

func encodeTLVs(tlvs []TLV) []byte {
	var out []byte
	for _, x := range tlvs {
		out = append(out, x.Type, byte(len(x.Value)))
		out = append(out, x.Value...)
	}
	return out
}

// UdataSetString sets a NUL-terminated string TLV (nft's comment form);
// an empty string removes it.
func UdataSetString(b []byte, t uint8, s string) []byte {
	if s == "" {
		return UdataSet(b, t, nil)
	}
	return UdataSet(b, t, append([]byte(s), 0))
}
