package parse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nfsh/nfsh/core/ast"
	"github.com/nfsh/nfsh/core/diag"
)

// noPos ignores positions when comparing trees.
var noPos = cmpopts.IgnoreTypes(ast.Loc{})

func sym(s string) *ast.Symbol    { return &ast.Symbol{Text: s} }
func num(v uint64) *ast.Number    { return &ast.Number{Text: fmt.Sprint(v), Value: v} }
func str(s string) *ast.String    { return &ast.String{Text: s} }
func elem(e ast.Expr) *ast.Elem   { return &ast.Elem{Key: e} }
func pl(p, f string) *ast.Payload { return &ast.Payload{Proto: p, Field: f} }

func TestRuleGrammar(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []ast.Stmt
	}{
		{"implicit match", "tcp dport 22", []ast.Stmt{&ast.Match{Left: pl("tcp", "dport"), Right: num(22)}}},
		{"word operator", "tcp dport ne 22", []ast.Stmt{&ast.Match{Left: pl("tcp", "dport"), Op: "!=", Right: num(22)}}},
		{"list", "ct state established,related accept", []ast.Stmt{
			&ast.Match{Left: &ast.Ct{Key: "state"}, Right: &ast.List{Exprs: []ast.Expr{sym("established"), sym("related")}}},
			&ast.VerdictStmt{Verdict: &ast.Verdict{Kind: "accept"}},
		}},
		{"flag mask", "tcp flags syn / syn,ack", []ast.Stmt{&ast.Match{Left: pl("tcp", "flags"), Right: sym("syn"),
			Mask: &ast.List{Exprs: []ast.Expr{sym("syn"), sym("ack")}}}}},
		{"binop lhs", "tcp flags & (fin|syn) == syn", []ast.Stmt{&ast.Match{
			Left: &ast.Binary{Op: "&", X: pl("tcp", "flags"), Y: &ast.Binary{Op: "|", X: sym("fin"), Y: sym("syn")}},
			Op:   "==", Right: sym("syn")}}},
		{"prefix and range", "ip saddr 10.0.0.0/8 ip daddr 1.2.3.4-1.2.3.9", []ast.Stmt{
			&ast.Match{Left: pl("ip", "saddr"), Right: &ast.Prefix{X: sym("10.0.0.0"), Len: 8}},
			&ast.Match{Left: pl("ip", "daddr"), Right: &ast.Range{Lo: sym("1.2.3.4"), Hi: sym("1.2.3.9")}},
		}},
		{"ipv6 forms", "ip6 saddr ::ffff:1.2.3.4 ip6 daddr [::1]", []ast.Stmt{
			&ast.Match{Left: pl("ip6", "saddr"), Right: sym("::ffff:1.2.3.4")},
			&ast.Match{Left: pl("ip6", "daddr"), Right: sym("::1")},
		}},
		{"protocol word as value", "meta l4proto tcp tcp dport 1", []ast.Stmt{
			&ast.Match{Left: &ast.Meta{Key: "l4proto", Qualified: true}, Right: sym("tcp")},
			&ast.Match{Left: pl("tcp", "dport"), Right: num(1)},
		}},
		{"set and concat", "ip saddr . tcp dport { 1.2.3.4 . 22 }", []ast.Stmt{&ast.Match{
			Left:  &ast.Concat{Exprs: []ast.Expr{pl("ip", "saddr"), pl("tcp", "dport")}},
			Right: &ast.SetExpr{Elems: []ast.Expr{elem(&ast.Concat{Exprs: []ast.Expr{sym("1.2.3.4"), num(22)}})}},
		}}},
		{"vmap", "tcp dport vmap { 22 : accept, * : jump other }", []ast.Stmt{&ast.VerdictMap{
			Key: pl("tcp", "dport"),
			Map: &ast.SetExpr{Elems: []ast.Expr{
				&ast.Mapping{Key: elem(num(22)), Value: &ast.Verdict{Kind: "accept"}},
				&ast.Mapping{Key: elem(&ast.CatchAll{}), Value: &ast.Verdict{Kind: "jump", Chain: sym("other")}},
			}},
		}}},
		{"meta set ct", "meta mark set ct mark", []ast.Stmt{&ast.Assign{Target: &ast.Meta{Key: "mark", Qualified: true}, Value: &ast.Ct{Key: "mark"}}}},
		{"unqualified set", "mark set 0x10", []ast.Stmt{&ast.Assign{Target: &ast.Meta{Key: "mark"}, Value: &ast.Number{Text: "0x10", Value: 16}}}},
		{"map lookup", "meta mark set ip saddr map { 1.2.3.4 : 1 }", []ast.Stmt{&ast.Assign{
			Target: &ast.Meta{Key: "mark", Qualified: true},
			Value: &ast.MapLookup{X: pl("ip", "saddr"), Map: &ast.SetExpr{Elems: []ast.Expr{
				&ast.Mapping{Key: elem(sym("1.2.3.4")), Value: num(1)}}}},
		}}},
		{"element options", "ip saddr { 1.2.3.4 timeout 10s comment \"x\" counter }", []ast.Stmt{&ast.Match{
			Left: pl("ip", "saddr"),
			Right: &ast.SetExpr{Elems: []ast.Expr{&ast.Elem{Key: sym("1.2.3.4"), Timeout: sym("10s"), Comment: str("x"),
				Stmts: []ast.Stmt{&ast.Counter{}}}}},
		}}},
		{"dynset", "add @s { ip saddr timeout 10s counter }", []ast.Stmt{&ast.DynSet{Op: "add", Set: &ast.SetRef{Name: "s"},
			Key: &ast.Elem{Key: pl("ip", "saddr"), Timeout: sym("10s")}, Stmts: []ast.Stmt{&ast.Counter{}}}}},
		{"nat family", "dnat ip to 10.0.0.1:8080", []ast.Stmt{&ast.Nat{Kind: "dnat", Family: "ip", Addr: sym("10.0.0.1"), Port: num(8080)}}},
		{"nat range flags", "snat to 1.2.3.4-1.2.3.5:1024-2048 random,persistent", []ast.Stmt{&ast.Nat{Kind: "snat",
			Addr: &ast.Range{Lo: sym("1.2.3.4"), Hi: sym("1.2.3.5")}, Port: &ast.Range{Lo: num(1024), Hi: num(2048)},
			Flags: []string{"random", "persistent"}}}},
		{"masquerade port", "masquerade to :1024", []ast.Stmt{&ast.Nat{Kind: "masquerade", Port: num(1024)}}},
		{"reject", "reject with icmpx type port-unreachable", []ast.Stmt{&ast.Reject{With: "icmpx", Code: sym("port-unreachable")}}},
		{"limit bytes", "limit rate over 10 mbytes/second burst 2 mbytes", []ast.Stmt{&ast.Limit{Over: true, Rate: 10,
			RateUnit: "mbytes", Per: "second", Burst: &ast.Uint{V: 2}, BurstUnit: "mbytes"}}},
		{"limit packets", "limit rate 10/minute", []ast.Stmt{&ast.Limit{Rate: 10, Per: "minute"}}},
		{"quota", "quota over 10 mbytes used 1 kbytes", []ast.Stmt{&ast.Quota{Over: true, Amount: 10, Unit: "mbytes",
			Used: &ast.Uint{V: 1}, UsedUnit: "kbytes"}}},
		{"objref", "counter name \"c\" ct helper set \"ftp\"", []ast.Stmt{
			&ast.ObjRef{Kind: ast.ObjCounter, Name: str("c")}, &ast.ObjRef{Kind: ast.ObjCtHelper, Name: str("ftp")}}},
		{"secmark objref", "meta secmark set \"s\"", []ast.Stmt{&ast.ObjRef{Kind: ast.ObjSecmark, Name: str("s")}}},
		{"tcp option", "tcp option maxseg size set 1360", []ast.Stmt{&ast.Assign{
			Target: &ast.Exthdr{Kind: "tcp option", Name: "maxseg", Field: "size"}, Value: num(1360)}}},
		{"exthdr exists", "exthdr frag exists", []ast.Stmt{&ast.Match{Left: &ast.Exthdr{Kind: "ip6", Name: "frag"}, Right: sym("exists")}}},
		{"rt0 index", "rt0 addr[1] ::1", []ast.Stmt{&ast.Match{Left: &ast.Exthdr{Kind: "ip6", Name: "rt0", Field: "addr", Index: 1}, Right: sym("::1")}}},
		{"raw payload", "@nh,16,8 0x20", []ast.Stmt{&ast.Match{Left: &ast.RawPayload{Base: "nh", Offset: 16, Len: 8}, Right: &ast.Number{Text: "0x20", Value: 32}}}},
		{"ct original ip", "ct original ip saddr 1.2.3.4", []ast.Stmt{&ast.Match{Left: &ast.Ct{Dir: "original", Family: "ip", Key: "saddr"}, Right: sym("1.2.3.4")}}},
		{"rt vs exthdr rt", "rt classid 10 rt nexthdr 6", []ast.Stmt{
			&ast.Match{Left: &ast.Rt{Key: "classid"}, Right: num(10)},
			&ast.Match{Left: &ast.Exthdr{Kind: "ip6", Name: "rt", Field: "nexthdr"}, Right: num(6)},
		}},
		{"fib", "fib saddr . iif oif missing", []ast.Stmt{&ast.Match{Left: &ast.Fib{Flags: []string{"saddr", "iif"}, Result: "oif"}, Right: sym("missing")}}},
		{"hash", "meta mark set jhash ip saddr mod 2 seed 0x1", []ast.Stmt{&ast.Assign{Target: &ast.Meta{Key: "mark", Qualified: true},
			Value: &ast.Hash{Kind: "jhash", X: pl("ip", "saddr"), Mod: 2, Seed: 1, HasSeed: true}}}},
		{"wildcard", "iifname eth*", []ast.Stmt{&ast.Match{Left: &ast.Meta{Key: "iifname"}, Right: sym("eth*")}}},
		{"time and classid", "meta priority 1:2 ct expiration 1h2m3s", []ast.Stmt{
			&ast.Match{Left: &ast.Meta{Key: "priority", Qualified: true}, Right: sym("1:2")},
			&ast.Match{Left: &ast.Ct{Key: "expiration"}, Right: sym("1h2m3s")},
		}},
		{"mac", "ether saddr 00:0f:54:0c:11:04", []ast.Stmt{&ast.Match{Left: pl("ether", "saddr"), Right: sym("00:0f:54:0c:11:04")}}},
		{"arp field", "arp saddr ip 1.2.3.4", []ast.Stmt{&ast.Match{Left: pl("arp", "saddr ip"), Right: sym("1.2.3.4")}}},
		{"queue", "queue num 1-3 bypass,fanout", []ast.Stmt{&ast.Queue{Num: &ast.Range{Lo: num(1), Hi: num(3)}, Flags: []string{"bypass", "fanout"}}}},
		{"log", "log prefix \"x\" level info flags tcp sequence,options", []ast.Stmt{&ast.Log{Prefix: str("x"),
			Level: &ast.Ident{Name: "info"}, Flags: []string{"tcp sequence", "tcp options"}}}},
		{"jump block", "jump { accept }", []ast.Stmt{&ast.ChainStmt{Kind: "jump", Rules: []*ast.Rule{{Stmts: []ast.Stmt{
			&ast.VerdictStmt{Verdict: &ast.Verdict{Kind: "accept"}}}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Stmts([]byte(tt.in), diag.Pos{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, noPos); d != "" {
				t.Errorf("%s: (-want +got)\n%s", tt.in, d)
			}
		})
	}
}

func TestRuleComment(t *testing.T) {
	r, err := Rule([]byte(`tcp dport 22 accept comment "ssh"`), diag.Pos{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Comment == nil || r.Comment.Text != "ssh" || len(r.Stmts) != 2 {
		t.Errorf("got %+v", r)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		in, msg string
		col     int
	}{
		{"tcp dport", "unexpected end of file, expecting value or relational operator", 10},
		{"tcp foo 22", "unexpected 'foo', expecting one of ", 5},
		{"foo bar", "unexpected 'foo', expecting statement or expression", 1},
		{"ip saddr $nope", "unknown identifier 'nope'", 11},
		{"ip saddr { 1.2.3.4 ", "expecting comma or '}'", 20},
		{"limit rate 10/fortnight", "expecting one of second, minute, hour, day, week", 15},
		{"log level loud", "invalid log level", 11},
	}
	for _, tt := range tests {
		_, err := Stmts([]byte(tt.in), diag.Pos{File: "f", Line: 3, Col: 1}, nil)
		var de *diag.Error
		if !errors.As(err, &de) {
			t.Errorf("%q: got %v, want *diag.Error", tt.in, err)
			continue
		}
		if !strings.Contains(de.Msg, tt.msg) || de.Pos.Col != tt.col || de.Pos.Line != 3 || de.Source != tt.in {
			t.Errorf("%q: got %q at col %d line %d src %q; want %q at col %d", tt.in, de.Msg, de.Pos.Col, de.Pos.Line, de.Source, tt.msg, tt.col)
		}
	}
}

func TestVariables(t *testing.T) {
	src := `define ports = { 22, 80 }
define ext = "eth0"
table inet t {
	chain c {
		type filter hook input priority 0; policy accept;
		iifname $ext tcp dport $ports accept
		log prefix "on $ext: "
	}
}
`
	f, err := File("v.nft", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := f.Commands[0].Table.Chains[0].Rules
	m := rules[0].Stmts[0].(*ast.Match)
	if s, ok := m.Right.(*ast.String); !ok || s.Text != "eth0" {
		t.Errorf("iifname value = %#v", m.Right)
	}
	if _, ok := rules[0].Stmts[1].(*ast.Match).Right.(*ast.SetExpr); !ok {
		t.Errorf("ports not substituted")
	}
	if l := rules[1].Stmts[0].(*ast.Log); l.Prefix.(*ast.String).Text != "on eth0: " {
		t.Errorf("log prefix = %q", l.Prefix.(*ast.String).Text)
	}
	// Predefined (Lua) variables.
	stmts, err := Stmts([]byte("tcp dport $p accept"), diag.Pos{}, &Options{Vars: map[string]ast.Expr{"p": num(443)}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(num(443), stmts[0].(*ast.Match).Right, noPos); d != "" {
		t.Error(d)
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.nft", "include \"./defs.nft\"\ninclude \"./rules/*.nft\"\nadd rule ip x c tcp dport $t\n")
	write("defs.nft", "define t = 22\n")
	os.Mkdir(filepath.Join(dir, "rules"), 0o755)
	write("rules/a.nft", "add table ip a\n")
	write("rules/b.nft", "add table ip b\n")
	f, err := File(filepath.Join(dir, "main.nft"), mustRead(t, filepath.Join(dir, "main.nft")), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range f.Commands {
		names = append(names, c.Spec.Table.Name)
	}
	if d := cmp.Diff([]string{"a", "b", "x"}, names); d != "" {
		t.Error(d)
	}
	// Cycles are reported.
	write("loop.nft", "include \"./loop.nft\"\n")
	_, err = File(filepath.Join(dir, "loop.nft"), mustRead(t, filepath.Join(dir, "loop.nft")), nil)
	if err == nil || !strings.Contains(err.Error(), "include cycle") {
		t.Errorf("cycle: got %v", err)
	}
	// A missing non-wildcard file is an error.
	_, err = File(filepath.Join(dir, "m.nft"), []byte(`include "./none.nft"`), nil)
	if err == nil || !strings.Contains(err.Error(), "could not open") {
		t.Errorf("missing: got %v", err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestListedRuleset parses a realistic ruleset and its `nft list ruleset`
// output (testdata, generated with nft 1.0.6 in a scratch netns).
func TestListedRuleset(t *testing.T) {
	for _, name := range []string{"testdata/ruleset.nft", "testdata/ruleset.listed.nft"} {
		f, err := File(name, mustRead(t, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		rules := 0
		for _, c := range f.Commands {
			for _, ch := range c.Table.Chains {
				rules += len(ch.Rules)
			}
		}
		if len(f.Commands) != 4 || rules != 67 {
			t.Errorf("%s: %d tables, %d rules; want 4, 67", name, len(f.Commands), rules)
		}
	}
}

// bigRuleset returns a file with n rules.
func bigRuleset(n int) []byte {
	var b strings.Builder
	b.WriteString("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\t\tip saddr 10.%d.%d.0/24 tcp dport { 22, %d } ct state new,established counter accept comment \"r%d\"\n", i/256%256, i%256, 1000+i%5000, i)
	}
	b.WriteString("\t}\n}\n")
	return []byte(b.String())
}

func BenchmarkParse10k(b *testing.B) {
	src := bigRuleset(10000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := File("big.nft", src, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/ruleset.nft", "testdata/ruleset.listed.nft"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.t")); len(files) > 0 {
		for _, fn := range files {
			b, _ := os.ReadFile(fn)
			for _, ln := range strings.Split(string(b), "\n") {
				if r, _, ok := strings.Cut(ln, ";"); ok && ln[0] != '#' && ln[0] != '*' && ln[0] != ':' {
					f.Add([]byte(r))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, _ = File("fuzz.nft", src, nil)
		_, _ = Rule(src, diag.Pos{File: "r", Line: 1, Col: 1}, nil)
	})
}

func TestPathological(t *testing.T) {
	inputs := []string{
		strings.Repeat("{", 100000),
		"ip saddr " + strings.Repeat("{", 100000),
		"ip saddr " + strings.Repeat("(", 100000),
		"table ip t " + strings.Repeat("{ chain c ", 10000),
		"\"unterminated", "$", "@", "add rule", "table", "define x =", "include", "ip saddr { 1, }",
		"table ip t { set s { ct state w } }", "\\", "meta mark set", "jump {", "\x00\xff",
		strings.Repeat("ip saddr 1.2.3.4 ", 10000),
	}
	for _, in := range inputs {
		_, _ = File("p", []byte(in), nil)
		_, _ = Rule([]byte(in), diag.Pos{}, nil)
	}
}
