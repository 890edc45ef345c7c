package gotests

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// singletonSets holds anonymous sets of one element, which nft 1.0.6
// pushes as plain compares and lists without braces, beside sets it keeps
// (catch-all, concatenation, map, two elements).
const singletonSets = `table inet t {
	chain c {
		tcp dport { 22 } accept
		tcp dport != { 22 } accept
		tcp dport { 1-1023 } accept
		tcp dport != { 1-1023 } accept
		ip saddr { 10.0.0.0/8 } accept
		ip6 daddr != { fe80::/10 } accept
		ct state { established } accept
		ct state != { established } drop
		tcp flags { syn } accept
		meta l4proto { tcp } tcp dport 22 accept
		meta iifname { "eth*" } accept
		tcp dport { 22 counter } accept
		tcp dport vmap { 22 : accept }
		ip saddr . tcp dport { 10.0.0.1 . 22 } accept
		tcp dport { * } accept
		tcp dport { 22, 23 } accept
	}
}
`

// TestSingletonSetRoundtrip pushes one-element anonymous sets with nfsh:
// `nft list ruleset` must equal nft's listing of its own push of the same
// text (both print `tcp dport 22`, not a set), and `nfsh list` of nft's
// push must equal it too.
func TestSingletonSetRoundtrip(t *testing.T) {
	nstest.Require(t)
	file := filepath.Join(t.TempDir(), "singleton.nft")
	if err := os.WriteFile(file, []byte(singletonSets), 0o644); err != nil {
		t.Fatal(err)
	}

	ref := nstest.New(t)
	ref.Nft(t, "-f", file)
	want := ref.Nft(t, "list", "ruleset")

	ns := nstest.New(t)
	if _, err := ns.Run(t, nfshBin, "apply", file); err != nil {
		t.Fatalf("nfsh apply: %v", err)
	}
	if d := cmp.Diff(want, ns.Nft(t, "list", "ruleset")); d != "" {
		t.Errorf("after nfsh apply, nft list ruleset differs from nft -f (-nft +nfsh):\n%s", d)
	}
	got, err := ref.Run(t, nfshBin, "list")
	if err != nil {
		t.Fatalf("nfsh list: %v", err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("nfsh list differs from nft list ruleset (-nft +nfsh):\n%s", d)
	}
}
