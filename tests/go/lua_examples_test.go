package gotests

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// TestLuaExamples runs every script of scripts/examples in its own
// throwaway network namespace (the real nfsh binary) and requires exit
// status 0 and a non-empty ruleset afterwards where the script persists
// its tables.
func TestLuaExamples(t *testing.T) {
	nstest.Require(t)
	files, err := filepath.Glob(repoFile("scripts/examples/*.lua"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("want at least 6 example scripts, have %d", len(files))
	}
	persists := map[string]string{
		"host_firewall.lua":   "table inet nfsh_host",
		"nat_router.lua":      "table inet nfsh_router",
		"banlist_updater.lua": "table inet nfsh_bans",
		"pull_edit_push.lua":  "table inet filter",
	}
	args := map[string][]string{"banlist_updater.lua": {"198.51.100.7", "2001:db8::66"}}
	// Long-running listeners of the NFLOG and monitor helpers, tested by their owners.
	skip := map[string]bool{"autoban.lua": true, "tally.lua": true, "watch.lua": true}
	for _, f := range files {
		base := filepath.Base(f)
		if skip[base] {
			continue
		}
		t.Run(strings.TrimSuffix(base, ".lua"), func(t *testing.T) {
			ns := nstest.New(t)
			out, err := ns.Run(t, nfshBin, append([]string{f}, args[base]...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if want, ok := persists[base]; ok {
				if got := ns.Nft(t, "list", "tables"); !strings.Contains(got, want) {
					t.Errorf("after %s: nft list tables = %q, want %q", base, got, want)
				}
			}
		})
	}
}
