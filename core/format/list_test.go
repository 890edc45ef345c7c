package format

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"

	"github.com/nfsh/nfsh/core/ruleset"
)

// listTable is a table with a little of everything the partial listings
// select from.
func listTable(t *testing.T) *ruleset.Table {
	counter := func(name string, pkts, bytes uint64) *ruleset.Object {
		return &ruleset.Object{Type: 1, Name: name, Handle: 7, Data: objData(t, func(ae *netlink.AttributeEncoder) {
			ae.Uint64(1, bytes)
			ae.Uint64(2, pkts)
		})}
	}
	meter := &ruleset.Set{Name: "flood", Flags: ruleset.SetAnonymous | ruleset.SetEval, KeyType: 7, KeyLen: 4, Userdata: keyOrder(2)}
	anon := &ruleset.Set{Name: "__set0", Flags: ruleset.SetAnonymous | ruleset.SetConstant, KeyType: 13, KeyLen: 2}
	return &ruleset.Table{
		Family: ruleset.FamilyInet, Name: "f", Handle: 3, Flags: 0x1,
		Objects: []*ruleset.Object{
			counter("c1", 5, 300),
			{Type: 2, Name: "q1", Data: objData(t, func(ae *netlink.AttributeEncoder) { ae.Uint64(1, 1024) })},
			counter("c2", 0, 0),
		},
		Sets: []*ruleset.Set{
			{Name: "s", Handle: 4, KeyType: 7, KeyLen: 4, Userdata: keyOrder(2), Elements: []*ruleset.Element{elem(be32(0x0a000001), 0)}},
			{Name: "m", Flags: ruleset.SetMap, KeyType: 13, KeyLen: 2, DataType: 7, DataLen: 4, Userdata: keyOrder(2)},
		},
		Chains: []*ruleset.Chain{
			{Name: "in", Handle: 1, Hook: &ruleset.Hook{Type: "filter", Num: 1, Policy: u32p(0)},
				Rules: []*ruleset.Rule{{Handle: 9, Exprs: dep(16, 6)}, {Handle: 10, Sets: []*ruleset.Set{meter, anon}}}},
			{Name: "bound", Flags: chainBinding},
			{Name: "user", Handle: 2, Userdata: ruleset.UdataSetString(nil, ruleset.UdataChainComment, "hi"),
				Rules: []*ruleset.Rule{{Handle: 11, Sets: []*ruleset.Set{meter}}}},
		},
		Flowtables: []*ruleset.Flowtable{{Name: "ft", Handle: 8, Devices: []string{"d1", "d0"}}},
	}
}

func TestSetKind(t *testing.T) {
	for _, tc := range []struct {
		flags uint32
		want  string
	}{
		{0, KindSet},
		{ruleset.SetInterval | ruleset.SetTimeout, KindSet},
		{ruleset.SetMap, KindMap},
		{ruleset.SetObject, KindMap},
		{ruleset.SetAnonymous | ruleset.SetEval, KindMeter},
		{ruleset.SetAnonymous | ruleset.SetConstant, ""},
		{ruleset.SetAnonymous | ruleset.SetMap, ""},
	} {
		if got := SetKind(&ruleset.Set{Flags: tc.flags}); got != tc.want {
			t.Errorf("SetKind(flags %#x) = %q, want %q", tc.flags, got, tc.want)
		}
	}
}

func TestSetsOfKind(t *testing.T) {
	tb := listTable(t)
	for _, tc := range []struct {
		kind string
		want []string
	}{
		{KindSet, []string{"s"}},
		{KindMap, []string{"m"}},
		{KindMeter, []string{"flood"}}, // used by two rules, listed once
	} {
		var got []string
		for _, s := range SetsOfKind(tb, tc.kind) {
			got = append(got, s.Name)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("SetsOfKind(%s) (-want +got):\n%s", tc.kind, d)
		}
	}
}

func TestPartialListings(t *testing.T) {
	tb := listTable(t)
	handles := &Options{Handles: true}
	stateless := &Options{Stateless: true}
	for _, tc := range []struct {
		name  string
		write func(*strings.Builder) error
		want  string
	}{
		{"table line", func(sb *strings.Builder) error { sb.WriteString(TableLine(tb)); return nil },
			"table inet f\n"},
		{"table header ignores handles and flags", func(sb *strings.Builder) error { sb.WriteString(TableHeader(tb)); return nil },
			"table inet f {\n"},
		{"chain declaration without rules", func(sb *strings.Builder) error { sb.WriteString(ChainDecl(tb, tb.Chains[0], handles)); return nil },
			"\tchain in { # handle 1\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n"},
		{"chains", func(sb *strings.Builder) error { return WriteChains(sb, tb, nil) },
			"table inet f {\n\tchain in {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n\tchain user {\n\t\tcomment \"hi\"\n\t}\n}\n"},
		{"sets", func(sb *strings.Builder) error { return WriteSets(sb, tb, KindSet, nil) },
			"table inet f {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1 }\n\t}\n}\n"},
		{"sets with handles", func(sb *strings.Builder) error { return WriteSets(sb, tb, KindSet, handles) },
			"table inet f {\n\tset s { # handle 4\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1 }\n\t}\n}\n"},
		{"maps", func(sb *strings.Builder) error { return WriteSets(sb, tb, KindMap, nil) },
			"table inet f {\n\tmap m {\n\t\ttype inet_service : ipv4_addr\n\t}\n}\n"},
		{"no meters keeps the header", func(sb *strings.Builder) error {
			return WriteSets(sb, &ruleset.Table{Family: ruleset.FamilyIP, Name: "e"}, KindMeter, nil)
		}, "table ip e {\n}\n"},
		{"counters", func(sb *strings.Builder) error { return WriteObjects(sb, tb, 1, "", nil) },
			"table inet f {\n\tcounter c1 {\n\t\tpackets 5 bytes 300\n\t}\n\tcounter c2 {\n\t\tpackets 0 bytes 0\n\t}\n}\n"},
		{"one counter stateless", func(sb *strings.Builder) error { return WriteObjects(sb, tb, 1, "c1", stateless) },
			"table inet f {\n\tcounter c1 {\n\t}\n}\n"},
		{"limits: header only when the table has other objects", func(sb *strings.Builder) error { return WriteObjects(sb, tb, 4, "", nil) },
			"table inet f {\n}\n"},
		{"objects: nothing for a table without objects", func(sb *strings.Builder) error {
			return WriteObjects(sb, &ruleset.Table{Family: ruleset.FamilyIP, Name: "e"}, 1, "", nil)
		}, ""},
		{"flowtables", func(sb *strings.Builder) error { return WriteFlowtables(sb, tb, nil) },
			"table inet f {\n\tflowtable ft {\n\t\thook ingress priority filter\n\t\tdevices = { d0, d1 }\n\t}\n}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sb strings.Builder
			if err := tc.write(&sb); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, sb.String()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
