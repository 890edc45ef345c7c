package gotests

import (
	"regexp"
	"testing"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// tableHandleRE finds the handle nft prints for a table.
var tableHandleRE = regexp.MustCompile(`table inet kept \{ # handle (\d+)`)

// TestLuaFirstTableHandle checks that what a Lua script does before it
// creates its first table (nfsh's start-up, kernel feature checks, a push
// probing the kernel) uses up no table handle: in a fresh namespace the
// table gets handle 1, as with nft.
func TestLuaFirstTableHandle(t *testing.T) {
	nstest.Require(t)
	push := `
local rs = nft.ruleset()
rs:table("inet", "kept", { persist = true }):chain("c"):rule("counter")
assert(nft.push(rs))
`
	cases := []struct{ name, script string }{
		{"push", push},
		{"supported then push", "local f = nft.supported()\nassert(f.destroy ~= nil)\n" + push},
		{"pull then push", "assert(nft.pull())\n" + push},
		{"owner table then persist table", `
local rs = nft.ruleset()
rs:table("inet", "owned"):chain("c")
assert(nft.push(rs))
` + push},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := nstest.New(t)
			if out, err := ns.Run(t, nfshBin, "-e", c.script); err != nil {
				t.Fatalf("nfsh: %v\n%s", err, out)
			}
			got := ns.Nft(t, "-a", "list", "ruleset")
			m := tableHandleRE.FindStringSubmatch(got)
			want := "1"
			if c.name == "owner table then persist table" {
				want = "2" // the owner table had 1
			}
			if m == nil || m[1] != want {
				t.Errorf("nft -a list ruleset:\n%s\nwant table inet kept with handle %s", got, want)
			}
		})
	}
}
