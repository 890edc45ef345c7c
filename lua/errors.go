package lua

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/diag"
	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Error is a Lua error: where it was raised, the message and the Lua
// traceback. Err is the Go error a binding raised (through Raise), a syntax
// error's cause, or context.Canceled when the code was interrupted.
type Error struct {
	Pos       diag.Pos    // file and line of the raising code, when known
	Msg       string      // the message without the position prefix
	Traceback string      // "stack traceback:\n\t..." or ""
	Value     glua.LValue // the raised Lua value, if any
	Syntax    bool        // a compile (syntax) error
	// Incomplete reports a syntax error at the end of the input: more
	// input could complete the chunk (used by the REPL).
	Incomplete bool
	Err        error
}

// Error renders the error as "FILE:LINE: error: MSG" followed by the
// traceback, if any.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Short())
	if e.Traceback != "" {
		b.WriteString("\n")
		b.WriteString(e.Traceback)
	}
	return b.String()
}

// Short renders the error without the traceback.
func (e *Error) Short() string {
	d := &diag.Error{Pos: e.Pos, Msg: e.Msg}
	return d.Error()
}

// Unwrap returns the underlying Go error.
func (e *Error) Unwrap() error { return e.Err }

// ExitError is returned when a script called nfsh.exit (or os.exit).
type ExitError struct {
	Code int
}

// Error describes the exit.
func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Raise raises err as a Lua error at the position of the Lua code calling
// the current Go function. The message is err's text prefixed with
// "FILE:LINE: ", unless err is a *diag.Error that has a position of its own;
// the Go error is kept so that the host's *Error wraps it.
func Raise(L *glua.LState, err error) {
	msg := err.Error()
	var de *diag.Error
	if !errors.As(err, &de) || !de.Pos.IsValid() {
		if w := L.Where(1); w != "" {
			msg = w + " " + msg
		}
	}
	if h := hostOf(L); h != nil {
		if len(h.causes) > 64 {
			clear(h.causes)
		}
		h.causes[msg] = err
	}
	L.Error(glua.LString(msg), 0)
}

// convert turns a gopher-lua error into an *Error.
func (h *Host) convert(err error) error {
	var ae *glua.ApiError
	if !errors.As(err, &ae) {
		return &Error{Msg: err.Error(), Err: err}
	}
	e := &Error{Value: ae.Object, Traceback: cleanTraceback(ae.StackTrace), Err: ae.Cause}
	switch ae.Type {
	case glua.ApiErrorSyntax:
		e.Syntax = true
		var pe *parse.Error
		if errors.As(ae.Cause, &pe) {
			e.Pos = diag.Pos{File: pe.Pos.Source, Line: pe.Pos.Line, Col: pe.Pos.Column}
			e.Msg = pe.Message
			if pe.Pos.Line < 0 {
				e.Pos.Line, e.Pos.Col = 0, 0
				e.Incomplete = true
				e.Msg += " at end of input"
			} else if pe.Token != "" {
				e.Msg += fmt.Sprintf(" near '%s'", pe.Token)
			}
			return e
		}
		e.Msg = ae.Error()
		return e
	case glua.ApiErrorFile:
		e.Msg = ae.Error()
		return e
	}
	msg := ""
	if ae.Object != nil {
		if s, ok := ae.Object.(glua.LString); ok {
			msg = string(s)
		} else {
			msg = h.L.ToStringMeta(ae.Object).String()
		}
	}
	if c, ok := h.causes[msg]; ok {
		e.Err = c
		var de *diag.Error
		if errors.As(c, &de) && de.Pos.IsValid() {
			e.Pos = de.Pos
			e.Msg = strings.TrimPrefix(msg, de.Pos.String()+": error: ")
			return e
		}
	}
	e.Pos, e.Msg = splitWhere(msg)
	return e
}

// splitWhere splits "FILE:LINE: message" into a position and the message.
func splitWhere(msg string) (diag.Pos, string) {
	// The file name may itself contain colons; the line is the last
	// ":DIGITS: " before the message.
	for i := 0; i < len(msg); i++ {
		if msg[i] != ':' {
			continue
		}
		j := i + 1
		for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
			j++
		}
		if j > i+1 && j+1 < len(msg)+1 && strings.HasPrefix(msg[j:], ": ") && i > 0 && !strings.Contains(msg[:i], "\n") {
			line, _ := strconv.Atoi(msg[i+1 : j])
			return diag.Pos{File: msg[:i], Line: line}, msg[j+2:]
		}
	}
	return diag.Pos{}, msg
}

// cleanTraceback drops gopher-lua's trailing "[G]: ?" frame.
func cleanTraceback(tb string) string {
	tb = strings.TrimRight(tb, "\n")
	return strings.TrimSuffix(tb, "\n\t[G]: ?")
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
