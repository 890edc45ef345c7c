package ast

// Op is the verb of a command.
type Op string

// Command verbs. A block written without a verb (`table inet t { ... }`)
// is an OpAdd.
const (
	OpAdd      Op = "add"
	OpCreate   Op = "create"
	OpInsert   Op = "insert"
	OpReplace  Op = "replace"
	OpDelete   Op = "delete"
	OpDestroy  Op = "destroy"
	OpGet      Op = "get"
	OpList     Op = "list"
	OpReset    Op = "reset"
	OpFlush    Op = "flush"
	OpRename   Op = "rename"
	OpImport   Op = "import"
	OpExport   Op = "export"
	OpMonitor  Op = "monitor"
	OpDescribe Op = "describe"
)

// ObjKind names the kind of object a command acts on, spelled as in nft
// (two-word kinds keep their space: "ct helper").
type ObjKind string

// Object kinds. The plural kinds are only used by list/reset/flush/monitor.
const (
	ObjTable      ObjKind = "table"
	ObjChain      ObjKind = "chain"
	ObjRule       ObjKind = "rule"
	ObjSet        ObjKind = "set"
	ObjMap        ObjKind = "map"
	ObjElement    ObjKind = "element"
	ObjFlowtable  ObjKind = "flowtable"
	ObjCounter    ObjKind = "counter"
	ObjQuota      ObjKind = "quota"
	ObjLimit      ObjKind = "limit"
	ObjCtHelper   ObjKind = "ct helper"
	ObjCtTimeout  ObjKind = "ct timeout"
	ObjCtExpect   ObjKind = "ct expectation"
	ObjSynproxy   ObjKind = "synproxy"
	ObjSecmark    ObjKind = "secmark"
	ObjMeter      ObjKind = "meter"
	ObjRuleset    ObjKind = "ruleset"
	ObjTables     ObjKind = "tables"
	ObjChains     ObjKind = "chains"
	ObjSets       ObjKind = "sets"
	ObjMaps       ObjKind = "maps"
	ObjFlowtables ObjKind = "flowtables"
	ObjCounters   ObjKind = "counters"
	ObjQuotas     ObjKind = "quotas"
	ObjLimits     ObjKind = "limits"
	ObjSecmarks   ObjKind = "secmarks"
	ObjSynproxys  ObjKind = "synproxys"
	ObjMeters     ObjKind = "meters"
	ObjCtHelpers  ObjKind = "ct helpers"
	ObjCtTimeouts ObjKind = "ct timeouts"
	ObjCtExpects  ObjKind = "ct expectations"
	ObjHooks      ObjKind = "hooks"
	ObjNone       ObjKind = "" // describe, monitor, import, export
)

// Command is one top-level command of an nft script.
//
// Spec names the object. Exactly one of the body fields is set for add and
// create (and for delete of elements / get element): Table for tables
// (which may hold nested declarations), Chain, Rule, Set (sets and maps),
// Elements, Object, Flowtable.
type Command struct {
	Loc
	Op   Op
	Obj  ObjKind
	Spec Spec

	Table     *Table     // table body (nil for `add table inet t` without braces: then Spec only)
	Chain     *Chain     // chain body
	Rule      *Rule      // add/insert/replace rule
	Set       *Set       // set or map declaration
	Elements  *SetExpr   // add/create/delete/get element
	Object    *Object    // stateful object declaration
	Flowtable *Flowtable // flowtable declaration

	NewName *Ident   // rename chain: the new name
	Expr    Expr     // describe: the expression
	Words   []string // monitor/import/export arguments as written (event, object, format), list hooks device
}

// Spec identifies the object a command acts on. Fields not written are
// zero. Family is "" when not written (nft then defaults to ip).
type Spec struct {
	Family    string
	FamilyPos Loc
	Table     *Ident
	Chain     *Ident // for chain and rule commands
	Name      *Ident // set, map, flowtable, object names
	Handle    *Uint  // `handle N` (delete by handle, replace rule, add rule ... handle N)
	Position  *Uint  // `position N` (add/insert rule)
	Index     *Uint  // `index N` (add/insert rule)
}

// Uint is an unsigned number written in the source.
type Uint struct {
	Loc
	V uint64
}

// Define is a `define NAME = VALUE` (or redefine/undefine) directive. The
// parser substitutes variables itself; File.Defines keeps the directives.
type Define struct {
	Loc
	Kind  string // "define", "redefine", "undefine"
	Name  string
	Value Expr // nil for undefine
}

// Include records an `include "pattern"` directive and the files it
// expanded to (their commands are spliced into File.Commands).
type Include struct {
	Loc
	Pattern string
	Files   []string
}
