package diff

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// portRule is a rule "meta mark == port accept" with a counter, made from
// kernel expressions directly.
func portRule(port byte, pkts uint64) *ruleset.Rule {
	return &ruleset.Rule{Exprs: []expr.Expr{
		&expr.Meta{Key: 3, DReg: 1},
		&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{port, 0, 0, 0}},
		&expr.Counter{Packets: pkts, Bytes: pkts * 60},
		&expr.Immediate{DReg: 0, Verdict: &expr.Verdict{Code: expr.VerdictAccept}},
	}, Text: fmt.Sprintf("mark %d", port)}
}

func chainOf(rules ...*ruleset.Rule) *ruleset.Ruleset {
	return &ruleset.Ruleset{Tables: []*ruleset.Table{{
		Family: ruleset.FamilyInet, Name: "t",
		Chains: []*ruleset.Chain{{Name: "c", Rules: rules}},
	}}}
}

// summary renders a patch as short lines for comparison.
func summary(p *Patch) []string {
	var out []string
	for _, c := range p.Commands {
		s := c.Op.String() + " " + c.Kind.String()
		switch {
		case c.Kind == ruleset.KindRule && c.Rule != nil:
			s += " " + c.Rule.Text
		case c.Kind == ruleset.KindRule:
			s += fmt.Sprintf(" handle %d", c.Handle)
		case c.Kind == ruleset.KindChain:
			s += " " + c.Chain
		case c.Kind == ruleset.KindTable:
			s += " " + c.Table
		default:
			s += " " + c.Name
		}
		if c.Position != 0 {
			s += fmt.Sprintf(" after %d", c.Position)
		}
		if c.PositionRule != nil {
			s += " after new " + c.PositionRule.Text
		}
		out = append(out, s)
	}
	return out
}

func withHandles(rs *ruleset.Ruleset) *ruleset.Ruleset {
	h := uint64(100)
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				h++
				r.Handle = h
			}
		}
	}
	return rs
}

func TestDiffRules(t *testing.T) {
	r := func(p byte) *ruleset.Rule { return portRule(p, 0) }
	tagged := func(p byte, tag string) *ruleset.Rule {
		x := portRule(p, 0)
		x.SetTag(tag)
		return x
	}
	tests := []struct {
		name     string
		from, to *ruleset.Ruleset
		want     []string
	}{
		{"identical", withHandles(chainOf(r(1), r(2))), chainOf(r(1), r(2)), nil},
		{"counters are state, not content", withHandles(chainOf(portRule(1, 99))), chainOf(r(1)), nil},
		{"insert in the middle", withHandles(chainOf(r(1), r(2), r(3))), chainOf(r(1), r(2), r(9), r(3)),
			[]string{"add rule mark 9 after 102"}},
		{"insert at head", withHandles(chainOf(r(1), r(2))), chainOf(r(9), r(1), r(2)),
			[]string{"insert rule mark 9"}},
		{"two new in a row", withHandles(chainOf(r(1))), chainOf(r(1), r(7), r(8)),
			[]string{"add rule mark 7 after 101", "add rule mark 8 after new mark 7"}},
		{"delete one", withHandles(chainOf(r(1), r(2), r(3))), chainOf(r(1), r(3)),
			[]string{"delete rule handle 102"}},
		{"tagged rule changed is replaced in place", withHandles(chainOf(tagged(1, "a"), r(2))), chainOf(tagged(5, "a"), r(2)),
			[]string{"replace rule mark 5"}},
		{"new chain", withHandles(chainOf(r(1))), &ruleset.Ruleset{Tables: []*ruleset.Table{{
			Family: ruleset.FamilyInet, Name: "t",
			Chains: []*ruleset.Chain{{Name: "c", Rules: []*ruleset.Rule{r(1)}}, {Name: "d", Rules: []*ruleset.Rule{r(4)}}},
		}}}, []string{"add chain d", "add rule mark 4"}},
		{"new table", &ruleset.Ruleset{}, chainOf(r(1)), []string{"add table t", "add chain c", "add rule mark 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summary(Diff(tt.from, tt.to, Options{}))
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("patch (-want +got):\n%s", d)
			}
		})
	}
}

func TestDiffOneInsertInThousand(t *testing.T) {
	var a, b []*ruleset.Rule
	for i := 0; i < 1000; i++ {
		x := portRule(byte(i), 0)
		x.Exprs[1].(*expr.Cmp).Data = []byte{byte(i), byte(i >> 8), 0, 0}
		a = append(a, x)
		y := portRule(byte(i), 0)
		y.Exprs[1].(*expr.Cmp).Data = []byte{byte(i), byte(i >> 8), 0, 0}
		b = append(b, y)
		if i == 499 {
			b = append(b, portRule(0xff, 0))
			b[len(b)-1].Exprs[1].(*expr.Cmp).Data = []byte{0xff, 0xff, 0xff, 0xff}
		}
	}
	p := Diff(withHandles(chainOf(a...)), chainOf(b...), Options{})
	if len(p.Commands) != 1 || p.Commands[0].Op != ruleset.OpAdd || p.Commands[0].Position != a[499].Handle {
		t.Fatalf("want one positioned add after handle %d, got %v", a[499].Handle, summary(p))
	}
}

func TestDiffElements(t *testing.T) {
	mk := func(keys ...byte) *ruleset.Ruleset {
		s := &ruleset.Set{Name: "s", KeyType: 7, KeyLen: 4}
		for _, k := range keys {
			s.Elements = append(s.Elements, &ruleset.Element{Key: []byte{10, 0, 0, k}})
		}
		return &ruleset.Ruleset{Tables: []*ruleset.Table{{Family: ruleset.FamilyIP, Name: "t", Sets: []*ruleset.Set{s}}}}
	}
	p := Diff(mk(1, 2, 3), mk(2, 3, 4), Options{})
	if d := cmp.Diff([]string{"delete element s", "add element s"}, summary(p)); d != "" {
		t.Fatalf("patch (-want +got):\n%s", d)
	}
	if len(p.Commands[0].Elements) != 1 || p.Commands[0].Elements[0].Key[3] != 1 ||
		len(p.Commands[1].Elements) != 1 || p.Commands[1].Elements[0].Key[3] != 4 {
		t.Fatalf("wrong elements in patch")
	}
}

func TestDiffPrune(t *testing.T) {
	from := chainOf(portRule(1, 0))
	if p := Diff(from, &ruleset.Ruleset{}, Options{}); !p.Empty() {
		t.Errorf("without prune, foreign tables must be left alone: %v", summary(p))
	}
	if got := summary(Diff(from, &ruleset.Ruleset{}, Options{Prune: true})); len(got) != 1 || got[0] != "delete table t" {
		t.Errorf("prune: got %v", got)
	}
}
