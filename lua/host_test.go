package lua

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	glua "github.com/yuin/gopher-lua"
)

func newTestHost(t *testing.T, opts Options) (*Host, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errb bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &errb
	h := New(opts)
	t.Cleanup(h.Close)
	return h, &out, &errb
}

func TestTimersOrderAndLoopEnd(t *testing.T) {
	h, out, _ := newTestHost(t, Options{})
	ctx := context.Background()
	err := h.DoString(ctx, "t.lua", `
		nfsh.after(30, function() print("b") end)
		nfsh.after(1, function() print("a") end)
		local n = 0
		nfsh.every(5, function(tm) n = n + 1; print("tick", n); if n == 3 then tm:cancel() end end)
		local c = nfsh.after(10, function() print("never") end)
		c:cancel()
		print("active", nfsh.active())
	`)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"active\t3\n", "a\n", "tick\t3\n", "b\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "never") || strings.Contains(got, "tick\t4") {
		t.Errorf("cancelled timer ran: %q", got)
	}
	if strings.Index(got, "a\n") > strings.Index(got, "b\n") {
		t.Errorf("timers out of order: %q", got)
	}
}

func TestExit(t *testing.T) {
	h, out, _ := newTestHost(t, Options{})
	ctx := context.Background()
	if err := h.DoString(ctx, "x.lua", `nfsh.every(1, function() print("x"); nfsh.exit(3); print("not") end)`); err != nil {
		t.Fatal(err)
	}
	err := h.Run(ctx)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("Run = %v, want exit 3", err)
	}
	if out.String() != "x\n" {
		t.Errorf("output %q", out.String())
	}
	// pcall cannot swallow an exit.
	h2, out2, _ := newTestHost(t, Options{})
	err = h2.DoString(ctx, "y.lua", "pcall(os.exit, 2)\nprint('after')\n")
	if !errors.As(err, &ee) || ee.Code != 2 || out2.Len() != 0 {
		t.Fatalf("DoString = %v, out %q", err, out2.String())
	}
}

func TestErrorPositionAndTraceback(t *testing.T) {
	h, _, _ := newTestHost(t, Options{})
	err := h.DoString(context.Background(), "s.lua", "local function f()\n  error('boom')\nend\nf()\n")
	var le *Error
	if !errors.As(err, &le) {
		t.Fatalf("err = %T %v", err, err)
	}
	if le.Pos.File != "s.lua" || le.Pos.Line != 2 || le.Msg != "boom" {
		t.Errorf("got %+v", le)
	}
	if !strings.HasPrefix(err.Error(), "s.lua:2: error: boom\nstack traceback:") || !strings.Contains(le.Traceback, "s.lua:4: in main chunk") {
		t.Errorf("rendered %q", err.Error())
	}
}

func TestSyntaxError(t *testing.T) {
	h, _, _ := newTestHost(t, Options{})
	_, err := h.Load("q.lua", "x = = 1")
	var le *Error
	if !errors.As(err, &le) || !le.Syntax || le.Incomplete || le.Pos.Line != 1 {
		t.Fatalf("err = %#v", err)
	}
	_, err = h.Load("q.lua", "function f()\n")
	if !errors.As(err, &le) || !le.Incomplete {
		t.Fatalf("err = %#v", err)
	}
}

func TestCallbackErrorDoesNotStopLoop(t *testing.T) {
	var reported []error
	h, out, _ := newTestHost(t, Options{OnError: func(err error) { reported = append(reported, err) }})
	ctx := context.Background()
	if err := h.DoString(ctx, "cb.lua", "nfsh.after(1, function()\n  local x = nil\n  return x.y\nend)\nnfsh.after(5, function() print('still') end)\n"); err != nil {
		t.Fatal(err)
	}
	if err := h.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(reported) != 1 || !strings.HasPrefix(reported[0].Error(), "cb.lua:3: error: ") {
		t.Fatalf("reported %v", reported)
	}
	if out.String() != "still\n" {
		t.Errorf("out %q", out.String())
	}
}

func TestRunStopsOnContextCancel(t *testing.T) {
	h, _, _ := newTestHost(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	if err := h.DoString(ctx, "c.lua", "nfsh.every(1000, function() end)"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- h.Run(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
}

func TestInterruptBusyLoop(t *testing.T) {
	h, _, _ := newTestHost(t, Options{})
	started := make(chan struct{})
	h.L.SetGlobal("started", h.L.NewFunction(func(L *glua.LState) int { close(started); return 0 }))
	go func() { <-started; h.Interrupt() }()
	err := h.DoString(context.Background(), "busy.lua", "started()\nwhile true do end\n")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	// The host is usable afterwards.
	if err := h.DoString(context.Background(), "ok.lua", "x = 1"); err != nil {
		t.Fatal(err)
	}
}

func TestListen(t *testing.T) {
	h, out, _ := newTestHost(t, Options{})
	ch := make(chan int)
	stopped := false
	fn, err := h.Load("l.lua", "return function(v, sq) print(v, sq) end")
	if err != nil {
		t.Fatal(err)
	}
	rets, err := h.Call(context.Background(), fn)
	if err != nil {
		t.Fatal(err)
	}
	hd := Listen(h, Source[int]{
		Name: "numbers", C: ch, Callback: rets[0].(*glua.LFunction),
		Convert: func(L *glua.LState, v int) []glua.LValue {
			return []glua.LValue{glua.LNumber(v), glua.LNumber(v * v)}
		},
		Stop: func() { stopped = true },
	})
	go func() {
		for i := 1; i <= 3; i++ {
			ch <- i
		}
		close(ch)
	}()
	if err := h.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out.String() != "1\t1\n2\t4\n3\t9\n" || hd.Active() || !stopped {
		t.Fatalf("out %q active %v stopped %v", out.String(), hd.Active(), stopped)
	}
}

func TestRequire(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mymod.lua"), []byte("return { v = 42 }"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "main.lua")
	if err := os.WriteFile(script, []byte("local s = require 'services'\nprint(s.get('ssh').tcp[1], require('mymod').v, arg[1], ...)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, out, _ := newTestHost(t, Options{})
	if err := h.DoFile(context.Background(), script, "a1", "a2"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "22\t42\ta1\ta1\ta2\n" {
		t.Errorf("out %q", out.String())
	}
}

func TestSandbox(t *testing.T) {
	h, out, _ := newTestHost(t, Options{Sandbox: &Sandbox{}})
	ctx := context.Background()
	err := h.DoString(ctx, "sb.lua", `print(io, os.execute, os.getenv, dofile, loadfile, debug, type(os.time()), require("services").exists("ssh"))`)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "nil\tnil\tnil\tnil\tnil\tnil\tnumber\ttrue\n" {
		t.Errorf("out %q", out.String())
	}
	h2, out2, _ := newTestHost(t, Options{Sandbox: &Sandbox{Allow: []string{"io", "os"}}})
	if err := h2.DoString(ctx, "sb2.lua", `io.write(type(io.open), type(os.execute))`); err != nil {
		t.Fatal(err)
	}
	if out2.String() != "functionfunction" {
		t.Errorf("out %q", out2.String())
	}
}

func TestModulesAndRaise(t *testing.T) {
	boom := errors.New("kernel said no")
	h, _, _ := newTestHost(t, Options{
		Modules: map[string]glua.LGFunction{"demo": func(L *glua.LState) int {
			L.Push(L.SetFuncs(L.NewTable(), map[string]glua.LGFunction{
				"fail": func(L *glua.LState) int { Raise(L, boom); return 0 },
			}))
			return 1
		}},
		Globals: []string{"demo"},
	})
	err := h.DoString(context.Background(), "m.lua", "\ndemo.fail()\n")
	var le *Error
	if !errors.As(err, &le) || le.Pos.Line != 2 || le.Msg != "kernel said no" || !errors.Is(err, boom) {
		t.Fatalf("err = %#v", err)
	}
}

func TestInspect(t *testing.T) {
	h, _, _ := newTestHost(t, Options{})
	rets, err := h.Eval(context.Background(), "i", `return {1, "two", x = {y = true}, ["a b"] = 3}`)
	if err != nil {
		t.Fatal(err)
	}
	got := Inspect(h.L, rets[0])
	want := `{ 1, "two", ["a b"] = 3, x = { y = true } }`
	if got != want {
		t.Errorf("Inspect = %s, want %s", got, want)
	}
}

func TestAfterDelay(t *testing.T) {
	h, _, _ := newTestHost(t, Options{})
	start := time.Now()
	if err := h.DoString(context.Background(), "d.lua", "nfsh.after(50, function() end)"); err != nil {
		t.Fatal(err)
	}
	if err := h.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Errorf("after(50) fired after %v", el)
	}
}
