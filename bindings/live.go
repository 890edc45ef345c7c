package bindings

import (
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/monitor"
	"github.com/nfsh/nfsh/core/ruleset"
	glua "github.com/yuin/gopher-lua"
)

// Live operations: they change the kernel directly, without a ruleset
// value (the value-level equivalents are rs:table and s:add / s:remove).
//
//	nft.create_table(family, name, [opts])   opts: persist, comment, dormant, check; true or nil, err
//	nft.delete_table(family, name)           true or nil, err
//	nft.add_element(family, table, set, elements, [opts])     opts: check; true or nil, err
//	nft.delete_element(family, table, set, elements, [opts])  true or nil, err
//	nft.run(text, [vars], [opts])            nft commands; opts: check, persist, echo; true (echo: a list of what changed) or nil, err

// liveFuncs are the live functions of the nft module.
func (m *module) liveFuncs() map[string]glua.LGFunction {
	return map[string]glua.LGFunction{
		"create_table":   m.nftCreateTable,
		"delete_table":   m.nftDeleteTable,
		"add_element":    func(L *glua.LState) int { return m.nftElements(L, ast.OpAdd) },
		"delete_element": func(L *glua.LState) int { return m.nftElements(L, ast.OpDelete) },
		"run":            m.nftRun,
	}
}

// result pushes true, or nil and the error's message.
func result(L *glua.LState, err error) int {
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(glua.LTrue)
	return 1
}

func (m *module) kernel(L *glua.LState, what string) Kernel {
	if m.core.Kernel == nil {
		unavailable(L, what+" (kernel)")
	}
	return m.core.Kernel
}

func (m *module) nftCreateTable(L *glua.LState) int {
	fam := checkFamily(L, 1)
	name := L.CheckString(2)
	o := checkOptions(L, 3, append([]string{"check"}, tableOptions...)...)
	pos := callSite(L)
	k := m.kernel(L, "nft.create_table")
	t := &ruleset.Table{Family: fam, Name: name, Pos: pos}
	applyTableOptions(t, o)
	cmd := ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Pos: pos, Family: fam, Table: name, TableObj: t}
	return result(L, k.Apply([]ruleset.Command{cmd}, o.boolean("check"), t.Persist))
}

func (m *module) nftDeleteTable(L *glua.LState) int {
	fam := checkFamily(L, 1)
	name := L.CheckString(2)
	pos := callSite(L)
	k := m.kernel(L, "nft.delete_table")
	cmd := ruleset.Command{Op: ruleset.OpDelete, Kind: ruleset.KindTable, Pos: pos, Family: fam, Table: name}
	return result(L, k.Apply([]ruleset.Command{cmd}, false, false))
}

// nftElements adds or deletes elements of a set in the kernel: the set's
// table is pulled so the elements are typed by the set's key.
func (m *module) nftElements(L *glua.LState, op ast.Op) int {
	fam := checkFamily(L, 1)
	table := L.CheckString(2)
	set := L.CheckString(3)
	val := L.CheckAny(4)
	o := checkOptions(L, 5, "check")
	pos := callSite(L)
	k := m.kernel(L, "nft."+map[ast.Op]string{ast.OpAdd: "add", ast.OpDelete: "delete"}[op]+"_element")
	if m.core.Compiler == nil {
		unavailable(L, "set elements (compiler)")
	}
	var known *ruleset.Ruleset
	var err error
	if sk, ok := k.(ScopedKernel); ok {
		known, err = sk.PullScoped([]compile.Ref{{Family: fam, Table: table, Name: set}}, nil)
	} else {
		known, err = k.Pull(fam, table)
	}
	if err != nil {
		return result(L, err)
	}
	t := known.Table(fam, table)
	if t == nil || t.Set(set) == nil {
		return result(L, diag.Errorf(pos, "set %s %s %s does not exist", fam, table, set))
	}
	elems, err := elementsExpr(val, pos)
	if err != nil {
		raise(L, pos, err)
	}
	loc := ast.At(pos)
	cmd := &ast.Command{Loc: loc, Op: op, Obj: ast.ObjElement, Spec: m.spec(t, loc, set), Elements: elems}
	cmds, err := m.core.Compiler.Commands([]*ast.Command{cmd}, known)
	if err != nil {
		raise(L, pos, err)
	}
	for i := range cmds {
		cmds[i].Pos = pos
	}
	return result(L, k.Apply(cmds, o.boolean("check"), false))
}

// nftRun implements nft.run(text, [vars], [opts]): nft commands (the
// language of `nft -f`: add, insert, replace, delete, flush, ...) with
// typed $vars as in nft.parse, compiled against the kernel's ruleset and
// committed as one atomic batch. Tables it creates carry the session's
// owner flag unless opts.persist; opts.check only validates. Bad text
// raises; a kernel refusal returns nil and the message, positioned at
// the script line of the refused command. With opts.echo it returns,
// instead of true, a list of what the commit changed, as `nft -e` prints
// it (see echoList).
func (m *module) nftRun(L *glua.LState) int {
	text := L.CheckString(1)
	vt := L.OptTable(2, nil)
	o := checkOptions(L, 3, "check", "persist", "echo")
	pos := textSite(L)
	k := m.kernel(L, "nft.run")
	if m.core.Compiler == nil {
		unavailable(L, "nft text (compiler)")
	}
	vars, err := varsFrom(vt, pos)
	if err != nil {
		raise(L, pos, err)
	}
	known, err := m.pullFor(k, []byte(text), vars)
	if err != nil {
		return result(L, err)
	}
	var ek EchoKernel
	if o.boolean("echo") {
		var ok bool
		if ek, ok = k.(EchoKernel); !ok {
			unavailable(L, "nft.run echo (kernel)")
		}
	}
	p := monitor.NewPrinter(known)
	cmds, err := m.core.Compiler.Script(pos, []byte(text), vars, known)
	if err != nil {
		raise(L, pos, err)
	}
	if ek == nil {
		err = k.Apply(cmds, o.boolean("check"), o.boolean("persist"))
		rebase(pos, err)
		return result(L, err)
	}
	msgs, err := ek.ApplyEcho(cmds, o.boolean("check"), o.boolean("persist"))
	rebase(pos, err)
	if err != nil {
		return result(L, err)
	}
	L.Push(echoList(L, p, msgs))
	return 1
}

// pullFor reads the kernel state compiling text needs: only that when the
// compiler and kernel can tell and read it, else the whole ruleset.
func (m *module) pullFor(k Kernel, text []byte, vars map[string]ast.Expr) (*ruleset.Ruleset, error) {
	nc, ok1 := m.core.Compiler.(NeedsCompiler)
	sk, ok2 := k.(ScopedKernel)
	if ok1 && ok2 {
		if n, err := nc.Needs(text, vars); err == nil && !n.All {
			return sk.PullScoped(n.Sets, n.Chains)
		}
	}
	return k.Pull(0, "")
}
