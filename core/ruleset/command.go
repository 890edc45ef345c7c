package ruleset

import (
	"fmt"

	"github.com/nfsh/nfsh/core/diag"
)

// Op is what a command does.
type Op uint8

// Command operations, as in nft scripts.
const (
	OpAdd     Op = iota // add: create, or do nothing if it exists (NLM_F_CREATE)
	OpCreate            // create: fail if it exists (NLM_F_CREATE|NLM_F_EXCL)
	OpInsert            // insert rule: prepend (or before Position)
	OpReplace           // replace rule Handle
	OpDelete            // delete: fail if missing
	OpDestroy           // destroy: delete, no error if missing (kernel >= 6.3)
	OpFlush             // flush table/chain/set/ruleset
	OpReset             // reset counters/quotas (NFT_MSG_GETOBJ_RESET, sent by Apply before the batch)
	OpRename            // rename chain: Handle names it, NewName is its new name
)

var opNames = [...]string{"add", "create", "insert", "replace", "delete", "destroy", "flush", "reset", "rename"}

// String returns the nft keyword of op.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", o)
}

// Kind is the kind of object a command acts on.
type Kind uint8

// Command object kinds.
const (
	KindTable Kind = iota
	KindChain
	KindRule
	KindSet      // named set or map declaration
	KindElements // elements of a set
	KindObject
	KindFlowtable
	KindRuleset // flush ruleset (of Family, or of every family when FamilyUnspec)
)

var kindNames = [...]string{"table", "chain", "rule", "set", "element", "object", "flowtable", "ruleset"}

// String returns the nft keyword of k.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Command is one step of an nft script (or of a push), in kernel-level terms.
// Exactly the field that Kind names is set (TableObj, ChainObj, Rule, Set,
// Elements, Object, Flowtable); Family and Table name the table always.
// A command list is committed as one atomic batch, in order; resets are
// not part of the batch (the kernel resets objects in a dump request) and
// happen before it, as with nft.
//
// A reset of objects (KindObject, OpReset) names one object (Table, Name,
// ObjType), every object of ObjType in Table (Name ""), or in every table
// of Family (Table "").
type Command struct {
	Op   Op
	Kind Kind
	Pos  diag.Pos // where in the source the command (or rule) starts
	Text string   // the command's source text, for error messages

	Family Family
	Table  string
	Chain  string // chain name (chain and rule commands)
	Name   string // set, object or flowtable name (elements, delete by name)

	TableObj  *Table     // KindTable: attributes only; contents come as own commands
	ChainObj  *Chain     // KindChain: attributes only, Rules ignored
	Rule      *Rule      // KindRule
	Set       *Set       // KindSet: Elements, when present, are sent with the set
	Elements  []*Element // KindElements
	Object    *Object    // KindObject
	Flowtable *Flowtable // KindFlowtable
	ObjType   uint32     // KindObject by name: NFT_OBJECT_*

	Handle   uint64 // delete/replace by handle (NFTA_*_HANDLE)
	Position uint64 // rule add/insert relative to this rule handle (NFTA_RULE_POSITION)
	// PositionRule, when not nil, is a rule added earlier in the same batch
	// that this rule is placed relative to (NFTA_RULE_POSITION_ID).
	PositionRule *Rule

	// NewName is the new name of a chain (OpRename); the chain is named by
	// Handle (NFTA_CHAIN_HANDLE), as nft sends it, and Chain holds its old
	// name.
	NewName string
	// Policy, in an add of a chain whose ChainObj has no Hook, updates the
	// policy of that existing base chain (NFTA_CHAIN_POLICY without
	// NFTA_CHAIN_HOOK, as nft sends `chain t c { policy drop; }`). A base
	// chain declared with its hook keeps its policy in Hook.Policy.
	Policy *uint32
}

// Describe names the command's object the way error messages do, e.g.
// "rule in inet filter input" or "set inet filter blocklist".
func (c *Command) Describe() string {
	tn := c.Family.String() + " " + c.Table
	switch c.Kind {
	case KindTable:
		return "table " + tn
	case KindChain:
		return "chain " + tn + " " + c.Chain
	case KindRule:
		if c.Text != "" {
			return fmt.Sprintf("rule %q in %s %s", c.Text, tn, c.Chain)
		}
		return "rule in " + tn + " " + c.Chain
	case KindSet:
		return "set " + tn + " " + c.Name
	case KindElements:
		return "elements of set " + tn + " " + c.Name
	case KindObject:
		return "object " + tn + " " + c.Name
	case KindFlowtable:
		return "flowtable " + tn + " " + c.Name
	case KindRuleset:
		if c.Family != FamilyUnspec {
			return "ruleset " + c.Family.String()
		}
		return "ruleset"
	}
	return c.Kind.String()
}
