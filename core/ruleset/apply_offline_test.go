package ruleset_test

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/core/ruleset"
)

// applyScript compiles src and applies its commands to an empty value.
func applyScript(t *testing.T, src string) (*ruleset.Ruleset, error) {
	t.Helper()
	cmds, err := compile.Source("test.nft", []byte(src), &compile.Options{Parse: &parse.Options{}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	rs := &ruleset.Ruleset{}
	for i := range cmds {
		if err := rs.Apply(&cmds[i]); err != nil {
			return rs, err
		}
	}
	return rs, nil
}

// elementLists names every set of rs (anonymous ones by chain and rule
// index) with its elements, each as hex key, "end" for an interval end
// and the data it maps to.
func elementLists(rs *ruleset.Ruleset) map[string][]string {
	str := func(e *ruleset.Element) string {
		s := hex.EncodeToString(e.Key)
		if e.Flags&ruleset.ElemIntervalEnd != 0 {
			s += " end"
		}
		if e.Flags&ruleset.ElemCatchall != 0 {
			s += "*"
		}
		if e.Data != nil {
			s += " : " + hex.EncodeToString(e.Data)
		}
		if e.Verdict != nil {
			s += fmt.Sprintf(" : verdict %d %s", e.Verdict.Code, e.Verdict.Chain)
		}
		return s
	}
	out := map[string][]string{}
	add := func(name string, s *ruleset.Set) {
		l := []string{}
		for _, e := range s.Elements {
			l = append(l, str(e))
		}
		out[name] = l
	}
	for _, t := range rs.Tables {
		for _, s := range t.Sets {
			add(t.Name+" "+s.Name, s)
		}
		for _, c := range t.Chains {
			for i, r := range c.Rules {
				for j, s := range r.Sets {
					add(fmt.Sprintf("%s %s #%d anon %d", t.Name, c.Name, i, j), s)
				}
			}
		}
	}
	return out
}

// TestApplyIntervalElements checks that a value built offline holds each
// interval of a set once, although nft sends an interval set's elements
// again with every `add element` (and a declaration's with the later
// ones merged in).
func TestApplyIntervalElements(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string][]string
	}{
		{
			name: "declared elements then add element",
			src: `table ip t {
	set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.1 } }
}
add element ip t s { 172.16.0.0/12 }
`,
			want: map[string][]string{"t s": {
				"00000000 end", "0a000000", "0b000000 end", "ac100000", "ac200000 end", "c0a80101", "c0a80102 end",
			}},
		},
		{
			name: "empty declaration, two add element commands",
			src: `table ip t {
	set s { type ipv4_addr; flags interval; }
}
add element ip t s { 1.0.0.0/8 }
add element ip t s { 2.0.0.0/8, 1.0.0.0/8 }
`,
			want: map[string][]string{"t s": {
				"00000000 end", "01000000", "02000000 end", "02000000", "03000000 end",
			}},
		},
		{
			name: "interval map",
			src: `table ip t {
	map m { type ipv4_addr : mark; flags interval; elements = { 10.0.0.0/8 : 1 } }
}
add element ip t m { 192.168.0.0/16 : 2 }
`,
			want: map[string][]string{"t m": {
				"00000000 end", "0a000000 : 01000000", "0b000000 end", "c0a80000 : 02000000", "c0a90000 end",
			}},
		},
		{
			name: "service ranges",
			src: `table inet t {
	set p { type inet_service; flags interval; elements = { 22, 8000-8080 } }
}
add element inet t p { 443 }
add element inet t p { 1000-2000 }
`,
			want: map[string][]string{"t p": {
				"0000 end", "0016", "0017 end", "01bb", "01bc end", "03e8", "07d1 end", "1f40", "1f91 end",
			}},
		},
		{
			name: "anonymous sets",
			src: `table ip t {
	set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8 } }
	chain c {
		ip saddr { 1.2.3.0/24, 5.5.5.5 } accept
		ip daddr { 10.0.0.0-10.0.0.9, 10.1.0.0/16 } tcp dport { 1-1023, 8080 } drop
	}
}
add element ip t s { 10.0.0.0/8 }
`,
			want: map[string][]string{
				"t s":           {"00000000 end", "0a000000", "0b000000 end"},
				"t c #0 anon 0": {"00000000 end", "01020300", "01020400 end", "05050505", "05050506 end"},
				"t c #1 anon 0": {"00000000 end", "0a000000", "0a00000a end", "0a010000", "0a020000 end"},
				"t c #1 anon 1": {"0000 end", "0001", "0400 end", "1f90", "1f91 end"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := applyScript(t, tt.src)
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			if d := cmp.Diff(tt.want, elementLists(rs)); d != "" {
				t.Errorf("elements (-want +got):\n%s", d)
			}
		})
	}
}

// TestApplyElementExists checks the kernel's answers to an element that
// is already there: a create, or an add mapping it elsewhere, is refused.
func TestApplyElementExists(t *testing.T) {
	tests := []struct {
		name, src string
		wantErr   bool
	}{
		{"add same mapping", "table ip t { map m { type ipv4_addr : mark; elements = { 1.1.1.1 : 1 } } }\nadd element ip t m { 1.1.1.1 : 1 }\n", false},
		{"add other mapping", "table ip t { map m { type ipv4_addr : mark; elements = { 1.1.1.1 : 1 } } }\nadd element ip t m { 1.1.1.1 : 2 }\n", true},
		{"create existing", "table ip t { set s { type ipv4_addr; elements = { 1.1.1.1 } } }\ncreate element ip t s { 1.1.1.1 }\n", true},
		{"create new", "table ip t { set s { type ipv4_addr; elements = { 1.1.1.1 } } }\ncreate element ip t s { 1.1.1.2 }\n", false},
		{"create in interval set", "table ip t { set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8 } } }\ncreate element ip t s { 11.0.0.0/8 }\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := applyScript(t, tt.src)
			if (err != nil) != tt.wantErr {
				t.Fatalf("apply error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
