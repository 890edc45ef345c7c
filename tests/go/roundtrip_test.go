package gotests

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// TestHostFirewallRoundTrip proves that the example host firewall (sets with
// intervals and timeouts, a vmap, NAT, a named counter, comments) goes both
// ways identically to nft: `nfsh apply` lists in nft like `nft -f`, and
// `nfsh list` of what `nft -f` loaded equals `nft list ruleset`.
func TestHostFirewallRoundTrip(t *testing.T) {
	nstest.Require(t)
	file := repoFile("scripts/examples/host.nft")

	ref := nstest.New(t)
	ref.Nft(t, "-f", file)
	want := ref.Nft(t, "list", "ruleset")

	got, err := ref.Run(t, nfshBin, "list")
	if err != nil {
		t.Fatalf("nfsh list: %v", err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("nfsh list differs from nft list ruleset (-nft +nfsh):\n%s", d)
	}

	ns := nstest.New(t)
	if _, err := ns.Run(t, nfshBin, "apply", file); err != nil {
		t.Fatalf("nfsh apply: %v", err)
	}
	if d := cmp.Diff(want, ns.Nft(t, "list", "ruleset")); d != "" {
		t.Errorf("after nfsh apply, nft list ruleset differs from nft -f (-nft +nfsh):\n%s", d)
	}

	// nfsh's own listing re-applied gives the same kernel state again.
	again := nstest.New(t)
	if _, err := again.RunInput(t, got, nfshBin, "apply", "-"); err != nil {
		t.Fatalf("nfsh apply of nfsh list output: %v", err)
	}
	if d := cmp.Diff(want, again.Nft(t, "list", "ruleset")); d != "" {
		t.Errorf("round trip of the listing (-nft +nfsh):\n%s", d)
	}
}

// TestKernelRejectionNamesRuleAndLeavesRulesetUnchanged loads a 100-rule
// file whose 57th rule only the kernel refuses (NAT in a filter chain): the
// apply fails, the message names that rule's file:line and the kernel's
// reason, and the ruleset is byte-identical to before.
func TestKernelRejectionNamesRuleAndLeavesRulesetUnchanged(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	ns.NftScript(t, "table ip keep {\n\tchain c {\n\t\tip saddr 192.0.2.1 counter\n\t}\n}\n")
	before := ns.Nft(t, "list", "ruleset")

	var b strings.Builder
	b.WriteString("table ip t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy accept;\n")
	const header = 3
	badLine := 0
	for i := 1; i <= 100; i++ {
		if i == 57 {
			b.WriteString("\t\ttcp dport 8080 dnat to 10.0.0.2\n")
			badLine = header + i
			continue
		}
		fmt.Fprintf(&b, "\t\ttcp dport %d accept\n", 1000+i)
	}
	b.WriteString("\t}\n}\n")
	dir := t.TempDir()
	file := dir + "/bad.nft"
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := ns.Run(t, nfshBin, "apply", file)
	if err == nil {
		t.Fatal("nfsh apply succeeded, want the kernel to reject rule 57")
	}
	msg := err.Error()
	for _, want := range []string{fmt.Sprintf("bad.nft:%d:", badLine), "Operation not supported", "dnat"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error message lacks %q:\n%s", want, msg)
		}
	}
	if d := cmp.Diff(before, ns.Nft(t, "list", "ruleset")); d != "" {
		t.Errorf("ruleset changed by a rejected apply (-before +after):\n%s", d)
	}
}
