package parse

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
)

var families = map[string]bool{"ip": true, "ip6": true, "inet": true, "arp": true, "bridge": true, "netdev": true}

// parseInput parses the whole token stream as a list of commands.
func (p *parser) parseInput() {
	for {
		t := p.peek()
		switch t.kind {
		case tEOF:
			return
		case tNewline, tSemi:
			p.next()
			continue
		}
		if p.commonBlock() {
			continue
		}
		cmd := p.parseCommand()
		p.sh.out.Commands = append(p.sh.out.Commands, cmd)
		p.endCommand()
	}
}

// endCommand requires a command separator (newline, ';' or end of file).
func (p *parser) endCommand() {
	switch p.peek().kind {
	case tNewline, tSemi:
		p.next()
	case tEOF:
	default:
		p.unexpected("newline or ';'")
	}
}

// sep skips an optional statement separator inside blocks.
func (p *parser) sep() {
	for p.peek().kind == tNewline || p.peek().kind == tSemi {
		p.next()
	}
}

// commonBlock handles include/define/redefine/undefine, reporting whether
// the current token started one.
func (p *parser) commonBlock() bool {
	t := p.peek()
	if t.kind != tWord {
		return false
	}
	switch t.text {
	case "include":
		p.next()
		q := p.expect(tQuoted, "quoted file name")
		p.endCommand()
		p.include(t, q)
		return true
	case "define", "redefine":
		p.next()
		nt := p.nameTok("string")
		p.expect(tAssign, "'='")
		v := p.initializer()
		p.endCommand()
		scope := p.sh.scopes[len(p.sh.scopes)-1]
		if _, ok := scope[nt.text]; ok && t.text == "define" {
			p.fail(nt, "redefinition of symbol '%s'", nt.text)
		}
		scope[nt.text] = v
		p.sh.out.Defines = append(p.sh.out.Defines, &ast.Define{Loc: p.span(t), Kind: t.text, Name: nt.text, Value: v})
		return true
	case "undefine":
		p.next()
		nt := p.nameTok("string")
		p.endCommand()
		scope := p.sh.scopes[len(p.sh.scopes)-1]
		if _, ok := scope[nt.text]; !ok {
			p.fail(nt, "undefined symbol '%s'", nt.text)
		}
		delete(scope, nt.text)
		p.sh.out.Defines = append(p.sh.out.Defines, &ast.Define{Loc: p.span(t), Kind: t.text, Name: nt.text})
		return true
	}
	return false
}

// initializer parses the value of a define.
func (p *parser) initializer() ast.Expr {
	t := p.peek()
	if t.kind == tLBrace && p.peekAt(1).kind == tRBrace {
		p.next()
		p.next()
		return &ast.SetExpr{Loc: p.span(t)}
	}
	if t.kind == tDash && p.peekAt(1).kind == tNum {
		p.next()
		n := p.next()
		return &ast.Number{Loc: p.span(t), Text: "-" + n.text, Value: -n.num}
	}
	return p.rhsOrList()
}

// include expands an include directive in place.
func (p *parser) include(at, q token) {
	name := q.text
	inc := &ast.Include{Loc: p.span(at), Pattern: name}
	p.sh.out.Includes = append(p.sh.out.Includes, inc)
	if p.depth+1 >= maxIncludeDepth {
		p.fail(at, "include nested too deeply, max %d levels", maxIncludeDepth)
	}
	glob := p.opts.Glob
	if glob == nil {
		glob = filepath.Glob
	}
	wild := strings.ContainsAny(name, "*?[")
	var dirs []string
	switch {
	case filepath.IsAbs(name):
		dirs = []string{""}
	case strings.HasPrefix(name, "./") || strings.HasPrefix(name, "../"):
		dirs = []string{filepath.Dir(p.file), ""}
	default:
		dirs = append(append([]string{}, p.opts.IncludePath...), filepath.Dir(p.file))
	}
	var files []string
	for _, d := range dirs {
		pat := name
		if d != "" {
			pat = filepath.Join(d, name)
		}
		m, err := glob(pat)
		if err != nil {
			p.fail(q, "include: bad pattern \"%s\": %v", name, err)
		}
		var keep []string
		for _, f := range m {
			if st, err := os.Stat(f); err == nil && st.IsDir() {
				continue
			}
			keep = append(keep, f)
		}
		if len(keep) > 0 {
			files = keep
			break
		}
	}
	if len(files) == 0 {
		if wild {
			return
		}
		p.fail(q, "could not open file \"%s\": no such file or directory", name)
	}
	sort.Strings(files)
	inc.Files = files
	read := p.opts.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	for _, f := range files {
		abs, _ := absPath(f)
		for _, s := range p.sh.includes {
			if s == abs {
				p.fail(q, "include cycle: \"%s\" is already being included", f)
			}
		}
		src, err := read(f)
		if err != nil {
			p.fail(q, "could not open file \"%s\": %v", f, err)
		}
		sub := newParser(f, src, p.opts, p.sh)
		sub.depth = p.depth + 1
		p.sh.includes = append(p.sh.includes, abs)
		sub.parseInput()
		p.sh.includes = p.sh.includes[:len(p.sh.includes)-1]
	}
}

func absPath(name string) (string, error) {
	if name == "" || name == "-" {
		return name, nil
	}
	return filepath.Abs(name)
}

var verbs = map[string]ast.Op{
	"add": ast.OpAdd, "create": ast.OpCreate, "insert": ast.OpInsert, "replace": ast.OpReplace,
	"delete": ast.OpDelete, "destroy": ast.OpDestroy, "get": ast.OpGet, "list": ast.OpList,
	"reset": ast.OpReset, "flush": ast.OpFlush, "rename": ast.OpRename, "import": ast.OpImport,
	"export": ast.OpExport, "monitor": ast.OpMonitor, "describe": ast.OpDescribe,
}

// parseCommand parses one command (without its separator).
func (p *parser) parseCommand() *ast.Command {
	start := p.peek()
	cmd := &ast.Command{Op: ast.OpAdd}
	explicit := false
	if start.kind == tWord {
		if op, ok := verbs[start.text]; ok {
			cmd.Op = op
			explicit = true
			p.next()
		}
	}
	switch cmd.Op {
	case ast.OpDescribe:
		cmd.Expr = p.lhsPrimary()
		cmd.Loc = p.span(start)
		return cmd
	case ast.OpMonitor, ast.OpImport, ast.OpExport:
		for p.peek().kind == tWord {
			cmd.Words = append(cmd.Words, p.next().text)
		}
		cmd.Loc = p.span(start)
		return cmd
	}
	objTok := p.peek()
	obj := p.objKind()
	if obj == "" {
		if cmd.Op == ast.OpAdd && explicit {
			// `add FAMILY TABLE CHAIN rule...`: a rule without the keyword.
			obj = ast.ObjRule
		} else {
			p.unexpected("table, chain, rule, set, map, element, flowtable, counter, quota, limit, ct, secmark or synproxy")
		}
	}
	cmd.Obj = obj
	switch obj {
	case ast.ObjTable:
		p.tableSpec(cmd, true)
		if cmd.Op == ast.OpAdd || cmd.Op == ast.OpCreate {
			if p.peek().kind == tLBrace {
				cmd.Table = p.tableBlock()
			}
		}
	case ast.ObjChain:
		p.tableSpec(cmd, true)
		if cmd.Spec.Handle == nil {
			cmd.Spec.Chain = p.name(nameOrHandle(cmd))
			if cmd.Op == ast.OpDelete || cmd.Op == ast.OpDestroy {
				break
			}
		}
		switch cmd.Op {
		case ast.OpAdd, ast.OpCreate:
			if p.peek().kind == tLBrace {
				cmd.Chain = p.chainBlock(cmd.Spec.Chain)
			}
		case ast.OpRename:
			cmd.NewName = p.name("string")
		}
	case ast.ObjRule:
		p.tableSpec(cmd, false)
		cmd.Spec.Chain = p.name("string")
		p.rulePosition(cmd)
		switch cmd.Op {
		case ast.OpAdd, ast.OpInsert, ast.OpReplace, ast.OpCreate:
			cmd.Rule = p.parseRule()
		}
	case ast.ObjSet, ast.ObjMap, ast.ObjMeter, ast.ObjFlowtable:
		p.tableSpec(cmd, true)
		if cmd.Spec.Handle == nil {
			cmd.Spec.Name = p.name(nameOrHandle(cmd))
		}
		if (cmd.Op == ast.OpAdd || cmd.Op == ast.OpCreate || cmd.Op == ast.OpDelete) && p.peek().kind == tLBrace {
			switch obj {
			case ast.ObjSet, ast.ObjMap:
				cmd.Set = p.setBlock(cmd.Spec.Name, obj == ast.ObjMap)
			case ast.ObjFlowtable:
				cmd.Flowtable = p.flowtableBlock(cmd.Spec.Name)
			}
		}
	case ast.ObjElement:
		p.tableSpec(cmd, false)
		cmd.Spec.Name = p.name("string")
		if p.peek().kind == tDollar {
			v := p.variable()
			se, ok := unwrapVar(v).(*ast.SetExpr)
			if !ok {
				p.fail(objTok, "variable is not a set expression")
			}
			cmd.Elements = se
		} else {
			cmd.Elements = p.setExpr()
		}
	case ast.ObjCounter, ast.ObjQuota, ast.ObjLimit, ast.ObjSecmark, ast.ObjSynproxy,
		ast.ObjCtHelper, ast.ObjCtTimeout, ast.ObjCtExpect:
		p.tableSpec(cmd, true)
		if cmd.Spec.Handle == nil {
			cmd.Spec.Name = p.name(nameOrHandle(cmd))
		}
		if cmd.Op == ast.OpAdd || cmd.Op == ast.OpCreate {
			cmd.Object = p.objectBody(obj, cmd.Spec.Name, false)
		}
	case ast.ObjRuleset:
		p.optFamily(cmd)
	case ast.ObjTables, ast.ObjChains, ast.ObjSets, ast.ObjMaps, ast.ObjFlowtables, ast.ObjCounters,
		ast.ObjQuotas, ast.ObjLimits, ast.ObjSecmarks, ast.ObjSynproxys, ast.ObjMeters,
		ast.ObjCtHelpers, ast.ObjCtTimeouts, ast.ObjCtExpects:
		if p.acceptWord("table") {
			p.tableSpec(cmd, false)
		} else {
			p.optFamily(cmd)
		}
	case ast.ObjHooks:
		p.optFamily(cmd)
		if p.acceptWord("device") {
			cmd.Words = append(cmd.Words, p.nameTok("string").text)
		}
	}
	cmd.Loc = p.span(start)
	return cmd
}

func unwrapVar(e ast.Expr) ast.Expr {
	for {
		v, ok := e.(*ast.Variable)
		if !ok {
			return e
		}
		e = v.Value
	}
}

// objKind parses the object keyword(s) of a command, or returns "".
func (p *parser) objKind() ast.ObjKind {
	t := p.peek()
	if t.kind != tWord {
		return ""
	}
	switch t.text {
	case "table", "chain", "rule", "set", "map", "element", "flowtable", "counter", "quota", "limit",
		"secmark", "synproxy", "meter", "ruleset", "tables", "chains", "sets", "maps", "flowtables",
		"counters", "quotas", "limits", "secmarks", "synproxys", "meters", "hooks":
		p.next()
		return ast.ObjKind(t.text)
	case "ct":
		k := p.peekAt(1)
		if k.kind == tWord {
			switch k.text {
			case "helper", "timeout", "expectation", "helpers", "timeouts", "expectations":
				p.next()
				p.next()
				switch k.text {
				case "helper":
					return ast.ObjCtHelper
				case "timeout":
					return ast.ObjCtTimeout
				case "expectation":
					return ast.ObjCtExpect
				case "helpers":
					return ast.ObjCtHelpers
				case "timeouts":
					return ast.ObjCtTimeouts
				}
				return ast.ObjCtExpects
			}
		}
	case "flow":
		if p.isWordAt(1, "table") {
			p.next()
			p.next()
			return ast.ObjMeter
		}
		if p.isWordAt(1, "tables") {
			p.next()
			p.next()
			return ast.ObjMeters
		}
	}
	return ""
}

// optFamily parses an optional family.
func (p *parser) optFamily(cmd *ast.Command) {
	t := p.peek()
	if t.kind == tWord && families[t.text] {
		p.next()
		cmd.Spec.Family = t.text
		cmd.Spec.FamilyPos = p.loc(t)
	}
}

// tableSpec parses `[family] name` or, when byHandle, also `[family] handle N`
// (for chains/sets/objects: `[family] table handle N`).
func (p *parser) tableSpec(cmd *ast.Command, byHandle bool) {
	t := p.peek()
	if t.kind == tWord && families[t.text] {
		n := p.peekAt(1)
		if n.kind == tWord || n.kind == tQuoted {
			p.next()
			cmd.Spec.Family = t.text
			cmd.Spec.FamilyPos = p.loc(t)
		}
	}
	if cmd.Obj == ast.ObjTable && byHandle && p.isWord("handle") && p.peekAt(1).kind == tNum {
		cmd.Spec.Handle = p.handle()
		return
	}
	expecting := "string"
	if cmd.Obj == ast.ObjTable {
		expecting = nameOrHandle(cmd)
	}
	cmd.Spec.Table = p.name(expecting)
	// nft 1.0.6 deletes ct helpers, timeouts and expectations by name only
	// (its grammar has no `handle` there).
	ctObj := cmd.Obj == ast.ObjCtHelper || cmd.Obj == ast.ObjCtTimeout || cmd.Obj == ast.ObjCtExpect
	if cmd.Obj != ast.ObjTable && !ctObj && byHandle && (cmd.Op == ast.OpDelete || cmd.Op == ast.OpDestroy) &&
		p.isWord("handle") && p.peekAt(1).kind == tNum {
		cmd.Spec.Handle = p.handle()
	}
}

func (p *parser) handle() *ast.Uint {
	p.next()
	return p.uint()
}

// uint parses a number.
func (p *parser) uint() *ast.Uint {
	t := p.expect(tNum, "number")
	return &ast.Uint{Loc: p.loc(t), V: t.num}
}

// rulePosition parses `position N`, `handle N` or `index N` after a chain spec.
func (p *parser) rulePosition(cmd *ast.Command) {
	for {
		switch {
		case p.isWord("position") && p.peekAt(1).kind == tNum:
			p.next()
			cmd.Spec.Position = p.uint()
		case p.isWord("handle") && p.peekAt(1).kind == tNum:
			p.next()
			cmd.Spec.Handle = p.uint()
		case p.isWord("index") && p.peekAt(1).kind == tNum:
			p.next()
			cmd.Spec.Index = p.uint()
		default:
			return
		}
	}
}

// identTok consumes a bare word or quoted string where nft accepts
// either (flowtable references, xt names, object map types).
func (p *parser) identTok() token {
	t := p.peek()
	if t.kind != tWord && t.kind != tQuoted {
		p.unexpected("identifier")
	}
	return p.next()
}

// nameTok consumes a bare word where nft's grammar has an identifier
// (its STRING token, never a quoted string): table, chain, set, map,
// object and flowtable names, hook and chain type names, and the like.
// Anything else is a syntax error expecting what nft's parser would
// expect there ("" says nothing).
func (p *parser) nameTok(expecting string) token {
	if p.peek().kind != tWord {
		p.unexpected(expecting)
	}
	return p.next()
}

// name parses a bare-word identifier (see nameTok).
func (p *parser) name(expecting string) *ast.Ident {
	t := p.nameTok(expecting)
	return &ast.Ident{Loc: p.loc(t), Name: t.text}
}

// nameOrHandle is what nft 1.0.6 expects where a delete command takes a
// name or `handle N` (tables, chains, sets, flowtables and the objects
// other than ct helpers, timeouts and expectations).
func nameOrHandle(cmd *ast.Command) string {
	if cmd.Op != ast.OpDelete && cmd.Op != ast.OpDestroy {
		return "string"
	}
	switch cmd.Obj {
	case ast.ObjTable, ast.ObjChain, ast.ObjSet, ast.ObjFlowtable, ast.ObjCounter, ast.ObjQuota,
		ast.ObjLimit, ast.ObjSecmark, ast.ObjSynproxy:
		return "handle or string"
	}
	return "string"
}

// quoted parses a quoted string (or a variable holding one).
func (p *parser) quoted() *ast.String {
	t := p.peek()
	switch t.kind {
	case tQuoted:
		p.next()
		return &ast.String{Loc: p.loc(t), Text: t.text}
	case tWord:
		p.next()
		return &ast.String{Loc: p.loc(t), Text: t.text}
	case tDollar:
		v := unwrapVar(p.variable())
		switch v := v.(type) {
		case *ast.String:
			return v
		case *ast.Symbol:
			return &ast.String{Loc: v.Loc, Text: v.Text}
		}
		p.fail(t, "variable does not hold a string")
	}
	p.unexpected("quoted string")
	return nil
}

// comment parses `comment "text"`.
func (p *parser) comment() *ast.String {
	p.expectWord("comment")
	t := p.peek()
	c := p.quoted()
	if len(c.Text) > commentMax {
		p.fail(t, "comment too long, %d characters maximum allowed", commentMax)
	}
	return c
}

// commentMax is the longest comment nft accepts (COMMENT_MAXLEN).
const commentMax = 128

// blockOpen consumes '{' and enters a variable scope.
func (p *parser) blockOpen() {
	p.expect(tLBrace, "'{'")
	p.enter()
	p.pushScope()
}

func (p *parser) blockClose() {
	p.expect(tRBrace, "'}'")
	p.popScope()
	p.leave()
}

// blockItems parses a `{ ... }` block: separators and the include and
// define lines any block may hold are handled here, every other item by
// item, called with the item's first token.
func (p *parser) blockItems(item func(t token)) {
	p.blockOpen()
	for {
		p.sep()
		t := p.peek()
		if t.kind == tRBrace || t.kind == tEOF {
			break
		}
		if p.commonBlock() {
			continue
		}
		item(t)
	}
	p.blockClose()
}

// tableBlock parses `{ ... }` of a table.
func (p *parser) tableBlock() *ast.Table {
	start := p.peek()
	tb := &ast.Table{}
	p.blockItems(func(t token) {
		if t.kind != tWord {
			p.unexpected("chain, set, map, flowtable, counter, quota, limit, ct, secmark, synproxy, flags or comment")
		}
		switch t.text {
		case "flags":
			p.next()
			tb.Flags = append(tb.Flags, p.name("string"))
			for p.accept(tComma) {
				tb.Flags = append(tb.Flags, p.name("string"))
			}
		case "comment":
			tb.Comment = p.comment()
		case "chain":
			p.next()
			name := p.name("string")
			tb.Chains = append(tb.Chains, p.chainBlock(name))
		case "set", "map":
			p.next()
			name := p.name("string")
			tb.Sets = append(tb.Sets, p.setBlock(name, t.text == "map"))
		case "flowtable":
			p.next()
			name := p.name("string")
			tb.Flowtables = append(tb.Flowtables, p.flowtableBlock(name))
		case "counter", "quota", "limit", "secmark", "synproxy", "ct":
			kind := p.objKind()
			if kind == "" {
				p.unexpected("helper, timeout or expectation")
			}
			name := p.name("string")
			tb.Objects = append(tb.Objects, p.objectBody(kind, name, true))
		default:
			p.unexpected("chain, set, map, flowtable, counter, quota, limit, ct, secmark, synproxy, flags or comment")
		}
	})
	tb.Loc = p.span(start)
	return tb
}

// chainBlock parses `{ ... }` of a chain.
func (p *parser) chainBlock(name *ast.Ident) *ast.Chain {
	start := p.peek()
	ch := &ast.Chain{Name: name}
	p.blockItems(func(t token) {
		switch {
		case p.isWord("type") && (p.peekAt(1).kind == tWord || p.peekAt(1).kind == tQuoted):
			p.next()
			ch.Type = p.name("string")
			p.expectWord("hook")
			ch.Hook = p.name("string")
			p.devSpec(&ch.Devices)
			if p.isWord("priority") {
				p.next()
				ch.Priority = p.prioSpec()
			}
			p.devSpec(&ch.Devices)
		case p.isWord("policy"):
			kw := p.next()
			if p.peek().kind == tDollar {
				ch.Policy = p.variable()
			} else {
				pt := p.expectOneOf("accept", "drop")
				// the policy statement as a whole, as nft locates it
				ch.Policy = &ast.Symbol{Loc: p.span(kw), Text: pt.text}
			}
		case p.isWord("flags") && (p.isWordAt(1, "offload") || p.peekAt(1).kind == tQuoted):
			p.next()
			ch.Flags = append(ch.Flags, p.name("offload"))
		case p.isWord("comment") && p.peekAt(1).kind == tQuoted:
			ch.Comment = p.comment()
		case p.isWord("devices") || p.isWord("device"):
			p.devSpec(&ch.Devices)
		default:
			ch.Rules = append(ch.Rules, p.parseRule())
		}
		switch p.peek().kind {
		case tNewline, tSemi, tRBrace, tEOF:
		default:
			p.unexpected("newline, ';' or '}'")
		}
	})
	ch.Loc = p.span(start)
	return ch
}

// devSpec parses an optional `device X` / `devices = { ... }`.
func (p *parser) devSpec(out *[]ast.Expr) {
	switch {
	case p.isWord("device"):
		p.next()
		*out = append(*out, p.devName())
	case p.isWord("devices"):
		p.next()
		p.expect(tAssign, "'='")
		*out = append(*out, p.devList()...)
	}
}

func (p *parser) devName() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tDollar:
		return p.variable()
	case tWord:
		p.next()
		return &ast.Symbol{Loc: p.loc(t), Text: t.text}
	case tQuoted:
		p.next()
		return &ast.String{Loc: p.loc(t), Text: t.text}
	}
	p.unexpected("device name")
	return nil
}

// devList parses `{ dev, dev }` or a variable.
func (p *parser) devList() []ast.Expr {
	if p.peek().kind == tDollar {
		return []ast.Expr{p.variable()}
	}
	p.expect(tLBrace, "'{'")
	var out []ast.Expr
	for {
		p.skipNewlines()
		if p.accept(tRBrace) {
			return out
		}
		out = append(out, p.devName())
		p.skipNewlines()
		if !p.accept(tComma) {
			p.skipNewlines()
			p.expect(tRBrace, "comma or '}'")
			return out
		}
	}
}

// prioSpec parses a chain or flowtable priority.
func (p *parser) prioSpec() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tNum:
		p.next()
		return &ast.Number{Loc: p.loc(t), Text: t.text, Value: t.num}
	case tDash:
		p.next()
		n := p.expect(tNum, "number")
		return &ast.Number{Loc: p.span(t), Text: "-" + n.text, Value: -n.num}
	case tDollar:
		return p.variable()
	case tWord:
		p.next()
		var e ast.Expr = &ast.Symbol{Loc: p.loc(t), Text: t.text}
		if k := p.peek().kind; k == tPlus || k == tDash {
			op := p.next()
			n := p.expect(tNum, "number")
			e = &ast.Binary{Loc: p.span(t), Op: op.text, X: e, Y: &ast.Number{Loc: p.loc(n), Text: n.text, Value: n.num}}
		}
		return e
	}
	p.unexpected("priority")
	return nil
}

// typeSpec parses a `type` datatype concatenation.
func (p *parser) typeNames(ts *ast.TypeSpec) {
	for {
		ts.Names = append(ts.Names, p.name(""))
		if !p.accept(tDot) {
			return
		}
	}
}

// setBlock parses `{ ... }` of a set or map.
func (p *parser) setBlock(name *ast.Ident, isMap bool) *ast.Set {
	start := p.peek()
	s := &ast.Set{Name: name, IsMap: isMap}
	p.blockItems(func(t token) {
		if t.kind != tWord {
			p.unexpected("set specification")
		}
		switch t.text {
		case "type":
			p.next()
			s.Key = &ast.TypeSpec{}
			p.typeNames(s.Key)
			s.Key.Loc = p.span(t)
			if p.peek().kind == tColon {
				ct := p.next()
				d := &ast.TypeSpec{}
				if p.acceptWord("interval") {
					d.Interval = true
				}
				if p.isWord("ct") {
					// object maps: `: ct helper` etc.
					c := p.next()
					k := p.identTok()
					d.Names = []*ast.Ident{{Loc: p.span(c), Name: "ct " + k.text}}
				} else {
					p.typeNames(d)
				}
				d.Loc = p.span(ct)
				s.Data = d
			}
		case "typeof":
			p.next()
			s.Key = &ast.TypeSpec{Typeof: p.typeofExpr()}
			s.Key.Loc = p.span(t)
			if p.peek().kind == tColon {
				ct := p.next()
				d := &ast.TypeSpec{}
				if p.acceptWord("interval") {
					d.Interval = true
				}
				d.Typeof = p.typeofExpr()
				d.Loc = p.span(ct)
				s.Data = d
			}
		case "flags":
			p.next()
			s.Flags = append(s.Flags, p.name("constant or interval or dynamic or timeout"))
			for p.accept(tComma) {
				s.Flags = append(s.Flags, p.name("constant or interval or dynamic or timeout"))
			}
		case "timeout":
			p.next()
			s.Timeout = p.timeSpec()
		case "gc-interval":
			p.next()
			s.GcInterval = p.timeSpec()
		case "size":
			p.next()
			s.Size = p.uint()
		case "policy":
			p.next()
			pt := p.expectOneOf("performance", "memory")
			s.Policy = &ast.Ident{Loc: p.loc(pt), Name: pt.text}
		case "auto-merge":
			p.next()
			s.AutoMerge = true
		case "comment":
			s.Comment = p.comment()
		case "elements":
			p.next()
			p.expect(tAssign, "'='")
			if p.peek().kind == tDollar {
				v := p.variable()
				se, ok := unwrapVar(v).(*ast.SetExpr)
				if !ok {
					p.fail(t, "elements: variable is not a set expression")
				}
				s.Elements = se
			} else {
				s.Elements = p.setExpr()
			}
		case "counter", "limit", "quota", "ct", "last":
			if !p.isStatefulStart() {
				p.unexpected("set specification")
			}
			for p.isStatefulStart() {
				s.Stmts = append(s.Stmts, p.statefulStmt())
			}
		default:
			p.unexpected("type, typeof, flags, timeout, gc-interval, size, policy, auto-merge, elements, counter or comment")
		}
	})
	s.Loc = p.span(start)
	return s
}

// typeofExpr parses the expression of a typeof (primary expressions
// joined by '.').
func (p *parser) typeofExpr() ast.Expr {
	start := p.peek()
	e := p.lhsPrimary()
	if p.peek().kind != tDot {
		return e
	}
	c := &ast.Concat{Exprs: []ast.Expr{e}}
	for p.accept(tDot) {
		c.Exprs = append(c.Exprs, p.lhsPrimary())
	}
	c.Loc = p.span(start)
	return c
}

// timeSpec parses a time value: a time string (`1h30m`) or a number of seconds.
func (p *parser) timeSpec() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tNum:
		p.next()
		return &ast.Number{Loc: p.loc(t), Text: t.text, Value: t.num}
	case tWord:
		p.next()
		return &ast.Symbol{Loc: p.loc(t), Text: t.text}
	case tQuoted:
		p.next()
		return &ast.String{Loc: p.loc(t), Text: t.text}
	case tDollar:
		return p.variable()
	}
	p.unexpected("time value")
	return nil
}

// flowtableBlock parses `{ ... }` of a flowtable.
func (p *parser) flowtableBlock(name *ast.Ident) *ast.Flowtable {
	start := p.peek()
	ft := &ast.Flowtable{Name: name}
	p.blockItems(func(t token) {
		switch {
		case p.isWord("hook"):
			p.next()
			ft.Hook = p.name("string")
			if p.acceptWord("priority") {
				ft.Priority = p.prioSpec()
			}
		case p.isWord("devices"):
			p.next()
			p.expect(tAssign, "'='")
			ft.Devices = append(ft.Devices, p.devList()...)
		case p.isWord("counter"):
			p.next()
			ft.Counter = true
		case p.isWord("flags"):
			p.next()
			ft.Flags = append(ft.Flags, p.name("offload"))
			for p.accept(tComma) {
				ft.Flags = append(ft.Flags, p.name("offload"))
			}
		case p.isWord("comment"):
			ft.Comment = p.comment()
		default:
			p.unexpected("hook, devices, counter, flags or comment")
		}
	})
	ft.Loc = p.span(start)
	return ft
}

// objectBody parses the specification of a stateful object, either in
// braces or (for `add counter|quota|limit|secmark|synproxy`) inline.
func (p *parser) objectBody(kind ast.ObjKind, name *ast.Ident, inTable bool) *ast.Object {
	start := p.peek()
	o := &ast.Object{Kind: kind, Name: name}
	braced := p.peek().kind == tLBrace
	if braced {
		p.blockOpen()
	}
	for {
		if braced {
			p.sep()
		}
		t := p.peek()
		if t.kind == tRBrace || t.kind == tEOF || (!braced && (t.kind == tNewline || t.kind == tSemi)) {
			break
		}
		if braced && p.commonBlock() {
			continue
		}
		if p.isWord("comment") && p.peekAt(1).kind == tQuoted {
			o.Comment = p.comment()
			continue
		}
		switch kind {
		case ast.ObjCounter:
			c := o.Counter
			if c == nil {
				c = &ast.Counter{Loc: p.loc(t)}
				o.Counter = c
			}
			switch {
			case p.acceptWord("packets"):
				c.Packets = p.uint()
			case p.acceptWord("bytes"):
				c.Bytes = p.uint()
			default:
				p.unexpected("packets, bytes or comment")
			}
		case ast.ObjQuota:
			if o.Quota != nil {
				p.unexpected("'}'")
			}
			o.Quota = p.quotaArgs(t)
		case ast.ObjLimit:
			if o.Limit != nil {
				p.unexpected("'}'")
			}
			p.expectWord("rate")
			o.Limit = p.limitArgs(t)
		case ast.ObjSecmark:
			if o.Secmark != nil {
				p.unexpected("'}'")
			}
			o.Secmark = p.quoted()
		case ast.ObjSynproxy:
			sp := o.Synproxy
			if sp == nil {
				sp = &ast.Synproxy{Loc: p.loc(t)}
				o.Synproxy = sp
			}
			if !p.synproxyArg(sp) {
				p.unexpected("mss, wscale, timestamp, sack-perm or comment")
			}
		case ast.ObjCtHelper:
			h := o.CtHelper
			if h == nil {
				h = &ast.CtHelper{Loc: p.loc(t)}
				o.CtHelper = h
			}
			switch {
			case p.acceptWord("type"):
				q := p.expect(tQuoted, "quoted helper name")
				h.Type = &ast.String{Loc: p.loc(q), Text: q.text}
				p.expectWord("protocol")
				h.Protocol = p.name("udp or tcp")
			case p.acceptWord("l3proto"):
				h.L3Proto = p.name("")
			default:
				p.unexpected("type, l3proto or comment")
			}
		case ast.ObjCtTimeout:
			c := o.CtTimeout
			if c == nil {
				c = &ast.CtTimeout{Loc: p.loc(t)}
				o.CtTimeout = c
			}
			switch {
			case p.acceptWord("protocol"):
				c.Protocol = p.name("udp or tcp")
			case p.acceptWord("l3proto"):
				c.L3Proto = p.name("")
			case p.acceptWord("policy"):
				p.expect(tAssign, "'='")
				p.expect(tLBrace, "'{'")
				for {
					p.skipNewlines()
					if p.accept(tRBrace) {
						break
					}
					st := p.peek()
					state := p.name("string")
					p.expect(tColon, "colon")
					v := p.timeSpec()
					c.Policy = append(c.Policy, &ast.TimeoutPolicy{Loc: p.span(st), State: state, Value: v})
					p.skipNewlines()
					if !p.accept(tComma) {
						p.skipNewlines()
						p.expect(tRBrace, "comma or '}'")
						break
					}
				}
			default:
				p.unexpected("protocol, l3proto, policy or comment")
			}
		case ast.ObjCtExpect:
			c := o.CtExpect
			if c == nil {
				c = &ast.CtExpect{Loc: p.loc(t)}
				o.CtExpect = c
			}
			switch {
			case p.acceptWord("protocol"):
				c.Protocol = p.name("udp or tcp")
			case p.acceptWord("l3proto"):
				c.L3Proto = p.name("")
			case p.acceptWord("dport"):
				c.DPort = p.uint()
			case p.acceptWord("timeout"):
				c.Timeout = p.timeSpec()
			case p.acceptWord("size"):
				c.Size = p.uint()
			default:
				p.unexpected("protocol, l3proto, dport, timeout, size or comment")
			}
		default:
			p.unexpected("")
		}
	}
	if braced {
		p.blockClose()
	}
	o.Loc = p.span(start)
	_ = inTable
	return o
}

var _ = diag.Pos{}
