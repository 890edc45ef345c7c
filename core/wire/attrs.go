// Package wire encodes and decodes nf_tables netlink messages: tables,
// chains, rules, sets, set elements, objects, flowtables and the
// generation, between message attributes and the kernel-level values of
// core/ruleset. It is pure bytes: no sockets.
//
// Encoders append to a Sink (an nfnl.Batch satisfies it) and write the
// attributes in the order nft 1.0.6 with libnftnl 1.2.4 does, so that
// batches are byte-comparable with nft's. Decoders never panic on
// malformed input; they return a *diag.Error.
package wire

import "encoding/binary"

// Sink receives encoded messages. Begin starts a message of type typ
// (NFT_MSG_*, without the subsystem) for family with NLM_F_* flags and
// returns the buffer with the headers appended; the encoder appends the
// attributes and hands the buffer to End, which returns the message index.
type Sink interface {
	Begin(typ uint16, family uint8, flags uint16) []byte
	End(buf []byte) int
}

var be = binary.BigEndian

// NLA_F_NESTED marks a nested attribute.
const nlaFNested = 0x8000 // NLA_F_NESTED

// Message types the x/sys headers lack.
const (
	MsgDestroyTable     = 0x1a // NFT_MSG_DESTROYTABLE
	MsgDestroyChain     = 0x1b // NFT_MSG_DESTROYCHAIN
	MsgDestroyRule      = 0x1c // NFT_MSG_DESTROYRULE
	MsgDestroySet       = 0x1d // NFT_MSG_DESTROYSET
	MsgDestroySetElem   = 0x1e // NFT_MSG_DESTROYSETELEM
	MsgDestroyObj       = 0x1f // NFT_MSG_DESTROYOBJ
	MsgDestroyFlowtable = 0x20 // NFT_MSG_DESTROYFLOWTABLE
)

// Table flags.
const (
	TableDormant = 0x1 // NFT_TABLE_F_DORMANT
	TableOwner   = 0x2 // NFT_TABLE_F_OWNER
	TablePersist = 0x4 // NFT_TABLE_F_PERSIST
)

// Attribute numbers (include/uapi/linux/netfilter/nf_tables.h).
const (
	attrTableName     = 1 // NFTA_TABLE_NAME
	attrTableFlags    = 2 // NFTA_TABLE_FLAGS
	attrTableUse      = 3 // NFTA_TABLE_USE
	attrTableHandle   = 4 // NFTA_TABLE_HANDLE
	attrTableUserdata = 6 // NFTA_TABLE_USERDATA
	attrTableOwner    = 7 // NFTA_TABLE_OWNER

	attrHookNum      = 1 // NFTA_HOOK_HOOKNUM
	attrHookPriority = 2 // NFTA_HOOK_PRIORITY
	attrHookDev      = 3 // NFTA_HOOK_DEV
	attrHookDevs     = 4 // NFTA_HOOK_DEVS
	attrDeviceName   = 1 // NFTA_DEVICE_NAME

	attrChainTable    = 1  // NFTA_CHAIN_TABLE
	attrChainHandle   = 2  // NFTA_CHAIN_HANDLE
	attrChainName     = 3  // NFTA_CHAIN_NAME
	attrChainHook     = 4  // NFTA_CHAIN_HOOK
	attrChainPolicy   = 5  // NFTA_CHAIN_POLICY
	attrChainUse      = 6  // NFTA_CHAIN_USE
	attrChainType     = 7  // NFTA_CHAIN_TYPE
	attrChainCounters = 8  // NFTA_CHAIN_COUNTERS
	attrChainFlags    = 10 // NFTA_CHAIN_FLAGS
	attrChainID       = 11 // NFTA_CHAIN_ID
	attrChainUserdata = 12 // NFTA_CHAIN_USERDATA

	attrRuleTable       = 1  // NFTA_RULE_TABLE
	attrRuleChain       = 2  // NFTA_RULE_CHAIN
	attrRuleHandle      = 3  // NFTA_RULE_HANDLE
	attrRuleExpressions = 4  // NFTA_RULE_EXPRESSIONS
	attrRuleCompat      = 5  // NFTA_RULE_COMPAT
	attrRulePosition    = 6  // NFTA_RULE_POSITION
	attrRuleUserdata    = 7  // NFTA_RULE_USERDATA
	attrRuleID          = 9  // NFTA_RULE_ID
	attrRulePositionID  = 10 // NFTA_RULE_POSITION_ID
	attrRuleChainID     = 11 // NFTA_RULE_CHAIN_ID

	attrListElem = 1 // NFTA_LIST_ELEM

	attrSetTable       = 1  // NFTA_SET_TABLE
	attrSetName        = 2  // NFTA_SET_NAME
	attrSetFlags       = 3  // NFTA_SET_FLAGS
	attrSetKeyType     = 4  // NFTA_SET_KEY_TYPE
	attrSetKeyLen      = 5  // NFTA_SET_KEY_LEN
	attrSetDataType    = 6  // NFTA_SET_DATA_TYPE
	attrSetDataLen     = 7  // NFTA_SET_DATA_LEN
	attrSetPolicy      = 8  // NFTA_SET_POLICY
	attrSetDesc        = 9  // NFTA_SET_DESC
	attrSetID          = 10 // NFTA_SET_ID
	attrSetTimeout     = 11 // NFTA_SET_TIMEOUT
	attrSetGCInterval  = 12 // NFTA_SET_GC_INTERVAL
	attrSetUserdata    = 13 // NFTA_SET_USERDATA
	attrSetObjType     = 15 // NFTA_SET_OBJ_TYPE
	attrSetHandle      = 16 // NFTA_SET_HANDLE
	attrSetExpr        = 17 // NFTA_SET_EXPR
	attrSetExpressions = 18 // NFTA_SET_EXPRESSIONS

	attrSetDescSize   = 1 // NFTA_SET_DESC_SIZE
	attrSetDescConcat = 2 // NFTA_SET_DESC_CONCAT
	attrSetFieldLen   = 1 // NFTA_SET_FIELD_LEN

	attrElemKey         = 1  // NFTA_SET_ELEM_KEY
	attrElemData        = 2  // NFTA_SET_ELEM_DATA
	attrElemFlags       = 3  // NFTA_SET_ELEM_FLAGS
	attrElemTimeout     = 4  // NFTA_SET_ELEM_TIMEOUT
	attrElemExpiration  = 5  // NFTA_SET_ELEM_EXPIRATION
	attrElemUserdata    = 6  // NFTA_SET_ELEM_USERDATA
	attrElemExpr        = 7  // NFTA_SET_ELEM_EXPR
	attrElemObjref      = 9  // NFTA_SET_ELEM_OBJREF
	attrElemKeyEnd      = 10 // NFTA_SET_ELEM_KEY_END
	attrElemExpressions = 11 // NFTA_SET_ELEM_EXPRESSIONS

	attrElemListTable    = 1 // NFTA_SET_ELEM_LIST_TABLE
	attrElemListSet      = 2 // NFTA_SET_ELEM_LIST_SET
	attrElemListElements = 3 // NFTA_SET_ELEM_LIST_ELEMENTS
	attrElemListSetID    = 4 // NFTA_SET_ELEM_LIST_SET_ID

	attrDataValue   = 1 // NFTA_DATA_VALUE
	attrDataVerdict = 2 // NFTA_DATA_VERDICT

	attrObjTable    = 1 // NFTA_OBJ_TABLE
	attrObjName     = 2 // NFTA_OBJ_NAME
	attrObjType     = 3 // NFTA_OBJ_TYPE
	attrObjData     = 4 // NFTA_OBJ_DATA
	attrObjUse      = 5 // NFTA_OBJ_USE
	attrObjHandle   = 6 // NFTA_OBJ_HANDLE
	attrObjUserdata = 8 // NFTA_OBJ_USERDATA

	attrFlowtableTable  = 1 // NFTA_FLOWTABLE_TABLE
	attrFlowtableName   = 2 // NFTA_FLOWTABLE_NAME
	attrFlowtableHook   = 3 // NFTA_FLOWTABLE_HOOK
	attrFlowtableUse    = 4 // NFTA_FLOWTABLE_USE
	attrFlowtableHandle = 5 // NFTA_FLOWTABLE_HANDLE
	attrFlowtableFlags  = 7 // NFTA_FLOWTABLE_FLAGS

	attrFlowtableHookNum      = 1 // NFTA_FLOWTABLE_HOOK_NUM
	attrFlowtableHookPriority = 2 // NFTA_FLOWTABLE_HOOK_PRIORITY
	attrFlowtableHookDevs     = 3 // NFTA_FLOWTABLE_HOOK_DEVS

	attrGenID = 1 // NFTA_GEN_ID
)

// putAttr appends one attribute (header, value, padding).
func putAttr(b []byte, typ uint16, v []byte) []byte {
	b = putHdr(b, typ, len(v))
	b = append(b, v...)
	return pad(b)
}

func putHdr(b []byte, typ uint16, n int) []byte {
	l := uint16(4 + n)
	return append(b, byte(l), byte(l>>8), byte(typ), byte(typ>>8))
}

func pad(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// putStrz appends a NUL-terminated string attribute.
func putStrz(b []byte, typ uint16, s string) []byte {
	b = putHdr(b, typ, len(s)+1)
	b = append(b, s...)
	b = append(b, 0)
	return pad(b)
}

func putU32(b []byte, typ uint16, v uint32) []byte {
	return append(b, 8, 0, byte(typ), byte(typ>>8), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func putU64(b []byte, typ uint16, v uint64) []byte {
	b = append(b, 12, 0, byte(typ), byte(typ>>8))
	return be.AppendUint64(b, v)
}

// nestStart appends a nested attribute header and returns its offset for
// nestEnd, which fills in the length.
func nestStart(b []byte, typ uint16) ([]byte, int) {
	off := len(b)
	return append(b, 0, 0, byte(typ|nlaFNested), byte((typ|nlaFNested)>>8)), off
}

func nestEnd(b []byte, off int) []byte {
	l := len(b) - off
	b[off], b[off+1] = byte(l), byte(l>>8)
	return b
}

// putNested appends a nested attribute holding the already encoded body.
func putNested(b []byte, typ uint16, body []byte) []byte {
	return putAttr(b, typ|nlaFNested, body)
}
