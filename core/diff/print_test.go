package diff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/ruleset"
)

// build compiles an nft script into the value it describes, giving every
// object a handle as if it had been pulled.
func build(t *testing.T, src string) *ruleset.Ruleset {
	t.Helper()
	cmds, err := compile.Source("test.nft", []byte(src), nil)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	rs := &ruleset.Ruleset{}
	for i := range cmds {
		if err := rs.Apply(&cmds[i]); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
	return rs
}

func handles(rs *ruleset.Ruleset) *ruleset.Ruleset {
	h := uint64(0)
	next := func() uint64 { h++; return h }
	for _, t := range rs.Tables {
		t.Handle = next()
		for _, c := range t.Chains {
			c.Handle = next()
		}
		for _, s := range t.Sets {
			s.Handle = next()
		}
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				r.Handle = next()
			}
		}
	}
	return rs
}

func TestPatchString(t *testing.T) {
	from := handles(build(t, `table inet f {
	set s { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
	chain old { accept }
	chain side { type filter hook output priority 0; }
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 accept
		ip saddr @s drop
		jump old
		tcp dport 80 accept
	}
}`))
	to := build(t, `table inet f {
	set s { type ipv4_addr; elements = { 10.0.0.2, 10.0.0.3 } }
	chain side { type filter hook output priority 10; }
	chain new { drop }
	chain input {
		type filter hook input priority filter; policy drop;
		tcp dport 22 accept
		ip saddr @s drop
		jump new
		udp dport { 53, 123 } accept
		tcp dport 80 accept
	}
}`)
	want := `delete rule inet f input handle 9
delete element inet f s { 10.0.0.1 }
delete chain inet f old
delete chain inet f side
add chain inet f side { type filter hook output priority filter + 10; policy accept; }
add chain inet f new {}
add chain inet f input { type filter hook input priority filter; policy drop; }
add element inet f s { 10.0.0.3 }
add rule inet f new drop
add rule inet f input position 8 jump new
add rule inet f input udp dport { 53, 123 } accept # after the previous rule
`
	if d := cmp.Diff(want, Diff(from, to, Options{}).String()); d != "" {
		t.Errorf("patch text (-want +got):\n%s", d)
	}
}

// TestRecreatedTargetsTakeTheirReferences: a chain whose comment changes is deleted
// and created again, so the kept rules that jump to it must go and come
// back too (the kernel refuses to delete a chain still jumped to).
func TestRecreatedTargetsTakeTheirReferences(t *testing.T) {
	from := handles(build(t, `table ip f {
	chain c { comment "old" }
	chain d { jump c }
	chain e { counter }
}`))
	to := build(t, `table ip f {
	chain c { comment "new" }
	chain d { jump c }
	chain e { counter }
}`)
	want := `delete rule ip f d handle 5
delete chain ip f c
add chain ip f c { comment "new" }
insert rule ip f d jump c
`
	if d := cmp.Diff(want, Diff(from, to, Options{}).String()); d != "" {
		t.Errorf("patch text (-want +got):\n%s", d)
	}
}
