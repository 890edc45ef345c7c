package lua_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// A host runs a script, then its event loop until no timer is left.
func ExampleHost() {
	h := lua.New(lua.Options{Stdout: os.Stdout})
	defer h.Close()
	ctx := context.Background()
	err := h.DoString(ctx, "example.lua", `
		local n = 0
		nfsh.every(10, function(t)
			n = n + 1
			print("tick", n)
			if n == 3 then t:cancel() end
		end)
		nfsh.after(1, function() print("first") end)
	`)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := h.Run(ctx); err != nil {
		fmt.Println(err)
	}
	// Output:
	// first
	// tick	1
	// tick	2
	// tick	3
}

// Errors carry the script's file and line, and a traceback.
func ExampleError() {
	h := lua.New(lua.Options{})
	defer h.Close()
	err := h.DoString(context.Background(), "fw.lua", "local ports = nil\nprint(ports.ssh)\n")
	if le, ok := err.(*lua.Error); ok {
		fmt.Println(le.Short())
	}
	// Output:
	// fw.lua:2: error: attempt to index a non-table object(nil) with key 'ssh'
}

// Listen delivers values from a Go channel to a Lua callback on the
// goroutine owning the state; the loop ends when the channel is closed.
func ExampleListen() {
	h := lua.New(lua.Options{Stdout: os.Stdout})
	defer h.Close()
	ctx := context.Background()
	rets, err := h.Eval(ctx, "cb.lua", `return function(ev) print(ev.kind, ev.port) end`)
	if err != nil {
		fmt.Println(err)
		return
	}
	events := make(chan int)
	lua.Listen(h, lua.Source[int]{
		Name:     "ports",
		C:        events,
		Callback: rets[0].(*glua.LFunction),
		Convert: func(L *glua.LState, port int) []glua.LValue {
			ev := L.NewTable()
			ev.RawSetString("kind", glua.LString("connect"))
			ev.RawSetString("port", glua.LNumber(port))
			return []glua.LValue{ev}
		},
	})
	go func() {
		events <- 22
		events <- 443
		close(events)
	}()
	if err := h.Run(ctx); err != nil {
		fmt.Println(err)
	}
	// Output:
	// connect	22
	// connect	443
}

// A sandboxed host has no io and no os.execute.
func ExampleSandbox() {
	h := lua.New(lua.Options{Stdout: os.Stdout, Sandbox: &lua.Sandbox{}})
	defer h.Close()
	if err := h.DoString(context.Background(), "sb.lua", `print(io, os.execute, type(os.time))`); err != nil {
		fmt.Println(err)
	}
	// Output:
	// nil	nil	function
}
