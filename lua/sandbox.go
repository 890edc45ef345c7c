package lua

import (
	"slices"

	glua "github.com/yuin/gopher-lua"
)

// Sandbox restricts what scripts can reach, for embedders running
// untrusted scripts. A sandboxed host opens the base library without
// dofile and loadfile, and the package, table, string, math and coroutine
// libraries; os is reduced to time, clock, date and difftime; io, debug and
// channel are absent; require finds only the embedded stdlib and the
// modules the embedder registered. Allow lifts restrictions by name.
type Sandbox struct {
	// Allow names what to open in full anyway: "io", "os" (including
	// execute, remove, getenv, ...), "debug", "channel", and "file"
	// (dofile, loadfile and require from the file system).
	Allow []string
}

func (s *Sandbox) allows(name string) bool {
	return s == nil || slices.Contains(s.Allow, name)
}

// openLibs opens the standard libraries the sandbox allows and replaces
// the functions that would escape the host (print, io.write, os.exit).
func (h *Host) openLibs() {
	L := h.L
	reg := L.Get(glua.RegistryIndex).(*glua.LTable)
	ud := L.NewUserData()
	ud.Value = h
	reg.RawSetString(hostKey, ud)

	sb := h.opts.Sandbox
	open := func(name string, fn glua.LGFunction) {
		L.Push(L.NewFunction(fn))
		L.Push(glua.LString(name))
		L.Call(1, 0)
	}
	open(glua.LoadLibName, glua.OpenPackage)
	open(glua.BaseLibName, glua.OpenBase)
	open(glua.TabLibName, glua.OpenTable)
	open(glua.StringLibName, glua.OpenString)
	open(glua.MathLibName, glua.OpenMath)
	open(glua.CoroutineLibName, glua.OpenCoroutine)
	open(glua.OsLibName, glua.OpenOs)
	if sb.allows("io") {
		open(glua.IoLibName, glua.OpenIo)
		if io, ok := L.GetGlobal("io").(*glua.LTable); ok {
			io.RawSetString("write", L.NewFunction(h.luaWrite))
		}
	}
	if sb.allows("debug") {
		open(glua.DebugLibName, glua.OpenDebug)
	}
	if sb.allows("channel") {
		open(glua.ChannelLibName, glua.OpenChannel)
	}
	if os, ok := L.GetGlobal("os").(*glua.LTable); ok {
		if !sb.allows("os") {
			safe := L.NewTable()
			for _, name := range []string{"time", "clock", "date", "difftime"} {
				safe.RawSetString(name, os.RawGetString(name))
			}
			os = safe
			L.SetGlobal("os", os)
			if loaded, ok := L.GetField(L.Get(glua.RegistryIndex), "_LOADED").(*glua.LTable); ok {
				loaded.RawSetString("os", os)
			}
		}
		os.RawSetString("exit", L.NewFunction(h.luaExit))
	}
	if !sb.allows("file") {
		L.SetGlobal("dofile", glua.LNil)
		L.SetGlobal("loadfile", glua.LNil)
		if pkg, ok := L.GetGlobal("package").(*glua.LTable); ok {
			pkg.RawSetString("path", glua.LString(""))
		}
	}
}
