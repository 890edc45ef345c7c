// Package bindings is nfsh's Lua API over the core: the nft module with
// userdata types for rulesets, tables, chains, rules and sets (one file per
// Lua type), chainable builder methods, nft text blocks with typed $variable
// interpolation, and push/pull against the kernel.
//
// The bindings depend on the core through the small interfaces of this
// file, so that the module can be built and tested before (and apart from)
// the compiler, printer and kernel transport; package lua/shell plugs in the
// real implementations.
package bindings

import (
	"errors"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Compiler turns nft-level input into kernel-level commands and rules
// (core/parse and core/compile). known is the value being built: its
// tables, chains and sets may be referenced (`@blocklist`, `jump other`).
// vars are typed $variables (see ValueToExpr); they must stay
// *ast.Variable nodes so that a type error names the variable.
type Compiler interface {
	// Script compiles nft script text (the language of `nft -f`). name
	// and base give the position of the text's first byte in the Lua
	// script, for error messages.
	Script(base diag.Pos, src []byte, vars map[string]ast.Expr, known *ruleset.Ruleset) ([]ruleset.Command, error)
	// Rule compiles the text of one rule of chain fam/table/chain (as
	// written after `add rule FAMILY TABLE CHAIN`); base is the position
	// of the text's first byte.
	Rule(fam ruleset.Family, table, chain, text string, base diag.Pos, vars map[string]ast.Expr, known *ruleset.Ruleset) (*ruleset.Rule, error)
	// Commands compiles declarations the Lua builders made as syntax
	// trees (base chains, sets, maps, elements).
	Commands(cmds []*ast.Command, known *ruleset.Ruleset) ([]ruleset.Command, error)
}

// Printer renders kernel-level values as nft text, identical to what
// `nft list` prints (core/delinearize and core/format).
type Printer interface {
	// Ruleset prints like `nft list ruleset`.
	Ruleset(rs *ruleset.Ruleset) (string, error)
	// Table prints like `nft list table FAMILY NAME`.
	Table(t *ruleset.Table) (string, error)
	// Chain prints like `nft list chain FAMILY TABLE NAME`.
	Chain(t *ruleset.Table, c *ruleset.Chain) (string, error)
	// Set prints like `nft list set FAMILY TABLE NAME`.
	Set(t *ruleset.Table, s *ruleset.Set) (string, error)
	// Rule prints one rule as it appears inside its chain (no indent).
	Rule(t *ruleset.Table, c *ruleset.Chain, r *ruleset.Rule) (string, error)
}

// JSONPrinter is a Printer that also renders nft's JSON (`nft -j list
// ruleset`); rs:json() needs one.
type JSONPrinter interface {
	// RulesetJSON prints like `nft -j list ruleset`.
	RulesetJSON(rs *ruleset.Ruleset) (string, error)
}

// PushOptions select how nft.push commits a value.
type PushOptions struct {
	// Mode is "replace" (destroy and rebuild the value's tables) or
	// "reconcile" (minimal patch under the generation id).
	Mode string
	// Check sends the batch without committing it (validation only).
	Check bool
}

// Kernel is the session's connection to nf_tables (core/kernel over one
// owner socket held for the whole session, in the session's netns).
type Kernel interface {
	// Push commits rs atomically.
	Push(rs *ruleset.Ruleset, opts PushOptions) error
	// Pull reads the whole ruleset (fam 0, table "") or one table.
	Pull(fam ruleset.Family, table string) (*ruleset.Ruleset, error)
	// Apply commits cmds as one atomic batch (check: validate only);
	// new tables carry the owner flag unless persist.
	Apply(cmds []ruleset.Command, check, persist bool) error
	// Features reports kernel features by name ("owner", "persist",
	// "destroy", "flowtable", ...).
	Features() map[string]bool
	// Owned returns "FAMILY NAME" of the tables this session owns (they
	// vanish when it ends).
	Owned() []string
}

// EchoKernel is a Kernel that can also tell what a commit changed, as
// `nft -e` does; nft.run's echo option needs it.
type EchoKernel interface {
	// ApplyEcho is Apply that also returns the kernel's notifications of
	// what the add, create, insert and replace commands changed (see
	// core/kernel ApplyOptions.Echo; core/monitor EchoCommit decodes
	// them). A check commits nothing and returns none.
	ApplyEcho(cmds []ruleset.Command, check, persist bool) ([]nfnl.Msg, error)
}

// ScopedKernel is a Kernel that can read only what compiling a change
// needs (core/kernel PullOptions.Scope): every declaration, elements of
// the named interval sets, rules of the named chains. nft.run and
// nft.add_element use it when present, so a change to a big ruleset
// reads little.
type ScopedKernel interface {
	PullScoped(sets, chains []compile.Ref) (*ruleset.Ruleset, error)
}

// NeedsCompiler is a Compiler that can tell what compiling nft text reads
// from the kernel (core/compile.ScriptNeeds).
type NeedsCompiler interface {
	Needs(src []byte, vars map[string]ast.Expr) (compile.Needs, error)
}

// JSONCompiler is a Compiler that also reads nft's JSON (libnftables
// JSON, as `nft -j -f` does); nft.parse_json needs one.
type JSONCompiler interface {
	// ScriptJSON compiles a JSON document; positions are relative to
	// it, as for Script.
	ScriptJSON(src []byte, known *ruleset.Ruleset) ([]ruleset.Command, error)
}

// Core is what the bindings need from the rest of nfsh. A nil member
// makes the functions that need it raise ErrUnavailable.
type Core struct {
	Compiler Compiler
	Printer  Printer
	Kernel   Kernel
}

// ErrUnavailable is raised by a binding whose core part (compiler,
// printer or kernel) was not provided.
var ErrUnavailable = errors.New("not available in this build")
