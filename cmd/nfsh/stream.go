package main

import (
	"bufio"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// eventLoop reads events for the streaming verbs (log, monitor). It
// flushes the buffered output whenever nothing is queued, so lines appear
// as events arrive without a write per line under load, and stops on
// SIGINT or SIGTERM.
type eventLoop[T any] struct {
	ch  <-chan T
	w   *bufio.Writer
	sig chan os.Signal
}

func newEventLoop[T any](ch <-chan T, w *bufio.Writer) *eventLoop[T] {
	l := &eventLoop[T]{ch: ch, w: w, sig: make(chan os.Signal, 1)}
	signal.Notify(l.sig, os.Interrupt, syscall.SIGTERM)
	return l
}

// stop releases the signal handler.
func (l *eventLoop[T]) stop() { signal.Stop(l.sig) }

// next returns the next event; ok is false when the channel closed, and
// stopped is true when a signal asked to stop.
func (l *eventLoop[T]) next() (v T, ok, stopped bool, err error) {
	select {
	case v, ok = <-l.ch:
		return v, ok, false, nil
	default:
	}
	if err := l.w.Flush(); err != nil {
		return v, false, false, err
	}
	select {
	case v, ok = <-l.ch:
		return v, ok, false, nil
	case <-l.sig:
		return v, false, true, nil
	}
}

// printStream prints, line by line, what render makes of each value of ch
// until count values printed something (count < 0: until a signal, or
// until ch closes: then streamErr says why). Values rendered to no lines
// (overrun reports, filtered changes) are not counted.
func printStream[T any](ch <-chan T, stdout io.Writer, count int, streamErr func() error, render func(T) ([]string, error)) error {
	w := bufio.NewWriterSize(stdout, 64<<10)
	defer w.Flush()
	loop := newEventLoop(ch, w)
	defer loop.stop()
	printed := 0
	for {
		v, ok, stopped, err := loop.next()
		switch {
		case err != nil:
			return err
		case stopped:
			return nil
		case !ok:
			return streamErr()
		}
		lines, err := render(v)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			continue
		}
		for _, l := range lines {
			w.WriteString(l)
			w.WriteByte('\n')
		}
		printed++
		if printed == count {
			return w.Flush()
		}
	}
}
