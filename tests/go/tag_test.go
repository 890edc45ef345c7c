package gotests

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nfsh/nfsh/core/compile"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

// TestRuleTagSurvivesPull pushes tagged rules (one with a comment too),
// pulls them back and checks the tags and comments are intact, and that
// nft still lists the table (it ignores nfsh's TLV).
func TestRuleTagSurvivesPull(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	rules := []struct{ text, tag, comment string }{
		{"tcp dport 22 accept", "ssh", "admin access"},
		{"udp dport 53 accept", "dns", ""},
		{"ct state invalid drop", "", "no tag"},
	}
	tbl := &ruleset.Table{Family: ruleset.FamilyInet, Name: "tagged", Persist: true}
	ch := &ruleset.Chain{Name: "c"}
	for _, r := range rules {
		cr, err := compile.Rule(tbl.Family, tbl.Name, ch.Name, r.text, nil)
		if err != nil {
			t.Fatalf("compile %q: %v", r.text, err)
		}
		cr.SetTag(r.tag)
		cr.SetComment(r.comment)
		ch.Rules = append(ch.Rules, cr)
	}
	if err := tbl.AddChain(ch); err != nil {
		t.Fatal(err)
	}
	rs := &ruleset.Ruleset{Tables: []*ruleset.Table{tbl}}

	var got []string
	err := ns.Do(func() error {
		c, err := nfnl.Dial(nfnl.Options{})
		if err != nil {
			return err
		}
		defer c.Close()
		if err := kernel.Push(c, rs, kernel.PushOptions{}); err != nil {
			return err
		}
		pulled, err := kernel.Pull(c, kernel.PullOptions{Family: ruleset.FamilyInet, Table: "tagged"})
		if err != nil {
			return err
		}
		for _, r := range pulled.Table(ruleset.FamilyInet, "tagged").Chain("c").Rules {
			got = append(got, r.Tag()+"|"+r.Comment())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ssh|admin access", "dns|", "|no tag"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tag|comment after pull (-want +got):\n%s", d)
	}
	listing := ns.Nft(t, "list", "ruleset")
	for _, s := range []string{`tcp dport 22 accept comment "admin access"`, "udp dport 53 accept\n", `ct state invalid drop comment "no tag"`} {
		if !strings.Contains(listing, s) {
			t.Errorf("nft list ruleset lacks %q:\n%s", s, listing)
		}
	}
}
