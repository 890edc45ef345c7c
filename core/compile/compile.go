// Package compile turns nft text (core/parse, core/ast) into kernel-level
// commands ([]ruleset.Command) exactly as nft 1.0.6 would send them:
// tables, chains with hook numbers and priorities, sets and maps with key
// types, lengths and userdata, elements, objects and rules (via core/eval
// and core/linearize), in nft's order.
package compile

import (
	"errors"
	"math"
	"sort"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/eval"
	"github.com/nfsh/nfsh/core/linearize"
	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Options tune compilation.
type Options struct {
	// Parse are the parser options (include path, variables).
	Parse *parse.Options
	// Known holds tables that exist already (e.g. pulled from the kernel):
	// their sets and chains may be referenced by the commands. When set,
	// it is taken as the whole kernel state, as nft's cache is: jumps to
	// chains, element additions to sets (with interval overlaps against
	// kernel elements) and `index N` are checked against it. Without it
	// those checks apply only to tables this script creates empty
	// (`create table`, after `flush ruleset` or `delete table`).
	Known *ruleset.Ruleset
}

// Compiler keeps the declarations seen so far, so later commands (and
// Rule calls) can refer to sets and chains declared earlier.
type Compiler struct {
	opts    Options
	tables  map[tkey]*tableState
	out     []ruleset.Command
	flushed bool // a flush ruleset was compiled: every table starts empty
	// flushedFams are the families a `flush ruleset FAMILY` emptied.
	flushedFams map[ruleset.Family]bool
	// pending are element commands of interval sets whose elements are
	// produced by finish, by index in out.
	pending map[int]*ivPending
	// errs are the errors found so far by File; tooMany, the error
	// that came after diag.MaxErrors of them.
	errs    []*diag.Error
	tooMany *diag.Error
	// ownAST is set when the compiler parsed the syntax tree itself
	// (Source): it may then drop parts it has compiled, such as a large
	// set literal, so they can be freed while the rest compiles.
	ownAST bool
	// setID is the last NFTA_SET_ID given to a named set (numberSets).
	setID uint32
}

type tkey struct {
	fam  ruleset.Family
	name string
}

type tableState struct {
	fam    ruleset.Family
	name   string
	sets   map[string]*eval.SetInfo
	chains map[string]*ruleset.Chain
	objs   map[objKey]bool
	decls  map[string]*setDecl // sets declared in this compilation, with their key and data types
	iv     map[string]*ivSet   // element state of single-field interval sets
	fresh  bool                // created empty by this compilation (create table, after delete)
	known  bool                // taken from Options.Known
	added  bool                // added or created by this compilation
	gone   bool                // deleted by this compilation (and not added since)
	// rules are the chains' rules as the script has left them so far
	// (see chainRules), for `index N`.
	rules   map[string][]ruleRef
	cleared bool // deleted or flushed away: the Known rules are gone
}

// setDecl keeps the typed key and data of a set declared from text.
type setDecl struct {
	key, data *eval.Load
	set       *ruleset.Set
}

// objKey names a stateful object of a table.
type objKey struct {
	typ  uint32
	name string
}

// Set implements eval.Tables.
func (t *tableState) Set(name string) *eval.SetInfo { return t.sets[name] }

// New returns a compiler.
func New(opts *Options) *Compiler {
	c := &Compiler{tables: map[tkey]*tableState{}, pending: map[int]*ivPending{}}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.Known != nil {
		for _, t := range c.opts.Known.Tables {
			ts := c.table(t.Family, t.Name)
			ts.known = true
			for _, s := range t.Sets {
				ts.sets[s.Name] = setInfoOf(s)
			}
			for _, ch := range t.Chains {
				ts.chains[ch.Name] = ch
			}
			for _, o := range t.Objects {
				ts.objs[objKey{o.Type, o.Name}] = true
			}
		}
	}
	return c
}

func (c *Compiler) table(fam ruleset.Family, name string) *tableState {
	k := tkey{fam, name}
	t := c.tables[k]
	if t == nil {
		t = &tableState{fam: fam, name: name, sets: map[string]*eval.SetInfo{}, chains: map[string]*ruleset.Chain{}, objs: map[objKey]bool{}, decls: map[string]*setDecl{}, iv: map[string]*ivSet{}}
		c.tables[k] = t
	}
	return t
}

// File compiles a parsed script.
func File(f *ast.File, opts *Options) ([]ruleset.Command, error) {
	c := New(opts)
	if err := c.File(f); err != nil {
		return nil, err
	}
	return c.out, nil
}

// Source parses and compiles an nft script.
func Source(name string, src []byte, opts *Options) ([]ruleset.Command, error) {
	var po *parse.Options
	if opts != nil {
		po = opts.Parse
	}
	f, err := parse.File(name, src, po)
	if err != nil {
		return nil, err
	}
	c := New(opts)
	c.ownAST = true
	err = c.File(f)
	cmds := c.out
	if err != nil {
		for _, de := range diag.Errors(err) {
			if de.Source == "" && de.Pos.IsValid() && (de.Pos.File == name || de.Pos.File == "") {
				de.Source = diag.LineOf(src, de.Pos.Off)
			}
		}
		return nil, err
	}
	return cmds, nil
}

// Commands returns the commands compiled so far.
func (c *Compiler) Commands() []ruleset.Command {
	if err := c.finish(); err != nil {
		return nil
	}
	c.numberSets()
	return c.out
}

// numberSets gives the named sets and maps the commands declare their
// NFTA_SET_ID, in order, before any anonymous set: nft 1.0.6 allocates a
// named set (and its id) while parsing the script, an anonymous set or
// meter only when it evaluates the rule, so a named set of a later table
// comes before the anonymous sets of an earlier one. core/kernel numbers
// the anonymous sets after the highest id the commands carry.
func (c *Compiler) numberSets() {
	for i := range c.out {
		cmd := &c.out[i]
		if cmd.Kind != ruleset.KindSet || cmd.Set == nil || cmd.Set.ID != 0 {
			continue
		}
		if cmd.Op != ruleset.OpAdd && cmd.Op != ruleset.OpCreate {
			continue
		}
		c.setID++
		cmd.Set.ID = c.setID
	}
}

// File compiles the commands of f, appending to the compiler's output.
// Like nft, it goes on after a failing command (or rule of a block) and
// reports every error, in source order, as a diag.List (a single
// *diag.Error when there is one), stopping after diag.MaxErrors.
func (c *Compiler) File(f *ast.File) error {
	c.errs, c.tooMany = c.errs[:0], nil
	for _, cmd := range f.Commands {
		if err := c.command(cmd); err != nil && c.keepGoing(err) != nil {
			return c.result()
		}
	}
	if err := c.finish(); err != nil && c.keepGoing(err) != nil {
		return c.result()
	}
	c.numberSets()
	if err := c.checkLoops(); err != nil {
		c.keepGoing(err)
	}
	return c.result()
}

// errTooMany stops a compilation that has found diag.MaxErrors errors.
var errTooMany = errors.New("too many errors")

// keepGoing records err (each error of a list) and returns nil, so the
// caller goes on with its next command or rule, or errTooMany once
// diag.MaxErrors errors are recorded and another one comes.
func (c *Compiler) keepGoing(err error) error {
	if err == errTooMany {
		return err
	}
	for _, de := range diagErrors(err) {
		if len(c.errs) == diag.MaxErrors {
			// FILE:LINE of the error that was one too many, no caret
			c.tooMany = &diag.Error{Op: "eval", Pos: diag.Pos{File: de.Pos.File, Line: de.Pos.Line}, Msg: "too many errors"}
			return errTooMany
		}
		c.errs = append(c.errs, de)
	}
	return nil
}

// diagErrors returns the *diag.Error values of err, wrapping an error of
// another type.
func diagErrors(err error) []*diag.Error {
	if des := diag.Errors(err); des != nil {
		return des
	}
	return []*diag.Error{{Err: err}}
}

// result returns the errors recorded, in source order (by file in the
// order the files first appear, then by offset).
func (c *Compiler) result() error {
	if len(c.errs) == 0 {
		return nil
	}
	files := map[string]int{}
	for _, e := range c.errs {
		if _, ok := files[e.Pos.File]; !ok {
			files[e.Pos.File] = len(files)
		}
	}
	errs := append([]*diag.Error(nil), c.errs...)
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Pos, errs[j].Pos
		if fa, fb := files[a.File], files[b.File]; fa != fb {
			return fa < fb
		}
		return offKey(a) < offKey(b)
	})
	if c.tooMany != nil {
		errs = append(errs, c.tooMany)
	}
	return diag.Join(errs)
}

// offKey orders positions: by offset, those without one last.
func offKey(p diag.Pos) int {
	if !p.IsValid() {
		return math.MaxInt
	}
	return p.Off
}

// Rule compiles the text of one rule for family/table/chain, with the
// declarations the compiler knows.
func (c *Compiler) Rule(fam ruleset.Family, table, chain string, r *ast.Rule) (*ruleset.Rule, error) {
	ts := c.table(fam, table)
	ec := eval.NewCtx(fam)
	ec.Table, ec.Chain, ec.Decls = table, chain, ts
	lc, err := linearize.Rule(ec, r)
	if err != nil {
		return nil, err
	}
	rule := &ruleset.Rule{Exprs: lc.Exprs, ExprPos: lc.ExprPos, Sets: lc.Sets, Pos: r.Pos()}
	if r.Comment != nil {
		rule.SetComment(r.Comment.Text)
	}
	return rule, nil
}

// Rule compiles one rule text in a table context (the Lua layer's entry).
func Rule(fam ruleset.Family, table, chain string, text string, opts *Options) (*ruleset.Rule, error) {
	var po *parse.Options
	if opts != nil {
		po = opts.Parse
	}
	r, err := parse.Rule([]byte(text), diag.Pos{Line: 1, Col: 1}, po)
	if err != nil {
		return nil, err
	}
	rule, err := New(opts).Rule(fam, table, chain, r)
	if err != nil {
		if de, ok := err.(*diag.Error); ok && de.Source == "" {
			de.Source = text
		}
		return nil, err
	}
	rule.Text = text
	return rule, nil
}

// clear forgets the table's declarations (it was deleted or flushed away).
func (t *tableState) clear() {
	t.sets = map[string]*eval.SetInfo{}
	t.chains = map[string]*ruleset.Chain{}
	t.objs = map[objKey]bool{}
	t.decls = map[string]*setDecl{}
	t.iv = map[string]*ivSet{}
	t.rules = map[string][]ruleRef{}
	t.cleared = true
}
