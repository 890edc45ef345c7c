package bindings

import (
	"fmt"

	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

const ruleType = "nft.rule"

// ruleVal is the Lua value of a rule of a chain.
type ruleVal struct {
	cv *chainVal
	r  *ruleset.Rule
}

func (m *module) newRule(L *glua.LState, cv *chainVal, r *ruleset.Rule) *glua.LUserData {
	return newUD(L, ruleType, &ruleVal{cv: cv, r: r})
}

// ruleByTag returns the rule of c tagged tag, or nil.
func ruleByTag(c *ruleset.Chain, tag string) *ruleset.Rule {
	for _, r := range c.Rules {
		if r.Tag() == tag {
			return r
		}
	}
	return nil
}

// registerRule defines nft.rule values:
//
//	r.tag, r.comment, r.handle, r.text (the source text, when built from text), r.chain
//	r:delete()      remove the rule from its chain
//	tostring(r)     the rule in nft syntax, as nft lists it
func (m *module) registerRule(L *glua.LState) {
	registerObject(L, ruleType, map[string]glua.LGFunction{
		"delete": m.rDelete,
	}, map[string]field{
		"tag":     func(L *glua.LState, v any) glua.LValue { return optString(v.(*ruleVal).r.Tag()) },
		"comment": func(L *glua.LState, v any) glua.LValue { return optString(v.(*ruleVal).r.Comment()) },
		"handle":  func(L *glua.LState, v any) glua.LValue { return handleValue(v.(*ruleVal).r.Handle) },
		"text":    func(L *glua.LState, v any) glua.LValue { return optString(v.(*ruleVal).r.Text) },
		"chain": func(L *glua.LState, v any) glua.LValue {
			rv := v.(*ruleVal)
			return m.newChain(L, rv.cv.tv, rv.cv.c)
		},
	}, map[string]glua.LGFunction{
		"__tostring": m.rString,
	})
}

func (m *module) rDelete(L *glua.LState) int {
	rv := lua.Check[*ruleVal](L, 1, ruleType)
	pos := callSite(L)
	t := rv.cv.tv.t
	found := false
	for _, x := range rv.cv.c.Rules {
		found = found || x == rv.r
	}
	if !found {
		fail(L, "rule is not in chain %s any more", rv.cv.c.Name)
	}
	m.apply(L, rv.cv.tv.rv.rs, []ruleset.Command{{Op: ruleset.OpDelete, Kind: ruleset.KindRule, Pos: pos,
		Family: t.Family, Table: t.Name, Chain: rv.cv.c.Name, Handle: rv.r.Handle}}, pos)
	return 0
}

func (m *module) rString(L *glua.LState) int {
	rv := lua.Check[*ruleVal](L, 1, ruleType)
	if m.core.Printer == nil {
		s := rv.r.Text
		if s == "" {
			s = fmt.Sprintf("%d expressions", len(rv.r.Exprs))
		}
		L.Push(glua.LString(fmt.Sprintf("nft.rule (%s; printer not available)", s)))
		return 1
	}
	s, err := m.core.Printer.Rule(rv.cv.tv.t, rv.cv.c, rv.r)
	if err != nil {
		lua.Raise(L, err)
	}
	L.Push(glua.LString(s))
	return 1
}
