package compile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/ruleset"
)

// exprSources renders each expression of r as "NAME TEXT", TEXT being the
// source its ExprPos covers ("LINE:COL TEXT" when not on the rule's line).
func exprSources(t *testing.T, src string, r *ruleset.Rule) []string {
	t.Helper()
	if len(r.ExprPos) != len(r.Exprs) {
		t.Fatalf("%d positions for %d expressions", len(r.ExprPos), len(r.Exprs))
	}
	var out []string
	for i, e := range r.Exprs {
		p := r.ExprPos[i]
		if !p.IsValid() || p.Off+p.Len > len(src) {
			out = append(out, fmt.Sprintf("%s <bad position %+v>", e.Name(), p))
			continue
		}
		text := src[p.Off : p.Off+p.Len]
		if p.Line != r.Pos.Line {
			text = fmt.Sprintf("%d:%d %s", p.Line, p.Col, text)
		}
		out = append(out, e.Name()+" "+text)
	}
	return out
}

// TestExprPos checks the statement each kernel expression of a compiled
// rule is traced back to: nft's locations (netlink_linearize.c), which
// kernel errors point at.
func TestExprPos(t *testing.T) {
	const decls = "table inet t {\n\tcounter cnt {\n\t}\n\tquota q {\n\t\t100 bytes\n\t}\n\tchain c {\n\t}\n}\n"
	for _, tc := range []struct {
		name, rule string
		want       []string
	}{
		{
			name: "match_then_queue",
			rule: "tcp dport 22 queue num 3",
			want: []string{"meta tcp dport 22", "cmp tcp dport 22", "payload tcp dport 22", "cmp tcp dport 22", "queue queue"},
		},
		{
			name: "queue_flags_first",
			rule: "queue flags bypass num 3",
			want: []string{"queue queue flags bypass num 3"},
		},
		{
			name: "objref_names",
			rule: "counter name cnt quota name \"q\" accept",
			want: []string{"objref cnt", "objref \"q\"", "immediate accept"},
		},
		{
			name: "keywords",
			rule: "log prefix \"x\" counter reject",
			want: []string{"log log", "counter counter", "reject reject"},
		},
		{
			// adjacent payload matches merge into one load and compare,
			// traced to the first of them
			name: "merged_payloads",
			rule: "tcp sport 1 tcp dport 2 drop",
			want: []string{"meta tcp sport 1", "cmp tcp sport 1", "payload tcp sport 1", "cmp tcp sport 1", "immediate drop"},
		},
		{
			// the dependency reject puts in front of the rule is its own
			name: "reject_dependency",
			rule: "counter reject with tcp reset",
			want: []string{"meta reject", "cmp reject", "counter counter", "reject reject"},
		},
		{
			name: "assignment_and_vmap",
			rule: "meta mark set 3 tcp dport vmap { 22 : accept }",
			want: []string{"immediate meta mark set 3", "meta meta mark set 3", "meta tcp dport vmap { 22 : accept }", "cmp tcp dport vmap { 22 : accept }", "payload tcp dport vmap { 22 : accept }", "lookup tcp dport vmap { 22 : accept }"},
		},
		{
			name: "multiline",
			rule: "tcp dport 22 \\\n\tcounter name cnt accept",
			want: []string{"meta tcp dport 22", "cmp tcp dport 22", "payload tcp dport 22", "cmp tcp dport 22", "objref 11:15 cnt", "immediate 11:19 accept"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := decls + "add rule inet t c " + tc.rule + "\n"
			cmds, err := Source("x.nft", []byte(src), nil)
			if err != nil {
				t.Fatal(err)
			}
			var rule *ruleset.Rule
			for _, c := range cmds {
				if c.Kind == ruleset.KindRule {
					rule = c.Rule
				}
			}
			if rule == nil {
				t.Fatal("no rule compiled")
			}
			if d := cmp.Diff(tc.want, exprSources(t, src, rule)); d != "" {
				t.Errorf("expression sources (-want +got):\n%s", d)
			}
		})
	}
}

// TestRuleExprPos checks the positions of a rule compiled on its own (the
// Lua layer's entry): relative to the rule's text.
func TestRuleExprPos(t *testing.T) {
	text := "ip saddr 192.0.2.1 log"
	r, err := Rule(ruleset.FamilyIP, "t", "c", text, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"payload ip saddr 192.0.2.1", "cmp ip saddr 192.0.2.1", "log log"}
	if d := cmp.Diff(want, exprSources(t, text, r)); d != "" {
		t.Errorf("expression sources (-want +got):\n%s", d)
	}
}

// TestErrorList checks that File goes on after a failing command or rule,
// reports the errors in source order and stops after diag.MaxErrors.
func TestErrorList(t *testing.T) {
	var many strings.Builder
	for i := range 12 {
		fmt.Fprintf(&many, "add rule ip t c ip ttl %d\n", 300+i)
	}
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{
			name: "one",
			src:  "table ip t {\n\tchain c {\n\t\tip ttl 300\n\t}\n}\n",
			want: []string{"x.nft:3:10: eval: Value 300 exceeds valid range 0-255"},
		},
		{
			name: "rules_sets_commands",
			src:  "flush ruleset\ntable ip t {\n\tchain c {\n\t\tip ttl 300\n\t\tip ttl 1 accept\n\t\tjump nowhere\n\t}\n\tset s {\n\t\ttype ipv5_addr\n\t}\n}\nadd rule ip t c ip saddr @s\nadd rule ip t nochain accept\n",
			want: []string{
				"x.nft:4:10: eval: Value 300 exceeds valid range 0-255",
				"x.nft:6:8: eval: unknown chain 'nowhere' in table ip t",
				"x.nft:9:8: eval: unknown datatype ipv5_addr",
				"x.nft:12:26: eval: unknown set 's' in table ip t",
				"x.nft:13:15: eval: unknown chain 'nochain' in table ip t",
			},
		},
		{
			name: "too_many",
			src:  "table ip t {\n\tchain c {\n\t}\n}\n" + many.String(),
			want: append(func() []string {
				var w []string
				for i := range diag.MaxErrors {
					w = append(w, fmt.Sprintf("x.nft:%d:24: eval: Value %d exceeds valid range 0-255", 5+i, 300+i))
				}
				return w
			}(), "x.nft:15: eval: too many errors"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Source("x.nft", []byte(tc.src), nil)
			var got []string
			for _, de := range diag.Errors(err) {
				got = append(got, fmt.Sprintf("%s: %s: %s", de.Pos, de.Op, de.Msg))
				if de.Pos.Col > 0 && de.Source == "" {
					t.Errorf("%s: no source line for the caret", de.Pos)
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
			if len(tc.want) > 1 {
				if _, ok := err.(diag.List); !ok {
					t.Errorf("error is a %T, want a diag.List", err)
				}
			}
		})
	}
}
