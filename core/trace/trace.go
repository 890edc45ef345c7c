// Package trace reads nf_tables packet traces (the NFT_MSG_TRACE messages
// of the NFNLGRP_NFTRACE group that rules with `meta nftrace set 1`
// produce), decodes them into plain Go values and prints them exactly as
// `nft monitor trace` of nft 1.0.6 does.
//
// Decode turns one message into a Trace; Listen joins the group in a
// network namespace and delivers traces on a channel; a Printer turns
// traces into nft's lines, with the rules looked up in a ruleset pulled
// once (nft caches the ruleset when the monitor starts, too).
package trace

import "golang.org/x/sys/unix"

// Type is the kind of a trace event (enum nft_trace_types).
type Type uint32

// Trace event types.
const (
	TypeUnspec Type = unix.NFT_TRACETYPE_UNSPEC // NFT_TRACETYPE_UNSPEC
	TypePolicy Type = unix.NFT_TRACETYPE_POLICY // NFT_TRACETYPE_POLICY: the base chain's policy decided
	TypeReturn Type = unix.NFT_TRACETYPE_RETURN // NFT_TRACETYPE_RETURN: the end of a chain was reached
	TypeRule   Type = unix.NFT_TRACETYPE_RULE   // NFT_TRACETYPE_RULE: a rule matched
)

// String returns the type's name: "policy", "return", "rule" or "unspec".
func (t Type) String() string {
	switch t {
	case TypePolicy:
		return "policy"
	case TypeReturn:
		return "return"
	case TypeRule:
		return "rule"
	}
	return "unspec"
}

// Attr is a bit set of the NFTA_TRACE_* attributes a message carried.
type Attr uint32

// Has reports whether attribute typ (an NFTA_TRACE_* number) is in the set.
func (a Attr) Has(typ uint16) bool { return typ < 32 && a&(1<<typ) != 0 }

// Verdict is a trace verdict (NFTA_TRACE_VERDICT, nested NFTA_VERDICT_*).
type Verdict struct {
	// Code is NFTA_VERDICT_CODE: NF_DROP 0, NF_ACCEPT 1, NF_QUEUE 3,
	// NF_STOLEN 2, or NFT_CONTINUE -1, NFT_BREAK -2, NFT_JUMP -3,
	// NFT_GOTO -4, NFT_RETURN -5 (as uint32).
	Code uint32
	// Chain is NFTA_VERDICT_CHAIN, the target of jump and goto.
	Chain string
}

// Verdict codes (linux/netfilter.h, nf_tables.h).
const (
	VerdictDrop     uint32 = 0          // NF_DROP
	VerdictAccept   uint32 = 1          // NF_ACCEPT
	VerdictStolen   uint32 = 2          // NF_STOLEN
	VerdictQueue    uint32 = 3          // NF_QUEUE
	VerdictContinue uint32 = 0xffffffff // NFT_CONTINUE
	VerdictBreak    uint32 = 0xfffffffe // NFT_BREAK
	VerdictJump     uint32 = 0xfffffffd // NFT_JUMP
	VerdictGoto     uint32 = 0xfffffffc // NFT_GOTO
	VerdictReturn   uint32 = 0xfffffffb // NFT_RETURN
	verdictMask     uint32 = 0x000000ff // NF_VERDICT_MASK
)

// String returns the verdict as nft prints it: "accept", "jump c"...
func (v Verdict) String() string {
	switch v.Code {
	case VerdictContinue:
		return "continue"
	case VerdictBreak:
		return "break"
	case VerdictJump:
		return "jump " + v.Chain
	case VerdictGoto:
		return "goto " + v.Chain
	case VerdictReturn:
		return "return"
	}
	switch v.Code & verdictMask {
	case VerdictAccept:
		return "accept"
	case VerdictDrop:
		return "drop"
	case VerdictQueue:
		return "queue"
	case VerdictStolen:
		return "stolen"
	}
	return "unknown verdict value " + utoa(uint64(v.Code))
}

// Trace is one decoded NFT_MSG_TRACE message: one step of one packet
// through the ruleset. Integer attributes are in host order. Which
// attributes the kernel sent is in Attrs: the packet headers come only
// with the first message of a packet, the rule handle only with rule
// events.
type Trace struct {
	Family uint8  // nfgenmsg family: the table's family (NFPROTO_*)
	Attrs  Attr   // the attributes present, bit 1<<NFTA_TRACE_*
	Table  string // NFTA_TRACE_TABLE
	Chain  string // NFTA_TRACE_CHAIN
	// RuleHandle is NFTA_TRACE_RULE_HANDLE, the rule that matched.
	RuleHandle uint64
	Type       Type    // NFTA_TRACE_TYPE
	Verdict    Verdict // NFTA_TRACE_VERDICT
	// ID is NFTA_TRACE_ID, the same for each message of one packet.
	ID        uint32
	LL        []byte // NFTA_TRACE_LL_HEADER: link layer header (ethernet, with a vlan tag when one is present)
	Network   []byte // NFTA_TRACE_NETWORK_HEADER
	Transport []byte // NFTA_TRACE_TRANSPORT_HEADER
	IIf       uint32 // NFTA_TRACE_IIF: input interface index
	IIfType   uint16 // NFTA_TRACE_IIFTYPE: ARPHRD_* of the input interface
	OIf       uint32 // NFTA_TRACE_OIF
	OIfType   uint16 // NFTA_TRACE_OIFTYPE
	Mark      uint32 // NFTA_TRACE_MARK
	NFProto   uint32 // NFTA_TRACE_NFPROTO: the protocol processed (inet tables: NFPROTO_IPV4 or NFPROTO_IPV6)
	Policy    uint32 // NFTA_TRACE_POLICY: the base chain policy that decided (NF_ACCEPT, NF_DROP)
}

// Has reports whether the message carried attribute typ (NFTA_TRACE_*).
func (t *Trace) Has(typ uint16) bool { return t.Attrs.Has(typ) }

func utoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
