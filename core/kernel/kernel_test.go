package kernel_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/diag"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/nfnl"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/tests/go/nstest"
)

func dial(t testing.TB, ns *nstest.NS) *nfnl.Conn {
	t.Helper()
	c, err := nfnl.Dial(nfnl.Options{NetNS: nfnl.NetNSPath(ns.Path())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func u32(v uint32) *uint32 { return &v }

func verdict(code int32, chain string) *expr.Immediate {
	return &expr.Immediate{Verdict: &expr.Verdict{Code: code, Chain: chain}}
}

// sampleRuleset is a hand-built table with a base chain, a regular
// chain, a named set, an anonymous set, an object and a commented rule.
func sampleRuleset() *ruleset.Ruleset {
	keyUdata := []byte{0, 4, 2, 0, 0, 0} // NFTNL_UDATA_SET_KEYBYTEORDER = big endian
	block := &ruleset.Set{Name: "blocklist", KeyType: 7, KeyLen: 4, Userdata: keyUdata,
		Elements: []*ruleset.Element{{Key: []byte{192, 0, 2, 1}}, {Key: []byte{192, 0, 2, 2}}}}
	anon := &ruleset.Set{Name: "__set%d", ID: 1, Flags: ruleset.SetAnonymous | ruleset.SetConstant, KeyType: 7, KeyLen: 4, Userdata: keyUdata,
		Elements: []*ruleset.Element{{Key: []byte{10, 0, 0, 1}}, {Key: []byte{10, 0, 0, 2}}}}
	comment := &ruleset.Rule{Exprs: []expr.Expr{verdict(expr.VerdictAccept, "")}}
	comment.SetComment("hello")
	return &ruleset.Ruleset{Tables: []*ruleset.Table{{
		Family: ruleset.FamilyIP, Name: "filter",
		Sets:    []*ruleset.Set{block},
		Objects: []*ruleset.Object{{Type: 1, Name: "cnt", Data: []byte{12, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0}}},
		Chains: []*ruleset.Chain{
			{Name: "input", Hook: &ruleset.Hook{Type: "filter", Num: 1, Priority: 0, Policy: u32(1)}, Rules: []*ruleset.Rule{
				{Exprs: []expr.Expr{
					&expr.Payload{DReg: 1, Base: 1, Offset: 12, Len: 4},
					&expr.Lookup{SReg: 1, SetName: "blocklist"},
					verdict(expr.VerdictDrop, ""),
				}},
				{Exprs: []expr.Expr{
					&expr.Payload{DReg: 1, Base: 1, Offset: 16, Len: 4},
					&expr.Lookup{SReg: 1, SetName: "__set%d", SetID: 1},
					verdict(expr.VerdictAccept, ""),
				}, Sets: []*ruleset.Set{anon}},
				{Exprs: []expr.Expr{&expr.Counter{}, verdict(expr.VerdictJump, "other")}},
				comment,
			}},
			{Name: "other", Rules: []*ruleset.Rule{{Exprs: []expr.Expr{verdict(expr.VerdictReturn, "")}}}},
		},
	}}}
}

// normalize clears what the kernel assigns (handles, owner, set ids)
// and names anonymous sets the way the kernel does.
func normalize(rs *ruleset.Ruleset) {
	sortElems := func(s *ruleset.Set) {
		sort.Slice(s.Elements, func(i, j int) bool { return bytes.Compare(s.Elements[i].Key, s.Elements[j].Key) < 0 })
	}
	for _, t := range rs.Tables {
		for _, s := range t.Sets {
			sortElems(s)
		}
		t.Handle, t.Owner, t.Flags, t.Persist = 0, 0, 0, false
		for _, s := range t.Sets {
			s.Handle, s.ID = 0, 0
		}
		for _, o := range t.Objects {
			o.Handle = 0
		}
		for _, c := range t.Chains {
			c.Handle = 0
			for _, r := range c.Rules {
				r.Handle = 0
				for i, s := range r.Sets {
					sortElems(s)
					s.Handle, s.ID = 0, 0
					if strings.Contains(s.Name, "%d") {
						s.Name = strings.Replace(s.Name, "%d", fmt.Sprint(i), 1)
					}
				}
				for _, x := range r.Exprs {
					if l, ok := x.(*expr.Lookup); ok {
						l.SetID = 0
						l.SetName = strings.Replace(l.SetName, "%d", "0", 1)
					}
				}
			}
		}
	}
}

var cmpOpts = cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(), cmpopts.IgnoreFields(ruleset.Table{}, "Pos")}

func TestPushPull(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)
	rs := sampleRuleset()
	if err := kernel.Push(c, rs, kernel.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := kernel.Pull(c, kernel.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tables) != 1 || got.Tables[0].Flags&0x2 == 0 || got.Tables[0].Owner != c.PortID() {
		t.Errorf("pulled table flags %#x owner %d, want owner flag and port %d", got.Tables[0].Flags, got.Tables[0].Owner, c.PortID())
	}
	want := sampleRuleset()
	normalize(want)
	normalize(got)
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("pull after push (-want +got):\n%s", diff)
	}
	out := ns.Nft(t, "list", "ruleset")
	for _, s := range []string{"ip saddr @blocklist drop", "ip daddr { 10.0.0.1, 10.0.0.2 } accept", "jump other", `comment "hello"`, "counter cnt"} {
		if !strings.Contains(out, s) {
			t.Errorf("nft list ruleset lacks %q:\n%s", s, out)
		}
	}
	// Push again: replace mode rebuilds the table, no duplicates.
	if err := kernel.Push(c, sampleRuleset(), kernel.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	again, err := kernel.Pull(c, kernel.PullOptions{Family: ruleset.FamilyIP, Table: "filter"})
	if err != nil {
		t.Fatal(err)
	}
	normalize(again)
	if diff := cmp.Diff(want, again, cmpOpts); diff != "" {
		t.Errorf("pull after second push (-want +got):\n%s", diff)
	}
}

func TestOwnerFlag(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c1 := dial(t, ns)
	feat, err := kernel.Probe(c1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("features: %+v", feat)
	owned := &ruleset.Ruleset{Tables: []*ruleset.Table{{Family: ruleset.FamilyInet, Name: "owned"}}}
	persist := &ruleset.Ruleset{Tables: []*ruleset.Table{{Family: ruleset.FamilyInet, Name: "kept", Persist: true}}}
	if err := kernel.Push(c1, owned, kernel.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := kernel.Push(c1, persist, kernel.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := ns.Nft(t, "list", "tables"); got != "table inet owned\ntable inet kept\n" {
		t.Fatalf("tables before close: %q", got)
	}
	// Another socket may not change the owned table.
	c2 := dial(t, ns)
	err = kernel.Push(c2, owned, kernel.PushOptions{})
	if !errors.Is(err, unix.EPERM) {
		t.Errorf("push to a table owned by another socket: %v, want EPERM", err)
	}
	c1.Close()
	if got := ns.Nft(t, "list", "tables"); got != "table inet kept\n" {
		t.Errorf("tables after the owner closed: %q, want only the persistent one", got)
	}
	rs, err := kernel.Pull(c2, kernel.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Tables) != 1 || !rs.Tables[0].Persist {
		t.Errorf("pulled %+v, want one persistent table", rs.Tables)
	}
}

func TestApplyErrorNamesCommand(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)
	ns.NftScript(t, "table ip keep {\n\tchain c {\n\t}\n}\n")
	before := ns.Nft(t, "list", "ruleset")
	pos := func(line int) diag.Pos { return diag.Pos{File: "rules.nft", Line: line, Col: 1} }
	cmds := []ruleset.Command{
		{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Family: ruleset.FamilyIP, Table: "t", Pos: pos(1), TableObj: &ruleset.Table{Persist: true}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindChain, Family: ruleset.FamilyIP, Table: "t", Chain: "c", Pos: pos(2), ChainObj: &ruleset.Chain{Name: "c"}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: ruleset.FamilyIP, Table: "t", Chain: "c", Pos: pos(3), Text: "jump missing",
			Rule: &ruleset.Rule{Exprs: []expr.Expr{verdict(expr.VerdictJump, "missing")}, Pos: pos(3)}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: ruleset.FamilyIP, Table: "t", Chain: "c", Pos: pos(4), Text: "accept",
			Rule: &ruleset.Rule{Exprs: []expr.Expr{verdict(expr.VerdictAccept, "")}, Pos: pos(4)}},
	}
	err := kernel.Apply(c, cmds, kernel.ApplyOptions{})
	var de *diag.Error
	if !errors.As(err, &de) {
		t.Fatalf("Apply: %v (%T), want *diag.Error", err, err)
	}
	t.Logf("error: %v", err)
	if de.Pos.Line != 3 || de.Errno != unix.ENOENT || !strings.Contains(de.Error(), "Could not process rule: No such file or directory") || !strings.Contains(de.Object, "jump missing") {
		t.Errorf("error %+v: want line 3, ENOENT, nft's wording, the rule's text", de)
	}
	if all := kernel.AllErrors(err); len(all) != 1 {
		t.Errorf("AllErrors: %d errors, want 1", len(all))
	}
	if after := ns.Nft(t, "list", "ruleset"); after != before {
		t.Errorf("ruleset changed by a refused batch:\n%s", after)
	}
	// Check mode validates without committing.
	cmds[2].Rule.Exprs = []expr.Expr{verdict(expr.VerdictAccept, "")}
	if err := kernel.Apply(c, cmds, kernel.ApplyOptions{Check: true}); err != nil {
		t.Fatalf("check: %v", err)
	}
	if after := ns.Nft(t, "list", "ruleset"); after != before {
		t.Errorf("check mode committed:\n%s", after)
	}
	if err := kernel.Apply(c, cmds, kernel.ApplyOptions{}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if got := ns.Nft(t, "list", "table", "ip", "t"); !strings.Contains(got, "accept\n\t\taccept") {
		t.Errorf("applied table:\n%s", got)
	}
}

// TestLarge pushes 10k rules and a 100k-element set and pulls them back.
func TestLarge(t *testing.T) {
	nstest.Require(t)
	ns := nstest.New(t)
	c := dial(t, ns)
	const nRules, nElems = 10000, 100000
	tab := &ruleset.Table{Family: ruleset.FamilyIP, Name: "big", Persist: true}
	ch := &ruleset.Chain{Name: "c"}
	for i := range nRules {
		k := make([]byte, 4)
		binary.BigEndian.PutUint32(k, uint32(i))
		ch.Rules = append(ch.Rules, &ruleset.Rule{Exprs: []expr.Expr{
			&expr.Payload{DReg: 1, Base: 1, Offset: 12, Len: 4},
			&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: k},
			verdict(expr.VerdictAccept, ""),
		}})
	}
	set := &ruleset.Set{Name: "s", KeyType: 7, KeyLen: 4}
	for i := range nElems {
		k := make([]byte, 4)
		binary.BigEndian.PutUint32(k, uint32(i)+1)
		set.Elements = append(set.Elements, &ruleset.Element{Key: k})
	}
	tab.Chains, tab.Sets = []*ruleset.Chain{ch}, []*ruleset.Set{set}
	start := time.Now()
	if err := kernel.Push(c, &ruleset.Ruleset{Tables: []*ruleset.Table{tab}}, kernel.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	pushed := time.Since(start)
	start = time.Now()
	rs, err := kernel.Pull(c, kernel.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pulled := time.Since(start)
	if n := len(rs.Tables[0].Chains[0].Rules); n != nRules {
		t.Errorf("pulled %d rules, want %d", n, nRules)
	}
	if n := len(rs.Tables[0].Sets[0].Elements); n != nElems {
		t.Errorf("pulled %d elements, want %d", n, nElems)
	}
	t.Logf("push %d rules + %d elements: %v; pull: %v", nRules, nElems, pushed, pulled)

	// Reference: nft loading and listing the same amount.
	var sb strings.Builder
	sb.WriteString("table ip nftbig {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { ")
	for i := range nElems {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "%d.%d.%d.%d", byte((i+1)>>24), byte((i+1)>>16), byte((i+1)>>8), byte(i+1))
	}
	sb.WriteString(" }\n\t}\n\tchain c {\n")
	for i := range nRules {
		fmt.Fprintf(&sb, "\t\tip saddr %d.%d.%d.%d accept\n", byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
	}
	sb.WriteString("\t}\n}\n")
	start = time.Now()
	ns.NftScript(t, sb.String())
	nftLoad := time.Since(start)
	start = time.Now()
	ns.Nft(t, "list", "table", "ip", "nftbig")
	t.Logf("nft -f same content: %v; nft list table: %v", nftLoad, time.Since(start))
}
