package bindings

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nfsh/nfsh/core/ruleset"
	glua "github.com/yuin/gopher-lua"
)

// Structured rules: a Lua table describing a rule becomes nft rule text
// whose values are typed $variables, compiled by the same path as
// c:rule(text), so both spellings produce identical values.
//
//	c:add{ iifname = "eth0", saddr = "10.0.0.0/8", proto = "tcp", dport = { 22, 443 },
//	       ct_state = { "new" }, limit = "10/second", counter = true,
//	       log = { prefix = "ssh: " }, verdict = "accept", tag = "ssh", comment = "..." }
//
// Keys, in the order they appear in the rule: iif, iifname, oif, oifname,
// saddr, daddr (ip or ip6 chosen from the value; "@set" looks up a named
// set and needs family = "ip"|"ip6"), proto (a name or a list: meta
// l4proto), sport, dport (with proto; th sport/dport for several
// protocols), icmp_type, ct_state, mark, limit ("N/unit" or "N/unit burst
// M packets"), counter, log (true or { prefix, level, group }), then one
// action: snat, dnat (address, address:port or { addr, port }),
// masquerade, redirect (a port), or verdict ("accept", "drop", "reject",
// "return", "jump CHAIN", "goto CHAIN").

// specKeys lists the keys a structured rule may hold.
var specKeys = []string{"iif", "iifname", "oif", "oifname", "family", "saddr", "daddr", "proto", "sport", "dport",
	"icmp_type", "ct_state", "mark", "limit", "counter", "log", "snat", "dnat", "masquerade", "redirect",
	"verdict", "tag", "comment"}

var (
	wordRe    = regexp.MustCompile(`^[a-z][a-z0-9\-]*$`)
	limitRe   = regexp.MustCompile(`^[0-9]+/(second|minute|hour|day|week)( burst [0-9]+ packets)?$`)
	actionRe  = regexp.MustCompile(`^(accept|drop|reject|return|continue|queue|(jump|goto) [A-Za-z_][A-Za-z0-9_.\-]*)$`)
	addrPort  = regexp.MustCompile(`^([0-9.]+|\[[0-9A-Fa-f:]+\]):([0-9]+)$`)
	setRefRe  = regexp.MustCompile(`^@[A-Za-z_][A-Za-z0-9_.\-]*$`)
	logLevels = map[string]bool{"emerg": true, "alert": true, "crit": true, "err": true, "warn": true, "notice": true, "info": true, "debug": true, "audit": true}
)

// ruleSpec renders a structured rule as text plus its $variables.
type ruleSpec struct {
	parts []string
	vars  *glua.LTable
	L     *glua.LState
}

// v adds variable name = val and returns "$name".
func (b *ruleSpec) v(name string, val glua.LValue) string {
	b.vars.RawSetString(name, val)
	return "$" + name
}

// words renders a keyword or list of keywords (ct states, protocols),
// which are spliced only after checking they are plain words.
func (b *ruleSpec) words(key string, val glua.LValue, sep string) (string, error) {
	var ws []string
	switch x := val.(type) {
	case glua.LString:
		ws = []string{string(x)}
	case *glua.LTable:
		for i := 1; i <= x.Len(); i++ {
			ws = append(ws, x.RawGetInt(i).String())
		}
	default:
		return "", fmt.Errorf("%s: a name or list of names expected, got %s", key, val.Type().String())
	}
	for _, w := range ws {
		if !wordRe.MatchString(w) {
			return "", fmt.Errorf("%s: %q is not a name", key, w)
		}
	}
	if len(ws) == 0 {
		return "", fmt.Errorf("%s: empty list", key)
	}
	if len(ws) > 1 && sep == ", " {
		return "{ " + strings.Join(ws, ", ") + " }", nil
	}
	return strings.Join(ws, sep), nil
}

// ipFamily guesses ip or ip6 from an address value.
func ipFamily(val glua.LValue) string {
	s := val.String()
	if t, ok := val.(*glua.LTable); ok && t.Len() > 0 {
		s = t.RawGetInt(1).String()
	}
	if strings.Contains(s, ":") {
		return "ip6"
	}
	return "ip"
}

// quoted renders a string literal for log prefixes and comments.
func quoted(key, s string) (string, error) {
	if strings.ContainsAny(s, "\"\n\\") {
		return "", fmt.Errorf("%s: %q may not contain quotes, backslashes or newlines", key, s)
	}
	return strconv.Quote(s), nil
}

// buildRule renders spec t; it returns the text and the variables table.
func buildRule(L *glua.LState, t *glua.LTable) (string, *glua.LTable, error) {
	b := &ruleSpec{vars: L.NewTable(), L: L}
	var bad []string
	t.ForEach(func(k, _ glua.LValue) {
		ok := false
		for _, s := range specKeys {
			ok = ok || k.String() == s
		}
		if !ok {
			bad = append(bad, k.String())
		}
	})
	if len(bad) > 0 {
		return "", nil, fmt.Errorf("unknown rule key %s (known: %s)", strings.Join(bad, ", "), strings.Join(specKeys, ", "))
	}
	get := func(k string) glua.LValue { return t.RawGetString(k) }
	has := func(k string) bool { return get(k) != glua.LNil }
	for _, k := range []string{"iif", "iifname", "oif", "oifname"} {
		if has(k) {
			b.parts = append(b.parts, k+" "+b.v(k, get(k)))
		}
	}
	fam := ""
	if has("family") {
		fam = get("family").String()
		if fam != "ip" && fam != "ip6" {
			return "", nil, fmt.Errorf("family: \"ip\" or \"ip6\" expected, got %q", fam)
		}
	}
	for _, k := range []string{"saddr", "daddr"} {
		if !has(k) {
			continue
		}
		f := fam
		if f == "" {
			f = ipFamily(get(k))
		}
		if s, ok := get(k).(glua.LString); ok && strings.HasPrefix(string(s), "@") {
			if !setRefRe.MatchString(string(s)) {
				return "", nil, fmt.Errorf("%s: bad set reference %q", k, string(s))
			}
			b.parts = append(b.parts, f+" "+k+" "+string(s))
			continue
		}
		b.parts = append(b.parts, f+" "+k+" "+b.v(k, get(k)))
	}
	proto := ""
	if has("proto") {
		p, err := b.words("proto", get("proto"), ", ")
		if err != nil {
			return "", nil, err
		}
		if strings.HasPrefix(p, "{") || (!has("sport") && !has("dport")) {
			b.parts = append(b.parts, "meta l4proto "+p)
			proto = "th"
		} else {
			proto = p
		}
	}
	for _, k := range []string{"sport", "dport"} {
		if !has(k) {
			continue
		}
		if proto == "" {
			return "", nil, fmt.Errorf("%s needs proto (\"tcp\", \"udp\", ...)", k)
		}
		if s, ok := get(k).(glua.LString); ok && strings.HasPrefix(string(s), "@") && setRefRe.MatchString(string(s)) {
			b.parts = append(b.parts, proto+" "+k+" "+string(s))
			continue
		}
		b.parts = append(b.parts, proto+" "+k+" "+b.v(k, get(k)))
	}
	if has("icmp_type") {
		w, err := b.words("icmp_type", get("icmp_type"), ", ")
		if err != nil {
			return "", nil, err
		}
		b.parts = append(b.parts, "icmp type "+w)
	}
	if has("ct_state") {
		w, err := b.words("ct_state", get("ct_state"), ",")
		if err != nil {
			return "", nil, err
		}
		b.parts = append(b.parts, "ct state "+w)
	}
	if has("mark") {
		b.parts = append(b.parts, "meta mark "+b.v("mark", get("mark")))
	}
	if has("limit") {
		s := get("limit").String()
		if !limitRe.MatchString(s) {
			return "", nil, fmt.Errorf("limit: %q is not N/second|minute|hour|day|week [burst N packets]", s)
		}
		b.parts = append(b.parts, "limit rate "+s)
	}
	if glua.LVAsBool(get("counter")) {
		b.parts = append(b.parts, "counter")
	}
	switch lv := get("log").(type) {
	case glua.LBool:
		if lv {
			b.parts = append(b.parts, "log")
		}
	case *glua.LTable:
		s := "log"
		if p := lv.RawGetString("prefix"); p != glua.LNil {
			q, err := quoted("log prefix", p.String())
			if err != nil {
				return "", nil, err
			}
			s += " prefix " + q
		}
		if p := lv.RawGetString("level"); p != glua.LNil {
			if !logLevels[p.String()] {
				return "", nil, fmt.Errorf("log level: unknown level %q", p.String())
			}
			s += " level " + p.String()
		}
		if p, ok := lv.RawGetString("group").(glua.LNumber); ok {
			s += " group " + strconv.Itoa(int(p))
		}
		b.parts = append(b.parts, s)
	case *glua.LNilType:
	default:
		return "", nil, fmt.Errorf("log: true or { prefix, level, group } expected")
	}
	for _, k := range []string{"snat", "dnat"} {
		if !has(k) {
			continue
		}
		var addr, port glua.LValue = glua.LNil, glua.LNil
		switch x := get(k).(type) {
		case glua.LString:
			if m := addrPort.FindStringSubmatch(string(x)); m != nil {
				addr = glua.LString(strings.Trim(m[1], "[]"))
				n, _ := strconv.Atoi(m[2])
				port = glua.LNumber(n)
			} else {
				addr = x
			}
		case *glua.LTable:
			addr, port = x.RawGetString("addr"), x.RawGetString("port")
		default:
			return "", nil, fmt.Errorf("%s: an address, \"addr:port\" or { addr, port } expected", k)
		}
		f := fam
		if f == "" {
			f = ipFamily(addr)
		}
		s := k + " " + f + " to " + b.v(k+"_addr", addr)
		if port != glua.LNil {
			s += ":" + b.v(k+"_port", port)
		}
		b.parts = append(b.parts, s)
	}
	if glua.LVAsBool(get("masquerade")) {
		b.parts = append(b.parts, "masquerade")
	}
	if has("redirect") {
		b.parts = append(b.parts, "redirect to :"+b.v("redirect", get("redirect")))
	}
	if has("verdict") {
		s := get("verdict").String()
		if !actionRe.MatchString(s) {
			return "", nil, fmt.Errorf("verdict: %q is not accept, drop, reject, return, continue, queue, jump CHAIN or goto CHAIN", s)
		}
		b.parts = append(b.parts, s)
	}
	if len(b.parts) == 0 {
		return "", nil, fmt.Errorf("empty rule")
	}
	return strings.Join(b.parts, " "), b.vars, nil
}

// nftRuleText implements nft.rule_text(spec): the text and variables of
// a structured rule (for display and for checking a builder).
func (m *module) nftRuleText(L *glua.LState) int {
	text, vars, err := buildRule(L, L.CheckTable(1))
	if err != nil {
		raise(L, callSite(L), err)
	}
	L.Push(glua.LString(text))
	L.Push(vars)
	return 2
}

// cAdd implements c:add(spec): a structured rule appended to the chain.
func (m *module) cAdd(L *glua.LState, op ruleset.Op) int {
	cv := checkChain(L, 1)
	spec := L.CheckTable(2)
	pos := callSite(L)
	text, vars, err := buildRule(L, spec)
	if err != nil {
		raise(L, pos, err)
	}
	for _, k := range []string{"tag", "comment"} {
		if v := spec.RawGetString(k); v != glua.LNil {
			vars.RawSetString(k, v)
		}
	}
	m.addRule(L, cv, text, vars, pos, op)
	L.Push(L.Get(1))
	return 1
}
