package ast

// Stmt is a statement of a rule.
type Stmt interface {
	Node
	stmtNode()
}

// Match is a relational statement `LEFT [OP] RIGHT`. Op is "" when
// implicit, else one of "==", "!=", "<", ">", "<=", ">=", "!" (word forms
// eq/ne/lt/gt/le/ge/not are normalised to these). Mask is set for the
// flag comparison form `tcp flags syn / syn,ack` (match LEFT & Mask == Right).
type Match struct {
	Loc
	Left  Expr
	Op    string
	Right Expr
	Mask  Expr
}

// VerdictStmt is a verdict: accept, drop, continue, return, jump CHAIN,
// goto CHAIN. (The `queue` verdict is a *Queue statement.)
type VerdictStmt struct {
	Loc
	Verdict *Verdict
}

// VerdictMap is `KEY vmap { ... }` or `KEY vmap @m`.
type VerdictMap struct {
	Loc
	Key Expr
	Map Expr
}

// ChainStmt is `jump { rules }` / `goto { rules }`: an anonymous chain.
type ChainStmt struct {
	Loc
	Kind  string // jump, goto
	Rules []*Rule
}

// Counter is `counter [packets N bytes M]`.
type Counter struct {
	Loc
	Packets, Bytes *Uint
}

// Log is the log statement with its options (nil / empty when not written).
type Log struct {
	Loc
	Prefix         Expr // *String; a *List of *String and *Variable when `$var` appears inside the prefix with KeepVariables
	Group          *Uint
	Snaplen        *Uint
	QueueThreshold *Uint
	Level          *Ident   // emerg, alert, crit, err, warn, notice, info, debug, audit
	Flags          []string // "tcp sequence", "tcp options", "ip options", "skuid", "ether", "all"
}

// Limit is `limit rate [over|until] N/UNIT [burst M packets]` or the byte
// form `limit rate [over] N BYTEUNIT/UNIT [burst M BYTEUNIT]`.
type Limit struct {
	Loc
	Over      bool
	Rate      uint64
	RateUnit  string // "" for packets, else "bytes", "kbytes", "mbytes"
	Per       string // second, minute, hour, day, week
	Burst     *Uint
	BurstUnit string // "packets" for packet limits, else bytes unit
}

// Quota is `quota [over|until] N UNIT [used M UNIT]`.
type Quota struct {
	Loc
	Over     bool
	Amount   uint64
	Unit     string // bytes, kbytes, mbytes
	Used     *Uint
	UsedUnit string
}

// Connlimit is `ct count [over] N`.
type Connlimit struct {
	Loc
	Over  bool
	Count uint64
}

// Last is `last [used never|TIME]`.
type Last struct {
	Loc
	Used Expr // nil, *Symbol "never" or a time value
}

// Assign sets a key: `meta mark set EXPR`, `mark set 1`, `ct mark set
// meta mark`, `ip ttl set 5`, `tcp option maxseg size set 1360`,
// `ct zone set 1`. Target is a *Meta, *Ct, *Payload or *Exthdr.
type Assign struct {
	Loc
	Target Expr
	Value  Expr
}

// Nat is snat, dnat, masquerade or redirect.
type Nat struct {
	Loc
	Kind   string // snat, dnat, masquerade, redirect
	Family string // "", "ip", "ip6" (`dnat ip to ...` in inet tables)
	// Type is "" (plain), "addr . port" (`dnat ip addr . port to ...`),
	// "interval" or "prefix".
	Type  string
	Addr  Expr     // nil when only a port is given
	Port  Expr     // `:PORT` part, nil if none
	Flags []string // random, fully-random, persistent, netmap
}

// Reject is `reject [with icmp|icmpv6|icmpx [type] CODE | with tcp reset]`.
type Reject struct {
	Loc
	With string // "", "icmp", "icmpv6", "icmpx", "tcp reset"
	Code Expr   // *Symbol or *Number, nil for tcp reset / default
}

// Tproxy is `tproxy [ip|ip6] to [ADDR][:PORT]`.
type Tproxy struct {
	Loc
	Family string
	Addr   Expr
	Port   Expr
}

// Synproxy is `synproxy [mss N] [wscale N] [timestamp] [sack-perm]`.
type Synproxy struct {
	Loc
	Mss       *Uint
	Wscale    *Uint
	Timestamp bool
	SackPerm  bool
}

// Dup is `dup to ADDR [device DEV]`.
type Dup struct {
	Loc
	Addr Expr
	Dev  Expr
}

// Fwd is `fwd to DEV` or `fwd ip|ip6 to ADDR device DEV`.
type Fwd struct {
	Loc
	Family string
	Addr   Expr // nil for the plain `fwd to DEV` form
	Dev    Expr
}

// Queue is the queue statement.
type Queue struct {
	Loc
	Num   Expr     // *Number, *Range, numgen/hash/map expression, or nil
	Flags []string // bypass, fanout
}

// Notrack is the notrack statement.
type Notrack struct {
	Loc
}

// FlowOffload is `flow add @ft` / `flow offload @ft`.
type FlowOffload struct {
	Loc
	Table string
}

// DynSet is a set or map statement: `add @s { KEY [opts] [stmts] }`,
// `update @m { KEY : DATA }`, `delete @s { KEY }`, and the old form
// `set add KEY @s`. Key is an *Elem (carrying timeout/expires/comment).
type DynSet struct {
	Loc
	Op    string // add, update, delete
	Set   Expr   // *SetRef or variable value
	Key   *Elem
	Data  Expr   // maps only
	Stmts []Stmt // stateful statements inside the braces
}

// Meter is the legacy `meter NAME [size N] { KEY STMT }`.
type Meter struct {
	Loc
	Name string
	Size *Uint
	Key  *Elem
	Stmt Stmt
}

// ObjRef references a stateful object: `counter name X`, `quota name X`,
// `limit name X`, `ct helper set X`, `ct timeout set X`, `ct expectation
// set X`, `synproxy name X`, `meta secmark set X` (Kind "secmark").
// Name is the expression naming the object (may be a map lookup).
type ObjRef struct {
	Loc
	Kind ObjKind
	Name Expr
}

// OptStrip is `reset tcp option NAME`.
type OptStrip struct {
	Loc
	Option *Exthdr
}

// Xt is a foreign xtables statement `xt match|target|watcher NAME` (only
// printed, never accepted by nft for input).
type Xt struct {
	Loc
	Type string
	Name string
}

func (*Match) stmtNode()       {}
func (*VerdictStmt) stmtNode() {}
func (*VerdictMap) stmtNode()  {}
func (*ChainStmt) stmtNode()   {}
func (*Counter) stmtNode()     {}
func (*Log) stmtNode()         {}
func (*Limit) stmtNode()       {}
func (*Quota) stmtNode()       {}
func (*Connlimit) stmtNode()   {}
func (*Last) stmtNode()        {}
func (*Assign) stmtNode()      {}
func (*Nat) stmtNode()         {}
func (*Reject) stmtNode()      {}
func (*Tproxy) stmtNode()      {}
func (*Synproxy) stmtNode()    {}
func (*Dup) stmtNode()         {}
func (*Fwd) stmtNode()         {}
func (*Queue) stmtNode()       {}
func (*Notrack) stmtNode()     {}
func (*FlowOffload) stmtNode() {}
func (*DynSet) stmtNode()      {}
func (*Meter) stmtNode()       {}
func (*ObjRef) stmtNode()      {}
func (*OptStrip) stmtNode()    {}
func (*Xt) stmtNode()          {}
