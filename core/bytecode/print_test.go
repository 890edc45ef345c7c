package bytecode

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

func mustExprs(t *testing.T, lines ...string) []expr.Expr {
	t.Helper()
	var es []expr.Expr
	for _, l := range lines {
		e, err := expr.Parse(l)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	return es
}

func attrs(t *testing.T, fn func(ae *netlink.AttributeEncoder)) []byte {
	t.Helper()
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	fn(ae)
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func u32(v uint32) *uint32 { return &v }
func u64(v uint64) *uint64 { return &v }

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// TestPrint compares with what `nft --debug=netlink -f` printed (nft 1.0.6,
// libnftnl 1.2.4) for an equivalent script.
func TestPrint(t *testing.T) {
	inet, ipf := ruleset.FamilyInet, ruleset.FamilyIP
	drop := uint32(0)
	cmds := []ruleset.Command{
		{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Family: inet, Table: "t", TableObj: &ruleset.Table{Name: "t"}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindChain, Family: inet, Table: "t", Chain: "c2", ChainObj: &ruleset.Chain{Name: "c2"}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindChain, Family: inet, Table: "t", Chain: "c", ChainObj: &ruleset.Chain{Name: "c",
			Hook: &ruleset.Hook{Type: "filter", Num: 1, Priority: 0, Policy: &drop}}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindObject, Family: inet, Table: "t", Name: "cnt1", Object: &ruleset.Object{Type: 1, Name: "cnt1",
			Data: attrs(t, func(ae *netlink.AttributeEncoder) { ae.Uint64(1, 0); ae.Uint64(2, 0) })}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindObject, Family: inet, Table: "t", Name: "q1", Object: &ruleset.Object{Type: 2, Name: "q1",
			Data: attrs(t, func(ae *netlink.AttributeEncoder) { ae.Uint64(1, 104857600); ae.Uint64(4, 0); ae.Uint32(2, 1) })}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindSet, Family: inet, Table: "t", Name: "s1", Set: &ruleset.Set{Name: "s1", Flags: 4,
			Elements: []*ruleset.Element{
				{Key: le32(0), Flags: 1}, {Key: le32(0x0a)}, {Key: le32(0x0b), Flags: 1},
			}}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindSet, Family: inet, Table: "t", Name: "m1", Set: &ruleset.Set{Name: "m1", Flags: 8,
			Elements: []*ruleset.Element{
				{Key: le32(0x1600), Verdict: &expr.Verdict{Code: expr.VerdictAccept}},
				{Key: le32(0x5000), Verdict: &expr.Verdict{Code: expr.VerdictJump, Chain: "c2"}},
			}}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindSet, Family: inet, Table: "t", Name: "m2", Set: &ruleset.Set{Name: "m2", Flags: 0x18,
			Timeout: u64(10000), Size: u32(100)}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: inet, Table: "t", Chain: "c", Rule: &ruleset.Rule{
			Sets: []*ruleset.Set{{Name: "__set%d", Flags: 3, Size: u32(2), Elements: []*ruleset.Element{{Key: le32(0x1600)}, {Key: le32(0x1700)}}}},
			Exprs: mustExprs(t,
				"[ meta load l4proto => reg 1 ]",
				"[ cmp eq reg 1 0x00000006 ]",
				"[ payload load 2b @ transport header + 2 => reg 1 ]",
				"[ lookup reg 1 set __set%d ]",
				"[ immediate reg 0 accept ]"),
			Userdata: []byte("\x00\x06hello\x00"),
		}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: inet, Table: "t", Chain: "c", Rule: &ruleset.Rule{
			Exprs: mustExprs(t,
				"[ meta load nfproto => reg 1 ]",
				"[ cmp eq reg 1 0x00000002 ]",
				"[ objref type 1 name cnt1 ]"),
		}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Family: ipf, Table: "nat", TableObj: &ruleset.Table{Name: "nat"}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindChain, Family: ipf, Table: "nat", Chain: "pre", ChainObj: &ruleset.Chain{Name: "pre",
			Hook: &ruleset.Hook{Type: "nat", Num: 0, Priority: -100}}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindElements, Family: inet, Table: "t", Name: "s1", Elements: []*ruleset.Element{
			{Key: le32(0x0a)}, {Key: le32(0x0b), Flags: 1},
		}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindSet, Family: ipf, Table: "nat", Name: "s3", Set: &ruleset.Set{Name: "s3", Flags: 0x84}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindElements, Family: ipf, Table: "nat", Name: "s3", Elements: []*ruleset.Element{
			{Key: append(le32(0x04030201), le32(0x1600)...), KeyEnd: append(le32(0x04030201), le32(0x1900)...)},
		}},
	}
	want := strings.Join([]string{
		"inet (null) (null) use 0",
		"inet (null) (null) use 0 type filter hook input prio 0 packets 0 bytes 0",
		"table (null) name (null) use 0 [ counter pkts 0 bytes 0 ]",
		"table (null) name (null) use 0 [ quota bytes 104857600 flags 1 ]",
		"s1 t 4",
		"s1 t 0",
		"\telement 00000000  : 1 [end]\telement 0000000a  : 0 [end]\telement 0000000b  : 1 [end]",
		"m1 t 8",
		"m1 t 0",
		"\telement 00001600  : accept 0 [end]\telement 00005000  : jump -> c2 0 [end]",
		"m2 t 18 timeout 10000ms size 100",
		"__set%d t 3 size 2",
		"__set%d t 0",
		"\telement 00001600  : 0 [end]\telement 00001700  : 0 [end]",
		"inet t c",
		"  [ meta load l4proto => reg 1 ]",
		"  [ cmp eq reg 1 0x00000006 ]",
		"  [ payload load 2b @ transport header + 2 => reg 1 ]",
		"  [ lookup reg 1 set __set%d ]",
		"  [ immediate reg 0 accept ]",
		`  userdata = { \x00\x06hello\x00 }`,
		"inet t c",
		"  [ meta load nfproto => reg 1 ]",
		"  [ cmp eq reg 1 0x00000002 ]",
		"  [ objref type 1 name cnt1 ]",
		"",
		"ip (null) (null) use 0 type nat hook prerouting prio -100 packets 0 bytes 0",
		"s1 t 0",
		"\telement 0000000a  : 0 [end]\telement 0000000b  : 1 [end]",
		"s3 nat 84",
		"s3 nat 0",
		"\telement 04030201 00001600  - 04030201 00001900  : 0 [end]",
		"",
	}, "\n")
	var sb strings.Builder
	if err := Print(&sb, cmds); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(strings.Split(want, "\n"), strings.Split(sb.String(), "\n")); d != "" {
		t.Errorf("Print (-want +got):\n%s", d)
	}
}
