package kernel_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/nfsh/nfsh/core/expr"
	"github.com/nfsh/nfsh/core/kernel"
	"github.com/nfsh/nfsh/core/ruleset"
	"github.com/nfsh/nfsh/core/wire"
)

// TestEncodeNamedSetIDs checks that a rule's references to named sets
// carry the NFTA_SET_ID of the set when the batch adds it, as nft 1.0.6
// sends them, and 0 for a set the batch does not add.
func TestEncodeNamedSetIDs(t *testing.T) {
	fam := ruleset.FamilyIP
	set := func(name string) *ruleset.Set {
		return &ruleset.Set{Name: name, KeyType: 7, KeyLen: 4}
	}
	rule := func(x expr.Expr) *ruleset.Rule { return &ruleset.Rule{Exprs: []expr.Expr{x}} }
	cmds := []ruleset.Command{
		{Op: ruleset.OpAdd, Kind: ruleset.KindTable, Family: fam, Table: "t"},
		{Op: ruleset.OpAdd, Kind: ruleset.KindChain, Family: fam, Table: "t", ChainObj: &ruleset.Chain{Name: "c"}},
		{Op: ruleset.OpAdd, Kind: ruleset.KindSet, Family: fam, Table: "t", Set: set("a")},
		{Op: ruleset.OpAdd, Kind: ruleset.KindSet, Family: fam, Table: "t", Set: set("b")},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: fam, Table: "t", Chain: "c", Rule: rule(&expr.Lookup{SReg: 1, SetName: "b"})},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: fam, Table: "t", Chain: "c", Rule: rule(&expr.Dynset{SRegKey: 1, SetName: "a"})},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: fam, Table: "t", Chain: "c", Rule: rule(&expr.Objref{SetSReg: 1, SetName: "a"})},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: fam, Table: "t", Chain: "c", Rule: rule(&expr.Lookup{SReg: 1, SetName: "old"})},
		{Op: ruleset.OpDelete, Kind: ruleset.KindSet, Family: fam, Table: "t", Name: "b"},
		{Op: ruleset.OpAdd, Kind: ruleset.KindRule, Family: fam, Table: "t", Chain: "c", Rule: rule(&expr.Lookup{SReg: 1, SetName: "b"})},
	}
	b, err := kernel.Encode(cmds, kernel.Features{Destroy: true}, kernel.ApplyOptions{Persist: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []uint32
	for i := 0; i < b.Len(); i++ {
		if b.Type(i) != unix.NFT_MSG_NEWRULE {
			continue
		}
		_, _, r, err := wire.DecodeRule(b.Msg(i)[20:])
		if err != nil {
			t.Fatal(err)
		}
		switch x := r.Exprs[0].(type) {
		case *expr.Lookup:
			got = append(got, x.SetID)
		case *expr.Dynset:
			got = append(got, x.SetID)
		case *expr.Objref:
			got = append(got, x.SetID)
		}
	}
	want := []uint32{2, 1, 1, 0, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("set ids (-want +got):\n%s", diff)
	}
}
