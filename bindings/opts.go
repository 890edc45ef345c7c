package bindings

import (
	"slices"
	"sort"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// options reads an options table argument and rejects unknown keys, so a
// misspelt option is an error rather than silently ignored.
type options struct {
	L *glua.LState
	t *glua.LTable
}

// checkOptions returns the options table at argument n (absent or nil is
// an empty table); allowed lists the keys it may hold, or nil for any.
func checkOptions(L *glua.LState, n int, allowed ...string) options {
	o := options{L: L}
	switch v := L.Get(n).(type) {
	case *glua.LTable:
		o.t = v
	case *glua.LNilType:
		return o
	default:
		L.ArgError(n, "options table expected, got "+v.Type().String())
	}
	if allowed != nil {
		var bad []string
		o.t.ForEach(func(k, _ glua.LValue) {
			if !slices.Contains(allowed, k.String()) {
				bad = append(bad, k.String())
			}
		})
		if len(bad) > 0 {
			sort.Strings(bad)
			L.ArgError(n, "unknown option "+strings.Join(bad, ", ")+" (known: "+strings.Join(allowed, ", ")+")")
		}
	}
	return o
}

func (o options) get(k string) glua.LValue {
	if o.t == nil {
		return glua.LNil
	}
	return o.t.RawGetString(k)
}

func (o options) has(k string) bool { return o.get(k) != glua.LNil }

func (o options) str(k string) (string, bool) {
	switch v := o.get(k).(type) {
	case glua.LString:
		return string(v), true
	case *glua.LNilType:
		return "", false
	default:
		o.L.RaiseError("option %s: string expected, got %s", k, v.Type().String())
	}
	return "", false
}

func (o options) boolean(k string) bool {
	switch v := o.get(k).(type) {
	case glua.LBool:
		return bool(v)
	case *glua.LNilType:
		return false
	default:
		o.L.RaiseError("option %s: boolean expected, got %s", k, v.Type().String())
	}
	return false
}

// strs reads a string or a list of strings.
func (o options) strs(k string) []string {
	switch v := o.get(k).(type) {
	case glua.LString:
		return []string{string(v)}
	case *glua.LTable:
		var out []string
		for i := 1; i <= v.Len(); i++ {
			s, ok := v.RawGetInt(i).(glua.LString)
			if !ok {
				o.L.RaiseError("option %s: list of strings expected", k)
			}
			out = append(out, string(s))
		}
		return out
	case *glua.LNilType:
		return nil
	default:
		o.L.RaiseError("option %s: string or list of strings expected, got %s", k, v.Type().String())
	}
	return nil
}

// table returns the raw options table (nil when absent).
func (o options) table() *glua.LTable { return o.t }
