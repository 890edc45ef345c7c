package bindings

import (
	"fmt"
	"sort"

	"github.com/nfsh/nfsh/core/diag"

	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// module is the state of one nft module instance.
type module struct {
	core Core
}

// Loader returns the gopher-lua loader of the nft module over core, for
// lua.Options.Modules (usually also listed in lua.Options.Globals):
//
//	nft.ruleset()                 a new, empty ruleset value
//	nft.parse(text, [vars])       a ruleset built from nft text with typed $vars
//	nft(text)(vars)               the same, as a text block: nft [[ ... ]] { vars }
//	nft.parse_json(text)          a ruleset built from nft's JSON (rs:json() is the reverse)
//	nft.push(rs, [opts])          commit rs (opts: mode = "replace"|"reconcile", check = bool); true or nil, err
//	nft.pull([family, name])      the kernel's ruleset (or one table); ruleset or nil, err (also for a missing table)
//	nft.supported()               kernel features, a table of name = bool
//	nft.diff(a, b, [opts])        the patch a → b (a = nil: the kernel); tostring is nft commands
//	nft.rule_text(spec)           the nft text of a structured rule (see c:add)
//	nft.run(text, [vars], [opts]) nft commands against the kernel (add, insert, delete, flush, ...)
//	nft.create_table, nft.delete_table, nft.add_element, nft.delete_element   live changes (live.go)
func Loader(core Core) glua.LGFunction {
	m := &module{core: core}
	return m.open
}

func (m *module) open(L *glua.LState) int {
	m.registerTypes(L)
	mod := L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"ruleset":    m.nftRuleset,
		"parse":      m.nftParse,
		"parse_json": m.nftParseJSON,
		"push":       m.nftPush,
		"pull":       m.nftPull,
		"supported":  m.nftSupported,
		"diff":       m.nftDiff,
		"rule_text":  m.nftRuleText,
	})
	L.SetFuncs(mod, m.liveFuncs())
	L.SetFuncs(mod, m.logFuncs()) // NFLOG listeners (log.go)
	L.SetFuncs(mod, m.subscribeFuncs())
	L.SetFuncs(mod, map[string]glua.LGFunction{"trace": m.nftTrace}) // packet traces (trace.go)
	mt := L.NewTable()
	mt.RawSetString("__call", L.NewFunction(m.nftCall))
	L.SetMetatable(mod, mt)
	L.Push(mod)
	return 1
}

func (m *module) registerTypes(L *glua.LState) {
	m.registerRuleset(L)
	m.registerTable(L)
	m.registerChain(L)
	m.registerRule(L)
	m.registerSet(L)
	m.registerPatch(L)
}

func (m *module) nftRuleset(L *glua.LState) int {
	L.Push(m.newRuleset(L, &ruleset.Ruleset{}))
	return 1
}

// nftParse implements nft.parse(text, [vars]).
func (m *module) nftParse(L *glua.LState) int {
	text := L.CheckString(1)
	vars := L.OptTable(2, nil)
	rs := &ruleset.Ruleset{}
	m.applyText(L, rs, text, vars, textSite(L))
	L.Push(m.newRuleset(L, rs))
	return 1
}

// nftParseJSON implements nft.parse_json(text): a ruleset value built
// from nft's JSON (what `nft -j list ruleset` or rs:json() prints, or a
// JSON command document), as nft.parse builds one from nft text.
func (m *module) nftParseJSON(L *glua.LState) int {
	text := L.CheckString(1)
	pos := callSite(L)
	jc, ok := m.core.Compiler.(JSONCompiler)
	if !ok {
		unavailable(L, "nft.parse_json (JSON compiler)")
	}
	rs := &ruleset.Ruleset{}
	cmds, err := jc.ScriptJSON([]byte(text), rs)
	if err != nil {
		raise(L, pos, err)
	}
	m.apply(L, rs, cmds, pos)
	L.Push(m.newRuleset(L, rs))
	return 1
}

// nftCall implements nft(text): a function taking the variables.
func (m *module) nftCall(L *glua.LState) int {
	text := L.CheckString(2)
	pos := textSite(L)
	L.Push(L.NewFunction(func(L *glua.LState) int {
		vars := L.OptTable(1, nil)
		rs := &ruleset.Ruleset{}
		m.applyText(L, rs, text, vars, pos)
		L.Push(m.newRuleset(L, rs))
		return 1
	}))
	return 1
}

// applyText compiles nft text with vars and applies it to rs.
func (m *module) applyText(L *glua.LState, rs *ruleset.Ruleset, text string, vt *glua.LTable, pos diag.Pos) {
	if m.core.Compiler == nil {
		unavailable(L, "nft text (compiler)")
	}
	vars, err := varsFrom(vt, pos)
	if err != nil {
		raise(L, pos, err)
	}
	cmds, err := m.core.Compiler.Script(pos, []byte(text), vars, rs)
	if err != nil {
		raise(L, pos, err)
	}
	m.apply(L, rs, cmds, pos)
}

// apply applies compiled commands to rs, raising the first failure.
func (m *module) apply(L *glua.LState, rs *ruleset.Ruleset, cmds []ruleset.Command, pos diag.Pos) {
	for i := range cmds {
		if err := rs.Apply(&cmds[i]); err != nil {
			raise(L, pos, err)
		}
	}
}

// nftPush implements nft.push(rs, [opts]).
func (m *module) nftPush(L *glua.LState) int {
	rv := checkRuleset(L, 1)
	o := checkOptions(L, 2, "mode", "check")
	opts := PushOptions{Mode: "replace", Check: o.boolean("check")}
	if s, ok := o.str("mode"); ok {
		if s != "replace" && s != "reconcile" {
			L.ArgError(2, `mode must be "replace" or "reconcile"`)
		}
		opts.Mode = s
	}
	if m.core.Kernel == nil {
		unavailable(L, "nft.push (kernel)")
	}
	if err := m.core.Kernel.Push(rv.rs, opts); err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(glua.LTrue)
	return 1
}

// nftPull implements nft.pull([family, name]).
func (m *module) nftPull(L *glua.LState) int {
	var fam ruleset.Family
	name := ""
	if L.GetTop() >= 1 {
		fam = checkFamily(L, 1)
		name = L.CheckString(2)
	}
	if m.core.Kernel == nil {
		unavailable(L, "nft.pull (kernel)")
	}
	rs, err := m.core.Kernel.Pull(fam, name)
	if err == nil && name != "" && rs.Table(fam, name) == nil {
		err = fmt.Errorf("table %s %s does not exist", fam, name)
	}
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(m.newRuleset(L, rs))
	return 1
}

// nftSupported implements nft.supported().
func (m *module) nftSupported(L *glua.LState) int {
	t := L.NewTable()
	if m.core.Kernel != nil {
		f := m.core.Kernel.Features()
		names := make([]string, 0, len(f))
		for k := range f {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			t.RawSetString(k, glua.LBool(f[k]))
		}
	}
	L.Push(t)
	return 1
}

// checkFamily reads an address family name.
func checkFamily(L *glua.LState, n int) ruleset.Family {
	s := L.CheckString(n)
	f, ok := ruleset.ParseFamily(s)
	if !ok {
		L.ArgError(n, "unknown family '"+s+"' (ip, ip6, inet, arp, bridge, netdev)")
	}
	return f
}

// newUD wraps v with the metatable of Lua type name.
func newUD(L *glua.LState, name string, v any) *glua.LUserData {
	return lua.NewUserData(L, name, v)
}
