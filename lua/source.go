package lua

import (
	glua "github.com/yuin/gopher-lua"
)

// Source describes a stream of Go values to deliver to a Lua callback.
// Other packages (NFLOG, ruleset monitor, sockets) use it through Listen.
type Source[T any] struct {
	// Name describes the source in tostring() and error messages, e.g.
	// "nflog group 5".
	Name string
	// C delivers the values; closing it ends the source.
	C <-chan T
	// Convert turns one value into the callback's arguments. It runs on
	// the goroutine that owns the state, so it may create tables. Nil
	// means the callback gets no arguments.
	Convert func(L *glua.LState, v T) []glua.LValue
	// Callback is the Lua function called once per value.
	Callback *glua.LFunction
	// Stop, when not nil, is called once when the source ends or is
	// cancelled (e.g. to close the socket feeding C).
	Stop func()
}

// Listen starts delivering the values of s.C to s.Callback and returns the
// source's handle; the event loop runs while the handle is live. Values are
// delivered one at a time: the next value is not read from C before the
// callback for the previous one returned, so a slow script applies back
// pressure to the producer. Owning goroutine only.
func Listen[T any](h *Host, s Source[T]) *Handle {
	hd := h.newHandle("listener", s.Name, s.Stop)
	ack := make(chan struct{}, 1)
	go func() {
		for {
			var v T
			var ok bool
			select {
			case v, ok = <-s.C:
			case <-hd.done:
				return
			}
			if !ok {
				h.post(func() { hd.cancel() })
				return
			}
			h.post(func() {
				defer func() { ack <- struct{}{} }()
				if !hd.live {
					return
				}
				var args []glua.LValue
				if s.Convert != nil {
					args = s.Convert(h.L, v)
				}
				h.callback(s.Callback, args...)
			})
			select {
			case <-ack:
			case <-hd.done:
				return
			}
		}
	}()
	return hd
}
