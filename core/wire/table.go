package wire

import (
	"github.com/nfsh/nfsh/core/ruleset"
)

// AddTable appends a NEWTABLE message for t with the given table flags
// (NFTA_TABLE_FLAGS; the caller decides owner/persist) and NLM_F_* flags
// (nft sends none for `add`, NLM_F_EXCL for `create`).
func AddTable(s Sink, t *ruleset.Table, tableFlags uint32, nlflags uint16) int {
	b := s.Begin(0x00, uint8(t.Family), nlflags) // NFT_MSG_NEWTABLE
	b = putStrz(b, attrTableName, t.Name)        // NFTA_TABLE_NAME
	b = putU32(b, attrTableFlags, tableFlags)    // NFTA_TABLE_FLAGS
	if len(t.Userdata) > 0 {
		b = putAttr(b, attrTableUserdata, t.Userdata) // NFTA_TABLE_USERDATA
	}
	return s.End(b)
}

// DelTable appends a DELTABLE (typ = NFT_MSG_DELTABLE) or DESTROYTABLE
// message naming the table by name, or by handle when name is "". With
// neither (and family unspec) it flushes the whole ruleset, as
// `flush ruleset` does.
func DelTable(s Sink, typ uint16, family ruleset.Family, name string, handle uint64) int {
	b := s.Begin(typ, uint8(family), 0)
	switch {
	case name != "":
		b = putStrz(b, attrTableName, name) // NFTA_TABLE_NAME
	case handle != 0:
		b = putU64(b, attrTableHandle, handle) // NFTA_TABLE_HANDLE
	}
	return s.End(b)
}

// DecodeTable decodes the attributes of a NEWTABLE message.
func DecodeTable(family uint8, attrs []byte) (*ruleset.Table, error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return nil, decodeErr("table", err)
	}
	t := &ruleset.Table{Family: ruleset.Family(family)}
	for ad.Next() {
		switch ad.Type() {
		case attrTableName: // NFTA_TABLE_NAME
			t.Name = ad.String()
		case attrTableFlags: // NFTA_TABLE_FLAGS
			t.Flags = ad.Uint32()
		case attrTableHandle: // NFTA_TABLE_HANDLE
			t.Handle = ad.Uint64()
		case attrTableUserdata: // NFTA_TABLE_USERDATA
			t.Userdata = ad.Bytes()
		case attrTableOwner: // NFTA_TABLE_OWNER
			t.Owner = ad.Uint32()
		}
	}
	if err := ad.Err(); err != nil {
		return nil, decodeErr("table", err)
	}
	if t.Name == "" {
		return nil, decodeErr("table", errMissing("NFTA_TABLE_NAME"))
	}
	t.Persist = t.Flags&TableOwner == 0 || t.Flags&TablePersist != 0
	return t, nil
}
