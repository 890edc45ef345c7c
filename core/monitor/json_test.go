package monitor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/ruleset"
)

// TestJSONPrinter checks the lines of events whose kernel messages nft
// 1.0.6 prints in its own way: create, interval halves joined, deleted
// sets and objects without their attributes; and a deleted rule printed
// whole, where nft 1.0.6 loses its lookups.
func TestJSONPrinter(t *testing.T) {
	s := &ruleset.Set{Name: "s", Handle: 2, Flags: ruleset.SetInterval, KeyType: 7, KeyLen: 4} // ipv4_addr
	newSet := Event{Op: OpNew, Kind: KindSet, Family: ruleset.FamilyIP, Table: "t", Set: "s", SetObj: s}
	lookup := &ruleset.Rule{Handle: 4, Exprs: []expr.Expr{
		&expr.Payload{Base: 1, Offset: 12, Len: 4, DReg: 1}, // ip saddr
		&expr.Lookup{SReg: 1, SetName: "s"},
		&expr.Immediate{DReg: 0, Verdict: &expr.Verdict{Code: 0}}, // drop,
	}}
	elem := func(flags uint32, key ...byte) *ruleset.Element { return &ruleset.Element{Key: key, Flags: flags} }
	tests := []struct {
		name string
		evs  []Event
		want []string
	}{{
		name: "create table",
		evs: []Event{{Op: OpNew, Kind: KindTable, Flags: unix.NLM_F_EXCL, Family: ruleset.FamilyInet, Table: "o",
			TableObj: &ruleset.Table{Name: "o", Handle: 3}}},
		want: []string{`{"create": {"table": {"family": "inet", "name": "o", "handle": 3}}}`},
	}, {
		name: "interval halves joined",
		evs: []Event{newSet,
			{Op: OpNew, Kind: KindElement, Family: ruleset.FamilyIP, Table: "t", Set: "s",
				Elements: []*ruleset.Element{elem(0, 10, 0, 0, 0)}},
			{Op: OpNew, Kind: KindElement, Family: ruleset.FamilyIP, Table: "t", Set: "s",
				Elements: []*ruleset.Element{elem(ruleset.ElemIntervalEnd, 11, 0, 0, 0)}}},
		want: []string{
			`{"add": {"set": {"family": "ip", "name": "s", "table": "t", "type": "ipv4_addr", "handle": 2, "flags": ["interval"]}}}`,
			`{"add": {"element": {"family": "ip", "table": "t", "name": "s", "elem": {"set": [{"prefix": {"addr": "10.0.0.0", "len": 8}}]}}}}`,
		},
	}, {
		name: "deleted set and object",
		evs: []Event{{Op: OpDelete, Kind: KindSet, Family: ruleset.FamilyIP, Table: "t", Set: "__set0",
			SetObj: &ruleset.Set{Name: "__set0", Handle: 8}},
			{Op: OpDelete, Kind: KindObject, Family: ruleset.FamilyIP, Table: "t",
				Object: &ruleset.Object{Type: 3, Name: "h", Handle: 2}}},
		want: []string{
			`{"delete": {"set": {"family": "ip", "name": "__set0", "table": "t", "type": "invalid", "handle": 8}}}`,
			`{"delete": {"ct helper": {"family": "ip", "name": "h", "table": "t", "handle": 2, "type": "(null)", "protocol": "ip", "l3proto": "unknown"}}}`,
		},
	}, {
		// nft 1.0.6 drops the set from its cache here and prints the
		// deleted rule, and later elements of the set, without it
		name: "deleted rule printed whole, the set kept",
		evs: []Event{newSet,
			{Op: OpNew, Kind: KindRule, Flags: unix.NLM_F_APPEND, Family: ruleset.FamilyIP, Table: "t", Chain: "c", Rule: lookup},
			{Op: OpDelete, Kind: KindRule, Family: ruleset.FamilyIP, Table: "t", Chain: "c", Rule: lookup},
			{Op: OpNew, Kind: KindElement, Family: ruleset.FamilyIP, Table: "t", Set: "s",
				Elements: []*ruleset.Element{elem(0, 1, 2, 3, 4)}},
			{Op: OpNew, Kind: KindElement, Family: ruleset.FamilyIP, Table: "t", Set: "s",
				Elements: []*ruleset.Element{elem(ruleset.ElemIntervalEnd, 1, 2, 3, 5)}}},
		want: []string{
			`{"add": {"set": {"family": "ip", "name": "s", "table": "t", "type": "ipv4_addr", "handle": 2, "flags": ["interval"]}}}`,
			`{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@s"}}, {"drop": null}]}}}`,
			`{"delete": {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@s"}}, {"drop": null}]}}}`,
			`{"add": {"element": {"family": "ip", "table": "t", "name": "s", "elem": {"set": ["1.2.3.4"]}}}}`,
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NewJSONPrinter(nil).Lines(Commit{Gen: 1, Events: tc.evs})
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("lines (-want +got):\n%s", d)
			}
		})
	}
}
