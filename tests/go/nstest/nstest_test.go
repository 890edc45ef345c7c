package nstest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/nfsh/nfsh/tests/go/nstest"
)

func TestNew(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	if _, err := os.Stat(ns.Path()); err != nil {
		t.Fatalf("namespace path: %v", err)
	}
	out, err := ns.Run(t, "ip", "-o", "link", "show", "lo")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "UP") {
		t.Errorf("lo is not up: %q", out)
	}
	ns.NftScript(t, "table ip nstest {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t}\n}\n")
	if got := ns.Nft(t, "list", "tables"); got != "table ip nstest\n" {
		t.Errorf("nft list tables = %q", got)
	}
}

func TestDoAndVeth(t *testing.T) {
	nstest.Require(t)
	a, b := nstest.New(t), nstest.New(t)
	nstest.Veth(t, a, "va", b, "vb")
	a.Addr(t, "va", "192.0.2.1/24")
	b.Addr(t, "vb", "192.0.2.2/24")
	out, err := b.Run(t, "ip", "-o", "addr", "show", "dev", "vb")
	if err != nil || !strings.Contains(out, "192.0.2.2/24") {
		t.Errorf("vb in b: %q, %v", out, err)
	}
	var inside string
	if err := a.Do(func() error {
		b, err := os.ReadFile("/proc/thread-self/net/dev")
		inside = string(b)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(inside, "va:") {
		t.Errorf("Do did not run inside the namespace: %q", inside)
	}
}
