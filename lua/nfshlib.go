package lua

import (
	glua "github.com/yuin/gopher-lua"
)

// openNfsh is the loader of the nfsh module: timers, exit and version.
func (h *Host) openNfsh(L *glua.LState) int {
	registerHandleType(L)
	mod := L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
		"after": func(L *glua.LState) int {
			d := checkDuration(L, 1)
			L.Push(h.After(d, L.CheckFunction(2)).LValue())
			return 1
		},
		"every": func(L *glua.LState) int {
			d := checkDuration(L, 1)
			if d <= 0 {
				L.ArgError(1, "interval must be > 0")
			}
			L.Push(h.Every(d, L.CheckFunction(2)).LValue())
			return 1
		},
		"exit": h.luaExit,
		"active": func(L *glua.LState) int {
			L.Push(glua.LNumber(h.active))
			return 1
		},
		"inspect": func(L *glua.LState) int {
			L.Push(glua.LString(Inspect(L, L.CheckAny(1))))
			return 1
		},
	})
	mod.RawSetString("version", glua.LString(Version))
	L.Push(mod)
	return 1
}

// Version is the nfsh version reported by nfsh.version.
var Version = "0.1.0-dev"

// luaExit implements nfsh.exit([code]) and os.exit: it ends the script and
// the event loop with the given status (0 by default; true is 0, false 1).
func (h *Host) luaExit(L *glua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case glua.LNumber:
		code = int(v)
	case glua.LBool:
		if !bool(v) {
			code = 1
		}
	}
	h.exit = &ExitError{Code: code}
	h.Interrupt()
	L.RaiseError("exit %d", code)
	return 0
}
