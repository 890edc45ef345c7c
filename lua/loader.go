package lua

import (
	"io/fs"
	"strings"

	"github.com/nfsh/nfsh/scripts/stdlib"
	glua "github.com/yuin/gopher-lua"
)

// installLoader puts the embedded stdlib loader after package.preload and
// before the file system search, so `require "zones"` finds the shipped
// module and a script's own modules are found in its folder.
func (h *Host) installLoader() {
	L := h.L
	pkg, ok := L.GetGlobal("package").(*glua.LTable)
	if !ok {
		return
	}
	loaders, ok := pkg.RawGetString("loaders").(*glua.LTable)
	if !ok {
		return
	}
	fn := L.NewFunction(loadStdlib)
	n := loaders.Len()
	for i := n; i >= 2; i-- {
		loaders.RawSetInt(i+1, loaders.RawGetInt(i))
	}
	loaders.RawSetInt(2, fn)
}

// StdlibModules returns the names of the modules in the embedded stdlib.
func StdlibModules() []string {
	var names []string
	_ = fs.WalkDir(stdlib.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".lua") {
			return nil
		}
		p = strings.TrimSuffix(p, ".lua")
		p = strings.TrimSuffix(p, "/init")
		names = append(names, strings.ReplaceAll(p, "/", "."))
		return nil
	})
	return names
}

// loadStdlib is a package.loaders entry: it loads module name from the
// embedded stdlib ("a.b" is a/b.lua or a/b/init.lua).
func loadStdlib(L *glua.LState) int {
	name := L.CheckString(1)
	base := strings.ReplaceAll(name, ".", "/")
	for _, p := range []string{base + ".lua", base + "/init.lua"} {
		src, err := fs.ReadFile(stdlib.FS, p)
		if err != nil {
			continue
		}
		fn, err := L.Load(strings.NewReader(string(src)), "stdlib/"+p)
		if err != nil {
			L.RaiseError("error loading module '%s' from nfsh stdlib: %s", name, err.Error())
		}
		L.Push(fn)
		return 1
	}
	L.Push(glua.LString("\n\tno module '" + name + "' in the nfsh stdlib"))
	return 1
}
