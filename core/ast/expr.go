package ast

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Symbol is an unquoted word or constant whose meaning depends on the
// datatype it meets: `ssh`, `established`, `10.0.0.1`, `::1`, `1h30m`,
// `00:11:22:33:44:55`, `eth*` (a wildcard: Text ends in `*`). Values in
// brackets (`[::1]`) are stored without the brackets.
type Symbol struct {
	Loc
	Text string
}

// String is a double-quoted string; Text is without the quotes. A quoted
// string ending in `*` is also a wildcard for interface names.
type String struct {
	Loc
	Text string
}

// Number is an unsigned integer constant written in decimal or 0x hex.
// Text keeps the spelling (the evaluator may need it, e.g. for `0x10`).
type Number struct {
	Loc
	Text  string
	Value uint64
}

// Variable is a `$name` reference. By default the parser substitutes
// variables and Variable never appears in the tree; with
// parse.Options.KeepVariables it does, with Value set to the definition.
type Variable struct {
	Loc
	Name  string
	Value Expr
}

// SetRef is a reference to a named set or map, `@name`.
type SetRef struct {
	Loc
	Name string
}

// Prefix is `X/LEN` (addresses, `10.0.0.0/8`).
type Prefix struct {
	Loc
	X   Expr
	Len uint64
}

// Range is `LO-HI`.
type Range struct {
	Loc
	Lo, Hi Expr
}

// Concat is a concatenation `a . b . c`.
type Concat struct {
	Loc
	Exprs []Expr
}

// Binary is a bitwise or shift operation, or the `+`/`-` of a chain
// priority (`filter + 10`). Op is one of "&", "|", "^", "<<", ">>", "+", "-".
type Binary struct {
	Loc
	Op   string
	X, Y Expr
}

// List is a comma separated list without braces, as in
// `ct state established,related`.
type List struct {
	Loc
	Exprs []Expr
}

// SetExpr is a brace set `{ a, b, c }`: an anonymous set, map or verdict
// map literal, or the elements of an element command. Each element is an
// *Elem, a *Mapping, or a nested *SetExpr (which nft flattens).
type SetExpr struct {
	Loc
	Elems []Expr
}

// Elem is a set element with its options: `1.2.3.4 timeout 10s expires 5s
// comment "x" counter`. Key is the value; catch-all `*` is a *CatchAll.
type Elem struct {
	Loc
	Key     Expr
	Timeout Expr // time value, nil if not written
	Expires Expr
	Comment *String
	Stmts   []Stmt // element statements: counter, limit, quota, ct count
}

// CatchAll is the `*` catch-all element of a set or map.
type CatchAll struct {
	Loc
}

// Mapping is a map element `key : value`. Key is usually an *Elem (so it
// can carry options); Value is a data expression or a *Verdict.
type Mapping struct {
	Loc
	Key   Expr
	Value Expr
}

// MapLookup is `X map MAP` (MAP a *SetExpr, *SetRef or variable), or with
// Verdict set, the expression part of `X vmap MAP`.
type MapLookup struct {
	Loc
	X       Expr
	Map     Expr
	Verdict bool
}

// Verdict is a verdict as a value (in verdict maps) or statement (inside a
// *VerdictStmt): accept, drop, continue, return, jump CHAIN, goto CHAIN,
// queue (as verdict). Chain is set for jump and goto.
type Verdict struct {
	Loc
	Kind  string
	Chain Expr // *Symbol/*String chain name, or a variable value
}

// Payload is a protocol header field: `ip saddr`, `tcp dport`, `th dport`,
// `vlan id`, `arp saddr ip` (Field "saddr ip"), `icmpv6 type`.
type Payload struct {
	Loc
	Proto string // ether, vlan, arp, ip, icmp, igmp, ip6, icmpv6, ah, esp, comp, udp, udplite, tcp, dccp, sctp, th, gre, ...
	Field string
}

// RawPayload is `@base,offset,length` with base ll, nh, th or ih.
type RawPayload struct {
	Loc
	Base   string
	Offset uint64
	Len    uint64
}

// Exthdr is an extension header or option field. Kind says which:
//
//	"ip6":        hbh/rt/rt0/rt2/srh/frag/dst/mh (Name) with Field; `exthdr NAME` (existence) has Field "".
//	"tcp option": Name is the option (mss, sack, sack0..3, window, timestamp, mptcp, eol, nop, fastopen, md5sig, sack-perm, echo, or a number);
//	              Field is "" for presence (`tcp option sack-perm`), else size/left/right/count/tsval/tsecr/length/subtype/kind.
//	              `tcp option @kind,off,len` sets Raw, Offset and Len.
//	"ip option":  Name lsrr/rr/ssrr/ra, Field type/length/value/ptr/addr or "".
//	"sctp chunk": Name is the chunk type, Field the chunk field or "" for presence.
//	"dccp option": Name is the option number.
//
// Index is the [N] of `rt0 addr[1]` and `srh sid[1]`.
type Exthdr struct {
	Loc
	Kind   string
	Name   string
	Field  string
	Index  uint64
	Raw    bool
	Offset uint64
	Len    uint64
}

// Meta is a meta expression `meta KEY` or an unqualified meta key
// (`iif`, `mark`, `l4proto`...). Qualified records whether `meta` was written.
type Meta struct {
	Loc
	Key       string
	Qualified bool
}

// Ct is a conntrack expression: `ct state`, `ct original saddr`,
// `ct reply ip daddr` (Family "ip"), `ct original zone`, `ct id`.
type Ct struct {
	Loc
	Dir    string // "", "original", "reply"
	Family string // "", "ip", "ip6"
	Key    string
}

// Fib is `fib saddr . iif oif`.
type Fib struct {
	Loc
	Flags  []string // saddr, daddr, mark, iif, oif
	Result string   // oif, oifname, type
}

// Rt is a routing expression: `rt classid`, `rt nexthop`, `rt ip nexthop`,
// `rt ip6 nexthop`, `rt mtu`, `rt ipsec`.
type Rt struct {
	Loc
	Family string
	Key    string
}

// Socket is `socket transparent|mark|wildcard` or `socket cgroupv2 level N`.
type Socket struct {
	Loc
	Key   string
	Level uint64
}

// Osf is `osf [ttl loose|skip] name|version`.
type Osf struct {
	Loc
	TTL string // "", "loose", "skip"
	Key string // name, version
}

// Ipsec is `ipsec in|out [spnum N] [ip|ip6] KEY`.
type Ipsec struct {
	Loc
	Dir    string
	Spnum  uint64
	Family string
	Key    string // reqid, spi, saddr, daddr
}

// Numgen is `numgen inc|random mod N [offset M]`.
type Numgen struct {
	Loc
	Mode   string
	Mod    uint64
	Offset uint64
}

// Hash is `jhash EXPR mod N [seed S] [offset O]` or `symhash mod N [offset O]`.
type Hash struct {
	Loc
	Kind    string // jhash, symhash
	X       Expr   // nil for symhash
	Mod     uint64
	Seed    uint64
	HasSeed bool
	Offset  uint64
}

func (*Symbol) exprNode()     {}
func (*String) exprNode()     {}
func (*Number) exprNode()     {}
func (*Variable) exprNode()   {}
func (*SetRef) exprNode()     {}
func (*Prefix) exprNode()     {}
func (*Range) exprNode()      {}
func (*Concat) exprNode()     {}
func (*Binary) exprNode()     {}
func (*List) exprNode()       {}
func (*SetExpr) exprNode()    {}
func (*Elem) exprNode()       {}
func (*CatchAll) exprNode()   {}
func (*Mapping) exprNode()    {}
func (*MapLookup) exprNode()  {}
func (*Verdict) exprNode()    {}
func (*Payload) exprNode()    {}
func (*RawPayload) exprNode() {}
func (*Exthdr) exprNode()     {}
func (*Meta) exprNode()       {}
func (*Ct) exprNode()         {}
func (*Fib) exprNode()        {}
func (*Rt) exprNode()         {}
func (*Socket) exprNode()     {}
func (*Osf) exprNode()        {}
func (*Ipsec) exprNode()      {}
func (*Numgen) exprNode()     {}
func (*Hash) exprNode()       {}
