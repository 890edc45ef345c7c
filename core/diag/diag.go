// Package diag holds source positions and the one error type nfsh reports.
//
// Every stage of nfsh (parser, evaluator, linearizer, kernel transport, Lua
// bindings) reports failures as a *Error, so that a message always names
// where (file:line:col of the nft text or Lua script, and the object) and why.
package diag

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// Pos is a position in a source text. Line and Col are 1-based; a zero Pos
// means "no source position known".
type Pos struct {
	File string // file name as given by the user, "-" for stdin, "" for none
	Line int    // 1-based line
	Col  int    // 1-based column, counted in bytes
	// Off is the 0-based byte offset of the position in the source, and
	// Len the length in bytes of the construct it points at (for carets).
	Off, Len int
}

// IsValid reports whether p points somewhere.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders p as FILE:LINE:COL (omitting what is unknown).
func (p Pos) String() string {
	if !p.IsValid() {
		if p.File != "" {
			return p.File
		}
		return ""
	}
	f := p.File
	if f == "" {
		f = "<input>"
	}
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d", f, p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d", f, p.Line)
}

// Error is the one error type of nfsh. It carries the failing operation,
// the source position, the object concerned and the cause.
type Error struct {
	Op     string        // operation, e.g. "parse", "eval", "push", "add rule"
	Pos    Pos           // where in the source; zero when unknown
	Object string        // what, e.g. `rule "tcp dport 22 accept"` or "table inet filter"
	Msg    string        // why, in words
	Errno  syscall.Errno // kernel errno, 0 if none
	Extack string        // kernel extended-ack message, if any
	Hint   string        // optional suggestion ("did you mean ...")
	Err    error         // wrapped cause, if any
	// Source is the text line the position points into, used to draw a caret.
	Source string
}

// Error renders the error as "FILE:LINE:COL: error: MSG" followed by the
// offending source line and a caret line when the source text is known.
func (e *Error) Error() string {
	var b strings.Builder
	if s := e.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	b.WriteString("error: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" && e.Errno != 0 {
		msg = errnoText(e.Errno)
	}
	b.WriteString(msg)
	if e.Errno != 0 && e.Msg != "" {
		fmt.Fprintf(&b, ": %s", errnoText(e.Errno))
	}
	if e.Extack != "" {
		fmt.Fprintf(&b, " (kernel: %s)", e.Extack)
	}
	if e.Object != "" {
		fmt.Fprintf(&b, " [%s]", e.Object)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", e.Hint)
	}
	if e.Source != "" && e.Pos.Col > 0 {
		b.WriteString("\n")
		b.WriteString(e.Source)
		b.WriteString("\n")
		b.WriteString(Caret(e.Source, e.Pos.Col, e.Pos.Len))
	}
	return b.String()
}

// Unwrap returns the wrapped cause, or the errno.
func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	if e.Errno != 0 {
		return e.Errno
	}
	return nil
}

// Caret returns a line of spaces and a caret run marking col (1-based) for
// n bytes (at least one) of line, keeping tabs so columns line up.
func Caret(line string, col, n int) string {
	var b strings.Builder
	for i := 0; i < col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	if n < 1 {
		n = 1
	}
	b.WriteByte('^')
	for i := 1; i < n; i++ {
		b.WriteByte('~')
	}
	return b.String()
}

// Errorf builds an *Error at pos with a formatted message.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Wrap attaches op and pos to err unless err already is an *Error with a
// position, in which case only a missing Op is filled in.
func Wrap(op string, pos Pos, err error) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		if de.Op == "" {
			de.Op = op
		}
		if !de.Pos.IsValid() {
			de.Pos = pos
		}
		return de
	}
	return &Error{Op: op, Pos: pos, Err: err}
}

// LineOf returns the line (without newline) of src containing byte offset off.
func LineOf(src []byte, off int) string {
	if off < 0 || off > len(src) {
		return ""
	}
	s := off
	for s > 0 && src[s-1] != '\n' {
		s--
	}
	e := off
	for e < len(src) && src[e] != '\n' {
		e++
	}
	return string(src[s:e])
}

// errnoText is the C library's text for an errno ("Operation not
// supported"), which is how nft reports kernel errors.
func errnoText(n syscall.Errno) string {
	s := n.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// ErrnoOf returns the errno err wraps, or 0 (for Error.Errno).
func ErrnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}
