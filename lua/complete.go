package lua

import (
	"sort"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// fieldsKey is the metatable entry where a userdata type may list the
// names of its fields (a Lua list of strings), for completion.
const fieldsKey = "__fields"

// Complete returns the completions of the text before the cursor and the
// length of the word they replace: global names and keywords; the fields
// and methods of the value left of a '.' or ':' (walking plain tables,
// metatable __index tables, and the methods and __fields of userdata
// types, without calling any Lua code); and, inside a string literal, the
// names returned by names (kernel tables, chains, sets), when not nil.
// Owning goroutine only.
func (h *Host) Complete(before string, names func() []string) (cands []string, wordLen int) {
	if q, word, ok := openString(before); ok {
		_ = q
		if names == nil {
			return nil, 0
		}
		return filterPrefix(names(), word, false), len(word)
	}
	i := len(before)
	for i > 0 && isWordByte(before[i-1]) {
		i--
	}
	expr := before[i:]
	sepAt := strings.LastIndexAny(expr, ".:")
	if sepAt < 0 {
		var all []string
		h.L.G.Global.ForEach(func(k, _ glua.LValue) {
			if s, ok := k.(glua.LString); ok {
				all = append(all, string(s))
			}
		})
		for kw := range luaKeywords {
			all = append(all, kw)
		}
		return filterPrefix(all, expr, true), len(expr)
	}
	path, word, method := expr[:sepAt], expr[sepAt+1:], expr[sepAt] == ':'
	v := glua.LValue(h.L.G.Global)
	for _, name := range strings.Split(path, ".") {
		if name == "" || strings.Contains(name, ":") {
			return nil, 0
		}
		v = h.peekField(v, name)
		if v == glua.LNil {
			return nil, 0
		}
	}
	var keys []string
	h.forEachKey(v, func(k string, val glua.LValue) {
		if method && val.Type() != glua.LTFunction {
			return
		}
		keys = append(keys, k)
	})
	return filterPrefix(keys, word, true), len(word)
}

// peekField returns v[name] without running Lua code.
func (h *Host) peekField(v glua.LValue, name string) glua.LValue {
	var found glua.LValue = glua.LNil
	h.forEachKey(v, func(k string, val glua.LValue) {
		if k == name && found == glua.LNil {
			found = val
		}
	})
	return found
}

// forEachKey calls fn for the string keys reachable from v: its own keys
// (tables), then those of its metatable's __index tables and methods.
func (h *Host) forEachKey(v glua.LValue, fn func(k string, val glua.LValue)) {
	seen := map[*glua.LTable]bool{}
	var walk func(t *glua.LTable, depth int)
	walk = func(t *glua.LTable, depth int) {
		if t == nil || seen[t] || depth > 8 {
			return
		}
		seen[t] = true
		t.ForEach(func(k, val glua.LValue) {
			if s, ok := k.(glua.LString); ok {
				fn(string(s), val)
			}
		})
		if mt, ok := t.Metatable.(*glua.LTable); ok {
			walkMeta(mt, walk, depth, fn)
		}
	}
	switch x := v.(type) {
	case *glua.LTable:
		walk(x, 0)
	case *glua.LUserData:
		if mt, ok := x.Metatable.(*glua.LTable); ok {
			walkMeta(mt, walk, 0, fn)
		}
	case glua.LString:
		if mt, ok := h.L.GetMetatable(x).(*glua.LTable); ok {
			walkMeta(mt, walk, 0, fn)
		}
	}
}

func walkMeta(mt *glua.LTable, walk func(*glua.LTable, int), depth int, fn func(string, glua.LValue)) {
	if idx, ok := mt.RawGetString("__index").(*glua.LTable); ok {
		walk(idx, depth+1)
	}
	if m, ok := mt.RawGetString("__methods").(*glua.LTable); ok {
		walk(m, depth+1)
	}
	if f, ok := mt.RawGetString(fieldsKey).(*glua.LTable); ok {
		f.ForEach(func(_, name glua.LValue) {
			if s, ok := name.(glua.LString); ok {
				fn(string(s), glua.LTrue)
			}
		})
	}
}

// openString reports whether before ends inside a string literal, and
// returns its quote and the text typed so far.
func openString(before string) (quote byte, word string, ok bool) {
	start := -1
	for i := 0; i < len(before); i++ {
		c := before[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, start = c, i
		case quote == 0 && c == '-' && strings.HasPrefix(before[i:], "--"):
			return 0, "", false
		}
	}
	if quote == 0 {
		return 0, "", false
	}
	return quote, before[start+1:], true
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// filterPrefix returns the sorted distinct entries of all starting with
// prefix; with hidePrivate, names starting with "_" are left out unless
// the prefix starts with "_".
func filterPrefix(all []string, prefix string, hidePrivate bool) []string {
	set := map[string]bool{}
	for _, s := range all {
		if !strings.HasPrefix(s, prefix) {
			continue
		}
		if hidePrivate && strings.HasPrefix(s, "_") && !strings.HasPrefix(prefix, "_") {
			continue
		}
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
