package compile

import (
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/linearize"
	"github.com/nfsh/nfsh/core/ruleset"
)

// Declaration checks nft leaves to the kernel, done in userspace with a
// position: jumps to chains that do not exist, jumps to base chains and
// chain loops (the kernel's ENOENT, EOPNOTSUPP and ELOOP).

// checkErr is an eval error at n.
func checkErr(pos diag.Pos, format string, args ...any) error {
	e := diag.Errorf(pos, format, args...)
	e.Op = "eval"
	return e
}

// verdictNodes returns the jump and goto verdicts written in n.
func verdictNodes(n any) []*ast.Verdict {
	var out []*ast.Verdict
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			if vd, ok := v.Interface().(*ast.Verdict); ok {
				if vd.Kind == "jump" || vd.Kind == "goto" {
					out = append(out, vd)
				}
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			for _, i := range exportedFieldIndices(v.Type()) {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(n))
	return out
}

// exportedFields caches exportedFieldIndices per struct type.
var exportedFields sync.Map // reflect.Type -> []int

// exportedFieldIndices returns the indices of t's exported fields
// (reflect.Type.Field builds a StructField on every call, which made
// verdictNodes a hot spot on large rulesets).
func exportedFieldIndices(t reflect.Type) []int {
	if idx, ok := exportedFields.Load(t); ok {
		return idx.([]int)
	}
	var idx []int
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			idx = append(idx, i)
		}
	}
	exportedFields.Store(t, idx)
	return idx
}

// checkable reports whether all chains of the table are known: it is
// known from the kernel (or known not to be there), or it was created
// empty by this script.
func (c *Compiler) checkable(ts *tableState) bool {
	return c.opts.Known != nil || ts.fresh || c.flushed || c.flushedFams[ts.fam]
}

// checkJumps rejects jumps and gotos in n to chains the table does not
// have (yet), and jumps to base chains.
func (c *Compiler) checkJumps(ts *tableState, n any) error {
	for _, vd := range verdictNodes(n) {
		if vd.Chain == nil {
			continue
		}
		name, err := exprName(vd.Chain)
		if err != nil {
			continue
		}
		ch, ok := ts.chains[name]
		switch {
		case !ok && c.checkable(ts):
			return checkErr(vd.Chain.Pos(), "unknown chain '%s' in table %s %s", name, ts.fam, ts.name)
		case ok && ch.Hook != nil:
			return checkErr(vd.Chain.Pos(), "cannot %s to base chain '%s'", vd.Kind, name)
		}
	}
	return nil
}

// verdictTargets returns the chains the verdicts of exprs and of the
// anonymous sets sets jump or go to, and the named sets they look up.
func verdictTargets(exprs []expr.Expr, sets []*ruleset.Set) (chains, lookups []string) {
	for _, x := range exprs {
		switch e := x.(type) {
		case *expr.Immediate:
			if v := e.Verdict; v != nil && (v.Code == expr.VerdictJump || v.Code == expr.VerdictGoto) {
				chains = append(chains, v.Chain)
			}
		case *expr.Lookup:
			if !strings.Contains(e.SetName, "%d") {
				lookups = append(lookups, e.SetName)
			}
		}
	}
	for _, s := range sets {
		chains = append(chains, elemTargets(s.Elements)...)
	}
	return chains, lookups
}

func elemTargets(els []*ruleset.Element) []string {
	var out []string
	for _, el := range els {
		if v := el.Verdict; v != nil && (v.Code == expr.VerdictJump || v.Code == expr.VerdictGoto) {
			out = append(out, v.Chain)
		}
	}
	return out
}

// checkLoops rejects command lists whose jumps form a loop reachable
// from a base chain, as the kernel does (ELOOP).
func (c *Compiler) checkLoops() error {
	type edge struct {
		to  string
		pos diag.Pos
	}
	type graph struct {
		edges map[string][]edge
		maps  map[string][]string // named map -> jump targets
		base  map[string]bool
	}
	graphs := map[tkey]*graph{}
	g := func(fam ruleset.Family, table string) *graph {
		k := tkey{fam, table}
		if graphs[k] == nil {
			graphs[k] = &graph{edges: map[string][]edge{}, maps: map[string][]string{}, base: map[string]bool{}}
			if c.opts.Known != nil {
				if t := c.opts.Known.Table(fam, table); t != nil {
					for _, ch := range t.Chains {
						if ch.Hook != nil {
							graphs[k].base[ch.Name] = true
						}
						for _, r := range ch.Rules {
							cs, _ := verdictTargets(r.Exprs, r.Sets)
							for _, to := range cs {
								graphs[k].edges[ch.Name] = append(graphs[k].edges[ch.Name], edge{to, r.Pos})
							}
						}
					}
					for _, s := range t.Sets {
						graphs[k].maps[s.Name] = elemTargets(s.Elements)
					}
				}
			}
		}
		return graphs[k]
	}
	type lookupEdge struct {
		gr    *graph
		chain string
		set   string
		pos   diag.Pos
	}
	var lookups []lookupEdge
	for _, cmd := range c.out {
		gr := g(cmd.Family, cmd.Table)
		switch cmd.Kind {
		case ruleset.KindChain:
			if cmd.ChainObj != nil && cmd.ChainObj.Hook != nil && (cmd.Op == ruleset.OpAdd || cmd.Op == ruleset.OpCreate) {
				gr.base[cmd.Chain] = true
			}
		case ruleset.KindElements:
			if cmd.Op == ruleset.OpAdd || cmd.Op == ruleset.OpCreate {
				gr.maps[cmd.Name] = append(gr.maps[cmd.Name], elemTargets(cmd.Elements)...)
			}
		case ruleset.KindRule:
			if cmd.Rule == nil || cmd.Op == ruleset.OpDelete || cmd.Op == ruleset.OpDestroy {
				continue
			}
			cs, ls := verdictTargets(cmd.Rule.Exprs, cmd.Rule.Sets)
			for _, to := range cs {
				gr.edges[cmd.Chain] = append(gr.edges[cmd.Chain], edge{to, cmd.Rule.Pos})
			}
			for _, s := range ls {
				lookups = append(lookups, lookupEdge{gr, cmd.Chain, s, cmd.Rule.Pos})
			}
		}
	}
	for _, l := range lookups {
		for _, to := range l.gr.maps[l.set] {
			l.gr.edges[l.chain] = append(l.gr.edges[l.chain], edge{to, l.pos})
		}
	}
	for _, gr := range graphs {
		state := map[string]int{} // 1 on the path, 2 done
		var path []string
		var visit func(ch string) error
		visit = func(ch string) error {
			state[ch] = 1
			path = append(path, ch)
			for _, e := range gr.edges[ch] {
				switch state[e.to] {
				case 1:
					i := len(path) - 1
					for i > 0 && path[i] != e.to {
						i--
					}
					loop := append(append([]string(nil), path[i:]...), e.to)
					return checkErr(e.pos, "this rule creates a chain loop: %s", strings.Join(loop, " -> "))
				case 0:
					if err := visit(e.to); err != nil {
						return err
					}
				}
			}
			path = path[:len(path)-1]
			state[ch] = 2
			return nil
		}
		var bases []string
		for b := range gr.base {
			bases = append(bases, b)
		}
		sort.Strings(bases)
		for _, b := range bases {
			if state[b] == 0 {
				if err := visit(b); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// tableGone reports whether the table is known not to exist: it is not in
// the kernel state given as Options.Known (or the script flushed the
// ruleset or deleted the table) and the script has not added it since.
func (c *Compiler) tableGone(fam ruleset.Family, name string) bool {
	ts := c.tables[tkey{fam, name}]
	if ts != nil && (ts.known || ts.added) {
		return ts.gone
	}
	return c.opts.Known != nil || c.flushed || c.flushedFams[fam] || (ts != nil && ts.gone)
}

// checkTable rejects a command on a table that does not exist (nft's
// ENOENT from its cache, or the kernel's), pointing at the table name.
func (c *Compiler) checkTable(fam ruleset.Family, cmd *ast.Command) error {
	if cmd.Spec.Table == nil || !c.tableGone(fam, cmd.Spec.Table.Name) {
		return nil
	}
	if cmd.Op == ast.OpDelete || cmd.Op == ast.OpDestroy || cmd.Op == ast.OpFlush || cmd.Op == ast.OpReset {
		return nil // left to the kernel (destroy is fine with a missing table)
	}
	return checkErr(cmd.Spec.Table.Pos(), "unknown table '%s' in family %s", cmd.Spec.Table.Name, fam)
}

// checkChain rejects a rule command on a chain the table does not have,
// pointing at the chain name.
func (c *Compiler) checkChain(fam ruleset.Family, cmd *ast.Command) error {
	if cmd.Spec.Chain == nil || cmd.Spec.Table == nil || cmd.Op == ast.OpDestroy {
		return nil
	}
	ts := c.table(fam, cmd.Spec.Table.Name)
	if _, ok := ts.chains[cmd.Spec.Chain.Name]; ok || !c.checkable(ts) {
		return nil
	}
	return checkErr(cmd.Spec.Chain.Pos(), "unknown chain '%s' in table %s %s", cmd.Spec.Chain.Name, fam, ts.name)
}

// checkObjRefs rejects references to named stateful objects the table
// does not have (`counter name "x"`), which the kernel refuses (ENOENT).
func (c *Compiler) checkObjRefs(ts *tableState, r *ast.Rule) error {
	if !c.checkable(ts) {
		return nil
	}
	for _, st := range r.Stmts {
		o, ok := st.(*ast.ObjRef)
		if !ok {
			continue
		}
		typ, ok := linearize.ObjTypes[o.Kind]
		if !ok {
			continue
		}
		var name string
		switch n := o.Name.(type) {
		case *ast.String:
			name = n.Text
		case *ast.Symbol:
			name = n.Text
		default:
			continue // a map or a variable
		}
		if !ts.objs[objKey{typ, name}] {
			return checkErr(o.Name.Pos(), "unknown %s '%s' in table %s %s", o.Kind, name, ts.fam, ts.name)
		}
	}
	return nil
}
