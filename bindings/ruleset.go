package bindings

import (
	"fmt"

	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

const rulesetType = "nft.ruleset"

// rulesetVal is the Lua value of a ruleset.
type rulesetVal struct {
	rs *ruleset.Ruleset
}

func checkRuleset(L *glua.LState, n int) *rulesetVal {
	return lua.Check[*rulesetVal](L, n, rulesetType)
}

func (m *module) newRuleset(L *glua.LState, rs *ruleset.Ruleset) *glua.LUserData {
	return newUD(L, rulesetType, &rulesetVal{rs: rs})
}

// RulesetOf returns the Go value behind a Lua ruleset, for embedders.
func RulesetOf(v glua.LValue) (*ruleset.Ruleset, bool) {
	ud, ok := v.(*glua.LUserData)
	if !ok {
		return nil, false
	}
	rv, ok := ud.Value.(*rulesetVal)
	if !ok {
		return nil, false
	}
	return rv.rs, true
}

// registerRuleset defines nft.ruleset values:
//
//	rs:table(family, name, [opts])  get or create a table (opts: persist, comment, dormant); returns the table
//	rs:get_table(family, name)      the table, or nil
//	rs:tables()                     list of tables
//	rs:delete_table(family, name)   remove a table; returns rs
//	rs:apply(text, [vars])          run nft commands (the language of nft -f) on the value; returns rs
//	rs:copy()                       a deep copy
//	rs:equal(other), rs == other    same kernel-level content (handles and positions ignored)
//	tostring(rs)                    nft text, like nft list ruleset
func (m *module) registerRuleset(L *glua.LState) {
	registerObject(L, rulesetType, map[string]glua.LGFunction{
		"table":        m.rsTable,
		"get_table":    m.rsGetTable,
		"tables":       m.rsTables,
		"delete_table": m.rsDeleteTable,
		"apply":        m.rsApply,
		"copy":         m.rsCopy,
		"equal":        m.rsEqual,
		"json":         m.rsJSON,
	}, map[string]field{}, map[string]glua.LGFunction{
		"__tostring": m.rsString,
		"__eq":       m.rsEqual,
	})
}

var tableOptions = []string{"persist", "comment", "dormant"}

func (m *module) rsTable(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	fam := checkFamily(L, 2)
	name := L.CheckString(3)
	o := checkOptions(L, 4, tableOptions...)
	pos := callSite(L)
	t := rv.rs.Table(fam, name)
	if t == nil {
		obj := &ruleset.Table{Family: fam, Name: name}
		cmd := ruleset.Command{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Pos: pos, Family: fam, Table: name, TableObj: obj}
		m.apply(L, rv.rs, []ruleset.Command{cmd}, pos)
		t = rv.rs.Table(fam, name)
	}
	applyTableOptions(t, o)
	L.Push(m.newTable(L, rv, t))
	return 1
}

// applyTableOptions sets the table attributes given in o.
func applyTableOptions(t *ruleset.Table, o options) {
	if o.has("persist") {
		t.Persist = o.boolean("persist")
	}
	if s, ok := o.str("comment"); ok {
		t.Userdata = ruleset.UdataSetString(t.Userdata, ruleset.UdataTableComment, s)
	}
	if o.has("dormant") {
		if o.boolean("dormant") {
			t.Flags |= tableFlagDormant
		} else {
			t.Flags &^= tableFlagDormant
		}
	}
}

// tableFlagDormant is NFT_TABLE_F_DORMANT.
const tableFlagDormant = 0x1

func (m *module) rsGetTable(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	t := rv.rs.Table(checkFamily(L, 2), L.CheckString(3))
	if t == nil {
		L.Push(glua.LNil)
		return 1
	}
	L.Push(m.newTable(L, rv, t))
	return 1
}

func (m *module) rsTables(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	var vs []glua.LValue
	for _, t := range rv.rs.Tables {
		vs = append(vs, m.newTable(L, rv, t))
	}
	L.Push(list(L, vs))
	return 1
}

func (m *module) rsDeleteTable(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	fam := checkFamily(L, 2)
	name := L.CheckString(3)
	pos := callSite(L)
	m.apply(L, rv.rs, []ruleset.Command{{Op: ruleset.OpDelete, Kind: ruleset.KindTable, Pos: pos, Family: fam, Table: name}}, pos)
	L.Push(L.Get(1))
	return 1
}

func (m *module) rsApply(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	m.applyText(L, rv.rs, L.CheckString(2), L.OptTable(3, nil), callSite(L))
	L.Push(L.Get(1))
	return 1
}

func (m *module) rsCopy(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	L.Push(m.newRuleset(L, copyRuleset(rv.rs)))
	return 1
}

func (m *module) rsEqual(L *glua.LState) int {
	a := checkRuleset(L, 1)
	b := checkRuleset(L, 2)
	L.Push(glua.LBool(equalValues(a.rs, b.rs)))
	return 1
}

// rsJSON implements rs:json(): the value in nft's JSON, as `nft -j list
// ruleset` prints it (handles of a value never pushed are 0).
func (m *module) rsJSON(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	jp, ok := m.core.Printer.(JSONPrinter)
	if !ok {
		unavailable(L, "rs:json (JSON printer)")
	}
	s, err := jp.RulesetJSON(rv.rs)
	if err != nil {
		raise(L, callSite(L), err)
	}
	L.Push(glua.LString(s))
	return 1
}

func (m *module) rsString(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	if m.core.Printer == nil {
		L.Push(glua.LString(fmt.Sprintf("nft.ruleset (%d tables; printer not available)", len(rv.rs.Tables))))
		return 1
	}
	s, err := m.core.Printer.Ruleset(rv.rs)
	if err != nil {
		lua.Raise(L, err)
	}
	L.Push(glua.LString(s))
	return 1
}
