package kernel_test

import (
	"testing"

	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// TestPullScope pulls with a scope: every declaration comes back, but
// elements only of the scoped interval set and rules only of the scoped
// chain.
func TestPullScope(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, `table ip t {
	set a { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
	set b { type ipv4_addr; flags interval; elements = { 10.0.0.3 } }
	set p { type ipv4_addr; elements = { 10.0.0.4 } }
	counter cnt { }
	chain c1 { ip saddr { 1.1.1.1, 2.2.2.2 } accept; tcp dport 22 accept; }
	chain c2 { udp dport 53 accept; }
}
table inet u {
	chain c1 { accept; }
}
`)
	c := dial(t, ns)
	scope := &kernel.Scope{
		Sets:   []kernel.ScopeRef{{Family: ruleset.FamilyIP, Table: "t", Name: "b"}, {Family: ruleset.FamilyIP, Table: "t", Name: "p"}},
		Chains: []kernel.ScopeRef{{Family: ruleset.FamilyIP, Table: "t", Name: "c1"}, {Family: ruleset.FamilyIP, Table: "nosuch", Name: "c1"}},
	}
	rs, err := kernel.Pull(c, kernel.PullOptions{Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	tb, u := rs.Table(ruleset.FamilyIP, "t"), rs.Table(ruleset.FamilyInet, "u")
	if tb == nil || u == nil {
		t.Fatalf("tables missing: %v", rs.Tables)
	}
	a, b, p := tb.Set("a"), tb.Set("b"), tb.Set("p")
	if a == nil || b == nil || p == nil || len(a.Elements) != 0 || len(b.Elements) == 0 || len(p.Elements) != 0 {
		t.Errorf("sets: a %v, b %v, p %v; want b's elements (an interval set in scope), none of a (out of scope) or p (in scope, not interval)", a, b, p)
	}
	if len(tb.Sets) != 3 {
		t.Errorf("%d sets, want the 3 named ones (no anonymous set)", len(tb.Sets))
	}
	if len(tb.Objects) != 1 {
		t.Errorf("%d objects, want 1", len(tb.Objects))
	}
	if c1, c2 := tb.Chain("c1"), tb.Chain("c2"); c1 == nil || c2 == nil || len(c1.Rules) != 2 || len(c2.Rules) != 0 {
		t.Errorf("chains: c1 %v, c2 %v; want c1 with its 2 rules, c2 declared without", c1, c2)
	}
	if uc := u.Chain("c1"); uc == nil || len(uc.Rules) != 0 {
		t.Errorf("inet u c1 %v: rules of a chain of the same name in another family were read", uc)
	}
}
