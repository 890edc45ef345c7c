// Package ast is the syntax tree of the nft language (what `nft -f FILE`
// accepts), as produced by core/parse and consumed by core/compile.
//
// The tree is close to the surface syntax: words whose meaning depends on
// the datatype they are compared with (`ssh`, `established`, `10.0.0.1`,
// `1h`) are kept as *Symbol and resolved later by the evaluator. Every node
// carries the diag.Pos of the text it was parsed from.
package ast

import "github.com/nfsh/nfsh/core/diag"

// Node is implemented by every syntax tree node.
type Node interface {
	// Pos returns where in the source the node was written.
	Pos() diag.Pos
}

// Loc is embedded in every node and records its source position.
type Loc struct {
	P diag.Pos
}

// Pos returns the position stored in l.
func (l Loc) Pos() diag.Pos { return l.P }

// At returns a Loc for p (a convenience for building nodes by hand).
func At(p diag.Pos) Loc { return Loc{P: p} }

// Ident is a name written in the source (table, chain, set, object names):
// a bare word, as nft's grammar wants there.
type Ident struct {
	Loc
	Name string
}

// File is a parsed nft script: a list of commands in source order.
// Includes are expanded in place; defines are resolved at parse time and
// also kept (as *Define commands) so tools can print them back.
type File struct {
	Loc
	Name     string
	Commands []*Command
	Defines  []*Define  // define/redefine/undefine directives, in order
	Includes []*Include // include directives, in order
}
