package wire

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

func TestRuleCompat(t *testing.T) {
	l4 := &expr.Meta{Key: 16, DReg: 1}
	match := &expr.Match{MatchName: "multiport", Info: make([]byte, 8)}
	compat := func(proto, flags byte) []byte {
		return []byte{8, 0, 1, 0, 0, 0, 0, proto, 8, 0, 2, 0, 0, 0, 0, flags}
	}
	for _, tc := range []struct {
		name   string
		family ruleset.Family
		es     []expr.Expr
		want   []byte
	}{
		{"native rule", ruleset.FamilyIP, []expr.Expr{l4, &expr.Cmp{SReg: 1, Data: []byte{6}}}, nil},
		{"meta l4proto", ruleset.FamilyIP, []expr.Expr{l4, &expr.Cmp{SReg: 1, Data: []byte{6}}, match}, compat(6, 0)},
		{"inverted", ruleset.FamilyIP, []expr.Expr{l4, &expr.Cmp{SReg: 1, Op: expr.CmpNeq, Data: []byte{17}}, match}, compat(17, 2)},
		{"ip protocol", ruleset.FamilyIP, []expr.Expr{&expr.Payload{DReg: 1, Base: expr.PayloadBaseNetwork, Offset: 9, Len: 1}, &expr.Cmp{SReg: 1, Data: []byte{132}}, match}, compat(132, 0)},
		{"ip6 nexthdr", ruleset.FamilyIP6, []expr.Expr{&expr.Payload{DReg: 1, Base: expr.PayloadBaseNetwork, Offset: 6, Len: 1}, &expr.Cmp{SReg: 1, Data: []byte{58}}, match}, compat(58, 0)},
		{"overwritten register", ruleset.FamilyIP, []expr.Expr{l4, &expr.Meta{Key: 3, DReg: 1}, &expr.Cmp{SReg: 1, Data: []byte{6}}, match}, compat(0, 0)},
		{"no protocol", ruleset.FamilyIP, []expr.Expr{&expr.Target{TargetName: "LOG"}}, compat(0, 0)},
	} {
		if d := cmp.Diff(tc.want, ruleCompat(tc.family, tc.es)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}
