package parse

// Expressions of nft's JSON input (json_parse_expr and its callbacks in
// nft 1.0.6's src/parser_json.c), read into core/ast nodes.

import (
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/ast"
)

// Expression contexts: where an expression appears decides which kinds
// it may be (nft's CTX_F_* flags; nested contexts accumulate).
const (
	cxRHS     uint32 = 1 << iota // right-hand side of a match
	cxStmt                       // statement argument
	cxPrimary                    // primary expression (binop, prefix, range operand)
	cxDtype                      // datatype
	cxSetRHS                     // data of a set element
	cxMangle                     // key of a mangle statement
	cxSES                        // set element of a set statement
	cxMap                        // key of a map expression
	cxConcat                     // member of a concatenation
)

var cxNames = []string{"RHS", "STMT", "PRIMARY", "DTYPE", "SET_RHS", "MANGLE", "SES", "MAP", "CONCAT"}

func cxString(f uint32) string {
	var out []string
	for i, n := range cxNames[:5] {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// jsonExprKinds lists the expression objects and the contexts each is
// allowed in (nft's cb_tbl of json_parse_expr).
var jsonExprKinds = map[string]uint32{
	"concat":     cxRHS | cxStmt | cxDtype | cxSetRHS | cxSES | cxMap,
	"set":        cxRHS | cxStmt,
	"map":        cxStmt | cxPrimary | cxSetRHS,
	"prefix":     cxRHS | cxSetRHS | cxStmt | cxConcat,
	"range":      cxRHS | cxSetRHS | cxStmt | cxConcat,
	"payload":    cxStmt | cxPrimary | cxSetRHS | cxMangle | cxSES | cxMap | cxConcat,
	"exthdr":     cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"tcp option": cxPrimary | cxSetRHS | cxMangle | cxSES | cxConcat,
	"ip option":  cxPrimary | cxSetRHS | cxMangle | cxSES | cxConcat,
	"sctp chunk": cxPrimary | cxSetRHS | cxMangle | cxSES | cxConcat,
	"meta":       cxStmt | cxPrimary | cxSetRHS | cxMangle | cxSES | cxMap | cxConcat,
	"osf":        cxStmt | cxPrimary | cxMap | cxConcat,
	"ipsec":      cxPrimary | cxMap | cxConcat,
	"socket":     cxPrimary | cxConcat,
	"rt":         cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"ct":         cxStmt | cxPrimary | cxSetRHS | cxMangle | cxSES | cxMap | cxConcat,
	"numgen":     cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"jhash":      cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"symhash":    cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"fib":        cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"|":          cxRHS | cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"^":          cxRHS | cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"&":          cxRHS | cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	">>":         cxRHS | cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"<<":         cxRHS | cxStmt | cxPrimary | cxSetRHS | cxSES | cxMap | cxConcat,
	"accept":     cxRHS | cxSetRHS,
	"drop":       cxRHS | cxSetRHS,
	"continue":   cxRHS | cxSetRHS,
	"jump":       cxRHS | cxSetRHS,
	"goto":       cxRHS | cxSetRHS,
	"return":     cxRHS | cxSetRHS,
	"elem":       cxRHS | cxStmt | cxPrimary | cxSES,
}

// jsonExprDepth bounds the nesting of expressions.
const jsonExprDepth = 256

// expr parses an expression in context cx.
func (p *jparser) expr(v *jval, cx uint32) ast.Expr {
	switch v.kind {
	case jArr:
		if cx&(cxRHS|cxStmt) == 0 {
			p.fail(v, "list expression only allowed on RHS or in statement expression")
		}
		if cx&cxPrimary != 0 {
			p.fail(v, "list expression not allowed as primary expression")
		}
		l := &ast.List{Loc: p.loc(v)}
		for _, x := range v.arr {
			l.Exprs = append(l.Exprs, p.expr(x, cx))
		}
		if len(l.Exprs) == 0 {
			p.fail(v, "empty list expression")
		}
		return l
	case jBool:
		if cx&(cxRHS|cxPrimary) == 0 {
			p.fail(v, "boolean values not allowed in this context")
		}
		return p.immediate(v)
	case jStr, jInt:
		return p.immediate(v)
	case jObj:
	default:
		p.fail(v, "unexpected JSON type %s for immediate value", v.kind)
	}
	key, body := p.single(v, "expression")
	allowed, ok := jsonExprKinds[key]
	if !ok {
		p.fail(v, "unknown expression type '%s'", key)
	}
	if allowed&cx != cx {
		p.fail(v, "expression type %s not allowed in context (%s)", key, cxString(cx))
	}
	if v.end-v.off > 0 {
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > jsonExprDepth {
			p.fail(v, "expression nesting too deep")
		}
	}
	loc := p.loc(v)
	switch key {
	case "concat":
		if body.kind != jArr {
			p.fail(body, "unexpected concat object type %s", body.kind)
		}
		if len(body.arr) == 0 {
			p.fail(body, "empty concatenation")
		}
		var parts []ast.Expr
		for _, x := range body.arr {
			e := p.expr(x, cx|cxConcat)
			if c, ok := e.(*ast.Concat); ok {
				parts = append(parts, c.Exprs...)
			} else {
				parts = append(parts, e)
			}
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return &ast.Concat{Loc: loc, Exprs: parts}
	case "set":
		return p.setExprIn(body, cx)
	case "map":
		k := p.member(body, "key", true)
		d := p.member(body, "data", true)
		return &ast.MapLookup{Loc: loc, X: p.expr(k, cx|cxMap), Map: p.expr(d, cx|cxRHS)}
	case "prefix":
		a := p.member(body, "addr", true)
		n, _ := p.integer(body, "len")
		if n < 0 {
			p.fail(body, "invalid prefix length %d", n)
		}
		return &ast.Prefix{Loc: loc, X: p.expr(a, cx|cxPrimary), Len: uint64(n)}
	case "range":
		lo, hi := p.pair(body, "range")
		return &ast.Range{Loc: loc, Lo: p.expr(lo, cx|cxPrimary), Hi: p.expr(hi, cx|cxPrimary)}
	case "|", "^", "&", ">>", "<<":
		l, r := p.pair(body, "binop")
		x := p.expr(l, cx|cxPrimary)
		y := p.orList(p.expr(r, cx|cxRHS))
		return &ast.Binary{Loc: loc, Op: key, X: x, Y: y}
	case "accept", "drop", "continue", "jump", "goto", "return":
		return p.verdict(v, key, body)
	case "elem":
		return p.elem(body, loc, cx)
	}
	return p.keyExpr(key, body, loc, cx)
}

// orList turns a list operand of a binary operation (nft's JSON for
// `tcp flags & (syn | ack)` is a list of flags) into the or of its
// members, as nft's evaluator does.
func (p *jparser) orList(e ast.Expr) ast.Expr {
	l, ok := e.(*ast.List)
	if !ok {
		return e
	}
	out := l.Exprs[0]
	for _, x := range l.Exprs[1:] {
		out = &ast.Binary{Loc: l.Loc, Op: "|", X: out, Y: x}
	}
	return out
}

// pair reads a two-element array.
func (p *jparser) pair(v *jval, what string) (*jval, *jval) {
	if v.kind != jArr || len(v.arr) != 2 {
		p.fail(v, "%s: an array of two expressions expected", what)
	}
	return v.arr[0], v.arr[1]
}

// immediate is json_parse_immediate: strings are symbols resolved by
// datatype (`@name` a set reference, `*` the catch-all element),
// integers numbers, booleans the boolean type's symbols.
func (p *jparser) immediate(v *jval) ast.Expr {
	loc := p.loc(v)
	switch v.kind {
	case jStr:
		switch {
		case strings.HasPrefix(v.s, "@"):
			return &ast.SetRef{Loc: loc, Name: v.s[1:]}
		case v.s == "*":
			return &ast.CatchAll{Loc: loc}
		}
		if n, ok := numberText(v.s); ok {
			// what nft's scanner would read as a number
			return &ast.Number{Loc: loc, Text: v.s, Value: n}
		}
		return &ast.Symbol{Loc: loc, Text: v.s}
	case jInt:
		if v.i < 0 {
			return &ast.Symbol{Loc: loc, Text: strconv.FormatInt(v.i, 10)}
		}
		return &ast.Number{Loc: loc, Text: strconv.FormatInt(v.i, 10), Value: uint64(v.i)}
	case jBool:
		if v.b {
			return &ast.Symbol{Loc: loc, Text: "exists"}
		}
		return &ast.Symbol{Loc: loc, Text: "missing"}
	}
	p.fail(v, "unexpected JSON type %s for immediate value", v.kind)
	return nil
}

// numberText reports whether s is a decimal or 0x hexadecimal number.
func numberText(s string) (uint64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil || strings.ContainsRune(s, '_') || (len(s) > 1 && s[0] == '0' && s[1] != 'x' && s[1] != 'X') {
		return 0, false
	}
	return n, true
}

// verdict parses a verdict object ({"jump": {"target": "c"}}).
func (p *jparser) verdict(v *jval, kind string, body *jval) *ast.Verdict {
	vd := &ast.Verdict{Loc: p.loc(v), Kind: kind}
	if kind == "jump" || kind == "goto" {
		if body.kind != jObj {
			p.fail(body, "%s: an object {\"target\": CHAIN} expected", kind)
		}
		t, tv := p.str(body, "target")
		vd.Chain = &ast.Symbol{Loc: p.loc(tv), Text: t}
	}
	return vd
}

// elem parses {"elem": {"val": X, "timeout": N, "expires": N, "comment": S}}.
func (p *jparser) elem(body *jval, loc ast.Loc, cx uint32) *ast.Elem {
	if body.kind != jObj {
		p.fail(body, "elem: an object expected, got %s", body.kind)
	}
	val := p.member(body, "val", true)
	el := &ast.Elem{Loc: loc, Key: p.expr(val, cx)}
	if inner, ok := el.Key.(*ast.Elem); ok {
		el.Key = inner.Key
	}
	if n, nv, ok := p.optInt(body, "timeout"); ok {
		el.Timeout = p.number(nv, n)
	}
	if n, nv, ok := p.optInt(body, "expires"); ok {
		el.Expires = p.number(nv, n)
	}
	if c, cv, ok := p.optStr(body, "comment"); ok {
		el.Comment = &ast.String{Loc: p.loc(cv), Text: c}
	}
	return el
}

// setExpr is json_parse_set_expr for a set's "elem" or an element
// command: an array of elements, or one immediate.
func (p *jparser) setExpr(v *jval) *ast.SetExpr {
	e := p.setExprIn(v, 0)
	se, ok := e.(*ast.SetExpr)
	if !ok {
		p.fail(v, "set elements expected, not a set reference")
	}
	return se
}

// setExprIn parses the body of {"set": ...} in context cx.
func (p *jparser) setExprIn(v *jval, cx uint32) ast.Expr {
	loc := p.loc(v)
	if v.kind != jArr {
		e := p.immediate(v)
		if r, ok := e.(*ast.SetRef); ok {
			return r
		}
		return &ast.SetExpr{Loc: loc, Elems: []ast.Expr{p.asElem(e, v)}}
	}
	s := &ast.SetExpr{Loc: loc}
	for _, x := range v.arr {
		if x.kind == jArr && len(x.arr) == 2 {
			k := p.asElem(p.expr(x.arr[0], cx|cxRHS), x.arr[0])
			d := p.expr(x.arr[1], cx|cxSetRHS)
			s.Elems = append(s.Elems, &ast.Mapping{Loc: p.loc(x), Key: k, Value: d})
			continue
		}
		s.Elems = append(s.Elems, p.asElem(p.expr(x, cx|cxRHS), x))
	}
	return s
}

// asElem wraps a set member in an *ast.Elem unless it is one.
func (p *jparser) asElem(e ast.Expr, v *jval) *ast.Elem {
	if el, ok := e.(*ast.Elem); ok {
		return el
	}
	return &ast.Elem{Loc: p.loc(v), Key: e}
}

// keyExpr parses the keyword expressions: payload, header options, meta,
// ct, rt, socket, osf, ipsec, numgen, hashes, fib.
func (p *jparser) keyExpr(key string, body *jval, loc ast.Loc, cx uint32) ast.Expr {
	if body.kind != jObj {
		p.fail(body, "%s: an object expected, got %s", key, body.kind)
	}
	switch key {
	case "payload":
		if b, bv, ok := p.optStr(body, "base"); ok {
			off, ok1 := body.get("offset"), true
			ln := body.get("len")
			ok1 = off != nil && off.kind == jInt && ln != nil && ln.kind == jInt
			if ok1 {
				switch b {
				case "ll", "nh", "th", "ih":
				default:
					p.fail(bv, "invalid payload base '%s'", b)
				}
				if off.i < 0 || ln.i < 0 {
					p.fail(body, "invalid raw payload offset or length")
				}
				return &ast.RawPayload{Loc: loc, Base: b, Offset: uint64(off.i), Len: uint64(ln.i)}
			}
		}
		proto, pv, ok1 := p.optStr(body, "protocol")
		field, fv, ok2 := p.optStr(body, "field")
		if !ok1 || !ok2 {
			p.fail(body, "invalid payload expression properties")
		}
		fields, ok := payloadFields[proto]
		if !ok {
			p.fail(pv, "unknown payload protocol '%s'", proto)
		}
		f := field
		if proto == "arp" {
			f, _, _ = strings.Cut(field, " ")
			if f != field && !(strings.HasSuffix(field, " ether") || strings.HasSuffix(field, " ip")) || f != field && f != "saddr" && f != "daddr" {
				p.fail(fv, "unknown %s field '%s'", proto, field)
			}
		}
		if !fields[f] {
			p.fail(fv, "unknown %s field '%s'", proto, field)
		}
		return &ast.Payload{Loc: loc, Proto: proto, Field: field}
	case "exthdr":
		name, nv := p.str(body, "name")
		fields, ok := exthdrFields[name]
		if !ok {
			p.fail(nv, "invalid exthdr protocol '%s'", name)
		}
		field, fv, ok := p.optStr(body, "field")
		if !ok {
			return &ast.Exthdr{Loc: loc, Kind: "ip6", Name: name}
		}
		e := &ast.Exthdr{Loc: loc, Kind: "ip6", Name: name, Field: field}
		if f, idx, ok := strings.Cut(field, "["); ok && name == "srh" && strings.HasSuffix(idx, "]") {
			// srh's segment ids are named "sid[N]"
			n, err := strconv.ParseUint(strings.TrimSuffix(idx, "]"), 10, 8)
			if err != nil || f != "sid" {
				p.fail(fv, "unknown %s field %s", name, field)
			}
			e.Field, e.Index = f, n
		} else if !fields[field] || (name == "srh" && field == "sid") {
			p.fail(fv, "unknown %s field %s", name, field)
		}
		if name == "rt0" {
			off, _ := p.integer(body, "offset")
			e.Index = uint64(off)
		}
		return e
	case "tcp option":
		if b, ok := body.get("base"), true; b != nil && b.kind == jInt {
			off, ln := body.get("offset"), body.get("len")
			ok = off != nil && off.kind == jInt && ln != nil && ln.kind == jInt
			if ok {
				if b.i < 0 || b.i > 255 || off.i < 0 || ln.i < 0 {
					p.fail(body, "invalid raw tcp option")
				}
				if off.i == 0 && ln.i == 8 {
					// the option's kind byte: whether it is present
					return &ast.Exthdr{Loc: loc, Kind: "tcp option", Name: strconv.FormatInt(b.i, 10)}
				}
				return &ast.Exthdr{Loc: loc, Kind: "tcp option", Name: strconv.FormatInt(b.i, 10), Raw: true,
					Offset: uint64(off.i), Len: uint64(ln.i)}
			}
		}
		name, nv, ok := p.optStr(body, "name")
		if !ok {
			p.fail(body, "invalid tcp option expression properties")
		}
		fields, known := tcpOptions[name]
		if !known || !jsonTCPOptions[name] {
			p.fail(nv, "unknown tcp option name '%s'", name)
		}
		field, fv, ok := p.optStr(body, "field")
		if !ok {
			return &ast.Exthdr{Loc: loc, Kind: "tcp option", Name: name}
		}
		if !fields[field] && field != "length" && field != "kind" {
			p.fail(fv, "unknown tcp option field '%s'", field)
		}
		return &ast.Exthdr{Loc: loc, Kind: "tcp option", Name: name, Field: field}
	case "ip option":
		name, nv := p.str(body, "name")
		fields, ok := ipOptions[name]
		if !ok {
			p.fail(nv, "unknown ip option name '%s'", name)
		}
		field, fv, ok := p.optStr(body, "field")
		if !ok {
			return &ast.Exthdr{Loc: loc, Kind: "ip option", Name: name}
		}
		if !fields[field] {
			p.fail(fv, "unknown ip option field '%s'", field)
		}
		return &ast.Exthdr{Loc: loc, Kind: "ip option", Name: name, Field: field}
	case "sctp chunk":
		name, nv := p.str(body, "name")
		fields, ok := sctpChunks[name]
		if !ok {
			p.fail(nv, "unknown sctp chunk name '%s'", name)
		}
		field, fv, ok := p.optStr(body, "field")
		if !ok {
			return &ast.Exthdr{Loc: loc, Kind: "sctp chunk", Name: name}
		}
		common := false
		for _, c := range sctpCommon {
			common = common || c == field
		}
		if !common && !fields[field] {
			p.fail(fv, "unknown sctp chunk field '%s'", field)
		}
		return &ast.Exthdr{Loc: loc, Kind: "sctp chunk", Name: name, Field: field}
	case "meta":
		k, _ := p.str(body, "key")
		return &ast.Meta{Loc: loc, Key: k, Qualified: true}
	case "osf":
		k, kv := p.str(body, "key")
		o := &ast.Osf{Loc: loc, Key: k}
		if t, tv, ok := p.optStr(body, "ttl"); ok {
			if t != "loose" && t != "skip" {
				p.fail(tv, "invalid osf ttl option '%s'", t)
			}
			o.TTL = t
		}
		if k != "name" && k != "version" {
			p.fail(kv, "invalid osf key value")
		}
		return o
	case "socket":
		k, kv := p.str(body, "key")
		if !socketKeys[k] {
			p.fail(kv, "invalid socket key value")
		}
		return &ast.Socket{Loc: loc, Key: k}
	case "rt":
		k, kv := p.str(body, "key")
		fam := p.ipFamily(body)
		if !rtKeys[k] {
			p.fail(kv, "unknown rt key '%s'", k)
		}
		return &ast.Rt{Loc: loc, Family: fam, Key: k}
	case "ct":
		k, kv := p.str(body, "key")
		c := &ast.Ct{Loc: loc, Key: k}
		if f, rest, ok := strings.Cut(k, " "); ok && (f == "ip" || f == "ip6") {
			c.Family, c.Key = f, rest
			if rest != "saddr" && rest != "daddr" {
				p.fail(kv, "unknown ct key '%s'", k)
			}
		} else if !ctKeys[k] {
			p.fail(kv, "unknown ct key '%s'", k)
		}
		if d, dv, ok := p.optStr(body, "dir"); ok {
			if d != "original" && d != "reply" {
				p.fail(dv, "invalid direction '%s'", d)
			}
			if c.Family == "" && !ctDirKeys[c.Key] {
				p.fail(dv, "direction not supported by CT key '%s'", k)
			}
			c.Dir = d
		}
		return c
	case "numgen":
		mode, mv := p.str(body, "mode")
		mod, _ := p.integer(body, "mod")
		if mode != "inc" && mode != "random" {
			p.fail(mv, "unknown numgen mode '%s'", mode)
		}
		n := &ast.Numgen{Loc: loc, Mode: mode, Mod: uint64(uint32(mod))}
		if off, _, ok := p.optInt(body, "offset"); ok {
			n.Offset = uint64(uint32(off))
		}
		return n
	case "jhash", "symhash":
		mod, _ := p.integer(body, "mod")
		h := &ast.Hash{Loc: loc, Kind: key, Mod: uint64(uint32(mod))}
		if off, _, ok := p.optInt(body, "offset"); ok {
			h.Offset = uint64(uint32(off))
		}
		if key == "symhash" {
			return h
		}
		h.X = p.expr(p.member(body, "expr", true), cx)
		if s, _, ok := p.optInt(body, "seed"); ok {
			h.Seed, h.HasSeed = uint64(uint32(s)), true
		}
		return h
	case "fib":
		res, rv := p.str(body, "result")
		if !fibResults[res] {
			p.fail(rv, "invalid fib result '%s'", res)
		}
		f := &ast.Fib{Loc: loc, Result: res}
		if fl := body.get("flags"); fl != nil {
			var items []*jval
			switch fl.kind {
			case jStr:
				items = []*jval{fl}
			case jArr:
				items = fl.arr
			default:
				p.fail(fl, "unexpected object type in fib tuple")
			}
			for _, x := range items {
				if x.kind != jStr || !fibFlags[x.s] {
					p.fail(x, "invalid fib flag")
				}
				f.Flags = append(f.Flags, x.s)
			}
		}
		has := func(s string) bool {
			for _, x := range f.Flags {
				if x == s {
					return true
				}
			}
			return false
		}
		switch {
		case !has("saddr") && !has("daddr"):
			p.fail(body, "fib: need either saddr or daddr")
		case has("saddr") && has("daddr"):
			p.fail(body, "fib: saddr and daddr are mutually exclusive")
		case has("iif") && has("oif"):
			p.fail(body, "fib: iif and oif are mutually exclusive")
		}
		return f
	case "ipsec":
		k, kv := p.str(body, "key")
		switch k {
		case "reqid", "spi", "saddr", "daddr":
		default:
			p.fail(kv, "unknown xfrm key '%s'", k)
		}
		x := &ast.Ipsec{Loc: loc, Key: k, Family: p.ipFamily(body)}
		if x.Family == "" && (k == "saddr" || k == "daddr") {
			x.Family = "ip"
		}
		if d, dv, ok := p.optStr(body, "dir"); ok {
			if d != "in" && d != "out" {
				p.fail(dv, "invalid direction '%s'", d)
			}
			x.Dir = d
		}
		if n, nv, ok := p.optInt(body, "spnum"); ok {
			if n < 0 || n > 255 {
				p.fail(nv, "invalid spnum '%d'", n)
			}
			x.Spnum = uint64(n)
		}
		return x
	}
	p.fail(body, "unknown expression type '%s'", key)
	return nil
}

// jsonTCPOptions are the tcp option names nft 1.0.6's JSON parser knows.
var jsonTCPOptions = set("eol", "nop", "maxseg", "window", "sack-perm", "sack", "sack0", "sack1", "sack2", "sack3",
	"timestamp", "fastopen", "md5sig", "mptcp")

// ipFamily is json_parse_family: an optional "family" of ip or ip6.
func (p *jparser) ipFamily(v *jval) string {
	f, fv, ok := p.optStr(v, "family")
	if !ok {
		return ""
	}
	if f != "ip" && f != "ip6" {
		p.fail(fv, "invalid family '%s'", f)
	}
	return f
}
