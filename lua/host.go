// Package lua is the nfsh Lua host: it sets up a gopher-lua state with
// nfsh's libraries and module loader, runs scripts and chunks, and runs the
// event loop that turns timers and event sources into Lua calls.
//
// One goroutine owns the state: the one calling DoFile, DoString, Run and
// the REPL. Timers and event sources (see Listen) deliver plain Go values
// on channels; the loop converts them into Lua values and calls the script's
// callbacks on the owning goroutine. Only Post, Interrupt and Close may be
// called from other goroutines.
package lua

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	glua "github.com/yuin/gopher-lua"
)

// Options configure a Host.
type Options struct {
	// Stdout and Stderr receive print/io.write output and the reports of
	// errors raised in callbacks. They default to os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
	// Sandbox, when not nil, restricts the libraries scripts can use.
	Sandbox *Sandbox
	// Modules are extra modules scripts can require, by name. Each loader
	// is a gopher-lua module loader: it pushes the module value and
	// returns 1.
	Modules map[string]glua.LGFunction
	// Globals are modules that are also set as globals when the host
	// starts (for example "nft"); each must be a key of Modules.
	Globals []string
	// OnError, when not nil, receives errors raised by callbacks instead
	// of the default report on Stderr. The loop continues either way.
	OnError func(error)
}

// Host is a Lua state with the nfsh libraries and an event loop.
type Host struct {
	// L is the Lua state. Only the goroutine that owns the host may use it.
	L *glua.LState

	opts   Options
	stdout io.Writer
	stderr io.Writer

	mu         sync.Mutex
	queue      []func()
	wake       chan struct{}
	cancelCall context.CancelFunc
	closed     bool

	// Owned by the owning goroutine.
	active  int                  // live timers and listeners
	handles map[*Handle]struct{} // live timers and listeners
	exit    *ExitError           // set by nfsh.exit
	causes  map[string]error     // Go errors raised through Raise, by message
	loopCtx context.Context      // context of the running loop, for callbacks
	closers []func()
}

// New creates a host with the standard libraries (or those the sandbox
// allows), the nfsh module, the embedded stdlib loader and opts.Modules.
func New(opts Options) *Host {
	h := &Host{
		L:       glua.NewState(glua.Options{SkipOpenLibs: true}),
		opts:    opts,
		stdout:  opts.Stdout,
		stderr:  opts.Stderr,
		wake:    make(chan struct{}, 1),
		handles: map[*Handle]struct{}{},
		causes:  map[string]error{},
		loopCtx: context.Background(),
	}
	if h.stdout == nil {
		h.stdout = os.Stdout
	}
	if h.stderr == nil {
		h.stderr = os.Stderr
	}
	h.openLibs()
	h.L.SetGlobal("print", h.L.NewFunction(h.luaPrint))
	h.installLoader()
	h.L.PreloadModule("nfsh", h.openNfsh)
	for name, loader := range opts.Modules {
		h.L.PreloadModule(name, loader)
	}
	h.requireGlobal("nfsh")
	for _, g := range opts.Globals {
		h.requireGlobal(g)
	}
	return h
}

// requireGlobal requires module name and stores it in the global of that name.
func (h *Host) requireGlobal(name string) {
	L := h.L
	if err := L.CallByParam(glua.P{Fn: L.GetGlobal("require"), NRet: 1, Protect: true}, glua.LString(name)); err != nil {
		h.reportf("nfsh: loading module %s: %v\n", name, err)
		return
	}
	v := L.Get(-1)
	L.Pop(1)
	L.SetGlobal(name, v)
}

// Stdout returns the writer print uses.
func (h *Host) Stdout() io.Writer { return h.stdout }

// Stderr returns the writer errors are reported on.
func (h *Host) Stderr() io.Writer { return h.stderr }

// SetOutput replaces the writers print and error reports use (the REPL
// routes them through the line editor). Owning goroutine only.
func (h *Host) SetOutput(stdout, stderr io.Writer) {
	h.stdout, h.stderr = stdout, stderr
}

// OnClose registers fn to run when the host is closed (for example to
// close the kernel socket the bindings opened). Functions run in reverse
// order of registration.
func (h *Host) OnClose(fn func()) { h.closers = append(h.closers, fn) }

// Close stops every timer and event source, runs the OnClose functions and
// closes the Lua state. It must be called by the owning goroutine, after
// the loop has returned.
func (h *Host) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.queue = nil
	h.mu.Unlock()
	h.CancelAll()
	for i := len(h.closers) - 1; i >= 0; i-- {
		h.closers[i]()
	}
	h.L.Close()
}

// DoFile runs the Lua script at path with args as its arguments (the
// global arg table, arg[0] being path, and the chunk's ...). The script's
// folder is searched by require. It does not run the event loop: call Run
// afterwards to serve the timers and listeners the script created.
func (h *Host) DoFile(ctx context.Context, path string, args ...string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return &Error{Msg: err.Error(), Err: err}
	}
	h.setScriptDir(filepath.Dir(path))
	argt := h.L.NewTable()
	argt.RawSetInt(0, glua.LString(path))
	var largs []glua.LValue
	for i, a := range args {
		argt.RawSetInt(i+1, glua.LString(a))
		largs = append(largs, glua.LString(a))
	}
	h.L.SetGlobal("arg", argt)
	return h.run(ctx, string(src), path, largs)
}

// DoString runs chunk, naming it name in error messages and tracebacks.
func (h *Host) DoString(ctx context.Context, name, chunk string) error {
	return h.run(ctx, chunk, name, nil)
}

// Eval runs chunk and returns the values it returns.
func (h *Host) Eval(ctx context.Context, name, chunk string) ([]glua.LValue, error) {
	fn, err := h.Load(name, chunk)
	if err != nil {
		return nil, err
	}
	return h.Call(ctx, fn)
}

// Load compiles chunk without running it.
func (h *Host) Load(name, chunk string) (*glua.LFunction, error) {
	fn, err := h.L.Load(strings.NewReader(chunk), name)
	if err != nil {
		return nil, h.convert(err)
	}
	return fn, nil
}

func (h *Host) run(ctx context.Context, src, name string, args []glua.LValue) error {
	fn, err := h.Load(name, src)
	if err != nil {
		return err
	}
	_, err = h.Call(ctx, fn, args...)
	return err
}

// setScriptDir makes require search dir (before the default path).
func (h *Host) setScriptDir(dir string) {
	if h.opts.Sandbox != nil && !h.opts.Sandbox.allows("file") {
		return
	}
	pkg, ok := h.L.GetGlobal("package").(*glua.LTable)
	if !ok {
		return
	}
	p := dir + "/?.lua;" + dir + "/?/init.lua"
	if old := glua.LVAsString(pkg.RawGetString("path")); old != "" {
		p += ";" + old
	}
	pkg.RawSetString("path", glua.LString(p))
}

// Call calls fn with args under ctx and returns its results. Cancelling ctx
// (or Interrupt) stops the Lua code at its next instruction. A call to
// nfsh.exit makes Call return an *ExitError.
func (h *Host) Call(ctx context.Context, fn glua.LValue, args ...glua.LValue) ([]glua.LValue, error) {
	if h.exit != nil {
		return nil, h.exit
	}
	L := h.L
	cctx, cancel := context.WithCancel(ctx)
	h.mu.Lock()
	prev := h.cancelCall
	h.cancelCall = cancel
	h.mu.Unlock()
	prevCtx := L.RemoveContext()
	L.SetContext(cctx)
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), glua.MultRet, nil)
	L.RemoveContext()
	if prevCtx != nil {
		L.SetContext(prevCtx)
	}
	h.mu.Lock()
	h.cancelCall = prev
	h.mu.Unlock()
	interrupted := cctx.Err() != nil
	cancel()
	var rets []glua.LValue
	if err == nil {
		for i := top + 1; i <= L.GetTop(); i++ {
			rets = append(rets, L.Get(i))
		}
	}
	L.SetTop(top)
	if h.exit != nil {
		return nil, h.exit
	}
	if err != nil {
		if interrupted {
			cause := ctx.Err()
			if cause == nil {
				cause = context.Canceled
			}
			e := h.convert(err).(*Error)
			e.Msg = "interrupted"
			e.Err = cause
			return nil, e
		}
		return nil, h.convert(err)
	}
	if len(h.causes) > 0 && top == 0 {
		clear(h.causes)
	}
	return rets, nil
}

// Interrupt stops the Lua code running now (a chunk or a callback) at its
// next instruction; the call returns an error wrapping context.Canceled.
// It is safe to call from any goroutine, e.g. a SIGINT handler.
func (h *Host) Interrupt() {
	h.mu.Lock()
	c := h.cancelCall
	h.mu.Unlock()
	if c != nil {
		c()
	}
}

// reportf writes a message to the error writer.
func (h *Host) reportf(format string, args ...any) {
	_, _ = io.WriteString(h.stderr, sprintf(format, args...))
}
