package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/core/parse"
	"github.com/nfsh/nfsh/core/ruleset"
)

func TestScriptNeeds(t *testing.T) {
	ip, inet := ruleset.FamilyIP, ruleset.FamilyInet
	cases := []struct {
		src  string
		want Needs
	}{
		{"add rule inet t c tcp dport 22 accept\n", Needs{}},
		{"add table ip t\nadd chain ip t c\ndelete rule ip t c handle 4\nflush ruleset\n", Needs{}},
		{"insert rule t c index 2 accept\n", Needs{Chains: []Ref{{ip, "t", "c"}}}},
		{"add element inet t s { 1.2.3.4 }\ndelete element t m { 1 }\n", Needs{Sets: []Ref{{inet, "t", "s"}, {ip, "t", "m"}}}},
		{"table inet t {\n\tset s { type ipv4_addr; }\n\tchain c { accept; }\n}\n", Needs{Sets: []Ref{{inet, "t", "s"}}}},
		{"add map ip t m { type ipv4_addr : verdict; }\n", Needs{Sets: []Ref{{ip, "t", "m"}}}},
		{"reset counters\n", Needs{All: true}},
	}
	for _, tc := range cases {
		f, err := parse.File("t.nft", []byte(tc.src), nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		if d := cmp.Diff(tc.want, ScriptNeeds(f)); d != "" {
			t.Errorf("ScriptNeeds(%q) (-want +got):\n%s", tc.src, d)
		}
	}
}
