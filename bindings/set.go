package bindings

import (
	"fmt"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

const setType = "nft.set"

// setVal is the Lua value of a named set or map of a table.
type setVal struct {
	tv *tableVal
	s  *ruleset.Set
}

func (m *module) newSet(L *glua.LState, tv *tableVal, s *ruleset.Set) *glua.LUserData {
	return newUD(L, setType, &setVal{tv: tv, s: s})
}

func checkSet(L *glua.LState, n int) *setVal {
	sv := lua.Check[*setVal](L, n, setType)
	if sv.tv.t.Set(sv.s.Name) != sv.s {
		L.ArgError(n, fmt.Sprintf("set %s was deleted from its table", sv.s.Name))
	}
	return sv
}

// registerSet defines nft.set values (sets and maps):
//
//	s:add(elements)      add elements (a value or a list; for maps a table key = value); returns s
//	s:remove(elements)   delete elements (also s:delete); returns s
//	s.name, s.map (true for maps), s.comment, s.handle, s.count (number of elements)
//	tostring(s)          nft text, like nft list set
func (m *module) registerSet(L *glua.LState) {
	registerObject(L, setType, map[string]glua.LGFunction{
		"add":    func(L *glua.LState) int { return m.sElements(L, ast.OpAdd) },
		"remove": func(L *glua.LState) int { return m.sElements(L, ast.OpDelete) },
		"delete": func(L *glua.LState) int { return m.sElements(L, ast.OpDelete) },
	}, map[string]field{
		"name":    func(L *glua.LState, v any) glua.LValue { return glua.LString(v.(*setVal).s.Name) },
		"map":     func(L *glua.LState, v any) glua.LValue { return glua.LBool(v.(*setVal).s.Flags&ruleset.SetMap != 0) },
		"comment": func(L *glua.LState, v any) glua.LValue { return optString(v.(*setVal).s.Comment()) },
		"handle":  func(L *glua.LState, v any) glua.LValue { return handleValue(v.(*setVal).s.Handle) },
		"count":   func(L *glua.LState, v any) glua.LValue { return glua.LNumber(countElements(v.(*setVal).s)) },
	}, map[string]glua.LGFunction{
		"__tostring": m.sString,
	})
}

// countElements counts elements, not interval end markers.
func countElements(s *ruleset.Set) int {
	n := 0
	for _, e := range s.Elements {
		if e.Flags&ruleset.ElemIntervalEnd == 0 {
			n++
		}
	}
	return n
}

var setOptions = []string{"type", "data", "flags", "timeout", "gc_interval", "size", "policy", "comment", "elements", "auto_merge"}

// tSet implements t:set(name, opts) and t:map(name, opts).
func (m *module) tSet(L *glua.LState, isMap bool) int {
	tv := checkTable(L, 1)
	name := L.CheckString(2)
	o := checkOptions(L, 3, setOptions...)
	pos := callSite(L)
	if s := tv.t.Set(name); s != nil && o.table() == nil {
		L.Push(m.newSet(L, tv, s))
		return 1
	}
	loc := ast.At(pos)
	decl := &ast.Set{Loc: loc, Name: &ast.Ident{Loc: loc, Name: name}, IsMap: isMap}
	key := o.strs("type")
	if len(key) == 1 {
		key = strings.Split(key[0], ".")
	}
	if len(key) == 0 {
		fail(L, "set %s: option type is required (e.g. type = \"ipv4_addr\")", name)
	}
	decl.Key = typeSpec(loc, key)
	if isMap {
		data := o.strs("data")
		if len(data) == 1 {
			data = strings.Split(data[0], ".")
		}
		if len(data) == 0 {
			fail(L, "map %s: option data is required (e.g. data = \"verdict\")", name)
		}
		decl.Data = typeSpec(loc, data)
	} else if o.has("data") {
		fail(L, "set %s: data is for maps (use t:map)", name)
	}
	for _, f := range o.strs("flags") {
		decl.Flags = append(decl.Flags, &ast.Ident{Loc: loc, Name: f})
	}
	var err error
	if decl.Timeout, err = timeExpr(o.get("timeout"), loc); err != nil {
		raise(L, pos, err)
	}
	if decl.GcInterval, err = timeExpr(o.get("gc_interval"), loc); err != nil {
		raise(L, pos, err)
	}
	if v, ok := o.get("size").(glua.LNumber); ok {
		decl.Size = &ast.Uint{Loc: loc, V: uint64(v)}
	}
	if s, ok := o.str("policy"); ok {
		decl.Policy = &ast.Ident{Loc: loc, Name: s}
	}
	decl.AutoMerge = o.boolean("auto_merge")
	if s, ok := o.str("comment"); ok {
		decl.Comment = &ast.String{Loc: loc, Text: s}
	}
	if o.has("elements") {
		elems, err := elementsExpr(o.get("elements"), pos)
		if err != nil {
			raise(L, pos, err)
		}
		decl.Elements = elems
	}
	obj := ast.ObjSet
	if isMap {
		obj = ast.ObjMap
	}
	cmd := &ast.Command{Loc: loc, Op: ast.OpAdd, Obj: obj, Spec: m.spec(tv.t, loc, name), Set: decl}
	m.compileApply(L, tv.rv.rs, []*ast.Command{cmd}, pos)
	L.Push(m.newSet(L, tv, tv.t.Set(name)))
	return 1
}

func typeSpec(loc ast.Loc, names []string) *ast.TypeSpec {
	ts := &ast.TypeSpec{Loc: loc}
	for _, n := range names {
		ts.Names = append(ts.Names, &ast.Ident{Loc: loc, Name: strings.TrimSpace(n)})
	}
	return ts
}

// timeExpr converts a time option: seconds as a number, or nft's "1h30m".
func timeExpr(v glua.LValue, loc ast.Loc) (ast.Expr, error) {
	switch x := v.(type) {
	case *glua.LNilType:
		return nil, nil
	case glua.LNumber:
		return &ast.Symbol{Loc: loc, Text: fmt.Sprintf("%ds", int64(x))}, nil
	case glua.LString:
		return &ast.Symbol{Loc: loc, Text: string(x)}, nil
	}
	return nil, fmt.Errorf("a time must be seconds or a string like \"1h\", got %s", v.Type().String())
}

// elementsExpr converts an elements value (one value, a list, or a map
// table) into a brace set expression.
func elementsExpr(v glua.LValue, pos diag.Pos) (*ast.SetExpr, error) {
	e, err := ValueToExpr("elements", v, pos)
	if err != nil {
		return nil, err
	}
	if se, ok := e.(*ast.SetExpr); ok {
		return se, nil
	}
	return &ast.SetExpr{Loc: ast.At(pos), Elems: []ast.Expr{&ast.Elem{Loc: ast.At(pos), Key: e}}}, nil
}

// sElements implements s:add and s:remove.
func (m *module) sElements(L *glua.LState, op ast.Op) int {
	sv := checkSet(L, 1)
	pos := callSite(L)
	elems, err := elementsExpr(L.CheckAny(2), pos)
	if err != nil {
		raise(L, pos, err)
	}
	loc := ast.At(pos)
	cmd := &ast.Command{Loc: loc, Op: op, Obj: ast.ObjElement, Spec: m.spec(sv.tv.t, loc, sv.s.Name), Elements: elems}
	m.compileApply(L, sv.tv.rv.rs, []*ast.Command{cmd}, pos)
	L.Push(L.Get(1))
	return 1
}

func (m *module) sString(L *glua.LState) int {
	sv := lua.Check[*setVal](L, 1, setType)
	if m.core.Printer == nil {
		L.Push(glua.LString(fmt.Sprintf("nft.set %s (%d elements; printer not available)", sv.s.Name, countElements(sv.s))))
		return 1
	}
	s, err := m.core.Printer.Set(sv.tv.t, sv.s)
	if err != nil {
		lua.Raise(L, err)
	}
	L.Push(glua.LString(s))
	return 1
}
