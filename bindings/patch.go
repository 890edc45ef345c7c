package bindings

import (
	"strings"

	"github.com/nfsh/nfsh/core/diff"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

const patchType = "nft.patch"

// patchVal is the Lua value of a patch between two rulesets.
type patchVal struct {
	p *diff.Patch
}

// registerPatch defines nft.patch values, made by nft.diff(a, b, [opts]):
//
//	p.empty          true when a and b are the same firewall
//	p.count, #p      the number of commands
//	p:commands()     the commands as a list of strings (nft command syntax)
//	p:apply()        commit the patch to the kernel (one batch); true or nil, err
//	tostring(p)      the patch, one nft command a line
func (m *module) registerPatch(L *glua.LState) {
	registerObject(L, patchType, map[string]glua.LGFunction{
		"commands": m.pCommands,
		"apply":    m.pApply,
	}, map[string]field{
		"empty": func(L *glua.LState, v any) glua.LValue { return glua.LBool(v.(*patchVal).p.Empty()) },
		"count": func(L *glua.LState, v any) glua.LValue { return glua.LNumber(len(v.(*patchVal).p.Commands)) },
	}, map[string]glua.LGFunction{
		"__tostring": func(L *glua.LState) int {
			L.Push(glua.LString(strings.TrimRight(lua.Check[*patchVal](L, 1, patchType).p.String(), "\n")))
			return 1
		},
		"__len": func(L *glua.LState) int {
			L.Push(glua.LNumber(len(lua.Check[*patchVal](L, 1, patchType).p.Commands)))
			return 1
		},
	})
}

// nftDiff implements nft.diff(a, b, [opts]): a and b are rulesets; a may
// be nil for "the kernel" (b's tables, or everything with prune).
func (m *module) nftDiff(L *glua.LState) int {
	var from *ruleset.Ruleset
	to := checkRuleset(L, 2).rs
	o := checkOptions(L, 3, "prune")
	if L.Get(1) == glua.LNil {
		k := m.kernel(L, "nft.diff(nil, b)")
		var err error
		if from, err = k.Pull(0, ""); err != nil {
			L.Push(glua.LNil)
			L.Push(glua.LString(err.Error()))
			return 2
		}
	} else {
		from = checkRuleset(L, 1).rs
	}
	p := diff.Diff(from, to, diff.Options{Prune: o.boolean("prune")})
	L.Push(newUD(L, patchType, &patchVal{p: p}))
	return 1
}

func (m *module) pCommands(L *glua.LState) int {
	pv := lua.Check[*patchVal](L, 1, patchType)
	var vs []glua.LValue
	for _, line := range strings.Split(strings.TrimRight(pv.p.String(), "\n"), "\n") {
		if line != "" {
			vs = append(vs, glua.LString(line))
		}
	}
	L.Push(list(L, vs))
	return 1
}

func (m *module) pApply(L *glua.LState) int {
	pv := lua.Check[*patchVal](L, 1, patchType)
	k := m.kernel(L, "patch:apply")
	cmds := make([]ruleset.Command, len(pv.p.Commands))
	for i, c := range pv.p.Commands {
		cmds[i] = *c
	}
	return result(L, k.Apply(cmds, false, false))
}
