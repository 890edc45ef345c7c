package parse

import (
	"fmt"
	"strings"

	"github.com/nfsh/nfsh/core/diag"

	"github.com/nfsh/nfsh/core/ast"
)

// atRuleEnd reports whether the current token ends a rule.
func (p *parser) atRuleEnd() bool {
	switch p.peek().kind {
	case tNewline, tSemi, tRBrace, tEOF:
		return true
	}
	return false
}

// parseRule parses statements up to the end of the rule and an optional
// trailing comment.
func (p *parser) parseRule() *ast.Rule {
	start := p.peek()
	r := &ast.Rule{}
	for !p.atRuleEnd() {
		if p.isWord("comment") && p.peekAt(1).kind != tWord {
			r.Comment = p.comment()
			break
		}
		r.Stmts = append(r.Stmts, p.parseStmt())
	}
	if len(r.Stmts) == 0 && r.Comment == nil {
		p.unexpected("statement")
	}
	r.Loc = p.span(start)
	return r
}

// isStatefulStart reports whether a stateful statement (counter, limit,
// quota, ct count, last) starts here.
func (p *parser) isStatefulStart() bool {
	switch p.wordAt(0) {
	case "counter", "limit", "quota", "last":
		return true
	case "ct":
		return p.isWordAt(1, "count")
	}
	return false
}

// statefulStmt parses counter, limit, quota, ct count or last.
func (p *parser) statefulStmt() ast.Stmt {
	t := p.peek()
	switch t.text {
	case "counter":
		return p.counterStmt()
	case "limit":
		return p.limitStmt()
	case "quota":
		return p.quotaStmt()
	case "last":
		return p.lastStmt()
	case "ct":
		return p.connlimitStmt()
	}
	p.unexpected("counter, limit, quota or ct count")
	return nil
}

// parseStmt parses one statement.
func (p *parser) parseStmt() ast.Stmt {
	t := p.peek()
	if t.kind == tWord {
		next := p.wordAt(1)
		switch t.text {
		case "accept", "drop", "continue", "return":
			v := p.verdict()
			return &ast.VerdictStmt{Loc: v.Loc, Verdict: v}
		case "jump", "goto":
			switch p.peekAt(1).kind {
			case tLBrace:
				return p.chainStmt()
			case tQuoted:
				// nft 1.0.6: the chain is an identifier or a variable
				p.next()
				p.unexpected("'{'")
			}
			v := p.verdict()
			return &ast.VerdictStmt{Loc: v.Loc, Verdict: v}
		case "queue":
			return p.queueStmt()
		case "counter", "limit", "quota", "last":
			return p.statefulStmt()
		case "log":
			return p.logStmt()
		case "reject":
			return p.rejectStmt()
		case "snat", "dnat", "masquerade", "redirect":
			return p.natStmt()
		case "tproxy":
			return p.tproxyStmt()
		case "synproxy":
			return p.synproxyStmt()
		case "dup":
			p.next()
			p.expectWord("to")
			d := &ast.Dup{Addr: p.stmtExpr()}
			if p.acceptWord("device") {
				d.Dev = p.stmtExpr()
			}
			d.Loc = p.span(t)
			return d
		case "fwd":
			p.next()
			f := &ast.Fwd{}
			if p.isWord("ip") || p.isWord("ip6") {
				f.Family = p.next().text
				p.expectWord("to")
				f.Addr = p.stmtExpr()
				p.expectWord("device")
				f.Dev = p.stmtExpr()
			} else {
				p.expectWord("to")
				f.Dev = p.stmtExpr()
			}
			f.Loc = p.span(t)
			return f
		case "notrack":
			p.next()
			return &ast.Notrack{Loc: p.loc(t)}
		case "flow":
			if next == "add" || next == "offload" {
				p.next()
				p.next()
				p.expect(tAt, "'@'")
				n := p.identTok()
				return &ast.FlowOffload{Loc: p.span(t), Table: n.text}
			}
			if next == "table" {
				p.next()
				p.next()
				return p.meterBody(t, p.nameTok("string").text)
			}
		case "meter":
			p.next()
			return p.meterBody(t, p.nameTok("string").text)
		case "xt":
			p.next()
			x := &ast.Xt{Type: p.expectOneOf("match", "target", "watcher").text}
			x.Name = p.identTok().text
			x.Loc = p.span(t)
			return x
		case "add", "update", "delete":
			if k := p.peekAt(1).kind; k == tAt || k == tDollar {
				return p.dynsetStmt()
			}
		case "set":
			if next == "add" || next == "update" || next == "delete" {
				return p.oldSetStmt()
			}
		case "reset":
			if next == "tcp" && p.isWordAt(2, "option") {
				p.next()
				e := p.tcpOption().(*ast.Exthdr)
				return &ast.OptStrip{Loc: p.span(t), Option: e}
			}
		case "ct":
			switch next {
			case "count":
				return p.connlimitStmt()
			case "helper", "timeout", "expectation":
				if p.isWordAt(2, "set") {
					p.next()
					p.next()
					p.next()
					kind := map[string]ast.ObjKind{"helper": ast.ObjCtHelper, "timeout": ast.ObjCtTimeout, "expectation": ast.ObjCtExpect}[next]
					return &ast.ObjRef{Loc: p.span(t), Kind: kind, Name: p.stmtExpr()}
				}
			}
		}
	}
	return p.exprStmt()
}

// exprStmt parses a match, an assignment (`KEY set VALUE`) or a verdict map.
func (p *parser) exprStmt() ast.Stmt {
	start := p.peek()
	left := p.lhsExpr()
	if p.isWord("set") {
		p.next()
		switch left.(type) {
		case *ast.Meta, *ast.Ct, *ast.Payload, *ast.RawPayload, *ast.Exthdr, *ast.Variable:
		default:
			p.fail(start, "syntax error: cannot set this expression")
		}
		v := p.stmtExpr()
		if m, ok := left.(*ast.Meta); ok && m.Key == "secmark" {
			if _, isCt := v.(*ast.Ct); !isCt {
				return &ast.ObjRef{Loc: p.span(start), Kind: ast.ObjSecmark, Name: v}
			}
		}
		return &ast.Assign{Loc: p.span(start), Target: left, Value: v}
	}
	if p.isWord("vmap") {
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
		return &ast.VerdictMap{Loc: p.span(start), Key: left, Map: m}
	}
	op := p.relOp()
	if op == "" && p.atRuleEnd() {
		p.unexpected("value or relational operator")
	}
	right := p.rhsOrList()
	if x, ok := left.(*ast.Exthdr); ok && x.Kind == "tcp option" {
		if s, ok := right.(*ast.Symbol); ok && tcpOptFieldWords[s.Text] {
			p.failNode(s, "syntax error, unexpected '%s': not a field of tcp option %s", s.Text, x.Name)
		}
	}
	m := &ast.Match{Left: left, Op: op, Right: right}
	if p.accept(tSlash) {
		m.Mask = p.rhsOrList()
	}
	m.Loc = p.span(start)
	return m
}

var wordOps = map[string]string{"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "not": "!"}

// relOp consumes a relational operator, returning "" when there is none.
func (p *parser) relOp() string {
	t := p.peek()
	var op string
	switch t.kind {
	case tEq:
		op = "=="
	case tNeq:
		op = "!="
	case tLt:
		op = "<"
	case tGt:
		op = ">"
	case tLte:
		op = "<="
	case tGte:
		op = ">="
	case tNot:
		op = "!"
	case tWord:
		op = wordOps[t.text]
	}
	if op != "" {
		p.next()
	}
	return op
}

// chainStmt parses `jump|goto { rules }`.
func (p *parser) chainStmt() ast.Stmt {
	t := p.next()
	c := &ast.ChainStmt{Kind: t.text}
	p.blockOpen()
	for {
		p.sep()
		if k := p.peek().kind; k == tRBrace || k == tEOF {
			break
		}
		c.Rules = append(c.Rules, p.parseRule())
	}
	p.blockClose()
	c.Loc = p.span(t)
	return c
}

func (p *parser) counterStmt() ast.Stmt {
	t := p.next()
	if p.acceptWord("name") {
		return &ast.ObjRef{Loc: p.span(t), Kind: ast.ObjCounter, Name: p.stmtExpr()}
	}
	c := &ast.Counter{}
	for {
		switch {
		case p.isWord("packets") && p.peekAt(1).kind == tNum:
			p.next()
			c.Packets = p.uint()
			continue
		case p.isWord("bytes") && p.peekAt(1).kind == tNum:
			p.next()
			c.Bytes = p.uint()
			continue
		}
		break
	}
	c.Loc = p.span(t)
	return c
}

func (p *parser) limitStmt() ast.Stmt {
	t := p.next()
	if p.acceptWord("name") {
		return &ast.ObjRef{Loc: p.span(t), Kind: ast.ObjLimit, Name: p.stmtExpr()}
	}
	p.expectWord("rate")
	return p.limitArgs(t)
}

var timeUnits = set("second", "minute", "hour", "day", "week")

// limitArgs parses what follows `limit rate`.
func (p *parser) limitArgs(start token) *ast.Limit {
	l := &ast.Limit{}
	if p.acceptWord("over") {
		l.Over = true
	} else {
		p.acceptWord("until")
	}
	l.Rate = p.expect(tNum, "rate").num
	if p.accept(tSlash) {
		l.Per = p.expectOneOf("second", "minute", "hour", "day", "week").text
	} else {
		u := p.expect(tWord, "rate unit such as mbytes/second").text
		if i := strings.IndexByte(u, '/'); i >= 0 {
			l.RateUnit, l.Per = u[:i], u[i+1:]
			if !timeUnits[l.Per] {
				p.fail(p.prev, "wrong rate format: unknown time unit '%s'", l.Per)
			}
		} else {
			l.RateUnit = u
			p.expect(tSlash, "'/'")
			l.Per = p.expectOneOf("second", "minute", "hour", "day", "week").text
		}
	}
	if p.acceptWord("burst") {
		l.Burst = p.uint()
		bu := p.expect(tWord, "packets or a byte unit").text
		if l.RateUnit == "" && bu != "packets" {
			p.fail(p.prev, "syntax error, unexpected '%s', expecting packets", bu)
		}
		if l.RateUnit != "" && bu == "packets" {
			p.fail(p.prev, "syntax error, unexpected packets, expecting a byte unit")
		}
		l.BurstUnit = bu
	}
	l.Loc = p.span(start)
	return l
}

func (p *parser) quotaStmt() ast.Stmt {
	t := p.next()
	if p.acceptWord("name") {
		return &ast.ObjRef{Loc: p.span(t), Kind: ast.ObjQuota, Name: p.stmtExpr()}
	}
	return p.quotaArgs(t)
}

// quotaArgs parses `[over|until] N UNIT [used N UNIT]`.
func (p *parser) quotaArgs(start token) *ast.Quota {
	q := &ast.Quota{}
	if p.acceptWord("over") {
		q.Over = true
	} else {
		p.acceptWord("until")
	}
	q.Amount = p.expect(tNum, "number").num
	q.Unit = p.expect(tWord, "bytes, kbytes or mbytes").text
	if p.acceptWord("used") {
		q.Used = p.uint()
		q.UsedUnit = p.expect(tWord, "bytes, kbytes or mbytes").text
	}
	q.Loc = p.span(start)
	return q
}

func (p *parser) lastStmt() ast.Stmt {
	t := p.next()
	l := &ast.Last{}
	if p.acceptWord("used") {
		l.Used = p.timeSpec()
	}
	l.Loc = p.span(t)
	return l
}

func (p *parser) connlimitStmt() ast.Stmt {
	t := p.next()
	p.expectWord("count")
	c := &ast.Connlimit{}
	if p.acceptWord("over") {
		c.Over = true
	}
	c.Count = p.expect(tNum, "number").num
	c.Loc = p.span(t)
	return c
}

var logLevels = set("emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit")

func (p *parser) logStmt() ast.Stmt {
	t := p.next()
	l := &ast.Log{}
	for {
		switch p.wordAt(0) {
		case "prefix":
			p.next()
			l.Prefix = p.logPrefix()
			continue
		case "group":
			p.next()
			l.Group = p.uint()
			continue
		case "snaplen":
			p.next()
			l.Snaplen = p.uint()
			continue
		case "queue-threshold":
			p.next()
			l.QueueThreshold = p.uint()
			continue
		case "level":
			p.next()
			lt := p.peek()
			if (lt.kind != tWord && lt.kind != tQuoted) || !logLevels[lt.text] {
				p.fail(lt, "invalid log level")
			}
			p.next()
			l.Level = &ast.Ident{Loc: p.loc(lt), Name: lt.text}
			continue
		case "flags":
			p.next()
			switch f := p.expectOneOf("tcp", "ip", "skuid", "ether", "all").text; f {
			case "tcp":
				for {
					l.Flags = append(l.Flags, "tcp "+p.expectOneOf("sequence", "options").text)
					if !p.accept(tComma) {
						break
					}
				}
			case "ip":
				p.expectWord("options")
				l.Flags = append(l.Flags, "ip options")
			default:
				l.Flags = append(l.Flags, f)
			}
			continue
		}
		break
	}
	l.Loc = p.span(t)
	return l
}

// logPrefix parses the prefix string, substituting `$var` references
// inside it as nft does.
func (p *parser) logPrefix() ast.Expr {
	t := p.peek()
	if t.kind == tDollar {
		return p.variable()
	}
	if t.kind != tQuoted && t.kind != tWord {
		p.unexpected("prefix string")
	}
	p.next()
	s := t.text
	if !strings.Contains(s, "$") {
		return &ast.String{Loc: p.loc(t), Text: s}
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		for j < len(s) && (isLetter(s[j]) || isDigit(s[j]) || s[j] == '_') {
			j++
		}
		name := s[i+1 : j]
		v, ok := p.lookupVar(name)
		if !ok {
			p.fail(t, "unknown identifier '%s'", name)
		}
		switch v := unwrapVar(v).(type) {
		case *ast.String:
			b.WriteString(v.Text)
		case *ast.Symbol:
			b.WriteString(v.Text)
		case *ast.Number:
			b.WriteString(v.Text)
		default:
			p.fail(t, "variable '%s' in log prefix is not a string", name)
		}
		i = j
	}
	return &ast.String{Loc: p.loc(t), Text: b.String()}
}

func (p *parser) rejectStmt() ast.Stmt {
	t := p.next()
	r := &ast.Reject{}
	if p.acceptWord("with") {
		w := p.expectOneOf("icmp", "icmpv6", "icmp6", "icmpx", "tcp").text
		if w == "icmp6" {
			w = "icmpv6"
		}
		if w == "tcp" {
			p.expectWord("reset")
			r.With = "tcp reset"
		} else {
			r.With = w
			if p.isWord("type") && p.peekAt(1).kind != tEOF && (p.peekAt(1).kind == tWord || p.peekAt(1).kind == tNum) {
				p.next()
			}
			c := p.peek()
			switch c.kind {
			case tWord, tNum, tQuoted:
				r.Code = p.rhsPrimary()
			case tDollar:
				r.Code = p.variable()
			default:
				p.unexpected("reject code")
			}
		}
	}
	r.Loc = p.span(t)
	return r
}

var natFlags = set("random", "fully-random", "persistent", "netmap")

func (p *parser) natFlags(n *ast.Nat) {
	for natFlags[p.wordAt(0)] {
		n.Flags = append(n.Flags, p.next().text)
		if !(p.peek().kind == tComma && natFlags[p.wordAt(1)]) {
			return
		}
		p.next()
	}
}

func (p *parser) natStmt() ast.Stmt {
	t := p.next()
	n := &ast.Nat{Kind: t.text}
	switch t.text {
	case "masquerade", "redirect":
		if p.acceptWord("to") {
			if p.accept(tColon) {
				n.Port = p.stmtExpr()
			} else if t.text == "redirect" {
				n.Port = p.stmtExpr()
			} else {
				p.unexpected("colon")
			}
		}
		p.natFlags(n)
		n.Loc = p.span(t)
		return n
	}
	if (p.isWord("ip") || p.isWord("ip6")) && (p.isWordAt(1, "to") || p.isWordAt(1, "addr") || p.isWordAt(1, "prefix") || p.isWordAt(1, "interval")) {
		n.Family = p.next().text
	}
	switch {
	case p.isWord("addr") && p.peekAt(1).kind == tDot && p.isWordAt(2, "port"):
		p.next()
		p.next()
		p.next()
		n.Type = "addr . port"
		p.expectWord("to")
	case p.isWord("prefix") || p.isWord("interval"):
		n.Type = p.next().text
		p.expectWord("to")
	default:
		p.acceptWord("to")
	}
	if p.accept(tColon) {
		n.Port = p.stmtExpr()
	} else if !natFlags[p.wordAt(0)] {
		n.Addr = p.stmtExpr()
		if p.accept(tColon) {
			n.Port = p.stmtExpr()
		}
	}
	p.natFlags(n)
	n.Loc = p.span(t)
	return n
}

func (p *parser) tproxyStmt() ast.Stmt {
	t := p.next()
	tp := &ast.Tproxy{}
	if p.isWord("ip") || p.isWord("ip6") {
		tp.Family = p.next().text
	}
	p.expectWord("to")
	if p.accept(tColon) {
		tp.Port = p.stmtExpr()
	} else {
		tp.Addr = p.stmtExpr()
		if p.accept(tColon) {
			tp.Port = p.stmtExpr()
		}
	}
	tp.Loc = p.span(t)
	return tp
}

// synproxyArg parses one synproxy option, reporting whether there was one.
func (p *parser) synproxyArg(s *ast.Synproxy) bool {
	switch p.wordAt(0) {
	case "mss":
		p.next()
		s.Mss = p.uint()
	case "wscale":
		p.next()
		s.Wscale = p.uint()
	case "timestamp":
		p.next()
		s.Timestamp = true
	case "sack-perm", "sack-permitted":
		p.next()
		s.SackPerm = true
	default:
		return false
	}
	return true
}

func (p *parser) synproxyStmt() ast.Stmt {
	t := p.next()
	if p.acceptWord("name") {
		return &ast.ObjRef{Loc: p.span(t), Kind: ast.ObjSynproxy, Name: p.stmtExpr()}
	}
	s := &ast.Synproxy{}
	for p.synproxyArg(s) {
	}
	s.Loc = p.span(t)
	return s
}

func (p *parser) queueStmt() ast.Stmt {
	t := p.next()
	q := &ast.Queue{}
	flags := func() {
		for {
			q.Flags = append(q.Flags, p.expectOneOf("bypass", "fanout").text)
			if !p.accept(tComma) {
				return
			}
		}
	}
	for {
		switch p.wordAt(0) {
		case "num":
			p.next()
			q.Num = p.queueNum()
			continue
		case "to":
			p.next()
			q.Num = p.queueTarget()
			continue
		case "flags":
			p.next()
			flags()
			continue
		case "bypass", "fanout":
			flags()
			continue
		}
		break
	}
	q.Loc = p.span(t)
	return q
}

// queueTarget parses what follows `queue to`: a number, range,
// variable, numgen or hash expression, or a map lookup.
func (p *parser) queueTarget() ast.Expr {
	switch t := p.peek(); {
	case t.kind == tNum || t.kind == tDollar:
		return p.queueNum()
	case t.kind == tWord && (t.text == "numgen" || t.text == "jhash" || t.text == "symhash"):
		return p.keywordExpr(true)
	}
	start := p.peek()
	e := p.concatLhs(false)
	if !p.isWord("map") {
		p.unexpected("'map'")
	}
	p.next()
	m := p.rhsExpr()
	return &ast.MapLookup{Loc: p.span(start), X: e, Map: m}
}

// queueNum parses `N`, `N-M` or a variable.
func (p *parser) queueNum() ast.Expr {
	start := p.peek()
	one := func() ast.Expr {
		if p.peek().kind == tDollar {
			return p.variable()
		}
		n := p.expect(tNum, "queue number")
		return &ast.Number{Loc: p.loc(n), Text: n.text, Value: n.num}
	}
	e := one()
	if p.accept(tDash) {
		return &ast.Range{Loc: p.span(start), Lo: e, Hi: one()}
	}
	return e
}

// dynsetStmt parses `add|update|delete @set { key [: data] }`.
func (p *parser) dynsetStmt() ast.Stmt {
	t := p.next()
	d := &ast.DynSet{Op: t.text}
	if p.peek().kind == tDollar {
		d.Set = p.variable()
	} else {
		d.Set = p.setRef()
	}
	p.expect(tLBrace, "'{'")
	p.enter()
	d.Key = p.dynsetElem(&d.Stmts)
	if p.accept(tColon) {
		dt := p.peek()
		data := p.dynsetElem(&d.Stmts)
		if data.Timeout == nil && data.Expires == nil && data.Comment == nil {
			d.Data = data.Key
		} else {
			data.Loc = p.span(dt)
			d.Data = data
		}
	}
	p.expect(tRBrace, "'}'")
	p.leave()
	d.Loc = p.span(t)
	return d
}

// dynsetElem parses the key or data of a set statement with options and
// stateful statements.
func (p *parser) dynsetElem(stmts *[]ast.Stmt) *ast.Elem {
	start := p.peek()
	el := &ast.Elem{Key: p.concatLhs(true)}
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
			*stmts = append(*stmts, p.statefulStmt())
		default:
			el.Loc = p.span(start)
			return el
		}
	}
}

// oldSetStmt parses `set add|update|delete KEY @set`.
func (p *parser) oldSetStmt() ast.Stmt {
	t := p.next()
	d := &ast.DynSet{Op: p.next().text}
	d.Key = p.dynsetElem(&d.Stmts)
	if p.peek().kind == tDollar {
		d.Set = p.variable()
	} else {
		d.Set = p.setRef()
	}
	d.Loc = p.span(t)
	return d
}

// meterBody parses `[size N] { KEY [options] STMT }` after `meter NAME`.
func (p *parser) meterBody(start token, name string) ast.Stmt {
	m := &ast.Meter{Name: name}
	if p.acceptWord("size") {
		m.Size = p.uint()
	}
	p.expect(tLBrace, "'{'")
	p.enter()
	kt := p.peek()
	m.Key = &ast.Elem{Key: p.concatLhs(true)}
	for {
		if p.isWord("timeout") {
			p.next()
			m.Key.Timeout = p.timeSpec()
		} else if p.isWord("expires") {
			p.next()
			m.Key.Expires = p.timeSpec()
		} else {
			break
		}
	}
	m.Key.Loc = p.span(kt)
	m.Stmt = p.parseStmt()
	p.expect(tRBrace, "'}'")
	p.leave()
	m.Loc = p.span(start)
	return m
}

// tcpOptFieldWords are the field keywords of tcp options; nft's scanner
// never lets them be values after a tcp option.
var tcpOptFieldWords = set("window", "left", "right", "count", "size", "tsval", "tsecr", "subtype", "length", "kind")

// failNode reports an error at node n.
func (p *parser) failNode(n ast.Node, format string, args ...any) {
	ps := n.Pos()
	panic(bailout{&diag.Error{Op: "parse", Pos: ps, Msg: fmt.Sprintf(format, args...), Source: p.lineText(ps.Off - p.baseOff)}})
}
