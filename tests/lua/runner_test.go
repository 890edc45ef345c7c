// Package lua_test runs the Lua test files of tests/lua: every global
// function named test_* in a *_test.lua file is one test case. Each file
// runs in its own nfsh session inside a fresh network namespace.
//
// A case passes when it returns without raising. A case that returns a
// function is asynchronous: the runner then runs the event loop until no
// timer or listener is left (at most 10 s) and calls that function to
// check the outcome. Errors raised by callbacks during the loop are
// available to the check through require("testrunner").reported().
//
// A file whose first line is `--! sandbox` runs in a sandboxed host.
package lua_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nfsh/nfsh/lua"
	"github.com/nfsh/nfsh/lua/shell"
	"github.com/nfsh/nfsh/tests/go/nstest"
	glua "github.com/yuin/gopher-lua"
)

func TestLuaFiles(t *testing.T) {
	files, err := filepath.Glob("*_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no *_test.lua files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(f, ".lua"), func(t *testing.T) { runFile(t, f) })
	}
}

// runFile runs the cases of one file in a fresh netns.
func runFile(t *testing.T, file string) {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	nstest.Require(t)
	ns := nstest.New(t)
	var reported []string
	opts := shell.Options{
		Netns:  ns.Path(),
		Stdout: testWriter{t}, Stderr: testWriter{t},
		OnError: func(err error) { reported = append(reported, err.Error()) },
		Modules: map[string]glua.LGFunction{"testrunner": func(L *glua.LState) int {
			L.Push(L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
				"reported": func(L *glua.LState) int {
					tb := L.NewTable()
					for _, r := range reported {
						tb.Append(glua.LString(r))
					}
					L.Push(tb)
					return 1
				},
				"netns": func(L *glua.LState) int { L.Push(glua.LString(ns.Path())); return 1 },
			}))
			return 1
		}},
	}
	if strings.HasPrefix(string(src), "--! sandbox") {
		opts.Sandbox = &lua.Sandbox{}
	}
	sh, err := shell.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	ctx := context.Background()
	if err := sh.Host.DoFile(ctx, file); err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	type tcase struct {
		name string
		fn   *glua.LFunction
		line int
	}
	var cases []tcase
	sh.Host.L.G.Global.ForEach(func(k, v glua.LValue) {
		name, ok := k.(glua.LString)
		fn, isFn := v.(*glua.LFunction)
		if ok && isFn && strings.HasPrefix(string(name), "test_") && fn.Proto != nil {
			cases = append(cases, tcase{string(name), fn, fn.Proto.LineDefined})
		}
	})
	sort.Slice(cases, func(i, j int) bool { return cases[i].line < cases[j].line })
	if len(cases) == 0 {
		t.Fatalf("%s defines no test_* functions", file)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reported = nil
			// Whatever a failed case leaves running must not reach the next.
			defer sh.Host.CancelAll()
			rets, err := sh.Host.Call(ctx, c.fn)
			if err != nil {
				t.Fatal(err)
			}
			check, ok := glua.LValue(glua.LNil), false
			if len(rets) > 0 {
				_, ok = rets[0].(*glua.LFunction)
				check = rets[0]
			}
			if !ok {
				if n := sh.Host.Active(); n > 0 {
					t.Fatalf("case left %d timers/listeners running; return a check function to run the loop", n)
				}
				return
			}
			lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := sh.Host.Run(lctx); err != nil {
				var ee *lua.ExitError
				if !errors.As(err, &ee) {
					t.Fatalf("event loop: %v", err)
				}
			}
			if _, err := sh.Host.Call(ctx, check); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// testWriter sends script output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
