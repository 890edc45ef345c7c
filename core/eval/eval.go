// Package eval types nft expressions: it resolves symbols against
// datatypes, finds header fields and keys in core/types, tracks the
// protocol context of a rule and generates the implicit protocol
// dependencies (`meta l4proto tcp` before `tcp dport`) nft adds.
//
// Its output is a small typed form (Load, Const, Value) that
// core/linearize turns into kernel expressions.
package eval

import (
	"fmt"
	"math/big"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// SetInfo describes a named set or map the rule may reference.
type SetInfo struct {
	Name     string
	Key      []*types.Datatype // one per concatenated field
	KeyBits  []int             // bits of each key field
	Data     *types.Datatype   // nil for sets
	DataBits int
	Flags    uint32
	ObjType  uint32
}

// Tables gives access to the declarations a rule may refer to.
type Tables interface {
	// Set returns the named set of the table, or nil.
	Set(name string) *SetInfo
}

// ChainTables is implemented by Tables that know the chains of the table.
// When it is, eval refuses jumps and gotos to chains the table lacks and
// to base chains, as the kernel would (ENOENT, EOPNOTSUPP).
type ChainTables interface {
	// Chain reports whether the table has the chain (declared anywhere
	// in the script or present in the kernel), whether it is a base
	// chain, and whether the answer is certain (known false when the
	// table may hold chains the compiler has not seen).
	Chain(name string) (exists, base, known bool)
}

// ObjectTables is implemented by Tables that know the stateful objects
// of the table. When it is, eval refuses references to missing objects.
type ObjectTables interface {
	// Object reports whether the table has the object of type typ
	// (NFT_OBJECT_COUNTER, ...) and whether the answer is certain.
	Object(typ uint32, name string) (exists, known bool)
}

// Ctx is the evaluation context of one rule.
type Ctx struct {
	Family ruleset.Family
	Table  string
	Chain  string
	Hook   string // hook name of the chain, "" for regular chains
	Decls  Tables
	// proto is the protocol known at each base.
	proto [5]*types.Proto
	// Deps are dependency matches generated so far and not yet emitted.
	Deps []*Match
	// PrependDeps are dependencies nft inserts at the start of the rule
	// (extension headers); linearize emits them first.
	PrependDeps []*Match
	// llOff is the offset of a stacked link layer header (vlan after ether).
	llOff int
	// icmpType is the ICMP type the rule is known to match (th_dep).
	icmpType uint8
}

// NewCtx returns a rule context for the table family.
func NewCtx(fam ruleset.Family) *Ctx {
	c := &Ctx{Family: fam}
	c.Reset()
	return c
}

// Reset clears the protocol context (at the start of a rule).
func (c *Ctx) Reset() {
	c.proto = [5]*types.Proto{}
	switch c.Family {
	case ruleset.FamilyIP:
		c.proto[types.BaseNetwork] = types.ProtoIP
	case ruleset.FamilyIP6:
		c.proto[types.BaseNetwork] = types.ProtoIP6
	case ruleset.FamilyARP:
		c.proto[types.BaseNetwork] = types.ProtoARP
	case ruleset.FamilyInet:
		c.proto[types.BaseLL] = types.ProtoInet
	case ruleset.FamilyBridge:
		c.proto[types.BaseLL] = types.ProtoEth
	case ruleset.FamilyNetdev:
		c.proto[types.BaseLL] = types.ProtoNetdev
	}
	c.Deps = nil
	c.PrependDeps = nil
	c.icmpType = 0
	c.llOff = 0
}

func (c *Ctx) hookBase() types.Base {
	switch c.Family {
	case ruleset.FamilyIP, ruleset.FamilyIP6, ruleset.FamilyARP:
		return types.BaseNetwork
	}
	return types.BaseLL
}

// Errorf returns an evaluation error at the node's position.
func Errorf(n ast.Node, format string, args ...any) error {
	var p diag.Pos
	if n != nil {
		p = n.Pos()
	}
	return &diag.Error{Op: "eval", Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// Load is a typed expression that loads something into a register.
type Load struct {
	Node ast.Node
	// Tmpl is the kernel expression without its destination register.
	Tmpl expr.Expr
	// Inner is loaded first into the same register (jhash input).
	Inner *Load
	Type  *types.Datatype
	Order types.ByteOrder
	Bits  int // bits of the value
	// RegBits is the width loaded into the register (bits), >= Bits; for
	// bitfields Shift is the position of the field from the low end and
	// Mask selects it.
	RegBits int
	Shift   int
	Mask    *big.Int
	// Proto/Field are set for header field loads.
	Proto *types.Proto
	Field string
	// Payload is the header load, for writes; BitOff is the field's
	// offset in bits from the start of the payload base.
	Payload *expr.Payload
	BitOff  int
	// Concat holds the fields of a concatenation (Tmpl nil).
	Concat []*Load
	// Binop is a bitwise operation applied after the load: & | ^ << >>.
	Binop []Binop
}

// Binop is a bitwise operation on a loaded value.
type Binop struct {
	Op string
	V  *big.Int
}

// Bytes is the register size of the value in bytes.
func (l *Load) Bytes() int { return (l.RegBits + 7) / 8 }

// Const is a typed constant.
type Const struct {
	Node  ast.Node
	Type  *types.Datatype
	Order types.ByteOrder
	V     *big.Int
	Bits  int
	// Wildcard is set for interface name prefixes (`eth*`).
	Wildcard bool
	// Verdict is set for verdict constants (map data).
	Verdict *expr.Verdict
}

// Bytes returns the constant as register bytes of n bytes (n <= 0: its own size).
func (k *Const) Bytes(n int) []byte {
	if n <= 0 {
		n = (k.Bits + 7) / 8
	}
	if k.Type != nil && k.Type.IsString() {
		b := k.V.Bytes()
		out := make([]byte, n)
		// strings are left aligned: V holds the bytes as written
		sl := (k.Bits + 7) / 8
		if len(b) < sl {
			b = append(make([]byte, sl-len(b)), b...)
		}
		copy(out, b)
		return out
	}
	return types.ToBytes(k.V, n, k.Order)
}

// ValueKind says what a right-hand side is.
type ValueKind int

// Kinds of right-hand sides.
const (
	VConst ValueKind = iota
	VRange
	VPrefix
	VConcat
	VSet
	VSetRef
	VMask // flags list or OR-combined bitmask
)

// Value is a typed right-hand side: a constant, range, prefix,
// concatenation, set literal or set reference.
type Value struct {
	Node   ast.Node
	Kind   ValueKind
	C      *Const   // VConst, VPrefix base, VMask
	Lo, Hi *Const   // VRange (also VPrefix, computed)
	Plen   int      // VPrefix
	Parts  []*Value // VConcat
	Elems  []*Elem  // VSet
	SetRef *SetInfo // VSetRef
}

// Elem is one element of a set literal, possibly mapped to data.
type Elem struct {
	Node    ast.Node
	Key     *Value
	Data    *Value
	Catch   bool
	Timeout *uint64
	Expires *uint64
	Comment string
	Stmts   []ast.Stmt
}

// Match is an evaluated relational expression.
type Match struct {
	Node  ast.Node
	Left  *Load
	Op    string // "==", "!=", "<", ">", "<=", ">=", "implicit"
	Right *Value
	// Flags: implicit bitmask test (`ct state established`).
	Flags bool
	// Mask is the mask of `tcp flags syn / syn,ack`.
	Mask *Const
}

// Proto returns the protocol the rule is known to match at base b, or nil.
func (c *Ctx) Proto(b types.Base) *types.Proto { return c.proto[b] }
