package delinearize

// This file is nfsh's JSON backend: the statements and expressions the
// delinearizer lifts from a rule, written in libnftables-json(5) form as
// nft 1.0.6 prints them for `nft -j list` (its src/json.c). Constructs
// nft would print wrongly or that nfsh cannot render yet are refused with
// an error naming them; nothing is approximated.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/types"
)

// jsonCtx carries the output options and the first error of one JSON
// rendering; the source expressions of statements printed from text.
type jsonCtx struct {
	o   *Options
	err error
	src map[*stmt]expr.Expr
}

// fail records the first construct that has no JSON form.
func (c *jsonCtx) fail(format string, args ...any) any {
	if c.err == nil {
		c.err = &diag.Error{Op: "json", Msg: fmt.Sprintf(format, args...)}
	}
	return nil
}

// RuleJSON returns the "expr" array of rule r of table t as `nft -j list`
// prints it (libnftables-json(5) statements), encoded like nft does. A
// rule with a statement nfsh cannot print in nft's JSON is an error.
func RuleJSON(t *ruleset.Table, r *ruleset.Rule, o *Options) (json.RawMessage, error) {
	v, err := RuleJSONValue(t, r, o)
	if err != nil {
		return nil, err
	}
	return AppendJSON(nil, v), nil
}

// RuleJSONValue is RuleJSON as a value (a []any of statement objects) to
// embed in a larger document with AppendJSON.
func RuleJSONValue(t *ruleset.Table, r *ruleset.Rule, o *Options) (out []any, err error) {
	defer func() {
		if x := recover(); x != nil {
			if panicOnBug {
				panic(x)
			}
			out, err = nil, &diag.Error{Op: "json", Msg: fmt.Sprintf("rule cannot be printed as JSON: %v", x)}
		}
	}()
	c := &jsonCtx{o: o, src: map[*stmt]expr.Expr{}}
	stmts := c.ruleStmts(t, r)
	out = []any{}
	for _, s := range stmts {
		out = append(out, c.stmt(s))
		if c.err != nil {
			return nil, c.err
		}
	}
	return out, nil
}

// ruleStmts delinearizes r like Rule does, remembering which kernel
// expression each statement came from.
func (c *jsonCtx) ruleStmts(t *ruleset.Table, r *ruleset.Rule) []*stmt {
	lookup := func(name string) *setInfo {
		for _, s := range r.Sets {
			if s.Name == name {
				return SetInfo(t, s, c.o)
			}
		}
		if t != nil {
			if s := t.Set(name); s != nil {
				return SetInfo(t, s, c.o)
			}
		}
		return nil
	}
	fam := uint8(0)
	if t != nil {
		fam = uint8(t.Family)
	}
	bound := func(name string) (string, bool) {
		if t == nil {
			return "", false
		}
		ch := t.Chain(name)
		if ch == nil || ch.Flags&chainBinding == 0 {
			return "", false
		}
		return "", true
	}
	pc := &parseCtx{family: fam, sets: lookup, bound: bound}
	for _, e := range r.Exprs {
		pc.cur = nil
		n := len(pc.stmts)
		pc.parse(e)
		for _, s := range pc.stmts[n:] {
			c.src[s] = e
			if d, ok := e.(*expr.Dynset); ok && len(s.sub) == len(d.Exprs) {
				for i, sub := range s.sub {
					c.src[sub] = d.Exprs[i]
				}
			}
		}
	}
	return postprocess(fam, pc.stmts)
}

// stmt is stmt_print_json.
func (c *jsonCtx) stmt(s *stmt) any {
	o := c.o
	switch s.k {
	case sExpr, sVerdict:
		return c.node(s.expr)
	case sPayload, sExthdr:
		return NewJSONObject("mangle", NewJSONObject("key", c.node(s.key), "value", c.node(s.val)))
	case sMeta:
		key := NewJSONObject("meta", NewJSONObject("key", keyTmpl(types.MetaKeys, s.num).Name))
		return NewJSONObject("mangle", NewJSONObject("key", key, "value", c.node(s.val)))
	case sCt:
		return NewJSONObject("mangle", NewJSONObject("key", ctJSON(s.num, int32(s.family)), "value", c.node(s.val)))
	case sNat:
		return c.natJSON(s)
	case sTproxy:
		root := NewJSONObject()
		if s.tfamily == 1 && s.family != 0 {
			root.Set("family", familyName(s.family))
		}
		if s.a != nil {
			root.Set("addr", c.node(s.a))
		}
		if s.b != nil {
			root.Set("port", c.node(s.b))
		}
		return NewJSONObject("tproxy", root)
	case sReject:
		return c.rejectJSON(s)
	case sSet:
		root := NewJSONObject("op", dynsetOps[s.num], "elem", c.node(s.key), "set", "@"+s.setRef.set.name)
		if len(s.sub) > 0 {
			root.Set("stmt", c.stmtList(s.sub))
		}
		return NewJSONObject("set", root)
	case sMap:
		// nft 1.0.6's map statement has no JSON form: nft prints its
		// text as a JSON string
		return s.print(o)
	case sMeter:
		var sub any
		if len(s.sub) > 0 {
			saved := c.o
			c.o = statelessOpts(o)
			sub = c.stmt(s.sub[0])
			c.o = saved
		}
		root := NewJSONObject("key", c.node(s.key), "stmt", sub, "size", s.num)
		if s.setRef != nil {
			root.Set("name", s.setRef.set.name)
		}
		return NewJSONObject("meter", root)
	case sDup:
		if s.a == nil {
			return NewJSONObject("dup", nil)
		}
		root := NewJSONObject("addr", c.node(s.a))
		if s.b != nil {
			root.Set("dev", c.node(s.b))
		}
		return NewJSONObject("dup", root)
	case sFwd:
		root := NewJSONObject("dev", c.node(s.a))
		if s.b != nil {
			root.Set("family", familyName(s.family))
			root.Set("addr", c.node(s.b))
		}
		return NewJSONObject("fwd", root)
	case sObjref:
		name := objTypeName(s.num)
		if name == "unknown" {
			return c.fail("object reference of type %d", s.num)
		}
		return NewJSONObject(name, c.node(s.expr))
	case sQueue:
		root := NewJSONObject()
		if s.expr != nil {
			root.Set("num", c.node(s.expr))
		}
		var flags []any
		if s.flags&1 != 0 {
			flags = append(flags, "bypass")
		}
		if s.flags&2 != 0 {
			flags = append(flags, "fanout")
		}
		setFlags(root, "flags", flags)
		if root.Len() == 0 {
			return NewJSONObject("queue", nil)
		}
		return NewJSONObject("queue", root)
	case sText:
		return c.textStmt(s)
	}
	return c.fail("statement %q", s.print(o))
}

// stmtList is set_stmt_list_json: the statements always stateless.
func (c *jsonCtx) stmtList(l []*stmt) []any {
	saved := c.o
	c.o = statelessOpts(saved)
	defer func() { c.o = saved }()
	out := []any{}
	for _, s := range l {
		out = append(out, c.stmt(s))
	}
	return out
}

// setFlags stores a flag list nft's way: nothing for none, a string for
// one, an array for more.
func setFlags(root *JSONObject, key string, flags []any) {
	switch len(flags) {
	case 0:
	case 1:
		root.Set(key, flags[0])
	default:
		root.Set(key, flags)
	}
}

func (c *jsonCtx) stateless() bool { return c.o != nil && c.o.Stateless }

// textStmt prints the statements the text printer keeps as text, from
// the kernel expression they came from.
func (c *jsonCtx) textStmt(s *stmt) any {
	e, ok := c.src[s]
	if !ok {
		return c.textFallback(s)
	}
	switch x := e.(type) {
	case *expr.Counter:
		if c.stateless() {
			return NewJSONObject("counter", nil)
		}
		return NewJSONObject("counter", NewJSONObject("packets", x.Packets, "bytes", x.Bytes))
	case *expr.Log:
		return logJSON(x)
	case *expr.Limit:
		return limitJSON(x)
	case *expr.Quota:
		v, u := rateUnit(x.Bytes)
		root := NewJSONObject("val", v, "val_unit", u)
		if x.Flags&1 != 0 {
			root.Set("inv", true)
		}
		if !c.stateless() && x.Consumed != 0 {
			v, u = rateUnit(x.Consumed)
			root.Set("used", v)
			root.Set("used_unit", u)
		}
		return NewJSONObject("quota", root)
	case *expr.Connlimit:
		root := NewJSONObject("val", x.Count)
		if x.Flags&1 != 0 {
			root.Set("inv", true)
		}
		return NewJSONObject("ct count", root)
	case *expr.Synproxy:
		return NewJSONObject("synproxy", synproxyJSON(uint32(x.MSS), uint32(x.Wscale), x.Flags, true))
	case *expr.Notrack:
		return NewJSONObject("notrack", nil)
	case *expr.FlowOffload:
		return NewJSONObject("flow", NewJSONObject("op", "add", "flowtable", "@"+x.TableName))
	case *expr.Match:
		return NewJSONObject("xt", NewJSONObject("type", "match", "name", x.MatchName))
	case *expr.Target:
		return NewJSONObject("xt", NewJSONObject("type", "target", "name", x.TargetName))
	case *expr.Exthdr:
		// optstrip_stmt_json: the option by name, or raw by kind
		if x.Op == expr.ExthdrOpTCPOpt {
			if d := tcpOpts[int(x.Type)]; d != nil {
				return NewJSONObject("reset", NewJSONObject("tcp option", NewJSONObject("name", d.name)))
			}
			return NewJSONObject("reset", NewJSONObject("tcp option", NewJSONObject("base", x.Type, "offset", 0, "len", 0)))
		}
	case *expr.Immediate:
		if x.Verdict != nil {
			// a bound chain: nft 1.0.6's chain statement has no JSON form
			return c.fail("anonymous chain (%s {...})", verdictString(x.Verdict.Code, ""))
		}
	}
	return c.textFallback(s)
}

// textFallback handles text statements with no source expression.
func (c *jsonCtx) textFallback(s *stmt) any {
	txt := s.print(c.o)
	switch {
	case txt == "counter":
		return NewJSONObject("counter", nil)
	case strings.HasPrefix(txt, "counter packets "):
		var p, b uint64
		if _, err := fmt.Sscanf(txt, "counter packets %d bytes %d", &p, &b); err == nil {
			return NewJSONObject("counter", NewJSONObject("packets", p, "bytes", b))
		}
	}
	return c.fail("statement %q", txt)
}

// logJSON is log_stmt_json.
func logJSON(x *expr.Log) any {
	root := NewJSONObject()
	if x.Prefix != nil {
		root.Set("prefix", *x.Prefix)
	}
	if x.Group != nil {
		root.Set("group", *x.Group)
	}
	if x.Snaplen != nil {
		root.Set("snaplen", *x.Snaplen)
	}
	if x.QThreshold != nil {
		root.Set("queue-threshold", *x.QThreshold)
	}
	if x.Level != nil && *x.Level != 4 {
		l := "unknown"
		if int(*x.Level) < len(logLevels) {
			l = logLevels[*x.Level]
		}
		root.Set("level", l)
	}
	var f uint32
	if x.Flags != nil {
		f = *x.Flags
	}
	var flags []any
	if f&0x2f == 0x2f {
		flags = append(flags, "all")
	} else {
		for _, b := range []struct {
			bit  uint32
			name string
		}{{0x1, "tcp sequence"}, {0x2, "tcp options"}, {0x4, "ip options"}, {0x8, "skuid"}, {0x20, "ether"}} {
			if f&b.bit != 0 {
				flags = append(flags, b.name)
			}
		}
	}
	setFlags(root, "flags", flags)
	if root.Len() == 0 {
		return NewJSONObject("log", nil)
	}
	return NewJSONObject("log", root)
}

// limitJSON is limit_stmt_json.
func limitJSON(x *expr.Limit) any {
	rate, burst := x.Rate, uint64(x.Burst)
	var rateU, burstU string
	if x.Type == 1 {
		rate, rateU = rateUnit(x.Rate)
		burst, burstU = rateUnit(uint64(x.Burst))
	}
	root := NewJSONObject("rate", rate, "burst", burst, "per", timeUnit(x.Unit))
	if x.Flags&1 != 0 {
		root.Set("inv", true)
	}
	if rateU != "" {
		root.Set("rate_unit", rateU)
	}
	if burstU != "" {
		root.Set("burst_unit", burstU)
	}
	return NewJSONObject("limit", root)
}

// synproxyJSON is the body of synproxy_stmt_json (stmt) or of a synproxy
// object (obj: mss and wscale always present).
func synproxyJSON(mss, wscale, flags uint32, stmt bool) any {
	root := NewJSONObject()
	if !stmt || flags&0x1 != 0 {
		root.Set("mss", mss)
	}
	if !stmt || flags&0x2 != 0 {
		root.Set("wscale", wscale)
	}
	var fl []any
	if flags&0x8 != 0 {
		fl = append(fl, "timestamp")
	}
	if flags&0x4 != 0 {
		fl = append(fl, "sack-perm")
	}
	if len(fl) > 0 {
		root.Set("flags", fl)
	}
	if root.Len() == 0 {
		return nil
	}
	return root
}

// natJSON is nat_stmt_json.
func (c *jsonCtx) natJSON(s *stmt) any {
	root := NewJSONObject()
	switch s.family {
	case 2, 10:
		root.Set("family", familyName(s.family))
	}
	if s.a != nil {
		root.Set("addr", c.node(s.a))
	}
	if s.b != nil {
		root.Set("port", c.node(s.b))
	}
	var flags []any
	if s.flags&0x4 != 0 {
		flags = append(flags, "random")
	}
	if s.flags&0x10 != 0 {
		flags = append(flags, "fully-random")
	}
	if s.flags&0x8 != 0 {
		flags = append(flags, "persistent")
	}
	if s.flags&0x40 != 0 {
		flags = append(flags, "netmap")
	}
	setFlags(root, "flags", flags)
	if s.prefix {
		root.Set("type_flags", "prefix")
	}
	name := []string{"snat", "dnat", "masquerade", "redirect"}[s.natType]
	if root.Len() == 0 {
		return NewJSONObject(name, nil)
	}
	return NewJSONObject(name, root)
}

// rejectJSON is reject_stmt_json.
func (c *jsonCtx) rejectJSON(s *stmt) any {
	code := &node{k: kValue, t: s.a.t, order: types.OrderBig, len: 8, v: s.a.v}
	var typ string
	var ex any
	switch s.num {
	case 1:
		typ = "tcp reset"
	case 2:
		typ, ex = "icmpx", c.node(code)
	case 0:
		switch s.family {
		case 2:
			typ, ex = "icmp", c.node(code)
		case 10:
			typ, ex = "icmpv6", c.node(code)
		}
	}
	if typ == "" {
		return NewJSONObject("reject", nil)
	}
	root := NewJSONObject("type", typ)
	if ex != nil {
		root.Set("expr", ex)
	}
	return NewJSONObject("reject", root)
}

// ctJSON is ct_expr_json.
func ctJSON(key uint32, dir int32) any {
	root := NewJSONObject("key", keyTmpl(types.CtKeys, key).Name)
	switch dir {
	case 0:
		root.Set("dir", "original")
	case 1:
		root.Set("dir", "reply")
	}
	return NewJSONObject("ct", root)
}

// opJSON is nft's expr_op_symbols with "in" for the implicit operator.
func opJSON(o op) string {
	if s, ok := opSymbols[o]; ok {
		return s
	}
	if o == opInvalid {
		return "invalid"
	}
	return "in"
}

// node is expr_print_json.
func (c *jsonCtx) node(n *node) any {
	if c.err != nil {
		return nil
	}
	if n == nil {
		return c.fail("unknown expression")
	}
	switch n.k {
	case kValue:
		return c.value(n)
	case kText:
		if strings.HasPrefix(n.text, `"`) && strings.HasSuffix(n.text, `"`) && len(n.text) >= 2 {
			return n.text[1 : len(n.text)-1]
		}
		return c.fail("expression %q", n.text)
	case kPayload:
		if payloadKnown(n) {
			return NewJSONObject("payload", NewJSONObject("protocol", n.desc.name, "field", n.tmpl.name))
		}
		b := "invalid"
		if n.base >= 0 && n.base < len(baseTokens) {
			b = baseTokens[n.base]
		}
		return NewJSONObject("payload", NewJSONObject("base", b, "offset", n.offset, "len", n.len))
	case kMeta:
		return NewJSONObject("meta", NewJSONObject("key", keyTmpl(types.MetaKeys, n.key).Name))
	case kCt:
		return ctJSON(n.key, n.dir)
	case kExthdr:
		return c.exthdrJSON(n)
	case kRt:
		name := keyTmpl(types.RtKeys, n.key).Name
		root := NewJSONObject("key", name)
		switch n.key {
		case 1:
			root.Set("key", "nexthop")
			root.Set("family", "ip")
		case 2:
			root.Set("key", "nexthop")
			root.Set("family", "ip6")
		}
		return NewJSONObject("rt", root)
	case kSocket:
		f := strings.Fields(n.text)
		if len(f) < 2 {
			return c.fail("expression %q", n.text)
		}
		return NewJSONObject("socket", NewJSONObject("key", f[1]))
	case kOsf:
		key := "name"
		if strings.HasSuffix(n.text, " version") {
			key = "version"
		}
		root := NewJSONObject("key", key)
		if strings.Contains(n.text, " ttl loose") {
			root.Set("ttl", "loose")
		} else if strings.Contains(n.text, " ttl skip") {
			root.Set("ttl", "skip")
		}
		return NewJSONObject("osf", root)
	case kFib:
		return c.fibJSON(n)
	case kNumgen:
		return c.numgenJSON(n)
	case kHash:
		typ := "jhash"
		if n.key == 1 {
			typ = "symhash"
		}
		root := NewJSONObject("mod", n.extra["mod"])
		if n.extra["seedset"] != 0 {
			root.Set("seed", n.extra["seed"])
		}
		if n.extra["offset"] != 0 {
			root.Set("offset", n.extra["offset"])
		}
		if n.key != 1 {
			root.Set("expr", c.node(n.hashArg))
		}
		return NewJSONObject(typ, root)
	case kXfrm:
		return c.xfrmJSON(n)
	case kVerdict:
		return verdictJSON(n.verdict, n.text)
	case kBinop:
		return NewJSONObject(opSymbols[n.op], []any{c.node(n.left), c.node(n.right)})
	case kRelational:
		return NewJSONObject("match", NewJSONObject("op", opJSON(n.op), "left", c.node(n.left), "right", c.node(n.right)))
	case kUnary:
		return c.node(n.left)
	case kPrefix:
		return NewJSONObject("prefix", NewJSONObject("addr", c.node(n.left), "len", n.plen))
	case kRange:
		saved := c.o
		no := statelessOpts(saved)
		no.Stateless = saved != nil && saved.Stateless
		no.NumericProto = true
		c.o = no
		l, r := c.node(n.left), c.node(n.right)
		c.o = saved
		return NewJSONObject("range", []any{l, r})
	case kConcat:
		if len(n.args) == 1 {
			// a one-register "concatenation" (a 1-bit value compared
			// as a byte) is the value itself to nft
			return c.node(n.args[0])
		}
		return NewJSONObject("concat", c.list(n.args))
	case kList:
		return c.list(n.args)
	case kSet:
		return NewJSONObject("set", c.list(n.args))
	case kSetRef:
		if n.set.anonymous {
			if el := n.set.elements(); el != nil {
				return c.node(el)
			}
			return c.fail("anonymous set %s without elements", n.set.name)
		}
		return "@" + n.set.name
	case kMap:
		typ := "map"
		if n.right.k == kSetRef && n.right.set.dataIsVerdict {
			typ = "vmap"
		}
		return NewJSONObject(typ, NewJSONObject("key", c.node(n.left), "data", c.node(n.right)))
	case kMapping:
		return []any{c.node(n.left), c.node(n.right)}
	case kSetElem:
		return c.setElemJSON(n)
	case kCatchall:
		return "*"
	case kFlagcmp:
		left := NewJSONObject("&", []any{c.node(n.left), c.node(n.args[0])})
		return NewJSONObject("match", NewJSONObject("op", opJSON(n.op), "left", left, "right", c.node(n.args[1])))
	}
	return c.fail("expression %q", n.print(c.o))
}

func (c *jsonCtx) list(l []*node) []any {
	out := make([]any, 0, len(l))
	for _, a := range l {
		out = append(out, c.node(a))
	}
	return out
}

// setElemJSON is set_elem_expr_json.
func (c *jsonCtx) setElemJSON(n *node) any {
	key := c.node(n.left)
	ei := n.elem
	if ei == nil || (ei.timeout == 0 && ei.expiration == 0 && ei.comment == "" && len(ei.stmts) == 0) {
		return key
	}
	root := NewJSONObject("val", key)
	if ei.timeout != 0 {
		root.Set("timeout", ei.timeout/1000)
	}
	if ei.expiration != 0 {
		root.Set("expires", ei.expiration/1000)
	}
	if ei.comment != "" {
		root.Set("comment", ei.comment)
	}
	if len(ei.stmts) > 0 {
		if so, ok := c.stmt(ei.stmts[0]).(*JSONObject); ok {
			for i, k := range so.keys {
				root.setMissing(k, so.vals[i])
			}
		}
	}
	return NewJSONObject("elem", root)
}

// verdictJSON is verdict_expr_json.
func verdictJSON(code int32, chain string) any {
	var name string
	switch code {
	case -1:
		name = "continue"
	case -2:
		name = "break"
	case -3:
		name = "jump"
	case -4:
		name = "goto"
	case -5:
		name = "return"
	case 1:
		name = "accept"
	case 0:
		name = "drop"
	case 3:
		name = "queue"
	default:
		return nil
	}
	if (code == -3 || code == -4) && chain != "" {
		return NewJSONObject(name, NewJSONObject("target", chain))
	}
	return NewJSONObject(name, nil)
}

// exthdrJSON is exthdr_expr_json, from the names the text printer found.
func (c *jsonCtx) exthdrJSON(n *node) any {
	present := n.extra["flags"]&uint64(expr.ExthdrFPresent) != 0
	txt := n.text
	raw := func() any { return c.fail("raw extension header expression %q", txt) }
	nameField := func(s string) *JSONObject {
		name, field, _ := strings.Cut(s, " ")
		root := NewJSONObject("name", name)
		if !present {
			if field == "" {
				return nil
			}
			root.Set("field", field)
		}
		return root
	}
	switch n.extra["op"] {
	case uint64(expr.ExthdrOpTCPOpt):
		rest := strings.TrimPrefix(txt, "tcp option ")
		if strings.HasPrefix(rest, "@") {
			var kind, off, l int
			if _, err := fmt.Sscanf(rest, "@%d,%d,%d", &kind, &off, &l); err != nil {
				return raw()
			}
			return NewJSONObject("tcp option", NewJSONObject("base", kind, "offset", off, "len", l))
		}
		if tcpOpts[int(n.key)] == nil {
			if present && n.offset == 0 {
				// an unknown option's "exists": its kind byte, raw
				return NewJSONObject("tcp option", NewJSONObject("base", n.key, "offset", 0, "len", 8))
			}
			return raw()
		}
		name, field, _ := strings.Cut(rest, " ")
		if n.offset/64 >= 4 {
			name = tcpOpts[int(n.key)].name
		}
		root := NewJSONObject("name", name)
		if !present {
			root.Set("field", field)
		}
		return NewJSONObject("tcp option", root)
	case uint64(expr.ExthdrOpIPv6):
		if strings.HasPrefix(txt, "exthdr @") {
			return raw()
		}
		if present {
			txt = strings.TrimPrefix(txt, "exthdr ")
		}
		root := nameField(txt)
		if root == nil {
			return raw()
		}
		return NewJSONObject("exthdr", root)
	case exthdrOpIPv4:
		if !strings.HasPrefix(txt, "ip option ") {
			return raw()
		}
		root := nameField(strings.TrimPrefix(txt, "ip option "))
		if root == nil {
			return raw()
		}
		return NewJSONObject("ip option", root)
	case exthdrOpSCTP:
		if !strings.HasPrefix(txt, "sctp chunk ") {
			return raw()
		}
		root := nameField(strings.TrimPrefix(txt, "sctp chunk "))
		if root == nil {
			return raw()
		}
		return NewJSONObject("sctp chunk", root)
	}
	return raw()
}

// fibJSON is fib_expr_json, from the fib node's text "fib F . F RESULT".
func (c *jsonCtx) fibJSON(n *node) any {
	f := strings.Fields(strings.TrimPrefix(n.text, "fib "))
	if len(f) == 0 {
		return c.fail("expression %q", n.text)
	}
	res := f[len(f)-1]
	if res == "unknown" {
		return c.fail("fib result of %q", n.text)
	}
	root := NewJSONObject("result", res)
	var flags []any
	for _, w := range f[:len(f)-1] {
		if w == "." {
			continue
		}
		if strings.HasPrefix(w, "0x") {
			v, err := strconv.ParseUint(w[2:], 16, 32)
			if err != nil {
				return c.fail("expression %q", n.text)
			}
			flags = append(flags, v)
			continue
		}
		flags = append(flags, w)
	}
	if len(flags) > 0 {
		root.Set("flags", flags)
	}
	return NewJSONObject("fib", root)
}

// numgenJSON is numgen_expr_json, from "numgen MODE mod N [offset M]".
func (c *jsonCtx) numgenJSON(n *node) any {
	f := strings.Fields(n.text)
	if len(f) < 4 {
		return c.fail("expression %q", n.text)
	}
	mod, _ := strconv.ParseUint(f[3], 10, 32)
	var off uint64
	if len(f) >= 6 {
		off, _ = strconv.ParseUint(f[5], 10, 32)
	}
	return NewJSONObject("numgen", NewJSONObject("mode", f[1], "mod", mod, "offset", off))
}

// xfrmJSON is xfrm_expr_json, from "ipsec DIR [spnum N ]KEY".
func (c *jsonCtx) xfrmJSON(n *node) any {
	f := strings.Fields(n.text)
	if len(f) < 3 {
		return c.fail("expression %q", n.text)
	}
	dir := f[1]
	f = f[2:]
	var spnum uint64
	if f[0] == "spnum" && len(f) >= 3 {
		spnum, _ = strconv.ParseUint(f[1], 10, 32)
		f = f[2:]
	}
	root := NewJSONObject()
	switch len(f) {
	case 1:
		root.Set("key", f[0])
	case 2:
		root.Set("key", f[1])
		root.Set("family", f[0])
	default:
		return c.fail("expression %q", n.text)
	}
	root.Set("dir", dir)
	root.Set("spnum", spnum)
	return NewJSONObject("ipsec", root)
}

// value is datatype_json: a type's own JSON form, else its symbol, else
// its printed text without quotes.
func (c *jsonCtx) value(n *node) any {
	if n.t == nil {
		return c.fail("untyped value")
	}
	for d := n.t; d != nil; d = d.Base {
		switch d.ID {
		case types.TypeInteger:
			return integerJSON(n)
		case types.TypeString:
			return stringJSON(n)
		case types.TypeInetProto:
			if c.o == nil || !c.o.NumericProto {
				if n.v.IsUint64() && n.v.Uint64() < 256 {
					if name, ok := types.ProtocolName(uint8(n.v.Uint64())); ok {
						return name
					}
				}
			}
			return integerJSON(n)
		case types.TypeInetService:
			return n.v.Uint64() & 0xffff
		case types.TypeMark, types.TypeDevGroup:
			return c.symbolJSON(d, n)
		case types.TypeTime:
			return n.v.Uint64() / 1000
		case types.TypeBoolean:
			return n.v.Sign() != 0
		case types.TypeCtLabel:
			bit := uint64(n.v.TrailingZeroBits())
			if types.CtLabelSymbols != nil {
				if s, ok := types.CtLabelSymbols.Name(bit); ok {
					return s
				}
			}
			return bit
		case types.TypeUID, types.TypeGID:
			return n.v.Uint64()
		case types.TypeVerdict:
			return c.fail("verdict value")
		}
		if d.ID != types.TypeRealm && typePrinter(d) != nil {
			return unquote(typePrinter(d)(n, c.o))
		}
		if d.Symbols != nil {
			if d.ID == types.TypeRealm {
				return unquote(symbolicPrint(d, n, c.o))
			}
			return c.symbolJSON(d, n)
		}
	}
	return integerJSON(n)
}

// symbolJSON is symbolic_constant_json: the symbol's name, else the
// value in its base type's JSON form.
func (c *jsonCtx) symbolJSON(d *types.Datatype, n *node) any {
	if d.Symbols != nil && n.v.IsUint64() {
		if s, ok := d.Symbols.Name(n.v.Uint64()); ok {
			return s
		}
	}
	if n.t.Basetype() == types.String {
		return stringJSON(n)
	}
	return integerJSON(n)
}

// unquote is what datatype_json does to printed text: a leading quote is
// dropped and the text cut at the next one.
func unquote(s string) string {
	if strings.HasPrefix(s, `"`) {
		s = s[1:]
		if i := strings.IndexByte(s, '"'); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

// integerJSON is integer_type_json: a number when it fits 64 bits, else
// a hexadecimal string.
func integerJSON(n *node) any {
	if n.v.IsUint64() {
		return n.v.Uint64()
	}
	return "0x" + n.v.Text(16)
}

// stringJSON is string_type_json: the bytes up to the first NUL.
func stringJSON(n *node) any {
	b := n.bytesOrder(types.OrderHost)
	if i := indexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
