package lua

import (
	"fmt"
	"io"
	"sort"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// luaPrint is print writing to the host's stdout.
func (h *Host) luaPrint(L *glua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	_, _ = io.WriteString(h.stdout, b.String())
	return 0
}

// luaWrite is io.write writing to the host's stdout.
func (h *Host) luaWrite(L *glua.LState) int {
	for i := 1; i <= L.GetTop(); i++ {
		v := L.Get(i)
		switch v.(type) {
		case glua.LString, glua.LNumber:
			_, _ = io.WriteString(h.stdout, v.String())
		default:
			L.ArgError(i, "string expected, got "+v.Type().String())
		}
	}
	return 0
}

// Inspect renders v for the REPL: values with __tostring as their
// tostring() (rulesets print as nft text), strings quoted, plain tables as
// a constructor (two levels deep, 50 items), everything else as tostring.
func Inspect(L *glua.LState, v glua.LValue) string {
	var b strings.Builder
	inspect(L, &b, v, 0, map[*glua.LTable]bool{})
	return b.String()
}

func inspect(L *glua.LState, b *strings.Builder, v glua.LValue, depth int, seen map[*glua.LTable]bool) {
	switch x := v.(type) {
	case glua.LString:
		fmt.Fprintf(b, "%q", string(x))
		return
	case *glua.LTable:
		if mt, ok := x.Metatable.(*glua.LTable); ok && mt.RawGetString("__tostring") != glua.LNil {
			b.WriteString(L.ToStringMeta(v).String())
			return
		}
		if seen[x] || depth >= 2 {
			b.WriteString(x.String())
			return
		}
		seen[x] = true
		defer delete(seen, x)
		b.WriteString("{")
		n := 0
		x.ForEach(func(_, _ glua.LValue) { n++ })
		if n == 0 {
			b.WriteString("}")
			return
		}
		arr := x.Len()
		count := 0
		sep := func() bool {
			if count > 0 {
				b.WriteString(",")
			}
			b.WriteString(" ")
			count++
			if count > 50 {
				b.WriteString("...")
				return false
			}
			return true
		}
		for i := 1; i <= arr; i++ {
			if !sep() {
				b.WriteString(" }")
				return
			}
			inspect(L, b, x.RawGetInt(i), depth+1, seen)
		}
		var keys []glua.LValue
		x.ForEach(func(k, _ glua.LValue) {
			if n, ok := k.(glua.LNumber); ok && float64(n) == float64(int(n)) && int(n) >= 1 && int(n) <= arr {
				return
			}
			keys = append(keys, k)
		})
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			if !sep() {
				break
			}
			if s, ok := k.(glua.LString); ok && isIdent(string(s)) {
				b.WriteString(string(s))
			} else {
				b.WriteString("[")
				inspect(L, b, k, depth+1, seen)
				b.WriteString("]")
			}
			b.WriteString(" = ")
			inspect(L, b, x.RawGet(k), depth+1, seen)
		}
		b.WriteString(" }")
		return
	}
	b.WriteString(L.ToStringMeta(v).String())
}

// isIdent reports whether s is a Lua identifier (not a keyword).
func isIdent(s string) bool {
	if s == "" || luaKeywords[s] {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

var luaKeywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "goto": true, "if": true, "in": true,
	"local": true, "nil": true, "not": true, "or": true, "repeat": true, "return": true,
	"then": true, "true": true, "until": true, "while": true,
}
