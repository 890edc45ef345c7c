package bindings

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

const tableType = "nft.table"

// tableVal is the Lua value of a table of a ruleset.
type tableVal struct {
	rv *rulesetVal
	t  *ruleset.Table
}

func checkTable(L *glua.LState, n int) *tableVal {
	tv := lua.Check[*tableVal](L, n, tableType)
	if tv.rv.rs.Table(tv.t.Family, tv.t.Name) != tv.t {
		L.ArgError(n, fmt.Sprintf("table %s %s was deleted from its ruleset", tv.t.Family, tv.t.Name))
	}
	return tv
}

func (m *module) newTable(L *glua.LState, rv *rulesetVal, t *ruleset.Table) *glua.LUserData {
	return newUD(L, tableType, &tableVal{rv: rv, t: t})
}

// registerTable defines nft.table values:
//
//	t:chain(name, [opts])   get or create a chain (opts: type, hook, priority, policy, device, devices, comment)
//	t:set(name, [opts])     get or create a set (opts: type, flags, timeout, gc_interval, size, policy, comment, elements)
//	t:map(name, [opts])     get or create a map (opts as set, plus data = "verdict" | DATATYPE)
//	t:get_chain(name), t:get_set(name)   the object, or nil
//	t:object(kind, name, [body])   declare a named object: kind counter, quota, limit, ct helper, ...;
//	                        body is its nft spec ("over 10 mbytes", "rate 10/second"); returns t
//	t:chains(), t:sets()    lists
//	t:delete()              remove the table from its ruleset
//	t.family, t.name, t.persist, t.comment, t.handle, t.ruleset
//	tostring(t)             nft text, like nft list table
func (m *module) registerTable(L *glua.LState) {
	registerObject(L, tableType, map[string]glua.LGFunction{
		"chain":     m.tChain,
		"set":       func(L *glua.LState) int { return m.tSet(L, false) },
		"map":       func(L *glua.LState) int { return m.tSet(L, true) },
		"get_chain": m.tGetChain,
		"get_set":   m.tGetSet,
		"chains":    m.tChains,
		"sets":      m.tSets,
		"delete":    m.tDelete,
		"object":    m.tObject,
	}, map[string]field{
		"family":  func(L *glua.LState, v any) glua.LValue { return glua.LString(v.(*tableVal).t.Family.String()) },
		"name":    func(L *glua.LState, v any) glua.LValue { return glua.LString(v.(*tableVal).t.Name) },
		"persist": func(L *glua.LState, v any) glua.LValue { return glua.LBool(v.(*tableVal).t.Persist) },
		"comment": func(L *glua.LState, v any) glua.LValue { return optString(v.(*tableVal).t.Comment()) },
		"handle":  func(L *glua.LState, v any) glua.LValue { return handleValue(v.(*tableVal).t.Handle) },
		"ruleset": func(L *glua.LState, v any) glua.LValue {
			return newUD(L, rulesetType, v.(*tableVal).rv)
		},
	}, map[string]glua.LGFunction{
		"__tostring": m.tString,
		"__eq": func(L *glua.LState) int {
			a, b := lua.Check[*tableVal](L, 1, tableType), lua.Check[*tableVal](L, 2, tableType)
			L.Push(glua.LBool(a.t == b.t || equalValues(a.t, b.t)))
			return 1
		},
	})
}

var chainOptions = []string{"type", "hook", "priority", "policy", "device", "devices", "comment"}

func (m *module) tChain(L *glua.LState) int {
	tv := checkTable(L, 1)
	name := L.CheckString(2)
	o := checkOptions(L, 3, chainOptions...)
	pos := callSite(L)
	c := tv.t.Chain(name)
	if c == nil || o.table() != nil {
		m.addChain(L, tv, name, o, pos)
		c = tv.t.Chain(name)
	}
	L.Push(m.newChain(L, tv, c))
	return 1
}

// addChain declares chain name with options o: a regular chain directly,
// a base chain through the compiler (hook names and priorities are nft
// knowledge).
func (m *module) addChain(L *glua.LState, tv *tableVal, name string, o options, pos diag.Pos) {
	t := tv.t
	comment, _ := o.str("comment")
	if !o.has("type") && !o.has("hook") && !o.has("priority") && !o.has("policy") && !o.has("device") && !o.has("devices") {
		obj := &ruleset.Chain{Name: name, Pos: pos}
		if comment != "" {
			obj.Userdata = ruleset.UdataSetString(nil, ruleset.UdataChainComment, comment)
		}
		cmd := ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindChain, Pos: pos, Family: t.Family, Table: t.Name, Chain: name, ChainObj: obj}
		m.apply(L, tv.rv.rs, []ruleset.Command{cmd}, pos)
		return
	}
	loc := ast.At(pos)
	ch := &ast.Chain{Loc: loc, Name: &ast.Ident{Loc: loc, Name: name}}
	typ, ok := o.str("type")
	if !ok {
		typ = "filter"
	}
	ch.Type = &ast.Ident{Loc: loc, Name: typ}
	hook, ok := o.str("hook")
	if !ok {
		fail(L, "chain %s: a base chain needs a hook (hook = \"input\", ...)", name)
	}
	ch.Hook = &ast.Ident{Loc: loc, Name: hook}
	prio := o.get("priority")
	if prio == glua.LNil {
		prio = glua.LString(typ)
		if typ == "nat" || typ == "route" {
			prio = glua.LNumber(0)
			if typ == "nat" {
				prio = glua.LString(map[string]string{"prerouting": "dstnat", "output": "dstnat", "postrouting": "srcnat", "input": "srcnat"}[hook])
			}
		}
	}
	p, err := priorityExpr(prio, pos)
	if err != nil {
		raise(L, pos, err)
	}
	ch.Priority = p
	if s, ok := o.str("policy"); ok {
		ch.Policy = &ast.Symbol{Loc: loc, Text: s}
	}
	for _, d := range append(o.strs("device"), o.strs("devices")...) {
		ch.Devices = append(ch.Devices, &ast.String{Loc: loc, Text: d})
	}
	if comment != "" {
		ch.Comment = &ast.String{Loc: loc, Text: comment}
	}
	cmd := &ast.Command{Loc: loc, Op: ast.OpAdd, Obj: ast.ObjChain, Spec: m.spec(t, loc, name), Chain: ch}
	m.compileApply(L, tv.rv.rs, []*ast.Command{cmd}, pos)
}

// spec names an object of table t in a command.
func (m *module) spec(t *ruleset.Table, loc ast.Loc, name string) ast.Spec {
	s := ast.Spec{Family: t.Family.String(), Table: &ast.Ident{Loc: loc, Name: t.Name}}
	s.Chain = &ast.Ident{Loc: loc, Name: name}
	s.Name = &ast.Ident{Loc: loc, Name: name}
	return s
}

// compileApply compiles builder-made declarations and applies them.
func (m *module) compileApply(L *glua.LState, rs *ruleset.Ruleset, cmds []*ast.Command, pos diag.Pos) {
	if m.core.Compiler == nil {
		unavailable(L, "declaration (compiler)")
	}
	out, err := m.core.Compiler.Commands(cmds, rs)
	if err != nil {
		raise(L, pos, err)
	}
	m.apply(L, rs, out, pos)
}

func (m *module) tGetChain(L *glua.LState) int {
	tv := checkTable(L, 1)
	c := tv.t.Chain(L.CheckString(2))
	if c == nil {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(m.newChain(L, tv, c))
	return 1
}

func (m *module) tGetSet(L *glua.LState) int {
	tv := checkTable(L, 1)
	s := tv.t.Set(L.CheckString(2))
	if s == nil {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(m.newSet(L, tv, s))
	return 1
}

func (m *module) tChains(L *glua.LState) int {
	tv := checkTable(L, 1)
	var vs []glua.LValue
	for _, c := range tv.t.Chains {
		vs = append(vs, m.newChain(L, tv, c))
	}
	L.Push(list(L, vs))
	return 1
}

func (m *module) tSets(L *glua.LState) int {
	tv := checkTable(L, 1)
	var vs []glua.LValue
	for _, s := range tv.t.Sets {
		vs = append(vs, m.newSet(L, tv, s))
	}
	L.Push(list(L, vs))
	return 1
}

func (m *module) tDelete(L *glua.LState) int {
	tv := checkTable(L, 1)
	pos := callSite(L)
	m.apply(L, tv.rv.rs, []ruleset.Command{{Op: ruleset.OpDelete, Kind: ruleset.KindTable, Pos: pos, Family: tv.t.Family, Table: tv.t.Name}}, pos)
	return 0
}

func (m *module) tString(L *glua.LState) int {
	tv := lua.Check[*tableVal](L, 1, tableType)
	if m.core.Printer == nil {
		L.Push(glua.LString(fmt.Sprintf("nft.table %s %s (%d chains, %d sets; printer not available)", tv.t.Family, tv.t.Name, len(tv.t.Chains), len(tv.t.Sets))))
		return 1
	}
	s, err := m.core.Printer.Table(tv.t)
	if err != nil {
		lua.Raise(L, err)
	}
	L.Push(glua.LString(s))
	return 1
}

// objectKindRe matches the object kinds nft declares with add KIND.
var objectKindRe = regexp.MustCompile(`^(counter|quota|limit|secmark|synproxy|ct (helper|timeout|expectation))$`)

// tObject implements t:object(kind, name, [body]) through the compiler
// (`add KIND FAMILY TABLE NAME { BODY }`).
func (m *module) tObject(L *glua.LState) int {
	tv := checkTable(L, 1)
	kind := L.CheckString(2)
	name := L.CheckString(3)
	body := L.OptString(4, "")
	if !objectKindRe.MatchString(kind) {
		L.ArgError(2, "unknown object kind '"+kind+"' (counter, quota, limit, secmark, synproxy, ct helper, ct timeout, ct expectation)")
	}
	if !wordRe.MatchString(strings.ReplaceAll(name, "_", "-")) {
		L.ArgError(3, "bad object name '"+name+"'")
	}
	text := fmt.Sprintf("add %s %s %s %s { %s }", kind, tv.t.Family, tv.t.Name, name, body)
	m.applyText(L, tv.rv.rs, text, nil, callSite(L))
	L.Push(L.Get(1))
	return 1
}
