package parse

import (
	"sort"

	"github.com/nfsh/nfsh/core/ast"
)

func sortStrings(s []string) { sort.Strings(s) }

// binOp reports the binary operator at the current token and its
// precedence (shift 4, and 3, xor 2, or 1), or 0.
func (p *parser) binOp() (string, int) {
	t := p.peek()
	switch t.kind {
	case tShl:
		return "<<", 4
	case tShr:
		return ">>", 4
	case tAmp:
		return "&", 3
	case tCaret:
		return "^", 2
	case tPipe:
		return "|", 1
	case tWord:
		switch t.text {
		case "lshift":
			return "<<", 4
		case "rshift":
			return ">>", 4
		case "and":
			return "&", 3
		case "xor":
			return "^", 2
		case "or":
			return "|", 1
		}
	}
	return "", 0
}

// binExpr parses binary operators after first by precedence climbing;
// operand parses the right-hand operands.
func (p *parser) binExpr(start token, first ast.Expr, minPrec int, operand func() ast.Expr) ast.Expr {
	lhs := first
	for {
		op, prec := p.binOp()
		if prec == 0 || prec < minPrec {
			return lhs
		}
		p.next()
		rstart := p.peek()
		rhs := operand()
		for {
			_, p2 := p.binOp()
			if p2 <= prec {
				break
			}
			rhs = p.binExpr(rstart, rhs, p2, operand)
		}
		lhs = &ast.Binary{Loc: p.span(start), Op: op, X: lhs, Y: rhs}
	}
}

// ---- right-hand side (constant) expressions ----

// rhsPrimary parses a constant: word, quoted string, number, variable or
// parenthesised basic constant expression.
func (p *parser) rhsPrimary() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tWord:
		p.next()
		return &ast.Symbol{Loc: p.loc(t), Text: t.text}
	case tQuoted:
		p.next()
		return &ast.String{Loc: p.loc(t), Text: t.text}
	case tNum:
		p.next()
		return &ast.Number{Loc: p.loc(t), Text: t.text, Value: t.num}
	case tDollar:
		return p.variable()
	case tLParen:
		p.next()
		p.enter()
		e := p.basicRhs()
		p.expect(tRParen, "')'")
		p.leave()
		return e
	}
	p.unexpected("value")
	return nil
}

func (p *parser) basicRhs() ast.Expr {
	start := p.peek()
	return p.binExpr(start, p.rhsPrimary(), 1, p.rhsPrimary)
}

// multitonRhs parses a basic constant with an optional prefix length or
// range end.
func (p *parser) multitonRhs() ast.Expr {
	start := p.peek()
	e := p.basicRhs()
	switch p.peek().kind {
	case tSlash:
		if p.peekAt(1).kind == tNum {
			p.next()
			n := p.next()
			return &ast.Prefix{Loc: p.span(start), X: e, Len: n.num}
		}
	case tDash:
		p.next()
		hi := p.basicRhs()
		return &ast.Range{Loc: p.span(start), Lo: e, Hi: hi}
	}
	return e
}

// concatRhs parses constants joined by '.'.
func (p *parser) concatRhs() ast.Expr {
	start := p.peek()
	e := p.multitonRhs()
	if p.peek().kind != tDot {
		return e
	}
	c := &ast.Concat{Exprs: []ast.Expr{e}}
	for p.accept(tDot) {
		c.Exprs = append(c.Exprs, p.multitonRhs())
	}
	c.Loc = p.span(start)
	return c
}

// rhsExpr parses a right-hand side: constants, a set or a set reference.
func (p *parser) rhsExpr() ast.Expr {
	switch p.peek().kind {
	case tLBrace:
		return p.setExpr()
	case tAt:
		return p.setRef()
	}
	return p.concatRhs()
}

// rhsOrList parses a right-hand side that may be a comma list.
func (p *parser) rhsOrList() ast.Expr {
	start := p.peek()
	e := p.rhsExpr()
	if p.peek().kind != tComma {
		return e
	}
	l := &ast.List{Exprs: []ast.Expr{e}}
	for p.accept(tComma) {
		l.Exprs = append(l.Exprs, p.concatRhs())
	}
	l.Loc = p.span(start)
	return l
}

// setRef parses `@name`.
func (p *parser) setRef() ast.Expr {
	start := p.expect(tAt, "'@'")
	nt := p.nameTok("string")
	return &ast.SetRef{Loc: p.span(start), Name: nt.text}
}

// setExpr parses `{ elements }`.
func (p *parser) setExpr() *ast.SetExpr {
	start := p.expect(tLBrace, "'{'")
	p.enter()
	defer p.leave()
	s := &ast.SetExpr{}
	for {
		p.skipNewlines()
		if p.accept(tRBrace) {
			break
		}
		s.Elems = append(s.Elems, p.setMember())
		p.skipNewlines()
		if p.accept(tComma) {
			continue
		}
		p.skipNewlines()
		p.expect(tRBrace, "comma or '}'")
		break
	}
	s.Loc = p.span(start)
	return s
}

// setMember parses one element of a set expression.
func (p *parser) setMember() ast.Expr {
	start := p.peek()
	if start.kind == tLBrace {
		return p.setExpr()
	}
	var key ast.Expr
	if start.kind == tStar {
		p.next()
		key = &ast.CatchAll{Loc: p.loc(start)}
	} else {
		key = p.concatRhs()
		if v, ok := key.(*ast.SetExpr); ok && p.peek().kind != tColon {
			return v // a variable holding a set: nested, nft flattens it
		}
	}
	el := &ast.Elem{Key: key}
	p.elemOptions(el)
	el.Loc = p.span(start)
	if !p.accept(tColon) {
		return el
	}
	var val ast.Expr
	if t := p.peek(); t.kind == tWord && verdicts[t.text] {
		val = p.verdict()
	} else {
		val = p.concatRhs()
	}
	p.elemOptions(el)
	return &ast.Mapping{Loc: p.span(start), Key: el, Value: val}
}

// elemOptions parses element statements and options: counter, limit,
// quota, ct count, last, timeout, expires, comment.
func (p *parser) elemOptions(el *ast.Elem) {
	for {
		switch {
		case p.isWord("timeout"):
			p.next()
			el.Timeout = p.timeSpec()
		case p.isWord("expires"):
			p.next()
			el.Expires = p.timeSpec()
		case p.isWord("comment"):
			el.Comment = p.comment()
		case p.isStatefulStart():
			el.Stmts = append(el.Stmts, p.statefulStmt())
		default:
			return
		}
	}
}

// verdict parses a verdict keyword (and chain for jump/goto).
func (p *parser) verdict() *ast.Verdict {
	t := p.next()
	v := &ast.Verdict{Kind: t.text}
	if t.text == "jump" || t.text == "goto" {
		c := p.peek()
		switch c.kind {
		case tDollar:
			v.Chain = p.variable()
		case tWord:
			p.next()
			v.Chain = &ast.Symbol{Loc: p.loc(c), Text: c.text}
		default:
			// nft 1.0.6: an identifier or a variable, never a quoted string
			p.unexpected("string or '$'")
		}
	}
	v.Loc = p.span(t)
	return v
}

// ---- left-hand side expressions ----

// lhsPrimary parses a primary expression at the start of a statement:
// a keyword expression, a variable, a raw payload or a parenthesised
// expression. Bare constants are rejected.
func (p *parser) lhsPrimary() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tDollar:
		return p.variable()
	case tLParen:
		p.next()
		p.enter()
		e := p.basicLhs()
		p.expect(tRParen, "')'")
		p.leave()
		return e
	case tAt:
		return p.rawPayload()
	case tWord:
		if e := p.keywordExpr(true); e != nil {
			return e
		}
	}
	p.unexpected("statement or expression")
	return nil
}

// lhsOrConst is lhsPrimary that also accepts constants (primary_expr).
func (p *parser) lhsOrConst() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tQuoted, tNum:
		return p.rhsPrimary()
	case tWord:
		if e := p.keywordExpr(false); e != nil {
			return e
		}
		return p.rhsPrimary()
	}
	return p.lhsPrimary()
}

func (p *parser) basicLhs() ast.Expr {
	start := p.peek()
	return p.binExpr(start, p.lhsPrimary(), 1, p.rhsPrimary)
}

// concatLhs parses basic expressions joined by '.'; constOK allows
// constants as primaries (set statement keys).
func (p *parser) concatLhs(constOK bool) ast.Expr {
	start := p.peek()
	prim := p.lhsPrimary
	if constOK {
		prim = p.lhsOrConst
	}
	basic := func() ast.Expr {
		s := p.peek()
		return p.binExpr(s, prim(), 1, p.rhsPrimary)
	}
	e := basic()
	if p.peek().kind != tDot {
		return e
	}
	c := &ast.Concat{Exprs: []ast.Expr{e}}
	for p.accept(tDot) {
		c.Exprs = append(c.Exprs, basic())
	}
	c.Loc = p.span(start)
	return c
}

// lhsExpr parses the left side of a relation: a concatenation, optionally
// looked up in a map.
func (p *parser) lhsExpr() ast.Expr {
	start := p.peek()
	e := p.concatLhs(false)
	if p.isWord("map") {
		p.next()
		m := p.rhsExpr()
		e = &ast.MapLookup{Loc: p.span(start), X: e, Map: m}
	}
	return e
}

// ---- statement-argument expressions (stmt_expr) ----

// stmtPrimary parses a primary of a statement argument: an expression if
// the words form one, else a constant.
func (p *parser) stmtPrimary() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tWord:
		if e := p.keywordExpr(false); e != nil {
			return e
		}
		p.next()
		return &ast.Symbol{Loc: p.loc(t), Text: t.text}
	case tAt:
		if p.peekAt(1).kind == tWord && p.peekAt(2).kind == tComma {
			return p.rawPayload()
		}
	case tLParen:
		p.next()
		p.enter()
		e := p.basicStmt()
		p.expect(tRParen, "')'")
		p.leave()
		return e
	}
	return p.rhsPrimary()
}

func (p *parser) basicStmt() ast.Expr {
	start := p.peek()
	return p.binExpr(start, p.stmtPrimary(), 1, p.stmtPrimary)
}

// stmtExpr parses a statement argument: a (possibly concatenated,
// mapped) expression, a prefix, a range or a list of symbols.
func (p *parser) stmtExpr() ast.Expr {
	start := p.peek()
	e := p.basicStmt()
	switch p.peek().kind {
	case tSlash:
		if p.peekAt(1).kind == tNum {
			p.next()
			n := p.next()
			return &ast.Prefix{Loc: p.span(start), X: e, Len: n.num}
		}
	case tDash:
		p.next()
		hi := p.basicStmt()
		return &ast.Range{Loc: p.span(start), Lo: e, Hi: hi}
	case tComma:
		l := &ast.List{Exprs: []ast.Expr{e}}
		for p.accept(tComma) {
			l.Exprs = append(l.Exprs, p.stmtPrimary())
		}
		l.Loc = p.span(start)
		return l
	}
	if p.peek().kind == tDot {
		c := &ast.Concat{Exprs: []ast.Expr{e}}
		for p.accept(tDot) {
			c.Exprs = append(c.Exprs, p.basicStmt())
		}
		c.Loc = p.span(start)
		e = c
	}
	if p.isWord("map") {
		p.next()
		var m ast.Expr
		switch p.peek().kind {
		case tLBrace:
			m = p.setExpr()
		case tAt:
			m = p.setRef()
		case tDollar:
			m = p.variable()
		default:
			p.unexpected("'{' or '@'")
		}
		e = &ast.MapLookup{Loc: p.span(start), X: e, Map: m}
	}
	return e
}

// ---- keyword expressions ----

// rawPayload parses `@base,offset,length`.
func (p *parser) rawPayload() ast.Expr {
	start := p.expect(tAt, "'@'")
	b := p.expect(tWord, "payload base (ll, nh, th, ih)")
	p.expect(tComma, "comma")
	off := p.expect(tNum, "offset")
	p.expect(tComma, "comma")
	ln := p.expect(tNum, "length")
	return &ast.RawPayload{Loc: p.span(start), Base: b.text, Offset: off.num, Len: ln.num}
}

// wordAt returns the text of the token k ahead if it is a word.
func (p *parser) wordAt(k int) string {
	t := p.peekAt(k)
	if t.kind == tWord {
		return t.text
	}
	return ""
}

// keywordExpr parses an expression introduced by a keyword (`ip saddr`,
// `meta mark`, `ct state`, ...). When the words do not form such an
// expression it returns nil without consuming anything, or, if strict,
// reports a syntax error saying what was expected.
func (p *parser) keywordExpr(strict bool) ast.Expr {
	t := p.peek()
	w := t.text
	next := p.wordAt(1)
	bad := func(expect string) ast.Expr {
		if strict {
			p.next()
			p.unexpected(expect)
		}
		return nil
	}
	if fields, ok := payloadFields[w]; ok {
		switch {
		case w == "tcp" && next == "option":
			return p.tcpOption()
		case w == "ip" && next == "option":
			return p.ipOption()
		case w == "sctp" && next == "chunk":
			return p.sctpChunk()
		case fields[next]:
			p.next()
			f := p.next()
			field := f.text
			if w == "arp" && (field == "saddr" || field == "daddr") {
				if x := p.wordAt(0); x == "ether" || x == "ip" {
					p.next()
					field += " " + x
				}
			}
			return &ast.Payload{Loc: p.span(t), Proto: w, Field: field}
		}
		return bad(keys(fields))
	}
	if fields, ok := exthdrFields[w]; ok && !(w == "rt" && (rtKeys[next] || next == "ip" || next == "ip6")) {
		if !fields[next] {
			return bad(keys(fields))
		}
		p.next()
		f := p.next()
		e := &ast.Exthdr{Kind: "ip6", Name: w, Field: f.text}
		if (w == "rt0" && f.text == "addr") || (w == "srh" && f.text == "sid") {
			p.expect(tLBracket, "'['")
			e.Index = p.expect(tNum, "number").num
			p.expect(tRBracket, "']'")
		}
		e.Loc = p.span(t)
		return e
	}
	switch w {
	case "exthdr":
		if !exthdrExistKeys[next] {
			return bad(keys(exthdrExistKeys))
		}
		p.next()
		p.next()
		return &ast.Exthdr{Loc: p.span(t), Kind: "ip6", Name: next}
	case "meta":
		if next == "" {
			return bad("meta key")
		}
		p.next()
		p.next()
		return &ast.Meta{Loc: p.span(t), Key: next, Qualified: true}
	case "ct":
		return p.ctExpr(strict)
	case "rt":
		fam := ""
		k := next
		if next == "ip" || next == "ip6" {
			fam, k = next, p.wordAt(2)
		}
		if !rtKeys[k] {
			return bad(keys(rtKeys))
		}
		p.next()
		if fam != "" {
			p.next()
		}
		p.next()
		return &ast.Rt{Loc: p.span(t), Family: fam, Key: k}
	case "fib":
		if !fibFlags[next] {
			return bad(keys(fibFlags))
		}
		p.next()
		f := &ast.Fib{}
		for {
			ft := p.expect(tWord, "fib flag")
			if !fibFlags[ft.text] {
				p.fail(ft, "syntax error, unexpected '%s', expecting %s", ft.text, keys(fibFlags))
			}
			f.Flags = append(f.Flags, ft.text)
			if !p.accept(tDot) {
				break
			}
		}
		r := p.expectOneOf("oif", "oifname", "type")
		f.Result = r.text
		f.Loc = p.span(t)
		return f
	case "socket":
		switch {
		case socketKeys[next]:
			p.next()
			p.next()
			return &ast.Socket{Loc: p.span(t), Key: next}
		case next == "cgroupv2":
			p.next()
			p.next()
			p.expectWord("level")
			n := p.expect(tNum, "number")
			return &ast.Socket{Loc: p.span(t), Key: "cgroupv2", Level: n.num}
		}
		return bad("transparent, mark, wildcard or cgroupv2")
	case "osf":
		if next != "ttl" && next != "name" && next != "version" {
			return bad("ttl, name or version")
		}
		p.next()
		o := &ast.Osf{}
		if p.acceptWord("ttl") {
			o.TTL = p.expect(tWord, "loose or skip").text
		}
		o.Key = p.expectOneOf("name", "version").text
		o.Loc = p.span(t)
		return o
	case "ipsec":
		if next == "in" || next == "out" {
			p.next()
			x := &ast.Ipsec{Dir: p.next().text}
			if p.acceptWord("spnum") {
				x.Spnum = p.expect(tNum, "number").num
			}
			if p.isWord("ip") || p.isWord("ip6") {
				x.Family = p.next().text
				x.Key = p.expectOneOf("saddr", "daddr").text
			} else {
				x.Key = p.expectOneOf("reqid", "spi", "ip", "ip6").text
			}
			x.Loc = p.span(t)
			return x
		}
	case "numgen":
		if next != "inc" && next != "random" {
			return bad("inc or random")
		}
		p.next()
		n := &ast.Numgen{Mode: p.next().text}
		p.expectWord("mod")
		n.Mod = p.expect(tNum, "number").num
		if p.acceptWord("offset") {
			n.Offset = p.expect(tNum, "number").num
		}
		n.Loc = p.span(t)
		return n
	case "jhash", "symhash":
		p.next()
		h := &ast.Hash{Kind: w}
		if w == "jhash" {
			h.X = p.concatLhs(false)
		}
		p.expectWord("mod")
		h.Mod = p.expect(tNum, "number").num
		if w == "jhash" && p.acceptWord("seed") {
			h.Seed = p.expect(tNum, "number").num
			h.HasSeed = true
		}
		if p.acceptWord("offset") {
			h.Offset = p.expect(tNum, "number").num
		}
		h.Loc = p.span(t)
		return h
	}
	if metaUnqualified[w] {
		p.next()
		return &ast.Meta{Loc: p.loc(t), Key: w}
	}
	return nil
}

// ctExpr parses `ct [original|reply] [ip|ip6] KEY`.
func (p *parser) ctExpr(strict bool) ast.Expr {
	t := p.peek()
	next := p.wordAt(1)
	bad := func(expect string) ast.Expr {
		if strict {
			p.next()
			p.unexpected(expect)
		}
		return nil
	}
	if next == "original" || next == "reply" {
		k := p.wordAt(2)
		fam := ""
		if k == "ip" || k == "ip6" {
			fam = k
			k = p.wordAt(3)
			if k != "saddr" && k != "daddr" {
				if strict {
					p.next()
					p.next()
					p.next()
					p.unexpected("saddr or daddr")
				}
				return nil
			}
		} else if !ctDirKeys[k] {
			if strict {
				p.next()
				p.next()
				p.unexpected(keys(ctDirKeys))
			}
			return nil
		}
		p.next()
		p.next()
		if fam != "" {
			p.next()
		}
		p.next()
		return &ast.Ct{Loc: p.span(t), Dir: next, Family: fam, Key: k}
	}
	if !ctKeys[next] {
		return bad(keys(ctKeys) + ", original or reply")
	}
	p.next()
	p.next()
	return &ast.Ct{Loc: p.span(t), Key: next}
}

// tcpOption parses `tcp option NAME [FIELD]` and `tcp option @kind,off,len`.
func (p *parser) tcpOption() ast.Expr {
	t := p.next() // tcp
	p.next()      // option
	e := &ast.Exthdr{Kind: "tcp option"}
	if p.accept(tAt) {
		k := p.peek()
		switch k.kind {
		case tNum, tWord:
			p.next()
		default:
			p.unexpected("option kind")
		}
		e.Name = k.text
		p.expect(tComma, "comma")
		e.Offset = p.expect(tNum, "offset").num
		p.expect(tComma, "comma")
		e.Len = p.expect(tNum, "length").num
		e.Raw = true
		e.Loc = p.span(t)
		return e
	}
	n := p.peek()
	var fields map[string]bool
	switch n.kind {
	case tNum:
		fields = map[string]bool{}
	case tWord:
		f, ok := tcpOptions[n.text]
		if !ok {
			p.unexpected(keys(tcpOptions) + " or a number")
		}
		fields = f
	default:
		p.unexpected("tcp option name")
	}
	p.next()
	e.Name = n.text
	if f := p.wordAt(0); f != "" && (fields[f] || f == "length" || f == "kind") {
		p.next()
		e.Field = f
	}
	e.Loc = p.span(t)
	return e
}

// ipOption parses `ip option NAME [FIELD]`.
func (p *parser) ipOption() ast.Expr {
	t := p.next()
	p.next()
	n := p.peek()
	fields, ok := ipOptions[n.text]
	if n.kind != tWord || !ok {
		p.unexpected(keys(ipOptions))
	}
	p.next()
	e := &ast.Exthdr{Kind: "ip option", Name: n.text}
	if f := p.wordAt(0); fields[f] {
		p.next()
		e.Field = f
	}
	e.Loc = p.span(t)
	return e
}

// sctpChunk parses `sctp chunk TYPE [FIELD]`.
func (p *parser) sctpChunk() ast.Expr {
	t := p.next()
	p.next()
	n := p.peek()
	fields, ok := sctpChunks[n.text]
	if n.kind != tWord || !ok {
		p.unexpected(keys(sctpChunks))
	}
	p.next()
	e := &ast.Exthdr{Kind: "sctp chunk", Name: n.text}
	if f := p.wordAt(0); f != "" {
		common := false
		for _, c := range sctpCommon {
			if c == f {
				common = true
			}
		}
		if common || fields[f] {
			p.next()
			e.Field = f
		}
	}
	e.Loc = p.span(t)
	return e
}
