package wire

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// memSink collects messages as (type, family, flags, attrs).
type memSink struct {
	buf  []byte
	msgs []memMsg
}

type memMsg struct {
	typ    uint16
	family uint8
	flags  uint16
	attrs  []byte
}

func (m *memSink) Begin(typ uint16, family uint8, flags uint16) []byte {
	m.msgs = append(m.msgs, memMsg{typ: typ, family: family, flags: flags})
	return m.buf[:0]
}

func (m *memSink) End(b []byte) int {
	m.msgs[len(m.msgs)-1].attrs = append([]byte(nil), b...)
	m.buf = b
	return len(m.msgs) - 1
}

var opts = cmp.Options{cmpopts.EquateEmpty()}

func TestTableBytes(t *testing.T) {
	// nft 1.0.6 `add table ip t`: NFTA_TABLE_NAME "t", NFTA_TABLE_FLAGS 0.
	var s memSink
	AddTable(&s, &ruleset.Table{Family: ruleset.FamilyIP, Name: "t"}, 0, 0)
	want := []byte{6, 0, 1, 0, 't', 0, 0, 0, 8, 0, 2, 0, 0, 0, 0, 0}
	if !bytes.Equal(s.msgs[0].attrs, want) {
		t.Errorf("got % x\nwant % x", s.msgs[0].attrs, want)
	}
}

func TestChainBytes(t *testing.T) {
	// nft 1.0.6: chain c { type filter hook input priority 0; policy accept; }
	var s memSink
	pol := uint32(1)
	AddChain(&s, ruleset.FamilyIP, "t", &ruleset.Chain{Name: "c", Hook: &ruleset.Hook{Type: "filter", Num: 1, Priority: 0, Policy: &pol}}, 0x400)
	want := []byte{
		6, 0, 1, 0, 't', 0, 0, 0, // NFTA_CHAIN_TABLE
		6, 0, 3, 0, 'c', 0, 0, 0, // NFTA_CHAIN_NAME
		11, 0, 7, 0, 'f', 'i', 'l', 't', 'e', 'r', 0, 0, // NFTA_CHAIN_TYPE
		8, 0, 5, 0, 0, 0, 0, 1, // NFTA_CHAIN_POLICY
		20, 0, 4, 0x80, 8, 0, 1, 0, 0, 0, 0, 1, 8, 0, 2, 0, 0, 0, 0, 0, // NFTA_CHAIN_HOOK
	}
	if !bytes.Equal(s.msgs[0].attrs, want) {
		t.Errorf("got  % x\nwant % x", s.msgs[0].attrs, want)
	}
}

func TestRoundTrip(t *testing.T) {
	pol, size := uint32(0), uint32(64)
	tmo := uint64(30000)
	var s memSink

	tab := &ruleset.Table{Family: ruleset.FamilyInet, Name: "filter", Flags: TableOwner, Userdata: []byte{0, 3, 'h', 'i', 0}}
	AddTable(&s, tab, tab.Flags, 0)
	gt, err := DecodeTable(s.msgs[0].family, s.msgs[0].attrs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tab, gt, opts); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}

	ch := &ruleset.Chain{Name: "in", Hook: &ruleset.Hook{Type: "filter", Num: 0, Priority: -150, Devices: []string{"lo", "eth0"}, Policy: &pol}, Userdata: []byte{0, 2, 'x', 0}}
	i := AddChain(&s, ruleset.FamilyNetdev, "filter", ch, 0)
	tn, gc, err := DecodeChain(s.msgs[i].attrs)
	if err != nil || tn != "filter" {
		t.Fatal(tn, err)
	}
	if diff := cmp.Diff(ch, gc, opts); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}

	r := &ruleset.Rule{
		Exprs:    []expr.Expr{&expr.Immediate{DReg: 0, Verdict: &expr.Verdict{Code: expr.VerdictJump, Chain: "other"}}},
		Userdata: []byte{0, 4, 'a', 'b', 'c', 0},
	}
	i, err = AddRule(&s, ruleset.FamilyInet, "filter", "in", r, RuleRef{Position: 7, ID: 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	tn, cn, gr, err := DecodeRule(s.msgs[i].attrs)
	if err != nil || tn != "filter" || cn != "in" {
		t.Fatal(tn, cn, err)
	}
	if diff := cmp.Diff(r, gr, opts); diff != "" {
		t.Errorf("rule (-want +got):\n%s", diff)
	}

	set := &ruleset.Set{Name: "m", ID: 9, Flags: ruleset.SetMap | ruleset.SetTimeout, KeyType: 7, KeyLen: 4, DataType: 0xffffff00, DataLen: 16,
		Policy: &pol, Size: &size, Concat: []uint32{4, 2}, Timeout: &tmo, Userdata: []byte{0, 4, 1, 0, 0, 0}}
	i, err = AddSet(&s, ruleset.FamilyInet, "filter", set, 9, 0x400)
	if err != nil {
		t.Fatal(err)
	}
	tn, gs, err := DecodeSet(s.msgs[i].attrs)
	if err != nil || tn != "filter" {
		t.Fatal(err)
	}
	if diff := cmp.Diff(set, gs, opts); diff != "" {
		t.Errorf("set (-want +got):\n%s", diff)
	}

	elems := []*ruleset.Element{
		{Key: []byte{10, 0, 0, 1}, Verdict: &expr.Verdict{Code: expr.VerdictAccept}, Timeout: &tmo},
		{Key: []byte{10, 0, 0, 2}, KeyEnd: []byte{10, 0, 0, 9}, Verdict: &expr.Verdict{Code: expr.VerdictJump, Chain: "x"}, Userdata: []byte{0, 2, 'c', 0}},
		{Flags: ruleset.ElemCatchall, Data: []byte{1, 2, 3, 4}},
		{Key: []byte{1}, ObjRef: "cnt"},
	}
	ms, firsts, err := SetElems(&s, 0x0c, ruleset.FamilyInet, ElemsRef{Table: "filter", Set: "m", SetID: 9}, elems, 0x400)
	if err != nil || len(ms) != 1 || firsts[0] != 0 {
		t.Fatal(ms, firsts, err)
	}
	ref, ge, err := DecodeSetElems(s.msgs[ms[0]].attrs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ElemsRef{Table: "filter", Set: "m", SetID: 9}, ref); diff != "" {
		t.Errorf("elems ref: %s", diff)
	}
	if diff := cmp.Diff(elems, ge, opts); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}

	o := &ruleset.Object{Type: 1, Name: "cnt", Data: []byte{12, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5}, Userdata: []byte{0, 2, 'o', 0}}
	i = AddObj(&s, ruleset.FamilyInet, "filter", o, 0)
	tn, gob, err := DecodeObj(s.msgs[i].attrs)
	if err != nil || tn != "filter" {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o, gob, opts); diff != "" {
		t.Errorf("object (-want +got):\n%s", diff)
	}

	f := &ruleset.Flowtable{Name: "ft", Hook: 0, Priority: 10, Devices: []string{"lo"}, Flags: 1}
	i = AddFlowtable(&s, ruleset.FamilyInet, "filter", f, 0)
	tn, gf, err := DecodeFlowtable(s.msgs[i].attrs)
	if err != nil || tn != "filter" {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, gf, opts); diff != "" {
		t.Errorf("flowtable (-want +got):\n%s", diff)
	}
}

// TestElemSplit checks that 100k elements are spread over messages whose
// element lists each fit a 16-bit attribute, and all decode back in order.
func TestElemSplit(t *testing.T) {
	const n = 100000
	elems := make([]*ruleset.Element, n)
	for i := range elems {
		k := make([]byte, 4)
		binary.BigEndian.PutUint32(k, uint32(i))
		elems[i] = &ruleset.Element{Key: k}
	}
	var s memSink
	ms, firsts, err := SetElems(&s, 0x0c, ruleset.FamilyIP, ElemsRef{Table: "t", Set: "s"}, elems, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d messages, want a split", len(ms))
	}
	var got []*ruleset.Element
	for j, m := range ms {
		a := s.msgs[m].attrs
		if len(a) > 0xffff+64 {
			t.Errorf("message %d has %d attribute bytes", j, len(a))
		}
		if firsts[j] != len(got) {
			t.Errorf("message %d starts at element %d, want %d", j, firsts[j], len(got))
		}
		if s.msgs[m].typ != 0x0c {
			t.Errorf("message %d has type %#x, want NEWSETELEM", j, s.msgs[m].typ)
		}
		_, es, err := DecodeSetElems(a)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, es...)
	}
	if len(got) != n {
		t.Fatalf("decoded %d elements, want %d", len(got), n)
	}
	for i, e := range got {
		if !bytes.Equal(e.Key, elems[i].Key) {
			t.Fatalf("element %d: key % x, want % x", i, e.Key, elems[i].Key)
		}
	}
	t.Logf("%d elements in %d messages", n, len(ms))
}

func TestDelMessages(t *testing.T) {
	var s memSink
	DelTable(&s, MsgDestroyTable, ruleset.FamilyIP, "t", 0)
	DelRule(&s, 0x08, ruleset.FamilyIP, "t", "", 0)
	DelObj(&s, 0x14, ruleset.FamilyIP, "t", 1, "c", 0)
	want := [][]byte{
		{6, 0, 1, 0, 't', 0, 0, 0},
		{6, 0, 1, 0, 't', 0, 0, 0},
		{6, 0, 1, 0, 't', 0, 0, 0, 6, 0, 2, 0, 'c', 0, 0, 0, 8, 0, 3, 0, 0, 0, 0, 1},
	}
	for i, w := range want {
		if !bytes.Equal(s.msgs[i].attrs, w) {
			t.Errorf("message %d: % x, want % x", i, s.msgs[i].attrs, w)
		}
	}
	if s.msgs[0].typ != MsgDestroyTable {
		t.Errorf("type %#x", s.msgs[0].typ)
	}
}

func FuzzDecode(f *testing.F) {
	var s memSink
	AddTable(&s, &ruleset.Table{Name: "t"}, 2, 0)
	AddChain(&s, 1, "t", &ruleset.Chain{Name: "c", Hook: &ruleset.Hook{Type: "filter", Devices: []string{"a", "b"}}}, 0)
	AddRule(&s, 1, "t", "c", &ruleset.Rule{Exprs: []expr.Expr{&expr.Immediate{Verdict: &expr.Verdict{Code: 1}}}}, RuleRef{}, 0)
	AddSet(&s, 1, "t", &ruleset.Set{Name: "s", Concat: []uint32{4}}, 1, 0)
	SetElems(&s, 0x0c, 1, ElemsRef{Table: "t", Set: "s"}, []*ruleset.Element{{Key: []byte{1}, Verdict: &expr.Verdict{Code: -3, Chain: "x"}}}, 0)
	AddObj(&s, 1, "t", &ruleset.Object{Name: "o", Data: []byte{8, 0, 1, 0, 0, 0, 0, 1}}, 0)
	AddFlowtable(&s, 1, "t", &ruleset.Flowtable{Name: "f", Devices: []string{"lo"}}, 0)
	// Foreign rules: xt match/target (with the synthesized NFTA_RULE_COMPAT),
	// an expression kept raw, and unknown userdata TLVs.
	AddRule(&s, 2, "filter", "INPUT", &ruleset.Rule{
		Exprs: []expr.Expr{
			&expr.Meta{Key: 16, DReg: 1},
			&expr.Cmp{SReg: 1, Data: []byte{6}},
			&expr.Match{MatchName: "multiport", Rev: 1, Info: make([]byte, 40)},
			&expr.Target{TargetName: "LOG", Info: make([]byte, 32)},
			&expr.Raw{ExprName: "inner", Data: []byte{8, 0, 1, 0, 0, 0, 0, 0}},
		},
		Userdata: []byte{0xc8, 3, 'a', 'b', 'c', 0, 2, 'x', 0},
	}, RuleRef{Position: 5, ID: 3}, 0)
	for _, m := range s.msgs {
		f.Add(m.attrs)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Whatever decodes must encode again without panicking: a pulled
		// value is pushed as it is.
		var out memSink
		if tb, err := DecodeTable(1, b); err == nil {
			AddTable(&out, tb, tb.Flags, 0)
		}
		if tn, c, err := DecodeChain(b); err == nil {
			AddChain(&out, 1, tn, c, 0)
		}
		if tn, cn, r, err := DecodeRule(b); err == nil {
			AddRule(&out, 1, tn, cn, r, RuleRef{}, 0)
		}
		if tn, set, err := DecodeSet(b); err == nil {
			AddSet(&out, 1, tn, set, 1, 0)
		}
		if ref, elems, err := DecodeSetElems(b); err == nil {
			SetElems(&out, 0x0c, 1, ref, elems, 0)
		}
		if tn, o, err := DecodeObj(b); err == nil {
			AddObj(&out, 1, tn, o, 0)
		}
		if tn, ft, err := DecodeFlowtable(b); err == nil {
			AddFlowtable(&out, 1, tn, ft, 0)
		}
		DecodeGen(b)
	})
}
