package kernel

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// exprOffset returns the offset in msg (a NEWRULE message) of the k-th
// expression's attributes, where the kernel's extack points.
func exprOffset(t *testing.T, msg []byte, k int) int {
	t.Helper()
	for p := 20; p+4 <= len(msg); {
		l := int(binary.NativeEndian.Uint16(msg[p:]))
		typ := binary.NativeEndian.Uint16(msg[p+2:]) & 0x3fff
		if typ == 4 { // NFTA_RULE_EXPRESSIONS
			q := p + 4
			for i := 0; i < k; i++ {
				q += (int(binary.NativeEndian.Uint16(msg[q:])) + 3) &^ 3
			}
			return q + 4
		}
		p += (l + 3) &^ 3
	}
	t.Fatal("no expressions in the message")
	return 0
}

// TestRefineByOffset checks that a kernel error about one expression of a
// rule points at the statement that produced it, when the rule carries
// its expressions' positions in the same file, and names the expression.
func TestRefineByOffset(t *testing.T) {
	rulePos := diag.Pos{File: "x.nft", Line: 3, Col: 3, Off: 30}
	stmt := diag.Pos{File: "x.nft", Line: 3, Col: 16, Off: 43, Len: 5}
	exprs := []expr.Expr{&expr.Counter{}, &expr.Queue{Num: 3}, verdictAccept()}
	for _, tc := range []struct {
		name    string
		exprPos []diag.Pos
		k       int
		want    diag.Pos
	}{
		{name: "statement", exprPos: []diag.Pos{rulePos, stmt, rulePos}, k: 1, want: stmt},
		{name: "no_positions", k: 1, want: rulePos},
		{name: "other_file", exprPos: []diag.Pos{rulePos, {Line: 1, Col: 14, Off: 13, Len: 5}, rulePos}, k: 1, want: rulePos},
		{name: "short_positions", exprPos: []diag.Pos{stmt}, k: 1, want: rulePos},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &ruleset.Rule{Exprs: exprs, ExprPos: tc.exprPos, Pos: rulePos}
			b := nfnl.NewBatch(0)
			if _, err := wire.AddRule(b, ruleset.FamilyIP, "t", "c", r, wire.RuleRef{}, 0); err != nil {
				t.Fatal(err)
			}
			msg := b.Msg(0)
			de := &diag.Error{Pos: rulePos}
			refineByOffset(de, msg, exprOffset(t, msg, tc.k), tag{rule: r, pos: rulePos})
			if d := cmp.Diff(tc.want, de.Pos); d != "" {
				t.Errorf("position (-want +got):\n%s", d)
			}
			if want := "kernel rejected expression 2 (queue)"; de.Hint != want {
				t.Errorf("hint %q, want %q", de.Hint, want)
			}
		})
	}
}

func verdictAccept() *expr.Immediate {
	return &expr.Immediate{Verdict: &expr.Verdict{Code: 1}} // NF_ACCEPT
}
