package parse

// Statements of nft's JSON input (json_parse_stmt and its callbacks in
// nft 1.0.6's src/parser_json.c), read into core/ast nodes.

import (
	"github.com/nfsh/nfsh/core/ast"
)

// jsonMatchOps maps the relational operators of a match to the text
// parser's spelling ("in" is the implicit operator).
var jsonMatchOps = map[string]string{"==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "!": "!", "in": ""}

// stmtList parses an array of statements (a set's or set statement's
// "stmt").
func (p *jparser) stmtList(v *jval) []ast.Stmt {
	if v.kind != jArr {
		p.fail(v, "unexpected object type in stmt: an array expected")
	}
	var out []ast.Stmt
	for _, s := range v.arr {
		out = append(out, p.stmt(s))
	}
	return out
}

// stmt parses one statement object.
func (p *jparser) stmt(v *jval) ast.Stmt {
	key, body := p.single(v, "statement")
	loc := p.loc(v)
	obj := func() {
		if body.kind != jObj {
			p.fail(body, "%s: an object expected, got %s", key, body.kind)
		}
	}
	switch key {
	case "accept", "drop", "continue", "jump", "goto", "return":
		vd := p.verdict(v, key, body)
		return &ast.VerdictStmt{Loc: loc, Verdict: vd}
	case "vmap":
		obj()
		k := p.member(body, "key", true)
		d := p.member(body, "data", true)
		return &ast.VerdictMap{Loc: loc, Key: p.expr(k, cxMap), Map: p.expr(d, cxRHS)}
	case "xt":
		p.fail(v, "unsupported xtables compat expression, use iptables-nft with this ruleset")
	case "match":
		obj()
		l := p.member(body, "left", true)
		r := p.member(body, "right", true)
		op, ov := p.str(body, "op")
		o, ok := jsonMatchOps[op]
		if !ok {
			p.fail(ov, "unknown relational op '%s'", op)
		}
		left := p.expr(l, 0)
		right := p.expr(r, cxRHS)
		return &ast.Match{Loc: loc, Left: left, Op: o, Right: right}
	case "counter":
		switch body.kind {
		case jNull:
			return &ast.Counter{Loc: loc}
		case jObj:
			pk, pv, ok1 := p.optInt(body, "packets")
			by, bv, ok2 := p.optInt(body, "bytes")
			if ok1 && ok2 {
				return &ast.Counter{Loc: loc, Packets: p.uintOf(pv, pk), Bytes: p.uintOf(bv, by)}
			}
		}
		return &ast.ObjRef{Loc: loc, Kind: ast.ObjCounter, Name: p.expr(body, cxStmt)}
	case "mangle":
		obj()
		k := p.member(body, "key", true)
		val := p.member(body, "value", true)
		target := p.expr(k, cxMangle)
		value := p.expr(val, cxStmt)
		switch t := target.(type) {
		case *ast.Ct:
			if t.Key == "helper" {
				return &ast.ObjRef{Loc: loc, Kind: ast.ObjCtHelper, Name: value}
			}
		case *ast.Payload, *ast.RawPayload, *ast.Exthdr, *ast.Meta:
		default:
			p.fail(k, "invalid mangle statement key expression type")
		}
		return &ast.Assign{Loc: loc, Target: target, Value: value}
	case "quota":
		if body.kind == jObj {
			if n, _, ok := p.optInt(body, "val"); ok {
				q := &ast.Quota{Loc: loc, Over: p.optBool(body, "inv"), Amount: uint64(n), Unit: "bytes"}
				if u, uv, ok := p.optStr(body, "val_unit"); ok {
					q.Unit = p.byteUnit(uv, u)
				}
				if used, usv, ok := p.optInt(body, "used"); ok && used != 0 {
					q.Used, q.UsedUnit = p.uintOf(usv, used), "bytes"
					if u, uv, ok := p.optStr(body, "used_unit"); ok {
						q.UsedUnit = p.byteUnit(uv, u)
					}
				}
				return q
			}
		}
		return &ast.ObjRef{Loc: loc, Kind: ast.ObjQuota, Name: p.expr(body, cxStmt)}
	case "limit":
		if body.kind == jObj {
			rate, _, ok1 := p.optInt(body, "rate")
			per, _, ok2 := p.optStr(body, "per")
			if ok1 && ok2 {
				return p.limit(body, loc, rate, per)
			}
		}
		return &ast.ObjRef{Loc: loc, Kind: ast.ObjLimit, Name: p.expr(body, cxStmt)}
	case "flow":
		obj()
		op, ov := p.str(body, "op")
		ft, fv := p.str(body, "flowtable")
		if op != "add" {
			p.fail(ov, "unknown flow offload statement op '%s'", op)
		}
		if len(ft) < 2 || ft[0] != '@' {
			p.fail(fv, "illegal flowtable reference in flow offload statement")
		}
		return &ast.FlowOffload{Loc: loc, Table: ft[1:]}
	case "fwd":
		obj()
		f := &ast.Fwd{Loc: loc, Dev: p.expr(p.member(body, "dev", true), cxStmt)}
		fam := p.ipFamily(body)
		if a := body.get("addr"); fam != "" && a != nil {
			f.Family = fam
			f.Addr = p.expr(a, cxStmt)
		}
		return f
	case "notrack":
		return &ast.Notrack{Loc: loc}
	case "dup":
		obj()
		d := &ast.Dup{Loc: loc, Addr: p.expr(p.member(body, "addr", true), cxStmt)}
		if dev := body.get("dev"); dev != nil {
			d.Dev = p.expr(dev, cxStmt)
		}
		return d
	case "snat", "dnat", "masquerade", "redirect":
		return p.nat(key, body, loc)
	case "tproxy":
		obj()
		t := &ast.Tproxy{Loc: loc, Family: p.ipFamily(body)}
		if a := body.get("addr"); a != nil {
			t.Addr = p.expr(a, cxStmt)
		}
		if pt := body.get("port"); pt != nil {
			t.Port = p.expr(pt, cxStmt)
		}
		return t
	case "reject":
		r := &ast.Reject{Loc: loc}
		if body.kind != jObj {
			return r
		}
		if t, _, ok := p.optStr(body, "type"); ok {
			switch t {
			case "tcp reset", "icmpx", "icmp", "icmpv6":
				r.With = t
			}
		}
		if e := body.get("expr"); e != nil {
			if r.With == "" {
				p.fail(e, "reject: an \"expr\" needs a \"type\" of icmp, icmpv6 or icmpx")
			}
			if r.With != "tcp reset" {
				r.Code = p.immediate(e)
			}
		}
		return r
	case "set":
		obj()
		op, ov := p.str(body, "op")
		el := p.member(body, "elem", true)
		set, sv := p.str(body, "set")
		switch op {
		case "add", "update", "delete":
		default:
			p.fail(ov, "unknown set statement op '%s'", op)
		}
		key := p.asElem(p.expr(el, cxSES), el)
		if len(set) < 2 || set[0] != '@' {
			p.fail(sv, "illegal set reference in set statement")
		}
		d := &ast.DynSet{Loc: loc, Op: op, Set: &ast.SetRef{Loc: p.loc(sv), Name: set[1:]}, Key: key}
		if st := body.get("stmt"); st != nil {
			d.Stmts = p.stmtList(st)
		}
		return d
	case "log":
		return p.log(body, loc)
	case "ct helper", "ct timeout", "ct expectation", "secmark":
		kind := map[string]ast.ObjKind{"ct helper": ast.ObjCtHelper, "ct timeout": ast.ObjCtTimeout,
			"ct expectation": ast.ObjCtExpect, "secmark": ast.ObjSecmark}[key]
		return &ast.ObjRef{Loc: loc, Kind: kind, Name: p.expr(body, cxStmt)}
	case "meter":
		obj()
		name, _ := p.str(body, "name")
		k := p.member(body, "key", true)
		st := p.member(body, "stmt", true)
		m := &ast.Meter{Loc: loc, Name: name, Key: p.asElem(p.expr(k, cxSES), k)}
		if n, nv, ok := p.optInt(body, "size"); ok {
			m.Size = p.uintOf(nv, n)
		} else {
			m.Size = &ast.Uint{Loc: loc, V: 0xffff}
		}
		m.Stmt = p.stmt(st)
		return m
	case "queue":
		q := &ast.Queue{Loc: loc}
		if body.kind != jObj {
			return q
		}
		if n := body.get("num"); n != nil {
			q.Num = p.expr(n, cxStmt)
		}
		if fl := body.get("flags"); fl != nil {
			var items []*jval
			switch fl.kind {
			case jStr:
				items = []*jval{fl}
			case jArr:
				items = fl.arr
			default:
				p.fail(fl, "unexpected object type in queue flags")
			}
			for _, x := range items {
				if x.kind != jStr || (x.s != "bypass" && x.s != "fanout") {
					p.fail(x, "invalid queue flag")
				}
				q.Flags = append(q.Flags, x.s)
			}
		}
		return q
	case "ct count":
		obj()
		n, _ := p.integer(body, "val")
		return &ast.Connlimit{Loc: loc, Over: p.optBool(body, "inv"), Count: uint64(uint32(n))}
	case "synproxy":
		return p.synproxy(body, loc)
	case "reset":
		e := p.expr(body, 0)
		x, ok := e.(*ast.Exthdr)
		if !ok || x.Kind != "tcp option" {
			p.fail(body, "reset: a tcp option expected")
		}
		return &ast.OptStrip{Loc: loc, Option: x}
	}
	p.fail(v, "unknown statement object '%s'", key)
	return nil
}

// byteUnit checks a quota or limit byte unit.
func (p *jparser) byteUnit(v *jval, u string) string {
	switch u {
	case "bytes", "kbytes", "mbytes":
		return u
	}
	// nft counts unknown units as bytes
	return "bytes"
}

func (p *jparser) limit(body *jval, loc ast.Loc, rate int64, per string) *ast.Limit {
	l := &ast.Limit{Loc: loc, Over: p.optBool(body, "inv"), Rate: uint64(rate), Per: timeUnitOf(per)}
	ru, _, _ := p.optStr(body, "rate_unit")
	burst, bv, _ := p.optInt(body, "burst")
	if bv == nil {
		bv = body
	}
	if ru == "" || ru == "packets" {
		if burst == 0 {
			burst = 5
		}
		l.Burst, l.BurstUnit = p.uintOf(bv, burst), "packets"
		return l
	}
	l.RateUnit = p.byteUnit(body, ru)
	bu, _, ok := p.optStr(body, "burst_unit")
	if !ok {
		bu = "bytes"
	}
	l.Burst, l.BurstUnit = p.uintOf(bv, burst), p.byteUnit(body, bu)
	return l
}

var jsonNatFlags = set("random", "fully-random", "persistent", "netmap")

func (p *jparser) nat(kind string, body *jval, loc ast.Loc) ast.Stmt {
	n := &ast.Nat{Loc: loc, Kind: kind}
	if body.kind == jNull {
		return n
	}
	if body.kind != jObj {
		p.fail(body, "%s: an object expected, got %s", kind, body.kind)
	}
	n.Family = p.ipFamily(body)
	if a := body.get("addr"); a != nil {
		n.Addr = p.expr(a, cxStmt)
	}
	if pt := body.get("port"); pt != nil {
		n.Port = p.expr(pt, cxStmt)
	}
	strs := func(v *jval, ok map[string]bool, what string) []string {
		var items []*jval
		switch v.kind {
		case jStr:
			items = []*jval{v}
		case jArr:
			items = v.arr
		default:
			p.fail(v, "invalid %s type %s", what, v.kind)
		}
		var out []string
		for _, x := range items {
			if x.kind != jStr || !ok[x.s] {
				p.fail(x, "unknown %s", what)
			}
			out = append(out, x.s)
		}
		return out
	}
	if fl := body.get("flags"); fl != nil {
		n.Flags = strs(fl, jsonNatFlags, "nat flag")
	}
	if tf := body.get("type_flags"); tf != nil {
		for _, t := range strs(tf, set("interval", "prefix", "concat"), "nat type flag") {
			switch t {
			case "concat":
				n.Type = "addr . port"
			default:
				if n.Type == "" {
					n.Type = t
				}
			}
		}
	}
	return n
}

var jsonLogFlags = set("tcp sequence", "tcp options", "ip options", "skuid", "ether", "all")

func (p *jparser) log(body *jval, loc ast.Loc) ast.Stmt {
	l := &ast.Log{Loc: loc}
	if body.kind != jObj {
		return l
	}
	if s, sv, ok := p.optStr(body, "prefix"); ok {
		l.Prefix = &ast.String{Loc: p.loc(sv), Text: s}
	}
	if n, nv, ok := p.optInt(body, "group"); ok {
		l.Group = p.uintOf(nv, int64(uint16(n)))
	}
	if n, nv, ok := p.optInt(body, "snaplen"); ok {
		l.Snaplen = p.uintOf(nv, int64(uint32(n)))
	}
	if n, nv, ok := p.optInt(body, "queue-threshold"); ok {
		l.QueueThreshold = p.uintOf(nv, int64(uint16(n)))
	}
	if s, sv, ok := p.optStr(body, "level"); ok {
		if !logLevels[s] {
			p.fail(sv, "invalid log level '%s'", s)
		}
		l.Level = p.ident(sv, s)
	}
	if fl := body.get("flags"); fl != nil {
		var items []*jval
		switch fl.kind {
		case jStr:
			items = []*jval{fl}
		case jArr:
			items = fl.arr
		default:
			p.fail(fl, "invalid log flags type %s", fl.kind)
		}
		for _, x := range items {
			if x.kind != jStr || !jsonLogFlags[x.s] {
				p.fail(x, "unknown log flag")
			}
			l.Flags = append(l.Flags, x.s)
		}
	}
	return l
}

func (p *jparser) synproxy(body *jval, loc ast.Loc) ast.Stmt {
	if body.kind == jNull {
		return &ast.Synproxy{Loc: loc}
	}
	s := &ast.Synproxy{Loc: loc}
	any := false
	if body.kind == jObj {
		if n, nv, ok := p.optInt(body, "mss"); ok {
			if n < 0 {
				p.fail(nv, "invalid synproxy mss value '%d'", n)
			}
			s.Mss, any = p.uintOf(nv, n), true
		}
		if n, nv, ok := p.optInt(body, "wscale"); ok {
			if n < 0 {
				p.fail(nv, "invalid synproxy wscale value '%d'", n)
			}
			s.Wscale, any = p.uintOf(nv, n), true
		}
		if fl := body.get("flags"); fl != nil {
			any = true
			var items []*jval
			switch fl.kind {
			case jStr:
				items = []*jval{fl}
			case jArr:
				items = fl.arr
			default:
				p.fail(fl, "invalid synproxy flags type %s", fl.kind)
			}
			for _, x := range items {
				switch {
				case x.kind == jStr && x.s == "timestamp":
					s.Timestamp = true
				case x.kind == jStr && x.s == "sack-perm":
					s.SackPerm = true
				default:
					p.fail(x, "unknown synproxy flag")
				}
			}
		}
	}
	if any {
		return s
	}
	return &ast.ObjRef{Loc: loc, Kind: ast.ObjSynproxy, Name: p.expr(body, cxStmt)}
}
