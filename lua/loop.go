package lua

import (
	"context"
	"errors"

	glua "github.com/yuin/gopher-lua"
)

// Post queues fn to run on the goroutine that owns the host, the next time
// the event loop (Run or the REPL) turns. It is safe to call from any
// goroutine; after Close it does nothing.
func (h *Host) Post(fn func(L *glua.LState)) {
	h.post(func() { fn(h.L) })
}

func (h *Host) post(fn func()) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.queue = append(h.queue, fn)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *Host) pop() (func(), bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.queue) == 0 {
		return nil, false
	}
	fn := h.queue[0]
	h.queue[0] = nil
	h.queue = h.queue[1:]
	return fn, true
}

// Active returns the number of live timers and event sources: the loop
// runs while it is not zero.
func (h *Host) Active() int { return h.active }

// Run is the event loop: it delivers timer expirations and event-source
// values to their Lua callbacks until no timer or source is live, a script
// calls nfsh.exit (Run then returns the *ExitError), or ctx is done (Run
// then returns ctx.Err()). Errors raised by callbacks are reported (see
// Options.OnError) and do not stop the loop.
func (h *Host) Run(ctx context.Context) error {
	return h.loop(ctx, nil)
}

// loop runs the event loop; extra, when not nil, is an additional wake-up
// channel whose receipt makes loop return nil (the REPL's line reader).
func (h *Host) loop(ctx context.Context, extra <-chan struct{}) error {
	prev := h.loopCtx
	h.loopCtx = ctx
	defer func() { h.loopCtx = prev }()
	for {
		if h.exit != nil {
			return h.exit
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if fn, ok := h.pop(); ok {
			fn()
			continue
		}
		if h.active == 0 && extra == nil {
			return nil
		}
		select {
		case <-h.wake:
		case <-extra:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// callback calls a Lua callback from the loop; an error is reported and
// does not stop the loop, except nfsh.exit and the loop's cancellation.
func (h *Host) callback(fn *glua.LFunction, args ...glua.LValue) {
	_, err := h.Call(h.loopCtx, fn, args...)
	if err == nil {
		return
	}
	var ee *ExitError
	if errors.As(err, &ee) || h.loopCtx.Err() != nil {
		return
	}
	h.ReportError(err)
}

// ReportError reports an error raised by a callback: to Options.OnError,
// or as "FILE:LINE: error: MSG" and the traceback on the error writer.
func (h *Host) ReportError(err error) {
	if h.opts.OnError != nil {
		h.opts.OnError(err)
		return
	}
	h.reportf("%v\n", err)
}

// loopContext returns the context callbacks run under.
func (h *Host) loopContext() context.Context { return h.loopCtx }
