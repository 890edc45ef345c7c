package bindings

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/lua"
	glua "github.com/yuin/gopher-lua"
)

// callSite returns the file and line of the Lua code calling the current
// Go function.
func callSite(L *glua.LState) diag.Pos {
	dbg, ok := L.GetStack(1)
	if !ok {
		return diag.Pos{}
	}
	if _, err := L.GetInfo("Sl", dbg, glua.LNil); err != nil {
		return diag.Pos{}
	}
	return diag.Pos{File: dbg.Source, Line: dbg.CurrentLine}
}

// textSite returns where a text argument of the calling Lua code starts:
// the call's line, or the next one when that line ends in a long bracket
// (`nft [[` then a newline), whose first newline Lua drops from the
// string. Only a script file can be looked at; a chunk without a file
// (the REPL, -e) keeps the call's line.
func textSite(L *glua.LState) diag.Pos {
	pos := callSite(L)
	if pos.IsValid() && opensLongBracket(sourceLine(pos.File, pos.Line)) {
		pos.Line++
	}
	return pos
}

// opensLongBracket reports whether line ends with the opening of a Lua long
// string ([[, [=[, [==[, ...).
func opensLongBracket(line string) bool {
	line = strings.TrimSuffix(line, "\r")
	if !strings.HasSuffix(line, "[") {
		return false
	}
	line = strings.TrimRight(line[:len(line)-1], "=")
	return strings.HasSuffix(line, "[")
}

// sourceFiles caches the lines of script files by path, size and time.
var sourceFiles sync.Map // string -> sourceFile

type sourceFile struct {
	size  int64
	mtime time.Time
	lines []string
}

// sourceLine returns line n (1-based) of the file at path, or "" when it
// cannot be read.
func sourceLine(path string, n int) string {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || n < 1 {
		return ""
	}
	if v, ok := sourceFiles.Load(path); ok {
		if f := v.(sourceFile); f.size == fi.Size() && f.mtime.Equal(fi.ModTime()) {
			if n <= len(f.lines) {
				return f.lines[n-1]
			}
			return ""
		}
	}
	fh, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer fh.Close()
	var lines []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	sourceFiles.Store(path, sourceFile{size: fi.Size(), mtime: fi.ModTime(), lines: lines})
	if n <= len(lines) {
		return lines[n-1]
	}
	return ""
}

// raise raises err at the Lua call site. A *diag.Error positioned in text
// given at base (a rule or text block) is moved into the script: its line
// becomes base's line plus the line within the text.
//
// Every error of a diag.List (a compilation with several errors) is moved.
func raise(L *glua.LState, base diag.Pos, err error) {
	rebase(base, err)
	lua.Raise(L, err)
}

// rebase moves the positions of err's errors that point into nft text
// (no file name) to the Lua script lines the text stands on, from base;
// errors with no position get base.
func rebase(base diag.Pos, err error) {
	if !base.IsValid() {
		return
	}
	for _, de := range diag.Errors(err) {
		if de.Pos.IsValid() && (de.Pos.File == "" || de.Pos.File == base.File) {
			if de.Pos.File == "" {
				de.Pos.Line += base.Line - 1
			}
			de.Pos.File = base.File
		} else if !de.Pos.IsValid() {
			de.Pos = base
		}
	}
}

// unavailable raises ErrUnavailable for what.
func unavailable(L *glua.LState, what string) {
	lua.Raise(L, fmt.Errorf("%s: %w", what, ErrUnavailable))
}

// fail raises a plain error message at the call site.
func fail(L *glua.LState, format string, args ...any) {
	L.RaiseError(format, args...)
}
