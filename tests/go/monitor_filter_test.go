package gotests

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

// monitorFilterScript makes one change of every kind, additions and
// deletions, in one commit after another.
const monitorFilterScript = `add table ip t
add chain ip t c
add set ip t s { type ipv4_addr; }
add element ip t s { 1.2.3.4 }
add rule ip t c ip saddr 10.0.0.1 accept
add counter ip t cnt
`

const monitorFilterDelete = `delete element ip t s { 1.2.3.4 }
delete counter ip t cnt
flush chain ip t c
delete set ip t s
delete chain ip t c
delete table ip t
`

// TestMonitorFilterMatchesNft runs `nft [-j] monitor FILTER` and `nfsh
// [-j] monitor FILTER` side by side for each of nft's filters and
// compares what they print of the same changes. Each filter has a
// sentinel change that it keeps: repeated until both print it, it shows
// both are listening; after the changes, it marks their end.
func TestMonitorFilterMatchesNft(t *testing.T) {
	nstest.Require(t)
	// sentinel returns the i-th sentinel change and the text its line
	// contains.
	type sentinel func(i int) (cmd, line string)
	addTable := func(i int) (string, string) {
		return fmt.Sprintf("add table ip end%d", i), fmt.Sprintf("end%d", i)
	}
	addRule := func(i int) (string, string) {
		return fmt.Sprintf("add rule ip end c tcp dport %d accept", 1000+i), fmt.Sprint(1000 + i)
	}
	addElem := func(i int) (string, string) {
		return fmt.Sprintf("add element ip end s { 9.9.9.%d }", i%250), fmt.Sprintf("9.9.9.%d", i%250)
	}
	addSet := func(i int) (string, string) {
		return fmt.Sprintf("add set ip end s%d { type ipv4_addr; }", i), fmt.Sprintf("s%d", i)
	}
	addChain := func(i int) (string, string) {
		return fmt.Sprintf("add chain ip end c%d", i), fmt.Sprintf("c%d", i)
	}
	delTable := func(i int) (string, string) {
		return fmt.Sprintf("add table ip gone%d; delete table ip gone%d", i, i), fmt.Sprintf("gone%d", i)
	}
	cases := []struct {
		filter string
		end    sentinel
	}{
		{"ruleset", addTable},
		{"new", addTable},
		{"destroy", delTable},
		{"tables", addTable},
		{"new tables", addTable},
		{"destroy tables", delTable},
		{"chains", addChain},
		{"sets", addSet},
		{"rules", addRule},
		{"new rules", addRule},
		{"elements", addElem},
		{"new elements", addElem},
	}
	for _, json := range []bool{false, true} {
		for _, tc := range cases {
			name := tc.filter
			if json {
				name = "-j " + name
			}
			t.Run(name, func(t *testing.T) {
				ns := nstest.New(t)
				ns.NftScript(t, "add table ip end\nadd chain ip end c\nadd set ip end s { type ipv4_addr; }\n")
				words := strings.Fields(tc.filter)
				nftArgs, nfshArgs := append([]string{"monitor"}, words...), append([]string{"monitor"}, words...)
				if json {
					nftArgs, nfshArgs = append([]string{"-j"}, nftArgs...), append([]string{"-j"}, nfshArgs...)
				}
				nft := startTraceMonitor(t, ns, "nft", nftArgs...)
				nfsh := startTraceMonitor(t, ns, nfshBin, nfshArgs...)
				i := 0
				next := func() string {
					i++
					cmd, line := tc.end(i)
					ns.NftScript(t, cmd+"\n")
					return line
				}
				// Listening: probe until each prints a sentinel, then
				// one more that both must print.
				for _, ch := range []<-chan string{nft, nfsh} {
					for seen := false; !seen; {
						next()
						select {
						case <-ch: // listening (the rest is drained below)
							seen = true
						case <-time.After(100 * time.Millisecond):
						}
					}
				}
				_, marker := tc.end(i + 1)
				next()
				readJSONUntil(t, "nft", nft, marker)
				readJSONUntil(t, "nfsh", nfsh, marker)
				ns.NftScript(t, monitorFilterScript)
				ns.NftScript(t, monitorFilterDelete)
				_, marker = tc.end(i + 1)
				next()
				want := readJSONUntil(t, "nft", nft, marker)
				got := readJSONUntil(t, "nfsh", nfsh, marker)
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("lines (-nft +nfsh):\n%s", d)
				}
				if len(want) == 0 {
					t.Errorf("nft printed nothing of the changes: the case shows nothing")
				}
				t.Logf("%d lines compared", len(want))
			})
		}
	}
}
