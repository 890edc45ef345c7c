package wire

import (
	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/ruleset"
)

// chainBase is the kernel-internal base chain flag.
const chainBase = 0x1 // NFT_CHAIN_BASE

// AddChain appends a NEWCHAIN message for c in table (nft passes
// NLM_F_CREATE, plus NLM_F_EXCL for `create`).
func AddChain(s Sink, family ruleset.Family, table string, c *ruleset.Chain, nlflags uint16) int {
	b := s.Begin(0x03, uint8(family), nlflags) // NFT_MSG_NEWCHAIN
	b = putStrz(b, attrChainTable, table)      // NFTA_CHAIN_TABLE
	b = putStrz(b, attrChainName, c.Name)      // NFTA_CHAIN_NAME
	if h := c.Hook; h != nil {
		b = putStrz(b, attrChainType, h.Type) // NFTA_CHAIN_TYPE
		if h.Policy != nil {
			b = putU32(b, attrChainPolicy, *h.Policy) // NFTA_CHAIN_POLICY
		}
		var n int
		b, n = nestStart(b, attrChainHook)                  // NFTA_CHAIN_HOOK
		b = putU32(b, attrHookNum, h.Num)                   // NFTA_HOOK_HOOKNUM
		b = putU32(b, attrHookPriority, uint32(h.Priority)) // NFTA_HOOK_PRIORITY
		switch {
		case len(h.Devices) == 1:
			b = putStrz(b, attrHookDev, h.Devices[0]) // NFTA_HOOK_DEV
		case len(h.Devices) > 1:
			b = putDevs(b, attrHookDevs, h.Devices) // NFTA_HOOK_DEVS
		}
		b = nestEnd(b, n)
	}
	if c.Flags != 0 {
		b = putU32(b, attrChainFlags, c.Flags) // NFTA_CHAIN_FLAGS
	}
	if len(c.Userdata) > 0 {
		b = putAttr(b, attrChainUserdata, c.Userdata) // NFTA_CHAIN_USERDATA
	}
	return s.End(b)
}

// UpdateChainPolicy appends a NEWCHAIN message that sets the policy of
// the existing base chain c.Name in table without restating its hook, as
// nft sends `chain t c { policy drop; }`: the name, NFTA_CHAIN_POLICY and
// c's flags and userdata, no NFTA_CHAIN_TYPE or NFTA_CHAIN_HOOK.
func UpdateChainPolicy(s Sink, family ruleset.Family, table string, c *ruleset.Chain, policy uint32, nlflags uint16) int {
	b := s.Begin(0x03, uint8(family), nlflags) // NFT_MSG_NEWCHAIN
	b = putStrz(b, attrChainTable, table)      // NFTA_CHAIN_TABLE
	b = putStrz(b, attrChainName, c.Name)      // NFTA_CHAIN_NAME
	b = putU32(b, attrChainPolicy, policy)     // NFTA_CHAIN_POLICY
	if c.Flags != 0 {
		b = putU32(b, attrChainFlags, c.Flags) // NFTA_CHAIN_FLAGS
	}
	if len(c.Userdata) > 0 {
		b = putAttr(b, attrChainUserdata, c.Userdata) // NFTA_CHAIN_USERDATA
	}
	return s.End(b)
}

// RenameChain appends the NEWCHAIN message of `rename chain`: the chain is
// named by its handle and NFTA_CHAIN_NAME carries the new name.
func RenameChain(s Sink, family ruleset.Family, table string, handle uint64, newName string) int {
	b := s.Begin(0x03, uint8(family), 0)   // NFT_MSG_NEWCHAIN
	b = putStrz(b, attrChainTable, table)  // NFTA_CHAIN_TABLE
	b = putStrz(b, attrChainName, newName) // NFTA_CHAIN_NAME
	b = putU64(b, attrChainHandle, handle) // NFTA_CHAIN_HANDLE
	return s.End(b)
}

// DelChain appends a DELCHAIN or DESTROYCHAIN (typ) message naming the
// chain by name, or by handle when name is "".
func DelChain(s Sink, typ uint16, family ruleset.Family, table, name string, handle uint64) int {
	b := s.Begin(typ, uint8(family), 0)
	b = putStrz(b, attrChainTable, table) // NFTA_CHAIN_TABLE
	switch {
	case name != "":
		b = putStrz(b, attrChainName, name) // NFTA_CHAIN_NAME
	case handle != 0:
		b = putU64(b, attrChainHandle, handle) // NFTA_CHAIN_HANDLE
	}
	return s.End(b)
}

// DecodeChain decodes the attributes of a NEWCHAIN message.
func DecodeChain(attrs []byte) (table string, c *ruleset.Chain, err error) {
	ad, err := newDecoder(attrs)
	if err != nil {
		return "", nil, decodeErr("chain", err)
	}
	c = &ruleset.Chain{}
	var (
		hook   *ruleset.Hook
		typ    string
		policy *uint32
	)
	for ad.Next() {
		switch ad.Type() {
		case attrChainTable: // NFTA_CHAIN_TABLE
			table = ad.String()
		case attrChainName: // NFTA_CHAIN_NAME
			c.Name = ad.String()
		case attrChainHandle: // NFTA_CHAIN_HANDLE
			c.Handle = ad.Uint64()
		case attrChainHook: // NFTA_CHAIN_HOOK
			hook = &ruleset.Hook{}
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					switch nad.Type() {
					case attrHookNum: // NFTA_HOOK_HOOKNUM
						hook.Num = nad.Uint32()
					case attrHookPriority: // NFTA_HOOK_PRIORITY
						hook.Priority = int32(nad.Uint32())
					case attrHookDev: // NFTA_HOOK_DEV
						// Newer kernels send NFTA_HOOK_DEVS too, listing
						// the same device: the list, when present, wins.
						if len(hook.Devices) == 0 {
							hook.Devices = []string{nad.String()}
						}
					case attrHookDevs: // NFTA_HOOK_DEVS
						hook.Devices = decodeDevs(nad)
					}
				}
				return nil
			})
		case attrChainPolicy: // NFTA_CHAIN_POLICY
			policy = ptr32(ad.Uint32())
		case attrChainType: // NFTA_CHAIN_TYPE
			typ = ad.String()
		case attrChainFlags: // NFTA_CHAIN_FLAGS
			c.Flags = ad.Uint32()
		case attrChainUserdata: // NFTA_CHAIN_USERDATA
			c.Userdata = ad.Bytes()
		}
	}
	if err := ad.Err(); err != nil {
		return "", nil, decodeErr("chain", err)
	}
	if hook != nil {
		hook.Type, hook.Policy = typ, policy
		c.Hook = hook
		// The kernel reports NFT_CHAIN_BASE, which nft never sends: the
		// hook implies it.
		c.Flags &^= chainBase
	}
	if table == "" {
		return "", nil, decodeErr("chain", errMissing("NFTA_CHAIN_TABLE"))
	}
	return table, c, nil
}
