package ast

// Table is a table declaration `table FAMILY NAME { ... }` with its nested
// declarations, each kind in source order.
type Table struct {
	Loc
	Flags      []*Ident // `flags dormant`
	Comment    *String
	Chains     []*Chain
	Sets       []*Set // sets and maps
	Objects    []*Object
	Flowtables []*Flowtable
}

// Chain is a chain declaration body. Base chains have Type, Hook and
// Priority; Rules hold the rules written inside the block.
type Chain struct {
	Loc
	Name     *Ident   // set for chains nested in a table block
	Type     *Ident   // `type filter|nat|route`
	Hook     *Ident   // `hook input`
	Devices  []Expr   // `device X` or `devices = { ... }` (elements are *Symbol, *String or variables)
	Priority Expr     // *Number, *Symbol (`filter`), *Binary{Op:"+"|"-"} (`filter + 10`), negative *Number
	Policy   Expr     // `policy accept|drop` (*Symbol) or a variable value
	Flags    []*Ident // `flags offload`
	Comment  *String
	Rules    []*Rule
}

// Rule is a list of statements plus its comment.
type Rule struct {
	Loc
	Stmts   []Stmt
	Comment *String // `comment "..."`
}

// TypeSpec is the key or data type of a set or map: either a concatenation
// of datatype names (`type ipv4_addr . inet_service`) or a typeof
// expression (`typeof ip saddr . tcp dport`).
type TypeSpec struct {
	Loc
	Names    []*Ident // datatype names; object maps use "counter", "quota", "limit", "secmark", "synproxy", "ct helper", ...
	Typeof   Expr     // non-nil for typeof
	Interval bool     // `: interval TYPE` (data of interval maps)
}

// Set is a set or map declaration body.
type Set struct {
	Loc
	Name       *Ident // set for sets nested in a table block
	IsMap      bool
	Key        *TypeSpec
	Data       *TypeSpec // maps only
	Flags      []*Ident  // constant, interval, timeout, dynamic
	Timeout    Expr      // time value (*Symbol such as "1h", *Number seconds)
	GcInterval Expr
	Size       *Uint
	Policy     *Ident // performance, memory
	AutoMerge  bool
	Stmts      []Stmt   // stateful statements for elements (counter, quota, limit)
	Elements   *SetExpr // `elements = { ... }`
	Comment    *String
}

// Object is a stateful object declaration (counter, quota, limit, ct
// helper/timeout/expectation, synproxy, secmark). The field for Kind is set.
type Object struct {
	Loc
	Kind      ObjKind
	Name      *Ident // set for objects nested in a table block
	Comment   *String
	Counter   *Counter
	Quota     *Quota
	Limit     *Limit
	Synproxy  *Synproxy
	Secmark   *String // the security context
	CtHelper  *CtHelper
	CtTimeout *CtTimeout
	CtExpect  *CtExpect
}

// CtHelper is the body of a `ct helper` object.
type CtHelper struct {
	Loc
	Type     *String // `type "ftp" protocol tcp`
	Protocol *Ident
	L3Proto  *Ident // `l3proto ip`
}

// CtTimeout is the body of a `ct timeout` object.
type CtTimeout struct {
	Loc
	Protocol *Ident
	L3Proto  *Ident
	Policy   []*TimeoutPolicy // `policy = { established: 100, close: 5 }`
}

// TimeoutPolicy is one `state : timeout` entry of a ct timeout policy.
type TimeoutPolicy struct {
	Loc
	State *Ident
	Value Expr // *Number (seconds) or time *Symbol
}

// CtExpect is the body of a `ct expectation` object.
type CtExpect struct {
	Loc
	Protocol *Ident
	L3Proto  *Ident
	DPort    *Uint
	Timeout  Expr
	Size     *Uint
}

// Flowtable is a flowtable declaration body.
type Flowtable struct {
	Loc
	Name     *Ident
	Hook     *Ident
	Priority Expr
	Devices  []Expr
	Flags    []*Ident // offload
	Counter  bool
	Comment  *String
}
