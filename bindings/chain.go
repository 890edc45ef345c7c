package bindings

import (
	"fmt"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

const chainType = "nft.chain"

// chainVal is the Lua value of a chain of a table.
type chainVal struct {
	tv *tableVal
	c  *ruleset.Chain
}

func checkChain(L *glua.LState, n int) *chainVal {
	cv := lua.Check[*chainVal](L, n, chainType)
	t := cv.tv.t
	if cv.tv.rv.rs.Table(t.Family, t.Name) != t || t.Chain(cv.c.Name) != cv.c {
		L.ArgError(n, fmt.Sprintf("chain %s was deleted from its table", cv.c.Name))
	}
	return cv
}

func (m *module) newChain(L *glua.LState, tv *tableVal, c *ruleset.Chain) *glua.LUserData {
	return newUD(L, chainType, &chainVal{tv: tv, c: c})
}

// registerChain defines nft.chain values:
//
//	c:rule(text, [opts])    append a rule written in nft syntax; returns c (chainable)
//	c:insert(text, [opts])  prepend a rule; returns c
//	                        opts: tag = "...", comment = "...", and any other key is a typed $variable
//	c:add(spec)             append a structured rule (see builder.go); returns c
//	c:add_first(spec)       prepend a structured rule; returns c
//	c:rules()               list of rules
//	c:get_rule(tag)         the rule with that tag, or nil
//	c:flush()               remove all rules; returns c
//	c:delete()              remove the chain from its table
//	c.name, c.table, c.base (true for a base chain), c.comment, c.handle
//	tostring(c)             nft text, like nft list chain
func (m *module) registerChain(L *glua.LState) {
	registerObject(L, chainType, map[string]glua.LGFunction{
		"rule":      func(L *glua.LState) int { return m.cRule(L, ruleset.OpAdd) },
		"insert":    func(L *glua.LState) int { return m.cRule(L, ruleset.OpInsert) },
		"add":       func(L *glua.LState) int { return m.cAdd(L, ruleset.OpAdd) },
		"add_first": func(L *glua.LState) int { return m.cAdd(L, ruleset.OpInsert) },
		"rules":     m.cRules,
		"get_rule":  m.cGetRule,
		"flush":     m.cFlush,
		"delete":    m.cDelete,
	}, map[string]field{
		"name":    func(L *glua.LState, v any) glua.LValue { return glua.LString(v.(*chainVal).c.Name) },
		"table":   func(L *glua.LState, v any) glua.LValue { cv := v.(*chainVal); return m.newTable(L, cv.tv.rv, cv.tv.t) },
		"base":    func(L *glua.LState, v any) glua.LValue { return glua.LBool(v.(*chainVal).c.Hook != nil) },
		"comment": func(L *glua.LState, v any) glua.LValue { return optString(v.(*chainVal).c.Comment()) },
		"handle":  func(L *glua.LState, v any) glua.LValue { return handleValue(v.(*chainVal).c.Handle) },
	}, map[string]glua.LGFunction{
		"__tostring": m.cString,
	})
}

// cRule compiles a rule's text with its typed variables and adds it.
func (m *module) cRule(L *glua.LState, op ruleset.Op) int {
	cv := checkChain(L, 1)
	text := L.CheckString(2)
	o := checkOptions(L, 3)
	m.addRule(L, cv, text, o.table(), textSite(L), op)
	L.Push(L.Get(1))
	return 1
}

// addRule compiles text with the variables of vt (tag and comment are
// options, not variables) and adds the rule to the chain.
func (m *module) addRule(L *glua.LState, cv *chainVal, text string, vt *glua.LTable, pos diag.Pos, op ruleset.Op) {
	o := options{L: L, t: vt}
	if m.core.Compiler == nil {
		unavailable(L, "rule (compiler)")
	}
	vars, err := varsFrom(vt, pos, "tag", "comment")
	if err != nil {
		raise(L, pos, err)
	}
	t := cv.tv.t
	r, err := m.core.Compiler.Rule(t.Family, t.Name, cv.c.Name, text, pos, vars, cv.tv.rv.rs)
	if err != nil {
		raise(L, pos, err)
	}
	if s, ok := o.str("tag"); ok {
		if ruleByTag(cv.c, s) != nil {
			fail(L, "chain %s already has a rule tagged %q", cv.c.Name, s)
		}
		r.SetTag(s)
		tagLogPrefix(r, s)
	}
	if s, ok := o.str("comment"); ok {
		r.SetComment(s)
	}
	if r.Text == "" {
		r.Text = text
	}
	r.Pos = pos
	cmd := ruleset.Command{Op: op, Kind: ruleset.KindRule, Pos: pos, Text: text, Family: t.Family, Table: t.Name, Chain: cv.c.Name, Rule: r}
	m.apply(L, cv.tv.rv.rs, []ruleset.Command{cmd}, pos)
}

func (m *module) cRules(L *glua.LState) int {
	cv := checkChain(L, 1)
	var vs []glua.LValue
	for _, r := range cv.c.Rules {
		vs = append(vs, m.newRule(L, cv, r))
	}
	L.Push(list(L, vs))
	return 1
}

func (m *module) cGetRule(L *glua.LState) int {
	cv := checkChain(L, 1)
	r := ruleByTag(cv.c, L.CheckString(2))
	if r == nil {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(m.newRule(L, cv, r))
	return 1
}

func (m *module) cFlush(L *glua.LState) int {
	cv := checkChain(L, 1)
	pos := callSite(L)
	t := cv.tv.t
	m.apply(L, cv.tv.rv.rs, []ruleset.Command{{Op: ruleset.OpFlush, Kind: ruleset.KindChain, Pos: pos, Family: t.Family, Table: t.Name, Chain: cv.c.Name}}, pos)
	L.Push(L.Get(1))
	return 1
}

func (m *module) cDelete(L *glua.LState) int {
	cv := checkChain(L, 1)
	pos := callSite(L)
	t := cv.tv.t
	m.apply(L, cv.tv.rv.rs, []ruleset.Command{{Op: ruleset.OpDelete, Kind: ruleset.KindChain, Pos: pos, Family: t.Family, Table: t.Name, Chain: cv.c.Name}}, pos)
	return 0
}

func (m *module) cString(L *glua.LState) int {
	cv := lua.Check[*chainVal](L, 1, chainType)
	if m.core.Printer == nil {
		L.Push(glua.LString(fmt.Sprintf("nft.chain %s (%d rules; printer not available)", cv.c.Name, len(cv.c.Rules))))
		return 1
	}
	s, err := m.core.Printer.Chain(cv.tv.t, cv.c)
	if err != nil {
		lua.Raise(L, err)
	}
	L.Push(glua.LString(s))
	return 1
}
