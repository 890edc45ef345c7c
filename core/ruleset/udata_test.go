package ruleset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUdata(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		typ  uint8
		val  string
		want []byte
	}{
		{"add to empty", nil, UdataRuleComment, "hi", []byte{0, 3, 'h', 'i', 0}},
		{"replace keeps others", []byte{0, 2, 'a', 0, 7, 1, 'x'}, 0, "bc", []byte{0, 3, 'b', 'c', 0, 7, 1, 'x'}},
		{"remove", []byte{0, 2, 'a', 0, 7, 1, 'x'}, 0, "", []byte{7, 1, 'x'}},
		{"tag beside comment", []byte{0, 2, 'a', 0}, UdataRuleTag, "t", []byte{0, 2, 'a', 0, UdataRuleTag, 2, 't', 0}},
		{"garbage tail kept", []byte{0, 2, 'a', 0, 9, 200}, UdataRuleTag, "t", []byte{0, 2, 'a', 0, UdataRuleTag, 2, 't', 0, 9, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UdataSetString(tt.in, tt.typ, tt.val)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("UdataSetString (-want +got):\n%s", d)
			}
			if tt.val != "" {
				if s := UdataString(got, tt.typ); s != tt.val {
					t.Fatalf("UdataString = %q, want %q", s, tt.val)
				}
			}
		})
	}
}

func TestRuleTagAndComment(t *testing.T) {
	r := &Rule{}
	r.SetComment("ssh")
	r.SetTag("svc")
	if r.Comment() != "ssh" || r.Tag() != "svc" {
		t.Fatalf("got comment %q tag %q", r.Comment(), r.Tag())
	}
	r.SetComment("")
	if r.Comment() != "" || r.Tag() != "svc" {
		t.Fatalf("after removing the comment: comment %q tag %q", r.Comment(), r.Tag())
	}
}

func TestApply(t *testing.T) {
	rs := &Ruleset{}
	r1, r2, r3 := &Rule{Text: "r1"}, &Rule{Text: "r2"}, &Rule{Text: "r3"}
	cmds := []*Command{
		{Op: OpAdd, Kind: KindTable, Family: FamilyInet, Table: "f"},
		{Op: OpAdd, Kind: KindChain, Family: FamilyInet, Table: "f", Chain: "in"},
		{Op: OpAdd, Kind: KindRule, Family: FamilyInet, Table: "f", Chain: "in", Rule: r1},
		{Op: OpInsert, Kind: KindRule, Family: FamilyInet, Table: "f", Chain: "in", Rule: r2},
		{Op: OpAdd, Kind: KindRule, Family: FamilyInet, Table: "f", Chain: "in", Rule: r3, PositionRule: r2},
		{Op: OpAdd, Kind: KindSet, Family: FamilyInet, Table: "f", Set: &Set{Name: "s"}},
		{Op: OpAdd, Kind: KindElements, Family: FamilyInet, Table: "f", Name: "s", Elements: []*Element{{Key: []byte{1}}, {Key: []byte{2}}}},
		{Op: OpDelete, Kind: KindElements, Family: FamilyInet, Table: "f", Name: "s", Elements: []*Element{{Key: []byte{1}}}},
	}
	for _, c := range cmds {
		if err := rs.Apply(c); err != nil {
			t.Fatalf("Apply(%s): %v", c.Describe(), err)
		}
	}
	var order []string
	for _, r := range rs.Table(FamilyInet, "f").Chain("in").Rules {
		order = append(order, r.Text)
	}
	if d := cmp.Diff([]string{"r2", "r3", "r1"}, order); d != "" {
		t.Errorf("rule order (-want +got):\n%s", d)
	}
	if n := len(rs.Table(FamilyInet, "f").Set("s").Elements); n != 1 {
		t.Errorf("set has %d elements, want 1", n)
	}
	if r1.Handle == 0 || r1.Handle == r2.Handle {
		t.Errorf("handles not assigned distinctly: %d %d", r1.Handle, r2.Handle)
	}

	bad := []*Command{
		{Op: OpAdd, Kind: KindChain, Family: FamilyIP, Table: "missing", Chain: "c"},
		{Op: OpAdd, Kind: KindRule, Family: FamilyInet, Table: "f", Chain: "nochain", Rule: &Rule{}},
		{Op: OpCreate, Kind: KindTable, Family: FamilyInet, Table: "f"},
		{Op: OpDelete, Kind: KindRule, Family: FamilyInet, Table: "f", Chain: "in", Handle: 999},
	}
	for _, c := range bad {
		if err := rs.Apply(c); err == nil {
			t.Errorf("Apply(%s %s) succeeded, want error", c.Op, c.Describe())
		}
	}
}
