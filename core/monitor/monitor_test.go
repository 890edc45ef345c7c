package monitor

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// dgram builds a datagram of notification messages with wire's encoders.
type dgram struct {
	b     []byte
	resID uint16 // res_id of the messages Begin starts
}

func (d *dgram) Begin(typ uint16, family uint8, flags uint16) []byte {
	var h [nlmsgHdrLen + nfgenmsgLen]byte
	ne.PutUint16(h[4:], unix.NFNL_SUBSYS_NFTABLES<<8|typ)
	ne.PutUint16(h[6:], flags)
	h[16] = family
	binary.BigEndian.PutUint16(h[18:], d.resID)
	return append(d.b, h[:]...)
}

func (d *dgram) End(b []byte) int {
	start := len(d.b)
	ne.PutUint32(b[start:], uint32(len(b)-start))
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	d.b = b
	return 0
}

// gen appends a NEWGEN message.
func (d *dgram) gen(id, pid uint32, proc string) {
	b := d.Begin(unix.NFT_MSG_NEWGEN, 0, 0)
	put := func(typ uint16, v []byte) {
		var h [4]byte
		ne.PutUint16(h[0:], uint16(4+len(v)))
		ne.PutUint16(h[2:], typ)
		b = append(b, h[:]...)
		b = append(b, v...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	put(unix.NFTA_GEN_ID, binary.BigEndian.AppendUint32(nil, id))
	put(unix.NFTA_GEN_PROC_PID, binary.BigEndian.AppendUint32(nil, pid))
	put(unix.NFTA_GEN_PROC_NAME, append([]byte(proc), 0))
	d.End(b)
}

func accept() []expr.Expr {
	return []expr.Expr{&expr.Immediate{Verdict: &expr.Verdict{Code: expr.VerdictAccept}}}
}

// rule appends a NEWRULE (or DELRULE) notification.
func (d *dgram) rule(typ uint16, flags uint16, handle, pos uint64, exprs []expr.Expr) {
	if typ == unix.NFT_MSG_DELRULE {
		wire.DelRule(d, typ, ruleset.FamilyIP, "t", "c", handle)
		return
	}
	if _, err := wire.AddRule(d, ruleset.FamilyIP, "t", "c", &ruleset.Rule{Exprs: exprs}, wire.RuleRef{Handle: handle, Position: pos}, flags); err != nil {
		panic(err)
	}
}

func collect(t *testing.T, b []byte) (cs []Commit, stray int) {
	t.Helper()
	var a assembler
	if err := a.datagram(b, func(c Commit) { cs = append(cs, c) }, func(n int) { stray += n }); err != nil {
		t.Fatal(err)
	}
	return cs, stray
}

func TestAssemble(t *testing.T) {
	d := &dgram{resID: 7}
	wire.AddTable(d, &ruleset.Table{Family: ruleset.FamilyIP, Name: "t"}, 0, 0)
	wire.AddChain(d, ruleset.FamilyIP, "t", &ruleset.Chain{Name: "c"}, 0)
	anon := &ruleset.Set{Name: "__set0", Flags: ruleset.SetAnonymous | ruleset.SetConstant, KeyType: 13, KeyLen: 2}
	if _, err := wire.AddSet(d, ruleset.FamilyIP, "t", anon, 1, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := wire.SetElems(d, unix.NFT_MSG_NEWSETELEM, ruleset.FamilyIP, wire.ElemsRef{Table: "t", Set: "__set0"},
		[]*ruleset.Element{{Key: []byte{0, 22}}, {Key: []byte{0, 80}}}, 0); err != nil {
		t.Fatal(err)
	}
	d.rule(unix.NFT_MSG_NEWRULE, unix.NLM_F_APPEND, 4, 0, []expr.Expr{&expr.Lookup{SReg: 1, SetName: "__set0"}})
	d.gen(7, 42, "nft")
	d.resID = 8
	d.rule(unix.NFT_MSG_DELRULE, 0, 4, 0, nil)
	d.gen(8, 43, "nfsh")

	cs, stray := collect(t, d.b)
	if stray != 0 || len(cs) != 2 {
		t.Fatalf("%d commits, %d stray", len(cs), stray)
	}
	var got []string
	for _, c := range cs {
		got = append(got, fmt.Sprintf("gen %d %d %s", c.Gen, c.PID, c.Proc))
		for _, e := range c.Events {
			got = append(got, fmt.Sprintf("%s %s %s anon=%v", e.Op, e.Kind, e.Table, e.Anonymous()))
		}
	}
	want := []string{
		"gen 7 42 nft",
		"new table t anon=false",
		"new chain t anon=false",
		"new set t anon=true",
		"new element t anon=true",
		"new rule t anon=false",
		"gen 8 43 nfsh",
		"delete rule t anon=false",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	r := cs[0].Events[4].Rule
	if len(r.Sets) != 1 || len(r.Sets[0].Elements) != 2 {
		t.Errorf("new rule does not carry its anonymous set with elements: %+v", r.Sets)
	}
}

// TestAssembleTorn checks that events of another generation (left over
// from a commit torn by an overrun) are dropped, not glued to the next.
func TestAssembleTorn(t *testing.T) {
	d := &dgram{resID: 5}
	d.rule(unix.NFT_MSG_NEWRULE, unix.NLM_F_APPEND, 9, 0, accept()) // commit 5 lost its NEWGEN
	d.resID = 6
	d.rule(unix.NFT_MSG_NEWRULE, unix.NLM_F_APPEND, 10, 0, accept())
	d.gen(6, 1, "nft")
	cs, stray := collect(t, d.b)
	if stray != 1 || len(cs) != 1 || len(cs[0].Events) != 1 || cs[0].Events[0].Rule.Handle != 10 {
		t.Fatalf("commits %+v, stray %d", cs, stray)
	}
}

// TestAssembleGarbage feeds random and truncated bytes: no panic, and
// nothing but errors or KindUnknown events.
func TestAssembleGarbage(t *testing.T) {
	d := &dgram{resID: 1}
	wire.AddTable(d, &ruleset.Table{Family: ruleset.FamilyIP, Name: "t"}, 0, 0)
	d.rule(unix.NFT_MSG_NEWRULE, unix.NLM_F_APPEND, 3, 0, accept())
	d.gen(1, 1, "x")
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		b := append([]byte(nil), d.b...)
		b = b[:rnd.IntN(len(b)+1)]
		for j := 0; j < 1+rnd.IntN(4) && len(b) > 0; j++ {
			b[rnd.IntN(len(b))] = byte(rnd.Uint32())
		}
		var a assembler
		_ = a.datagram(b, func(Commit) {}, nil)
	}
}

// TestApplyRules replays rule events with every placement the kernel
// reports and compares the resulting order.
func TestApplyRules(t *testing.T) {
	tests := []struct {
		name   string
		before []uint64
		events []Event
		want   []uint64
	}{
		{"append", []uint64{1, 2}, []Event{newRule(3, 0, true)}, []uint64{1, 2, 3}},
		{"insert at head", []uint64{1, 2}, []Event{newRule(3, 0, false)}, []uint64{3, 1, 2}},
		{"after position", []uint64{1, 2}, []Event{newRule(3, 1, true)}, []uint64{1, 3, 2}},
		{"position of a later rule", []uint64{1, 2},
			// One batch: 4 after 1, then 5 between 1 and 4 (announced after 4).
			[]Event{newRule(4, 5, true), newRule(5, 1, true)}, []uint64{1, 5, 4, 2}},
		{"replace first", []uint64{1, 2, 3}, []Event{delRule(1), newRule(1, 0, true)}, []uint64{1, 2, 3}},
		{"replace last", []uint64{1, 2, 3}, []Event{delRule(3), newRule(3, 0, true)}, []uint64{1, 2, 3}},
		{"replace middle", []uint64{1, 2, 3}, []Event{delRule(2), newRule(2, 1, true)}, []uint64{1, 2, 3}},
		{"delete", []uint64{1, 2, 3}, []Event{delRule(2)}, []uint64{1, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &ruleset.Chain{Name: "c"}
			for _, h := range tt.before {
				ch.Rules = append(ch.Rules, &ruleset.Rule{Handle: h})
			}
			rs := &ruleset.Ruleset{Tables: []*ruleset.Table{{Family: ruleset.FamilyIP, Name: "t", Chains: []*ruleset.Chain{ch}}}}
			if err := Apply(rs, Commit{Gen: 2, Events: tt.events}); err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, r := range ch.Rules {
				got = append(got, r.Handle)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("rule order (-want +got):\n%s", d)
			}
		})
	}
}

func newRule(h, pos uint64, appendFlag bool) Event {
	e := Event{Op: OpNew, Kind: KindRule, Family: ruleset.FamilyIP, Table: "t", Chain: "c", Position: pos, Rule: &ruleset.Rule{Handle: h}}
	if appendFlag {
		e.Flags = unix.NLM_F_APPEND
	}
	return e
}

func delRule(h uint64) Event {
	return Event{Op: OpDelete, Kind: KindRule, Family: ruleset.FamilyIP, Table: "t", Chain: "c", Rule: &ruleset.Rule{Handle: h}}
}

// TestApplyMissing reports events that do not fit the value.
func TestApplyMissing(t *testing.T) {
	rs := &ruleset.Ruleset{}
	err := Apply(rs, Commit{Events: []Event{delRule(1)}})
	if err == nil || !strings.Contains(err.Error(), "no table") {
		t.Errorf("err = %v", err)
	}
	if err := Apply(rs, Commit{Resync: true}); err == nil {
		t.Error("resync without snapshot applied")
	}
}

func TestOneLine(t *testing.T) {
	got := oneLine("\tset s {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n", "ip t", "; ")
	if want := "set ip t s { type ipv4_addr; flags interval; }"; got != want {
		t.Errorf("oneLine = %q, want %q", got, want)
	}
	if got := elementsText("\tset s {\n\t\telements = { 1.2.3.4, 5.6.7.8,\n\t\t\t     9.9.9.9 }\n\t}\n"); got != "{ 1.2.3.4, 5.6.7.8, 9.9.9.9 }" {
		t.Errorf("elementsText = %q", got)
	}
}
