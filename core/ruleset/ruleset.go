// Package ruleset is the nfsh Ruleset value: tables, chains, ordered rules,
// sets, maps, objects and flowtables as plain Go data.
//
// The value is kernel-level: rules hold kernel expressions (core/expr), sets
// hold key type ids and lengths, and every *_USERDATA attribute is kept as
// the raw TLV bytes nft would send. That makes a pull lossless and a push
// byte-exact; nft-level knowledge (keywords, datatypes, printing) lives in
// the compiler and printer packages. Handles are zero unless the value was
// pulled from the kernel (or built offline by Apply).
package ruleset

import (
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
)

// Ruleset is a set of tables, in order.
type Ruleset struct {
	Tables []*Table
}

// Table is an nf_tables table.
type Table struct {
	Family Family
	Name   string
	Handle uint64 // NFTA_TABLE_HANDLE; 0 unless pulled
	// Flags are the NFTA_TABLE_FLAGS as the kernel reports them (dormant,
	// owner, persist). When pushing, the owner flag is set unless Persist.
	Flags    uint32
	Persist  bool   // opt out of the owner flag (NFT_TABLE_F_PERSIST where supported)
	Userdata []byte // NFTA_TABLE_USERDATA (comment TLV)
	// Owner is the netlink port id owning the table (NFTA_TABLE_OWNER), pulled only.
	Owner uint32

	Chains     []*Chain
	Sets       []*Set // named sets and maps; anonymous sets live on their rules
	Objects    []*Object
	Flowtables []*Flowtable

	Pos diag.Pos // where the table was declared, if built from text
}

// Chain is a base chain (Hook != nil) or a regular chain.
type Chain struct {
	Name     string
	Handle   uint64 // NFTA_CHAIN_HANDLE
	Hook     *Hook  // nil for a regular chain
	Flags    uint32 // NFTA_CHAIN_FLAGS (e.g. NFT_CHAIN_BINDING)
	Userdata []byte // NFTA_CHAIN_USERDATA (comment TLV)
	Rules    []*Rule
	Pos      diag.Pos
}

// Hook describes where a base chain is attached.
type Hook struct {
	Type     string   // NFTA_CHAIN_TYPE: "filter", "nat", "route"
	Num      uint32   // NFTA_HOOK_HOOKNUM: NF_INET_PRE_ROUTING... / NF_NETDEV_INGRESS...
	Priority int32    // NFTA_HOOK_PRIORITY
	Devices  []string // NFTA_HOOK_DEV (one) or NFTA_HOOK_DEVS
	// Policy is the NFTA_CHAIN_POLICY verdict (NF_ACCEPT=1, NF_DROP=0);
	// nil when not given (the kernel's default is accept).
	Policy *uint32
}

// Rule is one rule of a chain: an ordered list of kernel expressions.
type Rule struct {
	Handle uint64 // NFTA_RULE_HANDLE; 0 unless pulled
	Exprs  []expr.Expr
	// Userdata holds the NFTA_RULE_USERDATA TLVs: nft's comment (type 0),
	// nfsh's tag (UdataRuleTag) and any other TLV, kept byte-exact.
	Userdata []byte
	// Sets are the anonymous sets (NFT_SET_ANONYMOUS) this rule's lookup,
	// dynset and objref expressions refer to; they belong to the rule.
	Sets []*Set
	// Compat holds NFTA_RULE_COMPAT (iptables-nft), raw, if present.
	Compat []byte
	Pos    diag.Pos
	// ExprPos holds, when the rule was compiled from text, the source of
	// the statement that produced each of Exprs (parallel to it), so a
	// kernel error about one expression can point at its statement. It is
	// never sent to the kernel, printed or compared.
	ExprPos []diag.Pos
	// Text is the source text of the rule, when built from text (for errors).
	Text string
}

// Comment returns the rule's comment.
func (r *Rule) Comment() string { return UdataString(r.Userdata, UdataRuleComment) }

// SetComment sets (or, with "", removes) the rule's comment.
func (r *Rule) SetComment(s string) { r.Userdata = UdataSetString(r.Userdata, UdataRuleComment, s) }

// Tag returns the rule's nfsh tag, its stable identity for diff.
func (r *Rule) Tag() string { return UdataString(r.Userdata, UdataRuleTag) }

// SetTag sets (or, with "", removes) the rule's nfsh tag.
func (r *Rule) SetTag(s string) { r.Userdata = UdataSetString(r.Userdata, UdataRuleTag, s) }

// Set is a named or anonymous set, map (NFT_SET_MAP), verdict map (a map
// whose DataType is the verdict type) or object map (NFT_SET_OBJECT).
type Set struct {
	Name   string // NFTA_SET_NAME; anonymous sets are "__set%d" / "__map%d" when built
	Handle uint64 // NFTA_SET_HANDLE
	// ID is the batch-local NFTA_SET_ID; assigned by the encoder when zero.
	ID         uint32
	Flags      uint32      // NFTA_SET_FLAGS: NFT_SET_ANONYMOUS, CONSTANT, INTERVAL, MAP, TIMEOUT, EVAL, OBJECT, CONCAT
	KeyType    uint32      // NFTA_SET_KEY_TYPE (nft datatype id; concatenations packed 6 bits per field)
	KeyLen     uint32      // NFTA_SET_KEY_LEN in bytes
	DataType   uint32      // NFTA_SET_DATA_TYPE (maps); 0xffffff00 = verdict
	DataLen    uint32      // NFTA_SET_DATA_LEN
	ObjType    uint32      // NFTA_SET_OBJ_TYPE (object maps)
	Policy     *uint32     // NFTA_SET_POLICY
	Size       *uint32     // NFTA_SET_DESC_SIZE
	Concat     []uint32    // NFTA_SET_DESC_CONCAT field lengths in bytes
	Timeout    *uint64     // NFTA_SET_TIMEOUT in milliseconds
	GCInterval *uint32     // NFTA_SET_GC_INTERVAL in milliseconds
	Userdata   []byte      // NFTA_SET_USERDATA TLVs (byte orders, typeof, comment, ...)
	Exprs      []expr.Expr // NFTA_SET_EXPR / NFTA_SET_EXPRESSIONS (stateful per-element templates)
	Elements   []*Element
	Pos        diag.Pos
}

// Anonymous reports whether the set is an anonymous (rule-owned) set.
func (s *Set) Anonymous() bool { return s.Flags&SetAnonymous != 0 }

// Set flags (NFT_SET_*).
const (
	SetAnonymous = 0x1   // NFT_SET_ANONYMOUS
	SetConstant  = 0x2   // NFT_SET_CONSTANT
	SetInterval  = 0x4   // NFT_SET_INTERVAL
	SetMap       = 0x8   // NFT_SET_MAP
	SetTimeout   = 0x10  // NFT_SET_TIMEOUT
	SetEval      = 0x20  // NFT_SET_EVAL
	SetObject    = 0x40  // NFT_SET_OBJECT
	SetConcat    = 0x80  // NFT_SET_CONCAT
	SetExpr      = 0x100 // NFT_SET_EXPR
)

// Element is one set element.
type Element struct {
	Key        []byte        // NFTA_SET_ELEM_KEY (NFTA_DATA_VALUE)
	KeyEnd     []byte        // NFTA_SET_ELEM_KEY_END (concatenated ranges)
	Data       []byte        // NFTA_SET_ELEM_DATA value (maps)
	Verdict    *expr.Verdict // NFTA_SET_ELEM_DATA verdict (verdict maps)
	ObjRef     string        // NFTA_SET_ELEM_OBJREF (object maps)
	Flags      uint32        // NFTA_SET_ELEM_FLAGS: NFT_SET_ELEM_INTERVAL_END=1, NFT_SET_ELEM_CATCHALL=2
	Timeout    *uint64       // NFTA_SET_ELEM_TIMEOUT in ms
	Expiration *uint64       // NFTA_SET_ELEM_EXPIRATION in ms (pulled only)
	Userdata   []byte        // NFTA_SET_ELEM_USERDATA TLVs (comment, flags)
	Exprs      []expr.Expr   // NFTA_SET_ELEM_EXPR / NFTA_SET_ELEM_EXPRESSIONS
	Pos        diag.Pos
}

// Element flags (NFT_SET_ELEM_*).
const (
	ElemIntervalEnd = 0x1 // NFT_SET_ELEM_INTERVAL_END
	ElemCatchall    = 0x2 // NFT_SET_ELEM_CATCHALL
)

// Object is a named stateful object (counter, quota, limit, ct helper, ...).
type Object struct {
	Type     uint32 // NFTA_OBJ_TYPE: NFT_OBJECT_COUNTER=1, QUOTA=2, CT_HELPER=3, LIMIT=4, CONNLIMIT=5, TUNNEL=6, CT_TIMEOUT=7, SECMARK=8, CT_EXPECT=9, SYNPROXY=10
	Name     string
	Handle   uint64
	Data     []byte // NFTA_OBJ_DATA: the nested type-specific attributes, raw
	Userdata []byte // NFTA_OBJ_USERDATA (comment TLV)
	Pos      diag.Pos
}

// Flowtable is a flowtable (hardware/software flow offload).
type Flowtable struct {
	Name     string
	Handle   uint64
	Hook     uint32   // NFTA_FLOWTABLE_HOOK_NUM
	Priority int32    // NFTA_FLOWTABLE_HOOK_PRIORITY
	Devices  []string // NFTA_FLOWTABLE_HOOK_DEVS
	Flags    uint32   // NFTA_FLOWTABLE_FLAGS
	Pos      diag.Pos
}

// Table returns the table fam/name, or nil.
func (rs *Ruleset) Table(fam Family, name string) *Table {
	for _, t := range rs.Tables {
		if t.Family == fam && t.Name == name {
			return t
		}
	}
	return nil
}

// Chain returns the chain of t named name, or nil.
func (t *Table) Chain(name string) *Chain {
	for _, c := range t.Chains {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Set returns the named set of t, or nil.
func (t *Table) Set(name string) *Set {
	for _, s := range t.Sets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Object returns the object of t with the given type and name, or nil.
func (t *Table) Object(typ uint32, name string) *Object {
	for _, o := range t.Objects {
		if o.Type == typ && o.Name == name {
			return o
		}
	}
	return nil
}

// Flowtable returns the flowtable of t named name, or nil.
func (t *Table) Flowtable(name string) *Flowtable {
	for _, f := range t.Flowtables {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Comment returns the table's comment.
func (t *Table) Comment() string { return UdataString(t.Userdata, UdataTableComment) }

// Comment returns the chain's comment.
func (c *Chain) Comment() string { return UdataString(c.Userdata, UdataChainComment) }

// Comment returns the set's comment.
func (s *Set) Comment() string { return UdataString(s.Userdata, UdataSetComment) }
