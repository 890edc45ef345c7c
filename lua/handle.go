package lua

import (
	"sync"

	glua "github.com/yuin/gopher-lua"
)

// handleType is the Lua type name of timers and listeners.
const handleType = "nfsh.handle"

// Handle is a live timer or event source. While it is active it keeps the
// event loop running. Its Lua value has the methods cancel() and active().
type Handle struct {
	h      *Host
	kind   string // "timer" or "listener"
	name   string
	live   bool
	stop   func() // stops the Go side (timer, forwarding goroutine, producer)
	once   sync.Once
	done   chan struct{}
	lvalue *glua.LUserData
}

func (h *Host) newHandle(kind, name string, stop func()) *Handle {
	hd := &Handle{h: h, kind: kind, name: name, live: true, stop: stop, done: make(chan struct{})}
	h.handles[hd] = struct{}{}
	h.active++
	return hd
}

// Active reports whether the handle is still live.
func (hd *Handle) Active() bool { return hd.live }

// Cancel stops the timer or source; its callback is not called again.
// Owning goroutine only.
func (hd *Handle) Cancel() { hd.cancel() }

// CancelAll cancels every live timer and event source, as Close does, and
// returns how many there were; the host stays usable. Owning goroutine
// only.
func (h *Host) CancelAll() int {
	n := 0
	for hd := range h.handles {
		hd.cancel()
		n++
	}
	return n
}

func (hd *Handle) cancel() {
	if !hd.live {
		return
	}
	hd.live = false
	hd.h.active--
	delete(hd.h.handles, hd)
	hd.once.Do(func() {
		close(hd.done)
		if hd.stop != nil {
			hd.stop()
		}
	})
}

// LValue returns the Lua value of the handle (a userdata of type
// nfsh.handle), to return from a binding.
func (hd *Handle) LValue() glua.LValue {
	if hd.lvalue == nil {
		hd.lvalue = NewUserData(hd.h.L, handleType, hd)
	}
	return hd.lvalue
}

func registerHandleType(L *glua.LState) {
	RegisterType(L, handleType, map[string]glua.LGFunction{
		"cancel": func(L *glua.LState) int {
			Check[*Handle](L, 1, handleType).cancel()
			return 0
		},
		"active": func(L *glua.LState) int {
			L.Push(glua.LBool(Check[*Handle](L, 1, handleType).live))
			return 1
		},
	}, map[string]glua.LGFunction{
		"__tostring": func(L *glua.LState) int {
			hd := Check[*Handle](L, 1, handleType)
			state := "active"
			if !hd.live {
				state = "cancelled"
			}
			L.Push(glua.LString(hd.kind + "(" + hd.name + ", " + state + ")"))
			return 1
		},
	})
}
