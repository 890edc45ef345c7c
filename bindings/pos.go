package bindings

import (
	"fmt"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// callSite returns the file and line of the Lua code calling the current
// Go function.
func callSite(L *glua.LState) diag.Pos {
	dbg, ok := L.GetStack(1)
	if !ok {
		return diag.Pos{}
	}
	if _, err := L.GetInfo("Sl", dbg, glua.LNil); err != nil {
		return diag.Pos{}
	}
	return diag.Pos{File: dbg.Source, Line: dbg.CurrentLine}
}

// raise raises err at the Lua call site. A *diag.Error positioned in text
// given at base (a rule or text block) is moved into the script: its line
// becomes base's line plus the line within the text.
//
// Every error of a diag.List (a compilation with several errors) is moved.
func raise(L *glua.LState, base diag.Pos, err error) {
	if base.IsValid() {
		for _, de := range diag.Errors(err) {
			if de.Pos.IsValid() && (de.Pos.File == "" || de.Pos.File == base.File) {
				if de.Pos.File == "" {
					de.Pos.Line += base.Line - 1
				}
				de.Pos.File = base.File
			} else if !de.Pos.IsValid() {
				de.Pos = base
			}
		}
	}
	lua.Raise(L, err)
}

// unavailable raises ErrUnavailable for what.
func unavailable(L *glua.LState, what string) {
	lua.Raise(L, fmt.Errorf("%s: %w", what, ErrUnavailable))
}

// fail raises a plain error message at the call site.
func fail(L *glua.LState, format string, args ...any) {
	L.RaiseError(format, args...)
}
