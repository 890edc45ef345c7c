package lua

import (
	"fmt"
	"time"

	glua "github.com/yuin/gopher-lua"
)

// After calls fn once, from the event loop, after d. Owning goroutine only.
func (h *Host) After(d time.Duration, fn *glua.LFunction) *Handle {
	return h.startTimer(d, false, fn)
}

// Every calls fn from the event loop every d (measured from the end of the
// previous call, so calls never pile up) until the handle is cancelled.
// Owning goroutine only.
func (h *Host) Every(d time.Duration, fn *glua.LFunction) *Handle {
	return h.startTimer(d, true, fn)
}

func (h *Host) startTimer(d time.Duration, repeat bool, fn *glua.LFunction) *Handle {
	var t *time.Timer
	name := "after " + d.String()
	if repeat {
		name = "every " + d.String()
	}
	hd := h.newHandle("timer", name, func() {
		if t != nil {
			t.Stop()
		}
	})
	var fire func()
	fire = func() {
		if !hd.live {
			return
		}
		if !repeat {
			hd.cancel()
		}
		h.callback(fn, hd.LValue())
		if repeat && hd.live {
			t.Reset(d)
		}
	}
	t = time.AfterFunc(d, func() { h.post(fire) })
	return hd
}

// checkDuration reads argument n as milliseconds.
func checkDuration(L *glua.LState, n int) time.Duration {
	ms := L.CheckNumber(n)
	if ms < 0 || ms != ms {
		L.ArgError(n, fmt.Sprintf("milliseconds must be >= 0, got %v", ms))
	}
	return time.Duration(float64(ms) * float64(time.Millisecond))
}
