package wire

import (
	"github.com/nfsh/nfsh/core/ruleset"
)

// AddObj appends a NEWOBJ message for o in table (nft passes
// NLM_F_CREATE, plus NLM_F_EXCL for `create`).
func AddObj(s Sink, family ruleset.Family, table string, o *ruleset.Object, nlflags uint16) int {
	b := s.Begin(0x12, uint8(family), nlflags) // NFT_MSG_NEWOBJ
	b = putStrz(b, attrObjTable, table)        // NFTA_OBJ_TABLE
	b = putStrz(b, attrObjName, o.Name)        // NFTA_OBJ_NAME
	b = putU32(b, attrObjType, o.Type)         // NFTA_OBJ_TYPE
	if len(o.Userdata) > 0 {
		b = putAttr(b, attrObjUserdata, o.Userdata) // NFTA_OBJ_USERDATA
	}
	b = putNested(b, attrObjData, o.Data) // NFTA_OBJ_DATA
	return s.End(b)
}

// DelObj appends a DELOBJ or DESTROYOBJ (typ) message for the object of
// type objType named name, or with the given handle when name is "".
func DelObj(s Sink, typ uint16, family ruleset.Family, table string, objType uint32, name string, handle uint64) int {
	b := s.Begin(typ, uint8(family), 0)
	b = putStrz(b, attrObjTable, table) // NFTA_OBJ_TABLE
	switch {
	case name != "":
		b = putStrz(b, attrObjName, name) // NFTA_OBJ_NAME
	case handle != 0:
		b = putU64(b, attrObjHandle, handle) // NFTA_OBJ_HANDLE
	}
	b = putU32(b, attrObjType, objType) // NFTA_OBJ_TYPE
	return s.End(b)
}

// DecodeObj decodes the attributes of a NEWOBJ message.
func DecodeObj(attrs []byte) (table string, o *ruleset.Object, err error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return "", nil, decodeErr("object", err)
	}
	o = &ruleset.Object{}
	for ad.Next() {
		switch ad.Type() {
		case attrObjTable: // NFTA_OBJ_TABLE
			table = ad.String()
		case attrObjName: // NFTA_OBJ_NAME
			o.Name = ad.String()
		case attrObjType: // NFTA_OBJ_TYPE
			o.Type = ad.Uint32()
		case attrObjData: // NFTA_OBJ_DATA
			o.Data = ad.Bytes()
		case attrObjHandle: // NFTA_OBJ_HANDLE
			o.Handle = ad.Uint64()
		case attrObjUserdata: // NFTA_OBJ_USERDATA
			o.Userdata = ad.Bytes()
		}
	}
	if err := ad.Err(); err != nil {
		return "", nil, decodeErr("object", err)
	}
	if table == "" || o.Name == "" {
		return "", nil, decodeErr("object", errMissing("NFTA_OBJ_TABLE or NFTA_OBJ_NAME"))
	}
	return table, o, nil
}

// ObjFilter returns the attributes of a GETOBJ or GETOBJ_RESET request
// for objects of type objType: one object (table and name given), the
// objects of one table (name "") or of every table (table "").
func ObjFilter(table, name string, objType uint32) []byte {
	var b []byte
	if table != "" {
		b = putStrz(b, attrObjTable, table) // NFTA_OBJ_TABLE
	}
	if name != "" {
		b = putStrz(b, attrObjName, name) // NFTA_OBJ_NAME
	}
	return putU32(b, attrObjType, objType) // NFTA_OBJ_TYPE
}
