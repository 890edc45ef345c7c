package main

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/bytecode"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/core/ruleset"
)

// script is an nft script read for a verb.
type script struct {
	name string // as errors name it: the path, or /dev/stdin
	src  []byte
	json bool // libnftables JSON (nft -j -f), see applyjson.go
}

// compileFile reads and compiles an nft script (FILE or - for stdin).
func compileFile(name string, stdin io.Reader) ([]ruleset.Command, *script, error) {
	return compileFileWith(name, stdin, nil)
}

// compileFileWith compiles with known as the kernel's current state.
func compileFileWith(name string, stdin io.Reader, known *ruleset.Ruleset) ([]ruleset.Command, *script, error) {
	src, err := readInput(name, stdin)
	if err != nil {
		return nil, nil, err
	}
	sc := &script{name: name, src: src}
	if name == "-" {
		sc.name = "/dev/stdin"
	}
	cmds, err := sc.compile(known)
	return cmds, sc, err
}

// compile compiles the script with known as the kernel's current state
// (nil: none).
func (sc *script) compile(known *ruleset.Ruleset) ([]ruleset.Command, error) {
	f, err := sc.parse()
	if err != nil {
		return nil, err
	}
	return sc.compileParsed(f, known)
}

// parse parses the script's nft text.
func (sc *script) parse() (*ast.File, error) {
	if sc.json {
		return sc.parseJSON()
	}
	f, err := parse.File(sc.name, sc.src, &parse.Options{})
	return f, sc.withSources(err)
}

// compileParsed compiles the parsed script with known as the kernel's
// current state (nil: none).
func (sc *script) compileParsed(f *ast.File, known *ruleset.Ruleset) ([]ruleset.Command, error) {
	cmds, err := compile.File(f, &compile.Options{Parse: &parse.Options{}, Known: known})
	return cmds, sc.withSources(err)
}

// withSources gives the errors of err that point into the script their
// source line (compile.Source does this for its callers).
func (sc *script) withSources(err error) error {
	for _, de := range diag.Errors(err) {
		if de.Source == "" && de.Pos.IsValid() && (de.Pos.File == sc.name || de.Pos.File == "") {
			de.Source = diag.LineOf(sc.src, de.Pos.Off)
		}
	}
	return err
}

// annotate gives each error of a refused batch (or compilation) that
// points into the script the source line it points at, so it prints with
// a caret, like nft. A batch refused with several errors comes back as a
// diag.List, so that every one of them is printed.
func (sc *script) annotate(err error) error {
	if sc == nil || err == nil {
		return err
	}
	all := kernel.AllErrors(err)
	var top *diag.Error
	if errors.As(err, &top) {
		sc.withSource(top)
	}
	for _, de := range all {
		sc.withSource(de)
	}
	if len(all) > 1 {
		return diag.List(all)
	}
	return err
}

// withSource fills in the source line of an error that points into the
// script and, when the error has no length, marks the rest of the line.
func (sc *script) withSource(de *diag.Error) {
	if de.Source != "" || de.Pos.File != sc.name || !de.Pos.IsValid() {
		return
	}
	de.Source = diag.LineOf(sc.src, de.Pos.Off)
	if de.Pos.Len == 0 {
		de.Pos.Len = max(1, len(strings.TrimRight(de.Source, " \t;"))-(de.Pos.Col-1))
	}
}

// cmdBytecode prints the kernel expressions of a script's rules exactly as
// `nft --debug=netlink -f FILE` does.
func cmdBytecode(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) != 1 {
		return usageError("bytecode takes one FILE")
	}
	cmds, _, err := compileFile(args[0], stdin)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	if err := bytecode.Print(w, cmds); err != nil {
		return err
	}
	return w.Flush()
}
