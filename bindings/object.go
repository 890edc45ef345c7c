package bindings

import (
	"sort"

	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// field reads one field of a userdata value.
type field func(L *glua.LState, v any) glua.LValue

// registerObject registers Lua type name whose __index serves methods
// first, then fields (read-only properties such as t.name); the field
// names are listed in the metatable for REPL completion.
func registerObject(L *glua.LState, name string, methods map[string]glua.LGFunction, fields map[string]field, meta map[string]glua.LGFunction) {
	mt := lua.RegisterType(L, name, methods, meta)
	mtab := lua.MethodsOf(L, name)
	names := L.NewTable()
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		names.Append(glua.LString(k))
	}
	mt.RawSetString("__fields", names)
	mt.RawSetString("__index", L.NewFunction(func(L *glua.LState) int {
		ud := L.CheckUserData(1)
		key := L.CheckString(2)
		if m := mtab.RawGetString(key); m != glua.LNil {
			L.Push(m)
			return 1
		}
		if f, ok := fields[key]; ok {
			L.Push(f(L, ud.Value))
			return 1
		}
		L.RaiseError("%s has no field or method '%s'", name, key)
		return 0
	}))
}

// optString returns s as a Lua string, or nil when empty.
func optString(s string) glua.LValue {
	if s == "" {
		return glua.LNil
	}
	return glua.LString(s)
}

// handleValue returns a kernel handle as a number, or nil when not pulled.
func handleValue(h uint64) glua.LValue {
	if h == 0 {
		return glua.LNil
	}
	return glua.LNumber(h)
}

// list builds a Lua list.
func list(L *glua.LState, vs []glua.LValue) *glua.LTable {
	t := L.CreateTable(len(vs), 0)
	for _, v := range vs {
		t.Append(v)
	}
	return t
}
