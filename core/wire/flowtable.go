package wire

import (
	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/ruleset"
)

// AddFlowtable appends a NEWFLOWTABLE message for f in table (nft
// passes NLM_F_CREATE, plus NLM_F_EXCL for `create`).
func AddFlowtable(s Sink, family ruleset.Family, table string, f *ruleset.Flowtable, nlflags uint16) int {
	b := s.Begin(0x16, uint8(family), nlflags)                   // NFT_MSG_NEWFLOWTABLE
	b = putStrz(b, attrFlowtableTable, table)                    // NFTA_FLOWTABLE_TABLE
	b = putStrz(b, attrFlowtableName, f.Name)                    // NFTA_FLOWTABLE_NAME
	b, n := nestStart(b, attrFlowtableHook)                      // NFTA_FLOWTABLE_HOOK
	b = putU32(b, attrFlowtableHookNum, f.Hook)                  // NFTA_FLOWTABLE_HOOK_NUM
	b = putU32(b, attrFlowtableHookPriority, uint32(f.Priority)) // NFTA_FLOWTABLE_HOOK_PRIORITY
	if len(f.Devices) > 0 {
		b = putDevs(b, attrFlowtableHookDevs, f.Devices) // NFTA_FLOWTABLE_HOOK_DEVS
	}
	b = nestEnd(b, n)
	b = putU32(b, attrFlowtableFlags, f.Flags) // NFTA_FLOWTABLE_FLAGS
	return s.End(b)
}

// DelFlowtable appends a DELFLOWTABLE or DESTROYFLOWTABLE (typ) message
// naming the flowtable by name, or by handle when name is "".
func DelFlowtable(s Sink, typ uint16, family ruleset.Family, table, name string, handle uint64) int {
	b := s.Begin(typ, uint8(family), 0)
	b = putStrz(b, attrFlowtableTable, table) // NFTA_FLOWTABLE_TABLE
	switch {
	case name != "":
		b = putStrz(b, attrFlowtableName, name) // NFTA_FLOWTABLE_NAME
	case handle != 0:
		b = putU64(b, attrFlowtableHandle, handle) // NFTA_FLOWTABLE_HANDLE
	}
	return s.End(b)
}

// DecodeFlowtable decodes the attributes of a NEWFLOWTABLE message.
func DecodeFlowtable(attrs []byte) (table string, f *ruleset.Flowtable, err error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return "", nil, decodeErr("flowtable", err)
	}
	f = &ruleset.Flowtable{}
	for ad.Next() {
		switch ad.Type() {
		case attrFlowtableTable: // NFTA_FLOWTABLE_TABLE
			table = ad.String()
		case attrFlowtableName: // NFTA_FLOWTABLE_NAME
			f.Name = ad.String()
		case attrFlowtableHandle: // NFTA_FLOWTABLE_HANDLE
			f.Handle = ad.Uint64()
		case attrFlowtableFlags: // NFTA_FLOWTABLE_FLAGS
			f.Flags = ad.Uint32()
		case attrFlowtableHook: // NFTA_FLOWTABLE_HOOK
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					switch nad.Type() {
					case attrFlowtableHookNum: // NFTA_FLOWTABLE_HOOK_NUM
						f.Hook = nad.Uint32()
					case attrFlowtableHookPriority: // NFTA_FLOWTABLE_HOOK_PRIORITY
						f.Priority = int32(nad.Uint32())
					case attrFlowtableHookDevs: // NFTA_FLOWTABLE_HOOK_DEVS
						f.Devices = decodeDevs(nad)
					}
				}
				return nil
			})
		}
	}
	if err := ad.Err(); err != nil {
		return "", nil, decodeErr("flowtable", err)
	}
	if table == "" || f.Name == "" {
		return "", nil, decodeErr("flowtable", errMissing("NFTA_FLOWTABLE_TABLE or NFTA_FLOWTABLE_NAME"))
	}
	return table, f, nil
}
