package gotests

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// TestListWarnsForIptablesTables checks that `nfsh list` warns on stderr
// before a table iptables-nft manages, exactly as nft does, and keeps
// stdout identical.
func TestListWarnsForIptablesTables(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	if _, err := ns.Run(t, "iptables-nft", "-A", "INPUT", "-m", "recent", "--name", "x", "--rcheck", "-j", "ACCEPT"); err != nil {
		t.Skipf("iptables-nft: %v", err)
	}
	ns.NftScript(t, "table inet native {\n\tchain c {\n\t\tcounter\n\t}\n}\n")
	run := func(name string, args ...string) (string, string) {
		cmd := ns.Command(name, args...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v: %s", name, err, errb.String())
		}
		return out.String(), errb.String()
	}
	wantOut, wantErr := run("nft", "list", "ruleset")
	gotOut, gotErr := run(nfshBin, "list")
	if wantErr == "" {
		t.Fatal("nft printed no warning; the test's premise is wrong")
	}
	if d := cmp.Diff(wantErr, gotErr); d != "" {
		t.Errorf("stderr (-nft +nfsh):\n%s", d)
	}
	if d := cmp.Diff(wantOut, gotOut); d != "" {
		t.Errorf("stdout (-nft +nfsh):\n%s", d)
	}
}
