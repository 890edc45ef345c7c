// Package monitor streams nf_tables ruleset changes: a subscription to the
// NFNLGRP_NFTABLES multicast group delivers one Event per changed entity
// (table, chain, rule, set, element, object, flowtable), grouped into one
// Commit per transaction. The kernel ends every transaction with
// NFT_MSG_NEWGEN, which carries the new generation id and the pid and name
// of the committing process; those become the Commit's header.
//
// Snapshot pairs a subscription with a pull so that every change after the
// snapshot arrives exactly once and nothing the snapshot holds is repeated:
// it subscribes first, then reads the generation, dumps the ruleset and
// reads the generation again (retrying until both reads agree), and drops
// every commit whose generation is not newer than the snapshot's. Apply
// replays commits onto a ruleset value, so snapshot + commits can be
// checked against a later pull.
//
// When the socket's receive buffer overflows (ENOBUFS), events are lost:
// the stream delivers a Commit with Resync set and keeps streaming. A
// snapshot stream re-pulls by itself and carries the new snapshot in that
// Commit; a plain subscription leaves the re-pull to the caller.
package monitor

import (
	"fmt"

	"github.com/nfsh/nfsh/core/ruleset"
)

// Op says whether an entity was created (or updated) or deleted.
type Op uint8

// Event operations.
const (
	OpNew    Op = iota + 1 // NFT_MSG_NEW*: created, or updated in place (tables, chains, sets)
	OpDelete               // NFT_MSG_DEL* / NFT_MSG_DESTROY*
)

// String returns "new" or "delete".
func (o Op) String() string {
	switch o {
	case OpNew:
		return "new"
	case OpDelete:
		return "delete"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Kind is the kind of entity an event is about.
type Kind uint8

// Entity kinds.
const (
	KindTable Kind = iota + 1
	KindChain
	KindRule
	KindSet
	KindElement
	KindObject
	KindFlowtable
	KindUnknown // a message the monitor could not decode (Event.Err says why)
)

var kindNames = [...]string{"", "table", "chain", "rule", "set", "element", "object", "flowtable", "unknown"}

// String returns the nft keyword of k ("table", "chain", "rule", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Event is one changed entity, decoded into core/ruleset values. Exactly
// the value field its Kind names is set (for KindElement, Elements).
type Event struct {
	Op    Op
	Kind  Kind
	Type  uint16 // NFT_MSG_* as received
	Flags uint16 // NLM_F_* of the message; NLM_F_APPEND on a new rule means "add", not "insert"

	Family ruleset.Family
	Table  string // the table's name
	Chain  string // chain and rule events: the chain's name
	Set    string // set and element events: the set's name

	TableObj  *ruleset.Table     // attributes only: contents come as their own events
	ChainObj  *ruleset.Chain     // attributes only: Rules is empty
	Rule      *ruleset.Rule      // with its anonymous sets (and their elements) in Rule.Sets
	SetObj    *ruleset.Set       // without elements: they come as element events
	Elements  []*ruleset.Element // element events
	Object    *ruleset.Object
	Flowtable *ruleset.Flowtable

	// Position is the handle of the rule just before a new rule
	// (NFTA_RULE_POSITION). The kernel sends it only for a rule that is
	// neither first nor last in its chain; 0 otherwise.
	Position uint64
	// Text is the nft text of a new rule (as `nft list` prints it inside
	// its chain), when it could be printed.
	Text string
	// ResID is the low 16 bits of the generation the message was sent in
	// (nfgenmsg res_id).
	ResID uint16
	// Err is set for KindUnknown: why the message could not be decoded.
	Err error
}

// Anonymous reports whether the event is about an anonymous set or its
// elements (which belong to a rule; `nft monitor` does not show them).
func (e *Event) Anonymous() bool {
	if e.SetObj != nil {
		return e.SetObj.Anonymous()
	}
	return false
}

// Commit is one ruleset transaction: its events in the kernel's order and
// the NFT_MSG_NEWGEN that closed it.
type Commit struct {
	Gen    uint32 // NFTA_GEN_ID: the generation this commit created
	PID    uint32 // NFTA_GEN_PROC_PID: the committing process
	Proc   string // NFTA_GEN_PROC_NAME: its name (comm)
	Events []Event

	// Resync says events were lost (the socket overflowed: ENOBUFS) and
	// the receiver's view must be rebuilt; Events is empty. For a snapshot
	// stream, Snapshot holds a fresh pull at generation Gen and the
	// commits that follow are exactly those after it.
	Resync   bool
	Snapshot *ruleset.Ruleset
}

// Stats are counters of a Stream.
type Stats struct {
	Commits   uint64 // commits delivered (resync markers not counted)
	Events    uint64 // events delivered
	Skipped   uint64 // commits dropped as already contained in the snapshot
	Overruns  uint64 // ENOBUFS errors read from the socket
	Resyncs   uint64 // resync markers delivered
	Stray     uint64 // events dropped because their commit was torn by an overrun
	Undecoded uint64 // messages delivered as KindUnknown
}
