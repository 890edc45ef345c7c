// Package parse turns nft text (the language of `nft -f FILE`, nft 1.0.6)
// into a core/ast syntax tree.
//
// The lexer follows the longest-match rules of nft's flex scanner; the
// parser is hand-written recursive descent. Keywords are context
// dependent: a word is only a keyword where the grammar expects one, and
// any other word is kept as an *ast.Symbol for the evaluator to resolve by
// datatype. Variables (`define`) are substituted by the parser.
package parse

import (
	"fmt"
	"os"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
)

// Options tune parsing. The zero value is usable.
type Options struct {
	// IncludePath is searched, in order, for `include` file names that are
	// neither absolute nor start with ./ or ../ (nft's -I; nft's default
	// is /etc). The including file's directory is searched after it.
	IncludePath []string
	// Vars predefines variables, as if by `define NAME = VALUE` before the
	// text. The Lua layer injects typed values here.
	Vars map[string]ast.Expr
	// KeepVariables keeps `$name` references as *ast.Variable nodes (with
	// Value set) instead of substituting the value in place.
	KeepVariables bool
	// ReadFile reads included files; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// Glob expands include patterns; nil means filepath.Glob.
	Glob func(pattern string) ([]string, error)
}

// maxIncludeDepth is nft's MAX_INCLUDE_DEPTH.
const maxIncludeDepth = 16

// maxNesting bounds the recursion depth of nested braces and parentheses.
const maxNesting = 256

// bailout is the panic value used to unwind the parser on the first error.
type bailout struct{ err *diag.Error }

// parser is the state of one parse of one source text.
type parser struct {
	file  string
	src   []byte
	lx    *lexer
	toks  []token // a window of lexed tokens; toks[i] is the current one
	i     int
	prev  token
	opts  *Options
	sh    *shared
	nest  int
	depth int // include depth

	baseOff, baseCol int // where the text starts (parse.Rule)
}

// shared is state common to a file and the files it includes.
type shared struct {
	scopes   []map[string]ast.Expr
	out      *ast.File
	includes []string // stack of files being parsed (absolute paths), for cycle detection
}

func newParser(name string, src []byte, opts *Options, sh *shared) *parser {
	return &parser{file: name, src: src, lx: newLexer(src), toks: make([]token, 0, 64), opts: opts, sh: sh}
}

func newShared(opts *Options, out *ast.File) *shared {
	sh := &shared{out: out, scopes: []map[string]ast.Expr{{}}}
	for k, v := range opts.Vars {
		sh.scopes[0][k] = v
	}
	return sh
}

// File parses a complete nft script. name is used in positions and to
// resolve relative includes.
func File(name string, src []byte, opts *Options) (f *ast.File, err error) {
	if opts == nil {
		opts = &Options{}
	}
	f = &ast.File{Name: name}
	sh := newShared(opts, f)
	if abs, e := absPath(name); e == nil {
		sh.includes = append(sh.includes, abs)
	}
	p := newParser(name, src, opts, sh)
	f.P = diag.Pos{File: name, Line: 1, Col: 1, Len: len(src)}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			f, err = nil, b.err
		}
	}()
	p.parseInput()
	return f, nil
}

// Rule parses the text of a single rule (statements and an optional
// trailing comment, as after `add rule FAMILY TABLE CHAIN`). pos is the
// position of src's first byte (for error messages); its Off is added to
// node offsets. Variables come from opts.Vars.
func Rule(src []byte, pos diag.Pos, opts *Options) (r *ast.Rule, err error) {
	if opts == nil {
		opts = &Options{}
	}
	sh := newShared(opts, &ast.File{Name: pos.File})
	p := newParser(pos.File, src, opts, sh)
	p.rebase(pos)
	defer func() {
		if rec := recover(); rec != nil {
			b, ok := rec.(bailout)
			if !ok {
				panic(rec)
			}
			r, err = nil, b.err
		}
	}()
	for p.peek().kind == tNewline || p.peek().kind == tSemi {
		p.next()
	}
	r = p.parseRule()
	for p.peek().kind == tNewline || p.peek().kind == tSemi {
		p.next()
	}
	if t := p.peek(); t.kind != tEOF {
		p.fail(t, "syntax error, unexpected %s, expecting end of rule", describe(t))
	}
	return r, nil
}

// Stmts is Rule without the wrapping: the statements of one rule.
func Stmts(src []byte, pos diag.Pos, opts *Options) ([]ast.Stmt, error) {
	r, err := Rule(src, pos, opts)
	if err != nil {
		return nil, err
	}
	return r.Stmts, nil
}

// rebase shifts token positions so that offset 0 of the text is at pos.
func (p *parser) rebase(pos diag.Pos) {
	if !pos.IsValid() {
		return
	}
	p.lx.baseLine = pos.Line - 1
	p.lx.baseCol = pos.Col - 1
	p.baseOff = pos.Off
	p.baseCol = pos.Col - 1
}

// ---- tokens ----

// fill makes sure the token k ahead of the current one is lexed.
func (p *parser) fill(k int) {
	if p.i+k < len(p.toks) {
		return
	}
	if p.i > 256 {
		n := copy(p.toks, p.toks[p.i:])
		p.toks = p.toks[:n]
		p.i = 0
	}
	for len(p.toks) <= p.i+k {
		if n := len(p.toks); n > 0 && p.toks[n-1].kind == tEOF {
			p.toks = append(p.toks, p.toks[n-1])
			continue
		}
		p.toks = append(p.toks, p.lx.next())
	}
}

func (p *parser) peek() token {
	if p.i >= len(p.toks) {
		p.fill(0)
	}
	return p.toks[p.i]
}

func (p *parser) peekAt(k int) token {
	if p.i+k >= len(p.toks) {
		p.fill(k)
	}
	return p.toks[p.i+k]
}

func (p *parser) next() token {
	t := p.peek()
	if t.kind != tEOF {
		p.i++
	}
	p.prev = t
	return t
}

// isWord reports whether the current token is the word w.
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tWord && t.text == w
}

// isWordAt reports whether the token k ahead is the word w.
func (p *parser) isWordAt(k int, w string) bool {
	t := p.peekAt(k)
	return t.kind == tWord && t.text == w
}

func (p *parser) acceptWord(w string) bool {
	if p.isWord(w) {
		p.next()
		return true
	}
	return false
}

func (p *parser) accept(k tokKind) bool {
	if p.peek().kind == k {
		p.next()
		return true
	}
	return false
}

func (p *parser) expect(k tokKind, what string) token {
	t := p.peek()
	if t.kind != k {
		p.unexpected(what)
	}
	return p.next()
}

func (p *parser) expectWord(w string) token {
	if !p.isWord(w) {
		p.unexpected("'" + w + "'")
	}
	return p.next()
}

// expectOneOf consumes one of the words ws and returns it.
func (p *parser) expectOneOf(ws ...string) token {
	t := p.peek()
	if t.kind == tWord {
		for _, w := range ws {
			if t.text == w {
				return p.next()
			}
		}
	}
	p.unexpected(oneOf(ws))
	return t
}

func oneOf(ws []string) string {
	if len(ws) == 1 {
		return "'" + ws[0] + "'"
	}
	var b strings.Builder
	b.WriteString("one of ")
	for i, w := range ws {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(w)
	}
	return b.String()
}

// skipNewlines skips newline tokens (inside braces where they don't matter).
func (p *parser) skipNewlines() {
	for p.peek().kind == tNewline {
		p.i++
	}
}

// ---- positions and errors ----

func (p *parser) pos(t token) diag.Pos {
	return diag.Pos{File: p.file, Line: int(t.line), Col: int(t.col), Off: t.off + p.baseOff, Len: int(t.len)}
}

func (p *parser) loc(t token) ast.Loc { return ast.Loc{P: p.pos(t)} }

// span returns a Loc from start to the end of the last consumed token.
func (p *parser) span(start token) ast.Loc {
	ps := p.pos(start)
	end := p.prev.off + int(p.prev.len)
	if end > start.off {
		ps.Len = end - start.off
	}
	return ast.Loc{P: ps}
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tNewline:
		return "newline"
	case tWord:
		return fmt.Sprintf("'%s'", t.text)
	case tNum:
		return fmt.Sprintf("number %s", t.text)
	case tQuoted:
		return fmt.Sprintf("quoted string \"%s\"", t.text)
	case tJunk:
		return fmt.Sprintf("junk '%s'", t.text)
	}
	return tokNames[t.kind]
}

func (p *parser) errAt(t token, format string, args ...any) *diag.Error {
	ps := p.pos(t)
	if ps.Len == 0 {
		ps.Len = 1
	}
	return &diag.Error{Op: "parse", Pos: ps, Msg: fmt.Sprintf(format, args...), Source: p.lineText(t.off)}
}

// lineText returns the source line containing byte offset off.
func (p *parser) lineText(off int) string {
	if off > len(p.src) {
		off = len(p.src)
	}
	line := diag.LineOf(p.src, off)
	if p.baseCol > 0 && off <= len(p.src) && !strings.Contains(string(p.src[:off]), "\n") {
		line = strings.Repeat(" ", p.baseCol) + line
	}
	return line
}

func (p *parser) fail(t token, format string, args ...any) {
	panic(bailout{p.errAt(t, format, args...)})
}

// unexpected fails at the current token, saying what was expected.
func (p *parser) unexpected(expecting string) {
	t := p.peek()
	if expecting == "" {
		p.fail(t, "syntax error, unexpected %s", describe(t))
	}
	p.fail(t, "syntax error, unexpected %s, expecting %s", describe(t), expecting)
}

// enter guards against unbounded recursion on nested input.
func (p *parser) enter() {
	p.nest++
	if p.nest > maxNesting {
		p.fail(p.peek(), "nesting too deep")
	}
}

func (p *parser) leave() { p.nest-- }

// ---- variables ----

func (p *parser) pushScope() { p.sh.scopes = append(p.sh.scopes, map[string]ast.Expr{}) }
func (p *parser) popScope()  { p.sh.scopes = p.sh.scopes[:len(p.sh.scopes)-1] }

func (p *parser) lookupVar(name string) (ast.Expr, bool) {
	for i := len(p.sh.scopes) - 1; i >= 0; i-- {
		if v, ok := p.sh.scopes[i][name]; ok {
			return v, true
		}
	}
	return nil, false
}

// variable parses `$name` and returns its value.
func (p *parser) variable() ast.Expr {
	start := p.expect(tDollar, "'$'")
	nt := p.peek()
	if nt.kind != tWord && nt.kind != tNum {
		p.unexpected("variable name")
	}
	p.next()
	v, ok := p.lookupVar(nt.text)
	if !ok {
		if s := p.fuzzyVar(nt.text); s != "" {
			p.fail(nt, "unknown identifier '%s'; did you mean identifier '%s'?", nt.text, s)
		}
		p.fail(nt, "unknown identifier '%s'", nt.text)
	}
	if p.opts.KeepVariables {
		return &ast.Variable{Loc: p.span(start), Name: nt.text, Value: v}
	}
	return ast.Clone(v)
}

// fuzzyVar returns a defined name close to name, or "".
func (p *parser) fuzzyVar(name string) string {
	best, bestD := "", 3
	for i := len(p.sh.scopes) - 1; i >= 0; i-- {
		for k := range p.sh.scopes[i] {
			if d := editDistance(name, k); d < bestD || (d == bestD && k < best && best != "") {
				best, bestD = k, d
			}
		}
	}
	if bestD > len(name)/2 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var _ = os.ReadFile
