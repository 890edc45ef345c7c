package ruleset

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	u32 := func(v uint32) *uint32 { return &v }
	u64 := func(v uint64) *uint64 { return &v }
	base := func(typ string, hook uint32, devs ...string) *Chain {
		return &Chain{Name: "c", Hook: &Hook{Type: typ, Num: hook, Devices: devs}}
	}
	tbl := func(fam Family, chains []*Chain, sets ...*Set) *Ruleset {
		return &Ruleset{Tables: []*Table{{Family: fam, Name: "t", Chains: chains, Sets: sets}}}
	}
	ipset := func(mod func(s *Set)) *Set {
		s := &Set{Name: "s", KeyType: 7, KeyLen: 4}
		mod(s)
		return s
	}
	tests := []struct {
		name string
		rs   *Ruleset
		want string // substring of the error; "" = valid
	}{
		{"valid filter chain", tbl(FamilyInet, []*Chain{base("filter", HookInput)}), ""},
		{"valid netdev ingress", tbl(FamilyNetdev, []*Chain{base("filter", HookNetdevIngress, "lo")}), ""},
		{"nat in bridge", tbl(FamilyBridge, []*Chain{base("nat", HookPrerouting)}), "not available in family bridge"},
		{"route on input", tbl(FamilyIP, []*Chain{base("route", HookInput)}), "hook 1 is not available to route chains"},
		{"netdev without device", tbl(FamilyNetdev, []*Chain{base("filter", HookNetdevIngress)}), "needs a device"},
		{"devices on input", tbl(FamilyIP, []*Chain{base("filter", HookInput, "eth0")}), "devices are only"},
		{"bad policy", tbl(FamilyIP, []*Chain{{Name: "c", Hook: &Hook{Type: "filter", Num: 1, Policy: u32(7)}}}), "accept or drop"},
		{"long chain name", tbl(FamilyIP, []*Chain{{Name: strings.Repeat("x", 256)}}), "name too long"},
		{"duplicate chain", tbl(FamilyIP, []*Chain{{Name: "a"}, {Name: "a"}}), "duplicate chain"},
		{"valid set", tbl(FamilyIP, nil, ipset(func(s *Set) { s.Elements = []*Element{{Key: []byte{1, 2, 3, 4}}} })), ""},
		{"key length", tbl(FamilyIP, nil, ipset(func(s *Set) { s.KeyLen = 65 })), "key length 65"},
		{"map without data type", tbl(FamilyIP, nil, ipset(func(s *Set) { s.Flags = SetMap })), "needs a data type"},
		{"timeout without flag", tbl(FamilyIP, nil, ipset(func(s *Set) { s.Timeout = u64(1000) })), "lacks the timeout flag"},
		{"element key size", tbl(FamilyIP, nil, ipset(func(s *Set) { s.Elements = []*Element{{Key: []byte{1}}} })), "key of 1 bytes"},
		{"element data in a set", tbl(FamilyIP, nil, ipset(func(s *Set) { s.Elements = []*Element{{Key: []byte{1, 2, 3, 4}, Data: []byte{1}}} })), "not a map"},
		{"map element without data", tbl(FamilyIP, nil, ipset(func(s *Set) {
			s.Flags, s.DataType, s.DataLen = SetMap, 7, 4
			s.Elements = []*Element{{Key: []byte{1, 2, 3, 4}}}
		})), "without data"},
		{"range without interval", tbl(FamilyIP, nil, ipset(func(s *Set) { s.Elements = []*Element{{Key: []byte{1, 2, 3, 4}, KeyEnd: []byte{1, 2, 3, 9}}} })), "interval flag"},
		{"duplicate table", &Ruleset{Tables: []*Table{{Family: FamilyIP, Name: "t"}, {Family: FamilyIP, Name: "t"}}}, "duplicate table"},
		{"same name other family", &Ruleset{Tables: []*Table{{Family: FamilyIP, Name: "t"}, {Family: FamilyIP6, Name: "t"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rs.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v, want valid", err)
			case tt.want != "" && err == nil:
				t.Fatalf("Validate: valid, want an error containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("Validate: %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSetters(t *testing.T) {
	rs := &Ruleset{}
	tb := &Table{Family: FamilyInet, Name: "f"}
	if err := rs.AddTable(tb); err != nil {
		t.Fatal(err)
	}
	if err := rs.AddTable(&Table{Family: FamilyInet, Name: "f"}); err == nil {
		t.Error("duplicate table accepted")
	}
	c := &Chain{Name: "in", Hook: &Hook{Type: "filter", Num: HookInput}}
	if err := tb.AddChain(c); err != nil {
		t.Fatal(err)
	}
	if err := c.SetPolicy(false); err != nil || *c.Hook.Policy != 0 {
		t.Errorf("SetPolicy(drop): %v", err)
	}
	if err := (&Chain{Name: "x"}).SetPolicy(true); err == nil {
		t.Error("policy on a regular chain accepted")
	}
	s := &Set{Name: "s", KeyType: 13, KeyLen: 2}
	if err := tb.AddSet(s); err != nil {
		t.Fatal(err)
	}
	if err := s.AddElements(&Element{Key: []byte{0, 22}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddElements(&Element{Key: []byte{0, 22, 1}}); err == nil {
		t.Error("wrong key length accepted")
	}
	if err := tb.AddSet(&Set{Name: "a", Flags: SetAnonymous, KeyLen: 2}); err == nil {
		t.Error("anonymous set accepted as a named set")
	}
}
