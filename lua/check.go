package lua

import (
	glua "github.com/yuin/gopher-lua"
)

// RegisterType creates (or extends) the metatable of the userdata type
// name: methods become the __index table and meta the metamethods
// (__tostring, __eq, __call, ...). A metamethod "__index" in meta replaces
// the methods table (the function then decides between methods and fields;
// MethodsOf gives it the methods table).
func RegisterType(L *glua.LState, name string, methods, meta map[string]glua.LGFunction) *glua.LTable {
	mt := L.NewTypeMetatable(name)
	mtab := L.NewTable()
	L.SetFuncs(mtab, methods)
	mt.RawSetString("__methods", mtab)
	mt.RawSetString("__name", glua.LString(name))
	mt.RawSetString("__index", mtab)
	L.SetFuncs(mt, meta)
	return mt
}

// MethodsOf returns the methods table RegisterType stored for type name.
func MethodsOf(L *glua.LState, name string) *glua.LTable {
	mt, ok := L.GetTypeMetatable(name).(*glua.LTable)
	if !ok {
		return nil
	}
	t, _ := mt.RawGetString("__methods").(*glua.LTable)
	return t
}

// NewUserData wraps v in a userdata with the metatable of type name.
func NewUserData(L *glua.LState, name string, v any) *glua.LUserData {
	ud := L.NewUserData()
	ud.Value = v
	L.SetMetatable(ud, L.GetTypeMetatable(name))
	return ud
}

// Check returns the Go value of the userdata at argument n, raising an
// argument error naming typeName when the argument is not one.
func Check[T any](L *glua.LState, n int, typeName string) T {
	if ud, ok := L.Get(n).(*glua.LUserData); ok {
		if v, ok := ud.Value.(T); ok {
			return v
		}
	}
	var zero T
	L.ArgError(n, typeName+" expected, got "+typeNameOf(L, L.Get(n)))
	return zero
}

// Opt is like Check but returns the zero value and false when argument n
// is nil or absent.
func Opt[T any](L *glua.LState, n int, typeName string) (T, bool) {
	if L.Get(n) == glua.LNil {
		var zero T
		return zero, false
	}
	return Check[T](L, n, typeName), true
}

// typeNameOf names v's type, using the userdata type name when it has one.
func typeNameOf(L *glua.LState, v glua.LValue) string {
	if ud, ok := v.(*glua.LUserData); ok {
		if mt, ok := ud.Metatable.(*glua.LTable); ok {
			if n, ok := mt.RawGetString("__name").(glua.LString); ok {
				return string(n)
			}
		}
	}
	return v.Type().String()
}

// hostKey is the registry key of the host owning a state.
const hostKey = "nfsh.host"

// hostOf returns the host owning L (or one of its coroutines).
func hostOf(L *glua.LState) *Host {
	reg, ok := L.Get(glua.RegistryIndex).(*glua.LTable)
	if !ok {
		return nil
	}
	ud, ok := reg.RawGetString(hostKey).(*glua.LUserData)
	if !ok {
		return nil
	}
	h, _ := ud.Value.(*Host)
	return h
}

// HostOf returns the Host owning L, for bindings that need the event loop
// (Listen, After) or the output writers. It returns nil for a state not
// created by New.
func HostOf(L *glua.LState) *Host { return hostOf(L) }
