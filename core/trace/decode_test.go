package trace

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// msg builds an NFT_MSG_TRACE payload: nfgenmsg, then the attributes enc
// adds (big-endian, as the kernel sends them).
func msg(t testing.TB, family uint8, enc func(ae *netlink.AttributeEncoder)) []byte {
	t.Helper()
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	enc(ae)
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{family, 0, 0, 0}, b...)
}

func TestDecode(t *testing.T) {
	const a = 1
	for _, tc := range []struct {
		name string
		in   []byte
		want Trace
	}{
		{"rule jump", msg(t, unix.NFPROTO_IPV4, func(ae *netlink.AttributeEncoder) {
			ae.String(unix.NFTA_TRACE_TABLE, "t")
			ae.String(unix.NFTA_TRACE_CHAIN, "c")
			ae.Uint32(unix.NFTA_TRACE_ID, 0x9b5a8a41)
			ae.Uint64(unix.NFTA_TRACE_RULE_HANDLE, 7)
			ae.Uint32(unix.NFTA_TRACE_TYPE, unix.NFT_TRACETYPE_RULE)
			ae.Nested(unix.NFTA_TRACE_VERDICT, func(nae *netlink.AttributeEncoder) error {
				nae.Uint32(unix.NFTA_VERDICT_CODE, VerdictJump)
				nae.String(unix.NFTA_VERDICT_CHAIN, "j")
				return nil
			})
			ae.Uint32(unix.NFTA_TRACE_NFPROTO, unix.NFPROTO_IPV4)
		}), Trace{Family: unix.NFPROTO_IPV4, Table: "t", Chain: "c", ID: 0x9b5a8a41, RuleHandle: 7, Type: TypeRule,
			Verdict: Verdict{Code: VerdictJump, Chain: "j"}, NFProto: 2,
			Attrs: a<<unix.NFTA_TRACE_TABLE | a<<unix.NFTA_TRACE_CHAIN | a<<unix.NFTA_TRACE_ID | a<<unix.NFTA_TRACE_RULE_HANDLE |
				a<<unix.NFTA_TRACE_TYPE | a<<unix.NFTA_TRACE_VERDICT | a<<unix.NFTA_TRACE_NFPROTO}},
		{"packet", msg(t, unix.NFPROTO_INET, func(ae *netlink.AttributeEncoder) {
			ae.Uint32(unix.NFTA_TRACE_TYPE, unix.NFT_TRACETYPE_POLICY)
			ae.Bytes(unix.NFTA_TRACE_LL_HEADER, []byte{1, 2})
			ae.Bytes(unix.NFTA_TRACE_NETWORK_HEADER, []byte{3})
			ae.Bytes(unix.NFTA_TRACE_TRANSPORT_HEADER, []byte{4, 5, 6})
			ae.Uint32(unix.NFTA_TRACE_IIF, 1)
			ae.Uint16(unix.NFTA_TRACE_IIFTYPE, 772)
			ae.Uint32(unix.NFTA_TRACE_OIF, 2)
			ae.Uint16(unix.NFTA_TRACE_OIFTYPE, 1)
			ae.Uint32(unix.NFTA_TRACE_MARK, 0x2a)
			ae.Uint32(unix.NFTA_TRACE_POLICY, 0)
			ae.Bytes(unix.NFTA_TRACE_PAD, nil)
			ae.Bytes(40, []byte{9}) // an attribute of a later kernel: skipped
		}), Trace{Family: unix.NFPROTO_INET, Type: TypePolicy, LL: []byte{1, 2}, Network: []byte{3}, Transport: []byte{4, 5, 6},
			IIf: 1, IIfType: 772, OIf: 2, OIfType: 1, Mark: 0x2a,
			Attrs: a<<unix.NFTA_TRACE_TYPE | a<<unix.NFTA_TRACE_LL_HEADER | a<<unix.NFTA_TRACE_NETWORK_HEADER | a<<unix.NFTA_TRACE_TRANSPORT_HEADER |
				a<<unix.NFTA_TRACE_IIF | a<<unix.NFTA_TRACE_IIFTYPE | a<<unix.NFTA_TRACE_OIF | a<<unix.NFTA_TRACE_OIFTYPE |
				a<<unix.NFTA_TRACE_MARK | a<<unix.NFTA_TRACE_POLICY | a<<unix.NFTA_TRACE_PAD}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Decode (-want +got):\n%s", d)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, in := range [][]byte{
		nil,
		{2, 0, 0},
		{2, 0, 0, 0, 8, 0, 1},                // truncated attribute
		{2, 0, 0, 0, 5, 0, 6, 0, 1, 0, 0, 0}, // NFTA_TRACE_ID of 1 byte
	} {
		if _, err := Decode(in); err == nil {
			t.Errorf("Decode(%x) succeeded", in)
		}
	}
}

// TestLines checks the rule, policy and return lines against nft 1.0.6.
func TestLines(t *testing.T) {
	rs := &ruleset.Ruleset{Tables: []*ruleset.Table{{Family: ruleset.FamilyIP, Name: "t", Chains: []*ruleset.Chain{{Name: "c", Rules: []*ruleset.Rule{
		{Handle: 3, Exprs: []expr.Expr{&expr.Immediate{DReg: 1, Data: []byte{1}}, &expr.Meta{Key: unix.NFT_META_NFTRACE, SReg: 1}}}, // meta nftrace set 1
		{Handle: 4, Exprs: []expr.Expr{&expr.Immediate{Verdict: &expr.Verdict{Code: -3, Chain: "j"}}}},
	}}}}}}
	base := Trace{Family: unix.NFPROTO_IPV4, Table: "t", Chain: "c", ID: 0x9b5a8a41,
		Attrs: 1<<unix.NFTA_TRACE_TABLE | 1<<unix.NFTA_TRACE_CHAIN | 1<<unix.NFTA_TRACE_ID | 1<<unix.NFTA_TRACE_TYPE}
	with := func(f func(t *Trace)) *Trace { c := base; f(&c); return &c }
	p := NewPrinter(rs, nil)
	for _, tc := range []struct {
		tr   *Trace
		want []string
	}{
		{with(func(t *Trace) {
			t.Type, t.RuleHandle, t.Verdict = TypeRule, 3, Verdict{Code: VerdictContinue}
			t.Attrs |= 1<<unix.NFTA_TRACE_RULE_HANDLE | 1<<unix.NFTA_TRACE_VERDICT
		}), []string{"trace id 9b5a8a41 ip t c rule meta nftrace set 1 (verdict continue)"}},
		{with(func(t *Trace) {
			t.Type, t.RuleHandle, t.Verdict = TypeRule, 4, Verdict{Code: VerdictJump, Chain: "j"}
			t.Attrs |= 1<<unix.NFTA_TRACE_RULE_HANDLE | 1<<unix.NFTA_TRACE_VERDICT
		}), []string{"trace id 9b5a8a41 ip t c rule jump j (verdict jump j)"}},
		{with(func(t *Trace) {
			t.Type, t.RuleHandle, t.Verdict = TypeRule, 99, Verdict{Code: VerdictDrop}
			t.Attrs |= 1<<unix.NFTA_TRACE_RULE_HANDLE | 1<<unix.NFTA_TRACE_VERDICT
		}), []string{"trace id 9b5a8a41 ip t c unknown rule handle 99 (verdict drop)"}},
		{with(func(t *Trace) {
			t.Type, t.Policy, t.Mark = TypePolicy, VerdictAccept, 5
			t.Attrs |= 1<<unix.NFTA_TRACE_POLICY | 1<<unix.NFTA_TRACE_MARK
		}), []string{"trace id 9b5a8a41 ip t c policy accept meta mark 0x00000005 "}},
		{with(func(t *Trace) {
			t.Type, t.Verdict = TypeReturn, Verdict{Code: VerdictContinue}
			t.Attrs |= 1 << unix.NFTA_TRACE_VERDICT
		}), []string{"trace id 9b5a8a41 ip t c verdict continue "}},
		{with(func(t *Trace) { t.Type = TypeUnspec }), nil},
	} {
		if d := cmp.Diff(tc.want, p.Lines(tc.tr)); d != "" {
			t.Errorf("Lines (-want +got):\n%s", d)
		}
	}
}

func TestSplitDatagram(t *testing.T) {
	m := msg(t, 2, func(ae *netlink.AttributeEncoder) { ae.String(unix.NFTA_TRACE_TABLE, "t") })
	nl := func(typ uint16, data []byte) []byte {
		h := make([]byte, 16)
		binary.NativeEndian.PutUint32(h, uint32(16+len(data)))
		binary.NativeEndian.PutUint16(h[4:], typ)
		b := append(h, data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	got, err := SplitDatagram(append(nl(MsgType, m), nl(3, []byte{1})...))
	if err != nil {
		t.Fatal(err)
	}
	want := []Message{{Type: MsgType, Data: m}, {Type: 3, Data: []byte{1}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SplitDatagram (-want +got):\n%s", d)
	}
	if _, err := SplitDatagram([]byte{200, 0, 0, 0, 1, 2}); err == nil {
		t.Error("a truncated datagram split")
	}
}
