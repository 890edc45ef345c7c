package format

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

func u32p(v uint32) *uint32 { return &v }

func be32(v uint32) []byte { b := make([]byte, 4); binary.BigEndian.PutUint32(b, v); return b }

func be16(v uint16) []byte { b := make([]byte, 2); binary.BigEndian.PutUint16(b, v); return b }

func le32(v uint32) []byte { b := make([]byte, 4); binary.LittleEndian.PutUint32(b, v); return b }

func objData(t *testing.T, f func(ae *netlink.AttributeEncoder)) []byte {
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	f(ae)
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func elem(key []byte, flags uint32) *ruleset.Element {
	return &ruleset.Element{Key: key, Flags: flags}
}

// keyOrder is the NFTNL_UDATA_SET_KEYBYTEORDER TLV nft attaches to sets.
func keyOrder(o uint32) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, o)
	return append([]byte{0, 4}, b...)
}

func dep(key uint32, val byte) []expr.Expr {
	return []expr.Expr{&expr.Meta{Key: key, DReg: 1}, &expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{val}}}
}

func accept() expr.Expr {
	return &expr.Immediate{DReg: 0, Verdict: &expr.Verdict{Code: expr.VerdictAccept}}
}

// basicRuleset is the kernel state `nft -f testdata/basic.nft` creates.
func basicRuleset(t *testing.T) *ruleset.Ruleset {
	inet := &ruleset.Table{Family: ruleset.FamilyInet, Name: "filter"}
	inet.Userdata = ruleset.UdataSetString(nil, ruleset.UdataTableComment, "main table")
	inet.Objects = []*ruleset.Object{
		{Type: 1, Name: "cnt1", Data: objData(t, func(ae *netlink.AttributeEncoder) {
			ae.Uint64(1, 0)
			ae.Uint64(2, 0)
		})},
		{Type: 2, Name: "q1", Data: objData(t, func(ae *netlink.AttributeEncoder) {
			ae.Uint64(1, 10485760)
			ae.Uint32(2, 1)
		})},
		{Type: 4, Name: "l1", Data: objData(t, func(ae *netlink.AttributeEncoder) {
			ae.Uint64(1, 400)
			ae.Uint64(2, 60)
			ae.Uint32(3, 5)
			ae.Uint32(4, 0)
			ae.Uint32(5, 0)
		})},
	}
	inet.Sets = []*ruleset.Set{
		{Name: "blocklist", Flags: ruleset.SetInterval, KeyType: 7, KeyLen: 4, Userdata: keyOrder(2),
			Elements: []*ruleset.Element{
				elem(be32(0), 1), elem(be32(0x0a000000), 0), elem(be32(0x0b000000), 1),
				elem(be32(0xac100001), 0), elem(be32(0xac100006), 1),
				elem(be32(0xc0a80101), 0), elem(be32(0xc0a80102), 1)}},
		{Name: "ports", KeyType: 13, KeyLen: 2, Userdata: keyOrder(2),
			Elements: []*ruleset.Element{elem(be16(9001), 0), elem(be16(22), 0), elem(be16(443), 0),
				elem(be16(80), 0), elem(be16(8080), 0), elem(be16(8443), 0), elem(be16(9000), 0)}},
		{Name: "portmap", Flags: ruleset.SetMap, KeyType: 13, KeyLen: 2, DataType: 0xffffff00, Userdata: keyOrder(2),
			Elements: []*ruleset.Element{
				{Key: be16(23), Verdict: &expr.Verdict{Code: expr.VerdictDrop}},
				{Key: be16(22), Verdict: &expr.Verdict{Code: expr.VerdictAccept}}}},
	}
	tcpDport := []expr.Expr{&expr.Meta{Key: 16, DReg: 1}, &expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{6}},
		&expr.Payload{DReg: 1, Base: 2, Offset: 2, Len: 2}}
	anon := &ruleset.Set{Name: "__set0", Flags: ruleset.SetAnonymous | ruleset.SetConstant, KeyType: 13, KeyLen: 2,
		Size: u32p(2), Userdata: keyOrder(2), Elements: []*ruleset.Element{elem(be16(23), 0), elem(be16(22), 0)}}
	svc := &ruleset.Rule{Exprs: append(append([]expr.Expr{}, tcpDport...),
		&expr.Lookup{SReg: 1, SetName: "ports"}, &expr.Counter{}, accept())}
	svc.SetComment("services")
	input := &ruleset.Chain{Name: "input", Hook: &ruleset.Hook{Type: "filter", Num: 1, Priority: 0, Policy: u32p(0)},
		Rules: []*ruleset.Rule{
			{Exprs: []expr.Expr{&expr.Ct{Key: 0, DReg: 1},
				&expr.Bitwise{SReg: 1, DReg: 1, Len: 4, Mask: le32(6), Xor: le32(0)},
				&expr.Cmp{SReg: 1, Op: expr.CmpNeq, Data: le32(0)}, accept()}},
			{Exprs: []expr.Expr{&expr.Meta{Key: 4, DReg: 1}, &expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: le32(1)}, accept()}},
			{Exprs: append(dep(15, 2), &expr.Payload{DReg: 1, Base: 1, Offset: 12, Len: 4},
				&expr.Lookup{SReg: 1, SetName: "blocklist"},
				&expr.Immediate{Verdict: &expr.Verdict{Code: expr.VerdictDrop}})},
			svc,
			{Exprs: append(append([]expr.Expr{}, tcpDport...), &expr.Lookup{SReg: 1, SetName: "portmap", DReg: u32p(0)})},
			{Exprs: append(append(dep(15, 2), &expr.Payload{DReg: 1, Base: 1, Offset: 12, Len: 1},
				&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{10}}),
				append(append([]expr.Expr{}, tcpDport...), &expr.Lookup{SReg: 1, SetName: "__set0"}, accept())...),
				Sets: []*ruleset.Set{anon}},
		}}
	inet.Chains = []*ruleset.Chain{
		input,
		{Name: "forward", Hook: &ruleset.Hook{Type: "filter", Num: 2, Priority: 10, Policy: u32p(1)}},
		{Name: "pre", Hook: &ruleset.Hook{Type: "nat", Num: 0, Priority: -100, Policy: u32p(1)}},
		{Name: "post", Hook: &ruleset.Hook{Type: "nat", Num: 4, Priority: 105, Policy: u32p(1)},
			Rules: []*ruleset.Rule{{Exprs: append(dep(15, 2), &expr.Payload{DReg: 1, Base: 1, Offset: 16, Len: 4},
				&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{1, 2, 3, 4}}, &expr.Masq{})}}},
		{Name: "user", Rules: []*ruleset.Rule{{Exprs: []expr.Expr{&expr.Meta{Key: 16, DReg: 1},
			&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: []byte{17}}, &expr.Payload{DReg: 1, Base: 2, Offset: 2, Len: 2},
			&expr.Cmp{SReg: 1, Op: expr.CmpEq, Data: be16(53)}, accept()}}}},
	}
	raw := &ruleset.Table{Family: ruleset.FamilyIP, Name: "raw", Chains: []*ruleset.Chain{
		{Name: "pre", Hook: &ruleset.Hook{Type: "filter", Num: 0, Priority: -305, Policy: u32p(1)},
			Rules: []*ruleset.Rule{{Exprs: []expr.Expr{&expr.Notrack{}}}}},
	}}
	return &ruleset.Ruleset{Tables: []*ruleset.Table{inet, raw}}
}

func TestRulesetLayout(t *testing.T) {
	want, err := os.ReadFile("testdata/basic.golden")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Ruleset(&buf, basicRuleset(t)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("listing mismatch (-nft +nfsh):\n%s", diff)
	}
}

func TestPriorityString(t *testing.T) {
	tests := []struct {
		fam  uint8
		hook uint32
		prio int32
		want string
	}{
		{1, 1, 0, "filter"},
		{1, 2, 10, "filter + 10"},
		{2, 0, -100, "dstnat"},
		{2, 1, -100, "-100"},
		{2, 4, 105, "srcnat + 5"},
		{2, 0, -305, "raw - 5"},
		{2, 0, -11, "-11"},
		{7, 1, -200, "filter"},
		{5, 0, 0, "filter"},
		{2, 1, 50, "security"},
	}
	for _, tt := range tests {
		if got := PriorityString(tt.fam, tt.hook, tt.prio); got != tt.want {
			t.Errorf("PriorityString(%d, %d, %d) = %q, want %q", tt.fam, tt.hook, tt.prio, got, tt.want)
		}
	}
}
